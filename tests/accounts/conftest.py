"""Fixtures for accounts and structures: e-mails to the real local SMTP server, structures in
Saint-Denis, and the world of the authorisation matrix (see authz.py). Users, memberships,
managers and logging in come from tests/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _deliver_to_mailbox(mailbox):
    """Every accounts test sends its e-mails to the real SMTP server (see tests/conftest.py)."""
    return mailbox


@pytest.fixture
def saint_denis_structure(make_structure):
    """A validated structure in Saint-Denis (93)."""

    def make(**fields):
        values = {"code_insee": "93066", "commune": "Saint-Denis", "code_postal": "93200"}
        values.update(fields)
        return make_structure(**values)

    return make
