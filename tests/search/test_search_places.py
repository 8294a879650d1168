"""Places resolved by commune code are kept a while (dora.search.query.resolve_place): a
search spares that round trip, and unknown codes are never kept."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from dora.api.errors import ApiError
from dora.search import query as query_module
from dora.search.query import SearchQuery, resolve_place


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
    # Past PLACE_TTL_S it is read again (a `dora geodata load` reaches every process).
    monkeypatch.setattr(query_module, "PLACE_TTL_S", 0.0)
    assert resolve_place(db_session, SearchQuery(commune="93066")) == first
    assert len(statements) == 2


def test_an_unknown_commune_is_never_kept(db_session, statements, monkeypatch):
    monkeypatch.setattr(query_module, "_places", {})
    for _ in range(2):
        with pytest.raises(ApiError, match="Commune inconnue"):
            resolve_place(db_session, SearchQuery(commune="99999"))
    assert len(statements) >= 2
    assert not query_module._places
