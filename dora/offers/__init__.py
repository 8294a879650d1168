"""Offers beside services: training (LHEO), inclusive employers (SIAE), immersions.

- `models`: offer_service / offer_structure (which catalogue rows are trainings or open
  positions, with their source identifiers), training_session, immersion_company/_metier.
- `kinds`: the offer types of search (« type d'offre ») and the one SQL condition each means.
- `lheo/`, `siae/`, `immersion/`: one importer per source (`dora import lheo|siae|immersion`).
- `queries` (reads), `operations` (writes), `views` (pages), `api` (/api/v1/formations,
  /api/v1/employeurs, /api/v1/entreprises-accueillantes), `openapi`, `demo` (demo seed).
"""
