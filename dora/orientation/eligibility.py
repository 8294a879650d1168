"""Is a service eligible for a person living in a commune? The platform's one rule, asked here
once, so that it can be re-pointed at its single SQL definition when that lands (issue 10).

Today it delegates to the search module, twice:
- `dora.search.query.resolve_place` gives the commune's eligibility codes (arrondissement →
  its commune, EPCI, département, « * » for everywhere, former codes of merged communes);
- the service's normalised zone is `search_document.elig` (written by the search triggers of
  migration 0002: empty, `france` or `99100` become « * »), compared with `&&` as
  `dora.search.query.location_conditions` does.
No rule is rewritten here: when the search changes the rule, the orientation check follows.
"""

from __future__ import annotations

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY as PG_ARRAY
from sqlalchemy.orm import Session

from dora.api.errors import ApiError
from dora.catalogue.models import Service
from dora.search.query import SearchQuery, doc, resolve_place


def is_eligible(session: Session, service: Service, code_insee: str) -> bool | None:
    """True or False by the search's rule; None when it cannot be told (unknown commune, or a
    service that is not in the search index: not public, or queued by a bulk write)."""
    try:
        place = resolve_place(session, SearchQuery(commune=code_insee))
    except ApiError:
        return None
    if place is None:
        return None
    eligible = type_coerce(doc.elig, PG_ARRAY(Text)).overlap(list(place.codes))
    return session.scalar(select(eligible).where(doc.service_id == service.id))
