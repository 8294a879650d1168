"""Fixtures for search tests: services placed at known communes, and API helpers.

Reference places (COG, committed geodata):
- Saint-Denis 93066, EPCI 200054781 (Métropole du Grand Paris), département 93, région 11;
- Aubervilliers 93001 (same EPCI and département, 3.4 km away);
- Paris 75056 (same EPCI, département 75), its 10th arrondissement 75110;
- Melun 77288 (région 11, another EPCI, 46 km away); Beauvais 60057 (région 32, 65 km);
- Lyon 69123 (région 84, 390 km away).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

PLACES = ("93066", "93001", "75056", "75110", "77288", "60057", "69123")


@pytest.fixture
def points(db_session) -> dict[str, tuple[float, float]]:
    """(longitude, latitude) of the reference places, as loaded."""
    rows = db_session.execute(
        sa.text(
            """SELECT code, ST_X(location::geometry) AS lon, ST_Y(location::geometry) AS lat
            FROM commune WHERE code = ANY(:codes)
            UNION ALL
            SELECT code, ST_X(location::geometry), ST_Y(location::geometry)
            FROM arrondissement_municipal WHERE code = ANY(:codes)"""
        ),
        {"codes": list(PLACES)},
    )
    return {row.code: (row.lon, row.lat) for row in rows}


@pytest.fixture
def place_service(make_service, points):
    """A published service located at the reference point of a commune (or `point=`)."""

    def make(commune: str = "93066", **fields):
        point = fields.pop("point", points.get(commune))
        fields.setdefault("code_insee", commune)
        fields.setdefault("zone_eligibilite", None)
        return make_service(point=point, **fields)

    return make


@pytest.fixture
def search(client):
    """GET /api/v1/search with these parameters; asserts a 200 and returns the JSON."""

    def run(**params):
        response = client.get("/api/v1/search", query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return run


@pytest.fixture
def ids():
    """The ids of a search answer's items, in order."""

    def of(body: dict) -> list[str]:
        return [item["id"] for item in body["items"]]

    return of
