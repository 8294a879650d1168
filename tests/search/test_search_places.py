"""Places resolved by commune code are kept (dora.search.query.resolve_place) as long as the
territories' version is the same: a search spares that round trip, and unknown codes are
never kept. `preload_places` keeps them all at once (before gunicorn forks its workers)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from dora.api.errors import ApiError
from dora.search import query as query_module
from dora.search.query import SearchQuery, preload_places, resolve_place


@pytest.fixture
def statements(db_session):
    sent: list[str] = []
    engine = db_session.get_bind().engine

    def record(conn, cursor, statement, *args):
        if "commune" in statement:
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def test_a_commune_is_resolved_once_then_kept(db_session, statements, monkeypatch):
    monkeypatch.setattr(query_module, "_places", {})
    first = resolve_place(db_session, SearchQuery(commune="93066"))
    assert first is not None and first.nom == "Saint-Denis" and "93" in first.codes
    assert len(statements) == 1
    again = resolve_place(db_session, SearchQuery(commune="93066", rayon_km=3))
    assert again == first
    assert len(statements) == 1  # from memory
    # Past PLACE_TTL_S the territories' version is checked: the same, the place is kept…
    monkeypatch.setattr(query_module, "PLACE_TTL_S", 0.0)
    assert resolve_place(db_session, SearchQuery(commune="93066")) == first
    assert len(statements) == 1
    # … a new one (`dora geodata load`), it is read again.
    db_session.execute(
        text(
            "UPDATE geodata_meta SET value = to_jsonb('une autre version'::text)"
            " WHERE key = 'version'"
        )
    )
    assert resolve_place(db_session, SearchQuery(commune="93066")) == first
    assert len(statements) == 2


def test_an_unknown_commune_is_never_kept(db_session, statements, monkeypatch):
    monkeypatch.setattr(query_module, "_places", {})
    for _ in range(2):
        with pytest.raises(ApiError, match="Commune inconnue"):
            resolve_place(db_session, SearchQuery(commune="99999"))
    assert len(statements) >= 2
    assert all("99999" not in known.by_code for known in query_module._places.values())


def test_preloaded_places_are_those_resolved_one_by_one(db_session, statements, monkeypatch):
    monkeypatch.setattr(query_module, "_places", {})
    # A commune, one with arrondissements, an arrondissement, an overseas commune.
    codes = ["93066", "75056", "75111", "69381", "13055", "97411", "2A004"]
    one_by_one = {code: resolve_place(db_session, SearchQuery(commune=code)) for code in codes}
    monkeypatch.setattr(query_module, "_places", {})
    count = preload_places(db_session)
    assert count > 30_000  # every commune of the territories
    sent = len(statements)
    assert {code: resolve_place(db_session, SearchQuery(commune=code)) for code in codes} == (
        one_by_one
    )
    assert len(statements) == sent  # none asked for
    assert one_by_one["75111"].arrondissement == "75111"
    assert one_by_one["75056"].arrondissement is None
