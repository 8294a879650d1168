"""Coverage observatory: where the offer is missing, for which need and for whom.

Computed per coverage unit (a commune; for Paris, Lyon and Marseille each arrondissement,
which has its own point and population) × need (all thématiques, each category, each
sub-thème) from the search index, precomputed in PostgreSQL by `dora observatoire calculer`
(dora.coverage.operations), read by the pages and the API (dora.coverage.queries).
"""
