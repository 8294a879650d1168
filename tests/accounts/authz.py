"""The authorisation matrix: every route that changes data × every role.

Each feature declares its cases in `tests/<feature>/authz_cases.py`:

    def register(matrix):
        @matrix.case("publishing.publish", allow={"member", "admin", "staff"})
        def publish(w):                      # w: World, built fresh for every (case, role)
            service = w.make_service(structure=w.structure, statut="brouillon")
            return lambda client: client.post(f"/mon-espace/services/{service.id}/publier")

        matrix.exempt("publishing.preview", "reads only, POST because the form is large")

The decorated function prepares what the request needs (in the test's transaction) and
returns the request to make. For each role the runner (test_authz_matrix.py) then:
- snapshots every non-reference table, logs the role in, makes the request;
- allowed role: the answer is not an error and the database changed (unless
  `expect_change=False`);
- denied role: anonymous → redirect to the login page; unverified → redirect; others →
  403 or 404 (or `deny_status`); and the database is exactly as before;
- once per case, the most privileged allowed role without a CSRF token → 400, nothing changed.
A last test fails when a data-changing route (POST, PUT, PATCH, DELETE) has no case and no
exemption, so new routes cannot slip past the matrix.

Roles (`ROLES`): anonymous, unverified, verified, other_member (admin of another structure),
member, admin, other_manager (manager of another département), manager, staff. `w.structure`
is the structure the member/admin belong to (Saint-Denis, 93), `w.other_structure` the other
one (Paris, 75); `w.users[role]` the user of each role.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tests.support.people import PASSWORD, log_in  # noqa: F401 (used by the test modules)

ROLES = (
    "anonymous",
    "unverified",
    "verified",
    "other_member",
    "member",
    "admin",
    "other_manager",
    "manager",
    "staff",
)
# Reference data loaded once per session: no request may change it, and it is large.
REFERENCE_TABLES = {
    "alembic_version",
    "spatial_ref_sys",
    "region",
    "departement",
    "epci",
    "commune",
    "arrondissement_municipal",
    "geodata_meta",
}

Request = Callable[[Any], Any]


@dataclass
class Case:
    endpoint: str
    allow: frozenset[str]
    prepare: Callable[[Any], Request]
    method: str = "POST"
    label: str = ""
    expect_change: bool = True
    deny_status: frozenset[int] | None = None
    csrf: bool = True

    @property
    def id(self) -> str:
        return self.label or self.endpoint


@dataclass
class Matrix:
    cases: list[Case] = field(default_factory=list)
    exemptions: dict[str, str] = field(default_factory=dict)

    def case(
        self,
        endpoint: str,
        *,
        allow: set[str] | frozenset[str],
        method: str = "POST",
        label: str = "",
        expect_change: bool = True,
        deny_status: set[int] | None = None,
        csrf: bool = True,
    ):
        unknown = set(allow) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles {unknown}; roles are {ROLES}")

        def decorate(prepare: Callable[[Any], Request]) -> Callable[[Any], Request]:
            self.cases.append(
                Case(
                    endpoint=endpoint,
                    allow=frozenset(allow),
                    prepare=prepare,
                    method=method,
                    label=label or f"{endpoint}:{prepare.__name__}",
                    expect_change=expect_change,
                    deny_status=frozenset(deny_status) if deny_status else None,
                    csrf=csrf,
                )
            )
            return prepare

        return decorate

    def exempt(self, endpoint: str, reason: str) -> None:
        self.exemptions[endpoint] = reason


def snapshot(connection: sa.Connection) -> dict[str, str]:
    """A digest of every row of every non-reference table."""
    tables = connection.execute(
        sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    ).scalars()
    digests = {}
    for table in tables:
        if table in REFERENCE_TABLES:
            continue
        rows = connection.execute(
            sa.text(f'SELECT t::text FROM "{table}" AS t ORDER BY 1')
        ).scalars()
        digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
