"""Benchmarks of publishing at national scale (`dora bench publishing.…`).

`publishing.stale` and `publishing.save` write their own synthetic catalogue (1,000,000
services in 20,000 structures, 60 % published, two thirds of them past their update
frequency) inside a
transaction that is rolled back, so any database with the reference territories will do.
`publishing.territoires` only needs the territories. Printed: percentiles of our code, of
the raw SQL it stands for, and their ratio.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import click
from sqlalchemy import text

from dora.bench.timing import ratio_line, summarise, time_calls
from dora.extensions import db

SERVICES = 1_000_000
STRUCTURES = 20_000
REPEAT = 30


def _seed() -> str:
    """Synthetic structures and services; returns the id of a structure with stale services."""
    session = db.session
    started = time.perf_counter()
    # Other features' triggers (search index, map grid) would make a million-row insert take
    # hours; they are off for the seeding only, inside the transaction that is rolled back.
    # The measured save below runs with them, as in production.
    session.execute(text("ALTER TABLE service DISABLE TRIGGER USER"))
    session.execute(text("ALTER TABLE structure DISABLE TRIGGER USER"))
    session.execute(
        text(
            """
            INSERT INTO structure (id, source, nom, date_maj, code_insee, moderation)
            SELECT 'bench-s' || n, 'bench', 'Structure ' || n, current_date, '93066', 'validee'
            FROM generate_series(1, :structures) AS n
            """
        ),
        {"structures": STRUCTURES},
    )
    session.execute(
        text(
            """
            INSERT INTO service (id, source, structure_id, nom, description, date_maj, statut,
                                 frequence_maj, thematiques, publics, modes_accueil,
                                 zone_eligibilite, modes_mobilisation, code_insee, location,
                                 location_precision)
            SELECT 'bench-' || n, 'bench', 'bench-s' || (1 + n % :structures),
                   'Service ' || n, 'Description du service ' || n,
                   current_date - (n % 500),
                   (ARRAY['publie', 'publie', 'publie', 'brouillon', 'archive'])[1 + n % 5],
                   (ARRAY['mensuelle', 'trimestrielle', 'semestrielle', 'annuelle'])[1 + n % 4],
                   ARRAY['mobilite--entretenir-reparer-son-vehicule'], ARRAY['tous-publics'],
                   ARRAY['en-presentiel'], ARRAY['93'], ARRAY['se-presenter'], '93066',
                   ST_GeogFromText('POINT(2.3574 48.9362)'), 'commune'
            FROM generate_series(1, :services) AS n
            """
        ),
        {"services": SERVICES, "structures": STRUCTURES},
    )
    session.execute(text("ALTER TABLE service ENABLE TRIGGER USER"))
    session.execute(text("ALTER TABLE structure ENABLE TRIGGER USER"))
    session.execute(text("ANALYZE structure; ANALYZE service"))
    click.echo(f"  données créées en {time.perf_counter() - started:.0f} s")
    return "bench-s1"


def _compare(
    name: str, ours: Callable[[], object], raw: Callable[[], object], repeat: int = REPEAT
) -> None:
    ours()  # warm caches and plans
    raw()
    ours_summary = summarise(f"{name} (dora)", time_calls(ours, repeat))
    raw_summary = summarise(f"{name} (SQL)", time_calls(raw, repeat))
    click.echo(ours_summary.line())
    click.echo(raw_summary.line())
    click.echo(ratio_line(name, ours_summary, raw_summary))


def _sql(statement: str, **params) -> Callable[[], object]:
    return lambda: db.session.execute(text(statement), params).all()


def _with_catalogue(measure: Callable[[str], None]) -> None:
    try:
        click.echo(
            f"Données synthétiques : {SERVICES} services, {STRUCTURES} structures "
            "(transaction annulée ensuite)…"
        )
        measure(_seed())
    finally:
        db.session.rollback()


def bench_stale() -> None:
    from dora.publishing import queries

    def measure(structure_id: str) -> None:
        _compare(
            "stale services of one structure (dashboard)",
            lambda: queries.stale_services(db.session, [structure_id]),
            _sql(
                """SELECT * FROM service WHERE structure_id = :id
                   AND statut IN ('brouillon', 'publie')
                   AND date_maj < current_date - CASE frequence_maj WHEN 'mensuelle' THEN 31
                       WHEN 'trimestrielle' THEN 92 WHEN 'semestrielle' THEN 183 ELSE 365 END
                   ORDER BY date_maj, nom, id""",
                id=structure_id,
            ),
        )
        # The full scan `dora notify stale` makes once per run: fewer repetitions.
        _compare(
            "stale published, grouped by structure (notify)",
            lambda: queries.stale_published_by_structure(db.session),
            _sql(
                """SELECT st.id, st.nom, s.id, s.nom, s.date_maj FROM structure AS st
                   JOIN service AS s ON s.structure_id = st.id
                   WHERE s.statut = 'publie'
                   AND s.date_maj < current_date - CASE s.frequence_maj
                       WHEN 'mensuelle' THEN 31 WHEN 'trimestrielle' THEN 92
                       WHEN 'semestrielle' THEN 183 ELSE 365 END
                   ORDER BY st.id, s.date_maj, s.nom"""
            ),
            repeat=5,
        )

    _with_catalogue(measure)


def bench_save() -> None:
    """One editor save: version check, history diff and row, location lookup, UPDATE (with
    the search and map triggers of the other features firing, as in production)."""
    from dora.catalogue.models import Service
    from dora.publishing import fields, operations

    def measure(structure_id: str) -> None:
        service = db.session.get(Service, "bench-42")
        assert service is not None
        author = operations.Author(None, "bench")
        values = fields.snapshot(service, fields.EDITABLE_FIELDS)
        counter = {"n": 0}

        def ours() -> None:
            counter["n"] += 1
            operations.update_service(
                db.session,
                service,
                {**values, "nom": f"Service renommé {counter['n']}"},
                expected_version=service.version,
                author=author,
            )

        def raw() -> None:
            counter["n"] += 1
            db.session.execute(
                text(
                    """UPDATE service SET nom = :nom, version = version + 1,
                       date_maj = current_date WHERE id = 'bench-43'"""
                ),
                {"nom": f"Service renommé {counter['n']}"},
            )
            db.session.execute(
                text(
                    """INSERT INTO service_change (service_id, author, action, changes, version)
                       VALUES ('bench-43', 'bench', 'modification', '{}', 1)"""
                )
            )

        _compare("editor save with history", ours, raw)

    _with_catalogue(measure)


def bench_territories() -> None:
    """The zone picker's autocomplete: one request per keystroke."""
    from dora.publishing import queries

    typed = ["sai", "saint-denis", "seine-saint", "93", "bretagne", "grand paris", "lyon", "france"]
    state = {"i": 0}

    def ours() -> None:
        state["i"] += 1
        queries.search_territories(db.session, typed[state["i"] % len(typed)], limit=20)

    def raw() -> None:
        # The bare minimum: one indexed prefix search on commune names.
        state["i"] += 1
        db.session.execute(
            text(
                """SELECT code, nom FROM commune WHERE nom_recherche LIKE :q
                   ORDER BY population DESC LIMIT 20"""
            ),
            {"q": typed[state["i"] % len(typed)].replace("-", " ") + "%"},
        ).all()

    _compare("territory autocomplete", ours, raw, repeat=200)


BENCHMARKS: dict[str, Callable[[], None]] = {
    "publishing.stale": bench_stale,
    "publishing.save": bench_save,
    "publishing.territoires": bench_territories,
}
