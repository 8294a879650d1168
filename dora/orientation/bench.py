"""Benchmarks of orientations at 100,000 referrals (`dora bench orientation.…`).

Each writes its own synthetic referrals (100,000, on the first 5,000 published services of
the database; a « hot » structure receives 5 % of them and a « busy » prescriber sends 2 %)
inside a transaction that is rolled back, so any database with services will do (`make
bench` seeds a million). Printed: percentiles of our code, of the raw SQL it stands for, and
their ratio.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy import text

from dora.bench.timing import ratio_line, summarise, time_calls
from dora.extensions import db

REFERRALS = 100_000
SERVICES = 5_000
PRESCRIBERS = 500
REPEAT = 30

SEED_SQL = """
CREATE TEMP TABLE bench_service ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY s.id) - 1 AS i, s.id, s.structure_id, s.nom,
       st.nom AS structure_nom, c.departement_code
FROM (SELECT * FROM service WHERE statut = 'publie' ORDER BY id LIMIT :services) AS s
JOIN structure AS st ON st.id = s.structure_id
LEFT JOIN commune AS c ON c.code = s.code_insee;

INSERT INTO user_account (email, password_hash, email_verified_at)
SELECT 'bench-orientation-' || n || '@exemple.fr', 'x', now()
FROM generate_series(1, :prescribers) AS n;

CREATE TEMP TABLE bench_prescriber ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY id) - 1 AS i, id FROM user_account
WHERE email LIKE 'bench-orientation-%';

INSERT INTO orientation (
    submission_key, service_id, structure_id, service_nom, structure_nom, departement_code,
    prescriber_id, prescriber_structure_id, prescriber_departement_code,
    prescripteur_nom, prescripteur_organisation, personne_prenom, personne_nom,
    personne_commune_code, message, consentement_at, eligible, statut,
    created_at, status_changed_at, first_answer_at, decided_at)
SELECT gen_random_uuid(), s.id, s.structure_id, s.nom, s.structure_nom, s.departement_code,
       p.id, ps.structure_id, ps.departement_code,
       'Prescripteur ' || n, ps.structure_nom, 'Personne', 'N' || n,
       '93066', 'Message de test', t.at, true,
       (ARRAY['nouvelle', 'en-cours', 'acceptee', 'acceptee', 'acceptee', 'refusee',
              'refusee', 'expiree', 'acceptee', 'en-cours'])[1 + n % 10],
       t.at, t.at,
       CASE WHEN n % 10 IN (1, 2, 3, 4, 5, 6, 8, 9) THEN t.at + (n % 200) * interval '1 hour' END,
       CASE WHEN n % 10 IN (2, 3, 4, 5, 6, 8) THEN t.at + (n % 200) * interval '1 hour' END
FROM generate_series(1::bigint, :referrals) AS n
CROSS JOIN LATERAL (SELECT now() - (n % 400) * interval '1 day'
                           - (n % 24) * interval '1 hour' AS at) AS t
JOIN bench_service AS s ON s.i = CASE WHEN n % 20 = 0 THEN 0 ELSE (n * 7919) % :services END
JOIN bench_prescriber AS p ON p.i = CASE WHEN n % 50 = 0 THEN 0 ELSE n % :prescribers END
JOIN bench_service AS ps ON ps.i = (n * 104729 + 17) % :services;

