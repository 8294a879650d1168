"""Runs the authorisation matrix (see authz.py) declared by every feature's authz_cases.py."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.accounts.authz import ROLES, Case, Matrix, changed_tables, log_in, snapshot

TESTS_DIR = Path(__file__).resolve().parent.parent
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _load_matrix() -> Matrix:
    matrix = Matrix()
    for path in sorted(TESTS_DIR.glob("*/authz_cases.py")):
        spec = importlib.util.spec_from_file_location(f"authz_cases_{path.parent.name}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.register(matrix)
    return matrix


MATRIX = _load_matrix()


@dataclass
class World:
    """Two structures, one user per role, and factories for what cases need."""

    db: Any
    structure: Any
    other_structure: Any
    users: dict[str, Any]
    make_user: Any
    make_structure: Any
    make_service: Any
    add_membership: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def new_member(self, structure=None, role: str = "membre"):
        return self.add_membership(self.make_user(), structure or self.structure, role)

    def pending_structure(self, code_insee: str = "93066", **fields):
        structure = self.make_structure(
            code_insee=code_insee,
            commune="Saint-Denis",
            code_postal="93200",
            moderation="en-attente",
            siret="73282932000074",
            **fields,
        )
        self.new_member(structure, "admin")
        return structure

    def orphan_structure(self):
        """A validated structure of the manager's département that nobody manages yet."""
        return self.make_structure(code_insee="93066", commune="Saint-Denis", code_postal="93200")

    def join_request(self, structure=None, user=None):
        from dora.accounts.models import JoinRequest

        request = JoinRequest(
            user_id=(user or self.make_user()).id, structure_id=(structure or self.structure).id
        )
        self.db.add(request)
        self.db.flush()
        return request

    def invitation(self, structure=None, email: str = "invitee@exemple.fr"):
        from dora.accounts.models import Invitation

        invitation = Invitation(structure_id=(structure or self.structure).id, email=email)
        self.db.add(invitation)
        self.db.flush()
        return invitation

    def token(self, purpose: str, payload: dict) -> str:
        from dora.accounts.security import make_token

        return make_token(purpose, payload)


@pytest.fixture
def world(db_session, make_user, make_structure, make_service, membership, manager_of, app):
    structure = make_structure(
        nom="Structure A", code_insee="93066", commune="Saint-Denis", code_postal="93200"
    )
    other = make_structure(
        nom="Structure B", code_insee="75056", commune="Paris", code_postal="75001"
    )
    users: dict[str, Any] = {"anonymous": None}
    users["unverified"] = make_user("unverified@exemple.fr", verified=False)
    users["verified"] = make_user("verified@exemple.fr")
    users["other_member"] = make_user("other.member@exemple.fr")
    membership(users["other_member"], other, "admin")
    users["member"] = make_user("member@exemple.fr")
    membership(users["member"], structure, "membre")
    users["admin"] = make_user("admin@exemple.fr")
    membership(users["admin"], structure, "admin")
    users["other_manager"] = manager_of(make_user("other.manager@exemple.fr"), "75")
    users["manager"] = manager_of(make_user("manager@exemple.fr"), "93")
    users["staff"] = make_user("staff@exemple.fr", staff=True)
    # Test-client requests run in app contexts of their own, with their own session.
    with app.test_request_context():
        yield World(
            db=db_session,
            structure=structure,
            other_structure=other,
            users=users,
            make_user=make_user,
            make_structure=make_structure,
            make_service=make_service,
            add_membership=membership,
        )


def _privileged(case: Case) -> str | None:
    for role in reversed(ROLES):
        if role in case.allow:
            return role
    return None


def _check_denied(case: Case, role: str, response) -> None:
    location = response.headers.get("Location", "")
    if case.deny_status is not None:
        assert response.status_code in case.deny_status, response.status_code
    elif role == "anonymous":
        assert response.status_code == 302 and "/connexion" in location, (
            response.status_code,
            location,
        )
    elif role == "unverified":
        assert response.status_code in {302, 403, 404}, response.status_code
    else:
        assert response.status_code in {403, 404}, response.status_code


@pytest.mark.parametrize(
    ("case", "role"),
    [pytest.param(c, r, id=f"{c.id}-{r}") for c in MATRIX.cases for r in ROLES],
)
def test_matrix(case: Case, role: str, world, client, db_session, mailbox):
    make_request = case.prepare(world)
    # Logged in first: opening the session writes its server-side row (not the route's doing).
    if world.users[role] is not None:
        log_in(client, world.users[role])
    # Committed (a savepoint released): a view's rollback must not take the world with it.
    db_session.commit()
    before = snapshot(db_session.connection())
    response = make_request(client)
    after = snapshot(db_session.connection())
    changed = changed_tables(before, after)
    if role in case.allow:
        assert response.status_code < 400, f"{role} refused: {response.status_code}"
        if case.expect_change:
            assert changed, f"{role} is allowed but nothing changed (answer {response.status_code})"
    else:
        _check_denied(case, role, response)
        assert not changed, f"{role} is denied but {changed} changed"


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id) for c in MATRIX.cases if c.csrf and c.allow]
)
def test_matrix_requires_csrf_token(case: Case, world, client, db_session, app, mailbox):
    role = _privileged(case)
    make_request = case.prepare(world)
    if world.users[role] is not None:
        log_in(client, world.users[role])
    # Committed (a savepoint released): a view's rollback must not take the world with it.
    db_session.commit()
    before = snapshot(db_session.connection())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = make_request(client)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert not changed_tables(before, snapshot(db_session.connection()))


def test_every_data_changing_route_is_in_the_matrix(app):
    covered = {case.endpoint for case in MATRIX.cases} | set(MATRIX.exemptions)
    missing = sorted(
        f"{rule.endpoint} {sorted(rule.methods & UNSAFE_METHODS)} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.methods & UNSAFE_METHODS and rule.endpoint not in covered
    )
    assert not missing, (
        "routes without authorisation cases (tests/<feature>/authz_cases.py):\n"
        + "\n".join(missing)
    )


def test_matrix_cases_name_real_endpoints(app):
    unknown = sorted({c.endpoint for c in MATRIX.cases} - set(app.view_functions))
    assert not unknown
