"""`/api/v1/search` end to end on COMMITTED data, accelerator on and off (issue 10, bug 4).

The accelerator never answers a request whose transaction wrote, so API tests inside the
rolled-back test transaction only exercise SQL. Here the catalogue is committed (and removed
afterwards), requests run in their own transactions as in production, and every answer of
the default path (accelerator) is compared with the SQL answer — and with what it must be.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from dora.search import accel

SAINT_DENIS = (2.3574, 48.9362)
AUBERVILLIERS = (2.3833, 48.9146)
MARSEILLE = (5.37, 43.296)
CV_THEMATIQUE = "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"

QUERIES = [
    {"commune": "93066"},
    {"commune": "93066", "rayon_km": "5"},
    {"commune": "93066", "thematiques": "mobilite"},
    {"commune": "93066", "q": "garage"},
    {"commune": "93066", "q": "garages solidaires", "page": "2", "size": "2"},
    {"commune": "93066", "a_distance": "non"},
    {"commune": "13055"},
    {"commune": "13201", "q": "mobilité"},
    {"commune": "69123"},
    {"q": "garage"},
    {"q": "mobilitee"},
    {},
    {"publics": "jeunes", "commune": "93001"},
]


@pytest.fixture
def catalogue(committed_catalogue):
    today = date.today()
    rows = [
        {"nom": "Garage solidaire", "point": SAINT_DENIS, "zone_eligibilite": ["93"]},
        {"nom": "Garage solidaire d’Aubervilliers", "point": AUBERVILLIERS},
        {"nom": "Atelier vélo", "point": AUBERVILLIERS, "publics": ["jeunes"]},
        {
            "nom": "Permis à distance",
            "modes_accueil": ["a-distance"],
            "zone_eligibilite": ["france"],
        },
        {"nom": "Conseil mobilité", "modes_accueil": None, "code_insee": None},  # no place
        {"nom": "Suspendu", "point": SAINT_DENIS, "suspendu_du": today - timedelta(days=1)},
        {"nom": "Brouillon", "point": SAINT_DENIS, "statut": "brouillon"},
        {
            "nom": "Atelier CV",
            "point": SAINT_DENIS,
            "thematiques": [
                "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"
            ],
            "description": "Ouvert aux personnes à mobilité réduite.",
        },
        {
            "nom": "Garage de Seine-Saint-Denis",
            "point": MARSEILLE,
            "code_insee": "13055",
            "zone_eligibilite": ["93"],
        },
        {"nom": "Garage de Marseille", "point": MARSEILLE, "code_insee": "13055"},
    ]
    for index in range(12):  # enough to page
        rows.append(
            {
                "nom": f"Garage solidaire {index}",
                "point": (SAINT_DENIS[0] + 0.002 * index, SAINT_DENIS[1]),
                "date_maj": today - timedelta(days=index),
            }
        )
    committed_catalogue.add(rows)
    return committed_catalogue


@pytest.fixture
def api(app, monkeypatch):
    """GET /api/v1/search in real transactions (no shared test transaction, no answer
    cache), with the accelerator on or off; counts the accelerator's answers."""
    monkeypatch.setitem(app.config, "SEARCH_RESPONSE_CACHE_SIZE", 0)
    app.extensions.pop("dora_search_response_cache", None)
    used = {"accelerator": 0}
    original = accel.FacetIndex.page

    def page(self, *args, **kwargs):
        used["accelerator"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(accel.FacetIndex, "page", page)
    client = app.test_client()

    def get(params: dict, *, accelerate: bool) -> dict:
        with app.app_context():
            from dora.search.engine import current_engine

            backend = current_engine().postgres
            monkeypatch.setattr(backend, "accelerate", accelerate)
        response = client.get("/api/v1/search", query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    get.used = used
    return get


def _loaded(app) -> accel.FacetIndex:
    from dora.extensions import db

    with app.app_context():
        index = accel.index_for(db.engine)
        with db.engine.connect() as connection:
            index.load(connection)
            connection.rollback()
        return index


def test_accelerator_and_sql_give_the_same_answers_on_committed_data(app, catalogue, api):
    _loaded(app)
    for params in QUERIES:
        before = api.used["accelerator"]
        fast = api(params, accelerate=True)
        if params.get("commune") or params.get("q"):
            assert api.used["accelerator"] == before + 1, params  # really answered by it
        slow = api(params, accelerate=False)
        assert fast == slow, params


def test_committed_answers_are_the_rules_answers(app, catalogue, api):
    _loaded(app)
    for accelerate in (True, False):
        names = [
            i["nom"] for i in api({"commune": "93066", "size": 100}, accelerate=accelerate)["items"]
        ]
        assert "Suspendu" not in names and "Brouillon" not in names
        assert "Garage de Seine-Saint-Denis" not in names  # 800 km away, on site
        assert {"Permis à distance", "Conseil mobilité", "Garage solidaire"} <= set(names)
        marseille = api({"commune": "13055", "size": 100}, accelerate=accelerate)["items"]
        names = {i["nom"] for i in marseille}
        # 93 is Seine-Saint-Denis, never PACA (région 93).
        assert "Garage de Seine-Saint-Denis" not in names and "Garage solidaire" not in names
        assert {"Garage de Marseille", "Permis à distance", "Conseil mobilité"} <= names
        unplaced = next(i for i in marseille if i["nom"] == "Conseil mobilité")
        assert unplaced["distance_m"] is None and unplaced["lieu_non_precise"] is True


def test_the_accelerator_follows_committed_changes(app, catalogue, api):
    _loaded(app)
    params = {"commune": "93066", "q": "garage"}
    before = api(params, accelerate=True)["total"]
    catalogue.add([{"nom": "Garage nouveau", "point": SAINT_DENIS}])
    with catalogue.engine.begin() as connection:
        connection.execute(
            text("UPDATE service SET statut = 'archive' WHERE source = :s AND nom = :n"),
            {"s": catalogue.tag, "n": "Garage solidaire 0"},
        )
    fast = api(params, accelerate=True)
    assert fast == api(params, accelerate=False)
    assert fast["total"] == before  # one more, one less
    names = {i["nom"] for i in api({**params, "size": 100}, accelerate=True)["items"]}
    assert "Garage nouveau" in names and "Garage solidaire 0" not in names


def test_a_search_runs_outside_any_transaction_in_two_round_trips(app, catalogue, api):
    """A read-only search asks the database only what changes: the state of the index and
    the page's services — no BEGIN/ROLLBACK, no commune lookup (resolved places are kept),
    no word analysis for words already seen, no look-up of the words in the index."""
    import psycopg

    _loaded(app)
    sent: list[str] = []
    execute, command = psycopg.Cursor.execute, psycopg.Connection._exec_command

    def spy_execute(self, query, *args, **kwargs):
        sent.append(str(query))
        return execute(self, query, *args, **kwargs)

    def spy_command(self, sql, *args, **kwargs):
        sent.append(bytes(sql).decode() if not isinstance(sql, str) else sql)
        return command(self, sql, *args, **kwargs)

    params = {"commune": "93066", "q": "garage solidaire", "rayon_km": 10}
    first = api(params, accelerate=True)
    assert first["total"] >= 2
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(psycopg.Cursor, "execute", spy_execute)
        patch.setattr(psycopg.Connection, "_exec_command", spy_command)
        again = api({**params, "page": 1, "rayon_km": 11}, accelerate=True)
    assert again["items"] and again["total"] >= first["total"]
    statements = [s for s in sent if s.strip(" ;")]  # (the pool's ping is an empty one)
    assert not any(s.startswith(("BEGIN", "ROLLBACK", "COMMIT")) for s in statements), sent
    assert len(statements) == 2, statements
    assert "search_meta" in statements[0] and "FROM service" in statements[1], statements
