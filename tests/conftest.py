"""Shared fixtures: a real PostGIS test database, migrated and loaded once per session,
and a transaction rolled back after every test.

The database comes from TEST_DATABASE_URL (set by `make test`); without it, the
project-local cluster (scripts/localdb.py) is started and `dora_test` is used.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.orm
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from tests.support.people import PASSWORD, log_in

ROOT = Path(__file__).resolve().parent.parent


def _test_database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    script = str(ROOT / "scripts" / "localdb.py")
    subprocess.run([sys.executable, script, "start"], check=True)
    subprocess.run([sys.executable, script, "createdb", "dora_test"], check=True)
    return subprocess.run(
        [sys.executable, script, "url", "dora_test"], check=True, capture_output=True, text=True
    ).stdout.strip()


def _reset_schema(url: str) -> None:
    """Start every test session from an empty database so migrations are really tested."""
    from dora.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url() -> str:
    url = _test_database_url()
    _reset_schema(url)
    return url


@pytest.fixture(scope="session")
def app(database_url: str):
    import flask_migrate

    from dora import create_app
    from dora.config import normalise_database_url
    from dora.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "DORA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "dora.test",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        from geodata.load import load_all

        with db.engine.begin() as connection:
            load_all(connection)
    yield app
    with app.app_context():
        db.engine.dispose()


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's get_bind() picks the engine; tests need it to use the
    connection holding the outer transaction."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@pytest.fixture
def db_session(app) -> Iterator[sa.orm.Session]:
    """`db.session`, bound to one connection whose outer transaction is rolled back.

    Code under test may commit: with create_savepoint, a commit only releases a SAVEPOINT.
    Requests made with the test client in the same test share that connection.
    """
    from dora.extensions import db

    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "class_": ConnectionBoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def db_connection(db_session) -> sa.Connection:
    return db_session.connection()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def count_queries(db_session):
    """Counts SQL statements run inside the `with` block (to catch N+1 queries)."""

    class Counter:
        def __init__(self) -> None:
            self.statements: list[str] = []

        def __enter__(self):
            self.statements.clear()
            event.listen(db_session.get_bind(), "before_cursor_execute", self._record)
            return self

        def __exit__(self, *exc):
            event.remove(db_session.get_bind(), "before_cursor_execute", self._record)

        def _record(self, conn, cursor, statement, *args):
            self.statements.append(statement)

        @property
        def count(self) -> int:
            return len(self.statements)

    return Counter()


# Factories -------------------------------------------------------------------------------

_counter = {"n": 0}


def _next_id(prefix: str) -> str:
    _counter["n"] += 1
    return f"{prefix}-{_counter['n']}"


@pytest.fixture
def make_structure(db_session):
    from datetime import date

    from dora.catalogue.models import Structure

    def make(**fields) -> Structure:
        values = {
            "id": _next_id("test--structure"),
            "source": "test",
            "nom": "Structure de test",
            "date_maj": date.today(),
        }
        values.update(fields)
        structure = Structure(**values)
        db_session.add(structure)
        db_session.flush()
        return structure

    return make


@pytest.fixture
def make_service(db_session, make_structure):
    """A published, on-site service in Saint-Denis (93066) unless told otherwise.

    Pass `point=(longitude, latitude)` to place it; `structure=` to attach it.
    """
    from datetime import date

    from geoalchemy2.elements import WKTElement

    from dora.catalogue.models import Service

    def make(*, structure=None, point=(2.3574, 48.9362), **fields) -> Service:
        structure = structure or make_structure()
        values = {
            "id": _next_id("test--service"),
            "source": "test",
            "structure_id": structure.id,
            "nom": "Service de test",
            "description": "Un service pour les tests automatisés.",
            "date_maj": date.today(),
            "statut": "publie",
            "thematiques": ["mobilite--entretenir-reparer-son-vehicule"],
            "publics": ["tous-publics"],
            "modes_accueil": ["en-presentiel"],
            "zone_eligibilite": ["93"],
            "code_insee": "93066",
            "commune": "Saint-Denis",
            "code_postal": "93200",
        }
        values.update(fields)
        if point is not None and "location" not in fields:
            values["location"] = WKTElement(f"POINT({point[0]} {point[1]})", srid=4326)
            values.setdefault("location_precision", "adresse")
            values.setdefault("longitude", point[0])
            values.setdefault("latitude", point[1])
        service = Service(**values)
        db_session.add(service)
        db_session.flush()
        return service

    return make


# E-mail -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_server():
    """A real local SMTP server (aiosmtpd) keeping the messages it receives."""
    from dora.accounts.mailserver import MailServer
    from tests.support.net import free_port

    server = MailServer().start("127.0.0.1", free_port())
    yield server
    server.stop()


@pytest.fixture
def mailbox(app, smtp_server):
    """E-mails sent during the test, as delivered to the real SMTP server."""
    from dora.accounts import emails

    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_FALLBACK_DIR")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_FALLBACK_DIR="")
    smtp_server.clear()
    yield smtp_server
    emails.wait_for_deliveries()
    app.config.update(saved)


# Browser tests on a live server (see tests/support/live_app.py) ---------------------------


@pytest.fixture(scope="session")
def live_dora(database_url):
    from tests.support import live_app

    if not live_app.chromium_available():
        pytest.skip(f"Chromium absent ({live_app.CHROMIUM})")
    live = live_app.acquire(database_url)
    yield live
    live_app.release()


@pytest.fixture
def live_server(app, database_url, smtp_server):  # `app`: the database is migrated and loaded
    """dora served from a thread on the test database itself, e-mails going to the real SMTP
    server; yields (app, base URL). The browser cannot share the per-test rollback: what a
    test writes through it is committed, and the test deletes it."""
    from werkzeug.serving import make_server

    from dora import create_app
    from dora.config import normalise_database_url
    from dora.extensions import db
    from tests.support import live_app

    if not live_app.chromium_available():
        pytest.skip(f"Chromium absent ({live_app.CHROMIUM})")
    live = create_app(
        {
            "TESTING": True,
            "DORA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "SECRET_KEY": "browser-test",
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_server.port,
            "MAIL_FALLBACK_DIR": "",
        }
    )
    server = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield live, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        with live.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    from tests.support import live_app

    with sync_playwright() as playwright:
        launched = live_app.launch(playwright)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def artifacts(request):
    """test-artifacts/<feature>/ for screenshots of the requesting test's feature."""
    from tests.support import live_app

    folder = live_app.ARTIFACTS / request.path.parent.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# People ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def password_hash(app) -> str:
    # One argon2 hash for the session: hashing for every user would slow the matrix down.
    from dora.accounts.security import hash_password

    return hash_password(PASSWORD)


