"""Fixtures for accounts and structures: a real local SMTP server, users, logged-in clients,
and the world of the authorisation matrix (see authz.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from authz import PASSWORD, log_in

from dora.accounts.mailserver import MailServer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[MailServer]:
    server = MailServer().start("127.0.0.1", free_port())
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def mailbox(app, smtp_server) -> Iterator[MailServer]:
    """E-mails sent during the test, as delivered to a real SMTP server."""
    from dora.accounts import emails

    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_FALLBACK_DIR")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_FALLBACK_DIR="")
    smtp_server.clear()
    yield smtp_server
    emails.wait_for_deliveries()
    app.config.update(saved)


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


@pytest.fixture
def saint_denis_structure(make_structure):
    """A validated structure in Saint-Denis (93)."""

    def make(**fields):
        values = {"code_insee": "93066", "commune": "Saint-Denis", "code_postal": "93200"}
        values.update(fields)
        return make_structure(**values)

    return make
