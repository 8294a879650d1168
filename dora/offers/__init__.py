"""Offers beside services: training (LHEO), inclusive employers (SIAE), immersions.

- `models`: offer_service / offer_structure (which catalogue rows are trainings or open
  positions, with their source identifiers), training_session, immersion_company/_metier.
- `kinds`: the offer types of search (« type d'offre ») and the one SQL condition each means.
- `lheo/`, `siae/`, `immersion/`: one importer per source (`dora import lheo|siae|immersion`).
- `queries` (reads), `operations` (writes), `views` (pages), `api` (/api/v1/formations,
  /api/v1/employeurs, /api/v1/entreprises-accueillantes), `openapi`, `demo` (demo seed).
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from dora.maps.filters import OFFRE_LABELS
    from dora.offers import template_helpers
    from dora.offers.kinds import BY_VALUE

    # Globals, not a context processor: imported macros see them too.
    app.jinja_env.globals["offre_labels"] = OFFRE_LABELS
    app.jinja_env.globals["offer_types"] = BY_VALUE
    app.jinja_env.globals["offer_details"] = template_helpers.offer_details
    app.jinja_env.globals["offers_service_block"] = template_helpers.service_block
    app.jinja_env.globals["offers_nearby_companies"] = template_helpers.nearby_companies