ANALYZE orientation;
"""


def _seed() -> tuple[str, int, str] | None:
    """(hot structure id, busy prescriber id, a département) or None without services."""
    session = db.session
    count = session.scalar(
        text("SELECT count(*) FROM (SELECT 1 FROM service WHERE statut = 'publie' LIMIT :n) AS s"),
        {"n": SERVICES},
    )
    if count < SERVICES:
        click.echo(f"Il faut au moins {SERVICES} services publiés (lancez `make bench`).")
        return None
    params = {"services": SERVICES, "prescribers": PRESCRIBERS, "referrals": REFERRALS}
    for statement in SEED_SQL.split(";\n"):
        if statement.strip():
            session.execute(text(statement), params)
    row = session.execute(
        text(
            """SELECT (SELECT structure_id FROM bench_service WHERE i = 0) AS hot,
                      (SELECT id FROM bench_prescriber WHERE i = 0) AS busy,
                      (SELECT departement_code FROM orientation
                       WHERE departement_code IS NOT NULL
                       GROUP BY 1 ORDER BY count(*) DESC LIMIT 1) AS departement"""
        )
    ).one()
    return row.hot, row.busy, row.departement


def _compare(name: str, ours: Callable[[], object], raw_sql: str, params: dict) -> None:
    def raw() -> object:
        results = []
        for statement in (s for s in raw_sql.split(";\n") if s.strip()):
            result = db.session.execute(text(statement), params)
            results.append(result.all() if result.returns_rows else result.rowcount)
        return results

    ours()  # warm caches and plans
    raw()
    ours_summary = summarise(f"{name} (dora)", time_calls(ours, REPEAT))
    raw_summary = summarise(f"{name} (SQL)", time_calls(raw, REPEAT))
    click.echo(ours_summary.line())
    click.echo(raw_summary.line())
    click.echo(ratio_line(name, ours_summary, raw_summary))


def _run(measure: Callable[[str, int, str], None]) -> None:
    # A savepoint, rolled back: nothing of the synthetic data stays, whatever came before.
    savepoint = db.session.begin_nested()
    try:
        click.echo(
            f"Données synthétiques : {REFERRALS} orientations (transaction annulée ensuite)…"
        )
        seeded = _seed()
        if seeded:
            measure(*seeded)
    finally:
        savepoint.rollback()


INBOX_SQL = """
SELECT statut, count(*) FROM orientation WHERE structure_id IN (:s) GROUP BY statut;
SELECT * FROM orientation WHERE structure_id IN (:s) AND statut IN ('nouvelle', 'en-cours')
ORDER BY created_at DESC, id DESC LIMIT 50;
INSERT INTO orientation_access (orientation_id, user_id, via, objet)
SELECT id, NULL, 'compte', 'liste' FROM orientation
WHERE structure_id IN (:s) AND statut IN ('nouvelle', 'en-cours')
ORDER BY created_at DESC, id DESC LIMIT 50
"""
SENT_SQL = """
SELECT statut, count(*) FROM orientation WHERE prescriber_id = :u GROUP BY statut;
SELECT * FROM orientation WHERE prescriber_id = :u
ORDER BY created_at DESC, id DESC LIMIT 50
"""


def bench_inbox() -> None:
    from dora.orientation import operations, queries
    from dora.orientation.models import Objet, Via

    def measure(hot: str, busy: int, departement: str) -> None:
        received = db.session.scalar(
            text("SELECT count(*) FROM orientation WHERE structure_id = :s"), {"s": hot}
        )
        click.echo(f"Structure la plus sollicitée : {received} orientations reçues.")

        def inbox() -> object:
            # What the page does: counts, one page, and the reads logged.
            page = queries.received(db.session, [hot], "a-traiter", 1)
            ids = [o.id for o in page.items]
            operations.log_reads(db.session, ids, Via.COMPTE, busy, Objet.LISTE)
            db.session.flush()
            db.session.expunge_all()
            return page

        _compare("orientations reçues (à traiter, page 1)", inbox, INBOX_SQL, {"s": hot})

        def sent() -> object:
            page = queries.sent(db.session, db.session.get(_user_model(), busy), "toutes", 1)
            db.session.expunge_all()
            return page

        _compare("mes orientations (page 1)", sent, SENT_SQL, {"u": busy})

    _run(measure)


def _user_model():
    from dora.accounts.models import User

    return User


STATS_SQL = """
SELECT departement_code, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_answer_at - created_at))
FROM orientation WHERE departement_code IS NOT NULL GROUP BY 1;
SELECT prescriber_departement_code, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_answer_at - created_at))
FROM orientation WHERE prescriber_departement_code IS NOT NULL GROUP BY 1
"""


STRUCTURE_SQL = """
SELECT structure_id, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_answer_at - created_at))
FROM orientation WHERE structure_id = :s GROUP BY 1;
SELECT prescriber_structure_id, count(*) FROM orientation WHERE prescriber_structure_id = :s
GROUP BY 1;
SELECT service_id, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_answer_at - created_at))
FROM orientation WHERE structure_id = :s GROUP BY 1;
SELECT id, nom FROM service WHERE structure_id = :s ORDER BY nom, id
"""


def bench_statistics() -> None:
    from dora.orientation import stats

    def measure(hot: str, busy: int, departement: str) -> None:
        _compare(
            "statistiques : tous les départements",
            lambda: stats.departement_lines(db.session, None),
            STATS_SQL,
            {},
        )
        click.echo(
            "(La vue nationale — API sans paramètre, page de l’équipe — est gardée "
            f"{stats.NATIONAL_TTL_SECONDS // 60} min par processus.)"
        )
        _compare(
            f"statistiques : département {departement}",
            lambda: stats.departement_lines(db.session, [departement]),
            STATS_SQL.replace("IS NOT NULL", "= :d"),
            {"d": departement},
        )
        _compare(
            "statistiques : une structure et ses services",
            lambda: stats.structure_reports(db.session, [hot]),
            STRUCTURE_SQL,
            {"s": hot},
        )

    _run(measure)


BENCHMARKS: dict[str, Callable[[], None]] = {
    "orientation.inbox": bench_inbox,
    "orientation.statistics": bench_statistics,
}
