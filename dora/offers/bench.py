"""Benchmarks of the offers (`dora bench offers.…`), on synthetic rows in a rolled-back
savepoint, so any database with services will do (`make bench` seeds a million).

- `offers.search`: /api/v1/search's engine with `offre` (formations, services), answered in
  SQL (the accelerator does not know offer types), against the raw SQL of the same filtered
  count and page. 2 % of the published services are marked as trainings.
- `offers.entreprises`: companies hosting immersions near a point by métier (50,000
  companies), against the raw SQL.
Printed: p50/p95 of our code, of the raw SQL, and their ratio.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy import text
from werkzeug.datastructures import MultiDict

from dora.bench.timing import ratio_line, summarise, time_calls
from dora.extensions import db

REPEAT = 20
COMPANIES = 50_000
POINT = "SRID=4326;POINT(2.3574 48.9362)"  # Saint-Denis


def _compare(name: str, ours: Callable[[], object], raw: Callable[[], object]) -> None:
    ours()
    raw()
    mine = summarise(f"{name} (dora)", time_calls(ours, REPEAT))
    sql = summarise(f"{name} (SQL)", time_calls(raw, REPEAT))
    click.echo(mine.line())
    click.echo(sql.line())
    click.echo(ratio_line(name, mine, sql))


def _in_savepoint(work: Callable[[], None]) -> None:
    savepoint = db.session.begin_nested()
    try:
        work()
    finally:
        savepoint.rollback()


RAW_SEARCH = """
SELECT count(*) FROM search_document AS d
WHERE d.elig && CAST(:codes AS text[])
  AND ((d.on_site AND ST_DWithin(d.location, ST_GeogFromText(:point), 50000, false)) OR d.remote)
  AND {offer};
SELECT d.service_id FROM search_document AS d
WHERE d.elig && CAST(:codes AS text[])
  AND d.on_site AND ST_DWithin(d.location, ST_GeogFromText(:point), 50000, false)
  AND {offer}
ORDER BY d.location <-> ST_GeogFromText(:point), d.ord LIMIT 20
"""


def bench_search() -> None:
    from dora.search import engine, offer_types
    from dora.search.query import parse_search_args

    def work() -> None:
        session = db.session
        marked = session.execute(
            text(
                """INSERT INTO offer_service (service_id, kind, source, source_id)
                SELECT d.service_id, 'formation', 'bench', d.service_id FROM search_document AS d
                WHERE d.ord % 50 = 0 ON CONFLICT DO NOTHING"""
            )
        ).rowcount
        session.execute(text("ANALYZE offer_service"))
        click.echo(f"{marked} services marqués comme formations (transaction annulée ensuite).")
        if not marked:
            click.echo("Aucun service indexé : lancez `make bench`.")
            return
        codes = ["93066", "200054781", "93", "11", "*"]
        params = {"codes": codes, "point": POINT}
        for offre in ("formations", "services"):
            query = parse_search_args(MultiDict({"commune": "93066", "offre": offre}))
            sql = RAW_SEARCH.format(offer=offer_types.condition(offre, "d.service_id"))

            def raw(sql: str = sql) -> object:
                return [
                    session.execute(text(part), params).all()
                    for part in sql.split(";\n")
                    if part.strip()
                ]

            _compare(f"search offre={offre}", lambda q=query: engine.search(session, q), raw)

    _in_savepoint(work)


def bench_companies() -> None:
    from dora.offers import queries

    def work() -> None:
        session = db.session
        session.execute(
            text(
                """INSERT INTO immersion_company (siret, source, date_maj, nom, location,
                    volontaire)
                SELECT '8' || lpad(n::text, 13, '0'), 'bench', current_date, 'Entreprise ' || n,
                    ST_GeogFromText(format('SRID=4326;POINT(%s %s)',
                        -4.5 + (n * 7919 % 1300) / 100.0, 42.5 + (n * 104729 % 850) / 100.0)),
                    true
                FROM generate_series(1::bigint, :n) AS n;
                """
            ),
            {"n": COMPANIES},
        )
        session.execute(
            text(
                """INSERT INTO immersion_metier
                SELECT siret, (10000 + k)::text,
                    (ARRAY['Boulanger', 'Vendeur', 'Cuisinier', 'Maçon'])[1 + k],
                    (ARRAY['D1102', 'D1106', 'G1602', 'F1703'])[1 + k], 'Libellé ROME'
                FROM immersion_company, generate_series(0, 1) AS k
                WHERE source = 'bench'"""
            )
        )
        session.execute(text("ANALYZE immersion_company; ANALYZE immersion_metier"))
        search = queries.CompanySearch(
            longitude=2.3574, latitude=48.9362, rayon_km=30, rome="D1102"
        )
        raw_sql = """SELECT c.siret FROM immersion_company AS c
            WHERE ST_DWithin(c.location, ST_GeogFromText(:point), 30000, false)
              AND EXISTS (SELECT 1 FROM immersion_metier m WHERE m.siret = c.siret
                          AND m.rome_code = 'D1102')
            ORDER BY ST_Distance(c.location, ST_GeogFromText(:point), false), c.siret LIMIT 20"""
        click.echo(f"{COMPANIES} entreprises synthétiques (transaction annulée ensuite).")
        _compare(
            "entreprises près d’un point, par ROME",
            lambda: queries.search_companies(session, search),
            lambda: session.execute(text(raw_sql), {"point": POINT}).all(),
        )

    _in_savepoint(work)


BENCHMARKS = {"offers.search": bench_search, "offers.entreprises": bench_companies}
