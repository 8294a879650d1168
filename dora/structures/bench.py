"""Benchmarks of structure management at national scale (`dora bench structures.…`).

Each one writes its own synthetic data (100,000 structures, 1 % waiting for moderation,
60,000 members) inside a transaction that is rolled back, so any database will do (a copy of
production, or `make bench`'s). Printed: percentiles of our code, of the raw SQL it stands
for, and their ratio.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy import text

from dora.bench.timing import ratio_line, summarise, time_calls
from dora.extensions import db

STRUCTURES = 100_000
REPEAT = 30


def _seed() -> tuple[int, str]:
    """Synthetic structures, users and memberships; returns a member's user id and structure."""
    session = db.session
    session.execute(
        text(
            """
            INSERT INTO structure (id, source, nom, date_maj, siret, code_insee, commune,
                                   code_postal, moderation, created_at)
            SELECT 'bench-' || n, 'bench',
                   (ARRAY['Association', 'Mission locale', 'CCAS', 'Atelier',
                          'Épicerie'])[1 + n % 5] || ' ' || n,
                   current_date, lpad(n::text, 14, '0'), c.code, c.nom, c.codes_postaux[1],
                   CASE WHEN n % 100 = 0 THEN 'en-attente' ELSE 'validee' END,
                   now() - (n || ' minutes')::interval
            FROM generate_series(1, :count) AS n
            JOIN (SELECT code, nom, codes_postaux, row_number() OVER (ORDER BY code) - 1 AS i
                  FROM commune) AS c ON c.i = (n * 7919) % 34000
            """
        ),
        {"count": STRUCTURES},
    )
    session.execute(
        text(
            """
            INSERT INTO user_account (email, password_hash, email_verified_at)
            SELECT 'bench' || n || '@exemple.fr', 'x', now() FROM generate_series(1, 60000) AS n;
            INSERT INTO structure_membership (user_id, structure_id, role)
            SELECT u.id, 'bench-' || (1 + (u.id * 13) % :count),
                   CASE WHEN u.id % 3 = 0 THEN 'admin' ELSE 'membre' END
            FROM user_account AS u WHERE u.email LIKE 'bench%@exemple.fr'
            ON CONFLICT DO NOTHING;
            ANALYZE structure; ANALYZE structure_membership; ANALYZE user_account;
            """.replace(":count", str(STRUCTURES))
        )
    )
    row = session.execute(
        text(
            """SELECT m.user_id, m.structure_id FROM structure_membership AS m
               JOIN user_account AS u ON u.id = m.user_id
               WHERE u.email LIKE 'bench%' LIMIT 1"""
        )
    ).one()
    return row.user_id, row.structure_id


def _compare(name: str, ours: Callable[[], object], raw_sql: str, params: dict) -> None:
    def raw() -> object:
        return db.session.execute(text(raw_sql), params).all()

    ours()  # warm caches and plans
    raw()
    ours_summary = summarise(f"{name} (dora)", time_calls(ours, REPEAT))
    raw_summary = summarise(f"{name} (SQL)", time_calls(raw, REPEAT))
    click.echo(ours_summary.line())
    click.echo(raw_summary.line())
    click.echo(ratio_line(name, ours_summary, raw_summary))


def _run(measure: Callable[[int, str], None]) -> None:
    try:
        click.echo(f"Données synthétiques : {STRUCTURES} structures (transaction annulée ensuite)…")
        user_id, structure_id = _seed()
        measure(user_id, structure_id)
    finally:
        db.session.rollback()


# The same page in one statement: waiting structures, their département and admins.
QUEUE_SQL = """
SELECT s.*, c.departement_code, d.nom,
       (SELECT array_agg(u.email ORDER BY u.email) FROM structure_membership AS m
        JOIN user_account AS u ON u.id = m.user_id
        WHERE m.structure_id = s.id AND m.role = 'admin') AS admins
FROM structure AS s
LEFT JOIN commune AS c ON c.code = s.code_insee
LEFT JOIN departement AS d ON d.code = c.departement_code
WHERE s.moderation = 'en-attente' {where}
ORDER BY s.created_at, s.id LIMIT 200
"""


def bench_moderation_queue() -> None:
    from dora.structures.queries import moderation_queue

    def measure(user_id: int, structure_id: str) -> None:
        _compare(
            "moderation_queue 93",
            lambda: moderation_queue(db.session, frozenset({"93"})),
            QUEUE_SQL.format(where="AND c.departement_code = '93'"),
            {},
        )
        _compare(
            "moderation_queue staff (all)",
            lambda: moderation_queue(db.session, None),
            QUEUE_SQL.format(where=""),
            {},
        )

    _run(measure)


def bench_join_search() -> None:
    from dora.structures.queries import search_joinable

    def measure(user_id: int, structure_id: str) -> None:
        _compare(
            "join search by name",
            lambda: search_joinable(db.session, "epicerie 4242"),
            """SELECT id, nom FROM structure
               WHERE dora_search_name(nom) LIKE dora_search_name('%epicerie 4242%')
                 AND moderation = 'validee'
               ORDER BY nom, id LIMIT 20""",
            {},
        )
        _compare(
            "join search by SIREN",
            lambda: search_joinable(db.session, "000000042"),
            """SELECT id, nom FROM structure WHERE siret >= '000000042' AND siret < '000000042:'
               ORDER BY nom, id LIMIT 20""",
            {},
        )

    _run(measure)


def bench_permission_check() -> None:
    from dora.accounts.models import User
    from dora.accounts.permissions import can_edit_services
    from dora.catalogue.models import Structure

    def measure(user_id: int, structure_id: str) -> None:
        def ours() -> bool:
            # As a request does: load the user and the structure, ask the rule.
            db.session.expire_all()
            user = db.session.get(User, user_id)
            structure = db.session.get(Structure, structure_id)
            return can_edit_services(user, structure)

        assert ours()
        _compare(
            "can_edit_services (user + structure + rule)",
            ours,
            """SELECT u.id, s.id, m.role FROM user_account AS u
               JOIN structure_membership AS m ON m.user_id = u.id
               JOIN structure AS s ON s.id = m.structure_id
               WHERE u.id = :user_id AND s.id = :structure_id""",
            {"user_id": user_id, "structure_id": structure_id},
        )

    _run(measure)


BENCHMARKS: dict[str, Callable[[], None]] = {
    "structures.moderation_queue": bench_moderation_queue,
    "structures.join_search": bench_join_search,
    "structures.permission_check": bench_permission_check,
}
