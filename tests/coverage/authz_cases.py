"""Authorisation cases of the coverage routes (harness: tests/accounts/authz.py).

Every coverage route is a public read of aggregated figures (no personal data): each role,
anonymous included, gets the answer, and nothing in the database changes.
"""

from __future__ import annotations

EVERYONE = {
    "anonymous", "unverified", "verified", "other_member", "member", "admin", "other_manager",
    "manager", "staff",
}  # fmt: skip

GETS = {
    "coverage.coverage_page": "/territoires/departement/93/couverture?thematique=mobilite",
    "coverage.diagnostic": "/territoires/epci/200054781/couverture/diagnostic",
    "coverage.compare": "/territoires/couverture/comparer?a=departement:93&b=departement:75",
    "coverage.export": "/territoires/france/couverture/departements.csv",
    "coverage_api.coverage": "/api/v1/couverture?territoire=commune:93066&distance_km=5",
}


def register(matrix) -> None:
    for endpoint, url in GETS.items():

        def prepare(w, url=url):
            # A computation on record (its figures are empty: a full rebuild per role and
            # route would take minutes; tests/coverage checks the figures themselves).
            from sqlalchemy import text

            w.db.execute(
                text(
                    """INSERT INTO coverage_run (started_at, finished_at, duration_s,
                        services_on_site, services_remote, units, cells, search_xid)
                    VALUES (now(), now(), 1, 0, 0, 0, 0, 0)"""
                )
            )
            return lambda client: client.get(url)

        prepare.__name__ = endpoint.split(".")[-1]
        matrix.case(endpoint, allow=EVERYONE, method="GET", expect_change=False, csrf=False)(
            prepare
        )
