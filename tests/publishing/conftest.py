"""Fixtures of the publishing tests: a structure with its people, editor form data (users,
memberships and logging in come from tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_manager(make_user, manager_of):
    """A new territory manager of `departement`."""

    def make(departement: str):
        user = make_user()
        manager_of(user, departement)
        return user

    return make


@pytest.fixture
def structure(make_structure):
    """A validated structure in Saint-Denis (93)."""
    return make_structure(
        nom="Association Tremplin", code_insee="93066", commune="Saint-Denis", moderation="validee"
    )


@pytest.fixture
def member(make_user, membership, structure):
    user = make_user("membre@tremplin.fr")
    membership(user, structure, "membre")
    return user


@pytest.fixture
def admin(make_user, membership, structure):
    user = make_user("admin@tremplin.fr")
    membership(user, structure, "admin")
    return user


@pytest.fixture
def author(member):
    from dora.publishing.operations import Author

    return Author(user_id=member.id, label=member.email)
