"""The request boundary commits once on success and keeps nothing of a failed request.

These tests use an app of their own with real commits (no per-test rolled-back transaction):
what they check is exactly what reaches the database.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint, abort, redirect

from dora.core.transactions import Refusal, attempt
from dora.extensions import db

probe = Blueprint("tx_probe", __name__)


def _write(value: str) -> None:
    db.session.execute(sa.text("INSERT INTO tx_probe (value) VALUES (:v)"), {"v": value})
    db.session.flush()


@probe.post("/tx/ok")
def ok():
    _write("ok")
    return redirect("/")


@probe.post("/tx/refused")
def refused():
    _write("before")
    with attempt() as outcome:
        _write("refused")
        raise Refusal("Non.")
    return {"error": outcome.error.message}


@probe.post("/tx/client-error")
def client_error():
    _write("client-error")
    abort(400)


@probe.post("/tx/crash")
def crash():
    _write("crash")
    raise RuntimeError("boom")


@probe.get("/tx/read")
def read():
    return {"n": db.session.execute(sa.text("SELECT count(*) FROM tx_probe")).scalar()}


@pytest.fixture(scope="module")
def tx_app(app, database_url):
    from dora import create_app

    other = create_app({**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})
    other.register_blueprint(probe)
    with other.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE tx_probe (value text)"))
    yield other
    with other.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE tx_probe"))
        db.engine.dispose()


@pytest.fixture
def stored(tx_app):
    def values() -> list[str]:
        with tx_app.app_context(), db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT value FROM tx_probe ORDER BY value"))
            return [row.value for row in rows]

    yield values
    with tx_app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM tx_probe"))


def test_a_successful_request_is_committed_once(tx_app, stored):
    assert tx_app.test_client().post("/tx/ok").status_code == 302
    assert stored() == ["ok"]


def test_a_refused_operation_keeps_the_writes_before_it_only(tx_app, stored):
    response = tx_app.test_client().post("/tx/refused")
    assert response.get_json() == {"error": "Non."}
    assert stored() == ["before"]


@pytest.mark.parametrize("route,status", [("/tx/client-error", 400), ("/tx/crash", 500)])
def test_a_failed_request_keeps_nothing(tx_app, stored, route, status):
    assert tx_app.test_client().post(route).status_code == status
    assert stored() == []


def test_a_read_only_request_does_not_commit(tx_app, stored):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with tx_app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    commits: list[object] = []

    def record_commit(conn):
        commits.append(conn)

    sa.event.listen(engine, "commit", record_commit)
    try:
        assert tx_app.test_client().get("/tx/read").get_json() == {"n": 0}
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
        sa.event.remove(engine, "commit", record_commit)
    assert any("tx_probe" in s for s in statements)
    assert commits == []
