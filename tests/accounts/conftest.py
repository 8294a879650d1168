"""Fixtures for accounts and structures: a real local SMTP server, users, logged-in clients,
and the world of the authorisation matrix (see authz.py)."""

from __future__ import annotations

import pytest

from tests.accounts.authz import PASSWORD, log_in


@pytest.fixture(autouse=True)
def _deliver_to_mailbox(mailbox):
    """Every accounts test sends its e-mails to the real SMTP server (see tests/conftest.py)."""
    return mailbox


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
