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


class CommittedCatalogue:
    """Structures and services written and COMMITTED through the app's engine (not the
    rolled-back test transaction), so that the search accelerator — which never answers a
    request whose transaction wrote — really answers. Everything is deleted afterwards."""

    def __init__(self, engine, tag: str) -> None:
        self.engine = engine
        self.tag = tag
        self.count = 0
        self.structure_id = f"{tag}--structure"
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO structure (id, source, nom, date_maj, moderation)"
                    " VALUES (:id, :source, 'Structure engagée', current_date, 'validee')"
                ),
                {"id": self.structure_id, "source": tag},
            )

    def add(self, rows: list[dict], connection=None) -> list[str]:
        """Insert services (`point=(lon, lat)` or None, other columns by name); commits."""
        ids = []
        with self.engine.begin() if connection is None else _nested(connection) as conn:
            for fields in rows:
                self.count += 1
                fields = dict(fields)
                point = fields.pop("point", None)
                values = {
                    "id": f"{self.tag}--svc-{self.count:05d}",
                    "source": self.tag,
                    "structure_id": self.structure_id,
                    "nom": "Service engagé",
                    "description": "Un service écrit et validé pour les tests.",
                    "date_maj": fields.pop("date_maj", None),
                    "statut": "publie",
                    "thematiques": ["mobilite--entretenir-reparer-son-vehicule"],
                    "publics": ["tous-publics"],
                    "modes_accueil": ["en-presentiel"],
                    "zone_eligibilite": None,
                    "code_insee": "93066",
                    "lon": point[0] if point else None,
                    "lat": point[1] if point else None,
                }
                values.update(fields)
                columns = [c for c in values if c not in {"lon", "lat"}]
                conn.execute(
                    sa.text(
                        f"INSERT INTO service ({', '.join(columns)}, location, longitude,"
                        f" latitude) VALUES ({', '.join(':' + c for c in columns)},"
                        " CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL ELSE"
                        " ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography END,"
                        " :lon, :lat)"
                    ).bindparams(
                        sa.bindparam("date_maj", type_=sa.Date()),
                        sa.bindparam("lon", type_=sa.Float()),
                        sa.bindparam("lat", type_=sa.Float()),
                    ),
                    {**values, "date_maj": values["date_maj"] or _today()},
                )
                ids.append(values["id"])
        return ids

    def remove(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM service WHERE source = :s"), {"s": self.tag})
            connection.execute(sa.text("DELETE FROM structure WHERE source = :s"), {"s": self.tag})


def _today():
    from datetime import date

    return date.today()


class _nested:
    def __init__(self, connection) -> None:
        self.connection = connection

    def __enter__(self):
        return self.connection

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.connection.commit()
        else:
            self.connection.rollback()


@pytest.fixture
def committed_catalogue(app):
    """A CommittedCatalogue, removed (and committed) after the test."""
    import uuid

    from dora.extensions import db

    with app.app_context():
        catalogue = CommittedCatalogue(db.engine, f"test-commit-{uuid.uuid4().hex[:8]}")
        try:
            yield catalogue
        finally:
            catalogue.remove()


def follow_own_writes(db_session, index) -> None:
    """Load `index` so that it follows this test transaction's own writes through deltas.

    In production the copy never follows the writes of the transaction that loaded it (a
    request that wrote does not use it). Here it must: this transaction is counted as running
    when the snapshot was taken, as any other writer's would be. (Its xid is otherwise below
    the snapshot's xmax once a later transaction has committed, as another connection's does
    first here, and its writes would look already loaded.) Call again after each delta."""
    from sqlalchemy import text as sql

    with db_session.get_bind().engine.connect() as other:
        other.execute(sql("SELECT pg_current_xact_id()"))
        other.commit()
    if not index.ready:
        index.load(db_session.connection())
    own = db_session.execute(sql("SELECT pg_current_xact_id()::text::bigint")).scalar_one()
    index.xip.append(own)