@pytest.fixture
def make_user(db_session, password_hash):
    from datetime import UTC, datetime

    from dora.accounts.models import User

    counter = {"n": 0}

    def make(email: str | None = None, *, verified: bool = True, staff: bool = False, **fields):
        counter["n"] += 1
        user = User(
            email=(email or f"personne{counter['n']}@exemple.fr").lower(),
            password_hash=password_hash,
            email_verified_at=datetime.now(UTC) if verified else None,
            is_staff=staff,
            **fields,
        )
        db_session.add(user)
        db_session.flush()
        return user

    return make


@pytest.fixture
def login(client):
    def do(user):
        log_in(client, user)
        return client

    return do


@pytest.fixture
def membership(db_session):
    from dora.accounts.models import Membership

    def add(user, structure, role: str = "membre"):
        m = Membership(user_id=user.id, structure_id=structure.id, role=role)
        db_session.add(m)
        db_session.flush()
        db_session.expire(user, ["memberships"])
        return m

    return add


@pytest.fixture
def manager_of(db_session):
    from dora.accounts.models import TerritoryManager

    def make(user, *departements: str):
        for code in departements:
            db_session.add(TerritoryManager(user_id=user.id, departement_code=code))
        db_session.flush()
        db_session.expire(user, ["managed_departements"])
        return user

    return make
