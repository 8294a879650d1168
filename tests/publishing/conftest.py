"""Fixtures of the publishing tests: people with their roles, logging in, editor form data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import g


@pytest.fixture
def make_user(db_session):
    from dora.accounts.models import User

    counter = {"n": 0}

    def make(email: str | None = None, *, verified: bool = True, staff: bool = False) -> User:
        counter["n"] += 1
        user = User(
            email=email or f"personne{counter['n']}-{id(counter)}@exemple.fr",
            password_hash="$argon2id$not-a-real-hash",
            email_verified_at=datetime.now(UTC) if verified else None,
            is_staff=staff,
        )
        db_session.add(user)
        db_session.flush()
        return user

    return make


@pytest.fixture
def add_member(db_session):
    from dora.accounts.models import Membership

    def add(user, structure, role: str = "membre"):
        membership = Membership(user_id=user.id, structure_id=structure.id, role=role)
        db_session.add(membership)
        db_session.flush()
        db_session.expire(user, ["memberships"])
        return membership

    return add


@pytest.fixture
def make_manager(db_session, make_user):
    from dora.accounts.models import TerritoryManager

    def make(departement: str):
        user = make_user()
        db_session.add(TerritoryManager(user_id=user.id, departement_code=departement))
        db_session.flush()
        db_session.expire(user, ["managed_departements"])
        return user

    return make


@pytest.fixture
def login(client):
    def log_in(user) -> None:
        # Requests of a test share its app context, hence `g`: forget the previous user.
        g.pop("_login_user", None)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True

    return log_in


@pytest.fixture
def structure(make_structure):
    """A validated structure in Saint-Denis (93)."""
    return make_structure(
        nom="Association Tremplin", code_insee="93066", commune="Saint-Denis", moderation="validee"
    )


@pytest.fixture
def member(make_user, add_member, structure):
    user = make_user("membre@tremplin.fr")
    add_member(user, structure, "membre")
    return user


@pytest.fixture
def admin(make_user, add_member, structure):
    user = make_user("admin@tremplin.fr")
    add_member(user, structure, "admin")
    return user


@pytest.fixture
def author(member):
    from dora.publishing.operations import Author

    return Author(user_id=member.id, label=member.email)
