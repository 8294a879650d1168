"""Is a service eligible for a person living in a commune? The platform's one rule (dora.rules),
asked through the search:
- `dora.search.query.resolve_place` gives the commune's eligibility codes (`dora_place_codes`:
  arrondissement → its commune, EPCI, département — never a région —, « * » for everywhere;
  former codes of merged communes);
- the service's normalised zone is `search_document.elig` (`dora_elig`: empty, `france` or
  `99100` become « * »), compared with `&&` as `dora.search.query.location_conditions` does.
No rule is rewritten here: when the rule changes, the orientation check follows.
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
