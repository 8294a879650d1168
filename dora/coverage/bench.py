"""Benchmarks of the coverage observatory (`dora bench coverage.…`, part of `make bench`).

- `coverage.calcul`: `dora observatoire calculer` on the database as it is (all of France),
  with the time of each step. Targets (issue 12, 2 cores): ≤ 60 s at 100,000 services,
  ≤ 5 min at 1,000,000. The figures are committed: the page benchmark reads them.
- `coverage.pages`: coverage pages and the API through the Flask test client (routing,
  queries, map building, templates), against the raw SQL of their main read, with the ratio.
  Target: ≤ 100 ms per page at 1,000,000 services.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import click
from flask import current_app
from sqlalchemy import text

from dora.bench.timing import ratio_line, summarise, time_calls
from dora.coverage import operations
from dora.extensions import db

REPEAT = 20
PAGE_TARGET_MS = 100
PAGES = (
    ("France", "/territoires/france/couverture?thematique=mobilite"),
    ("région", "/territoires/region/84/couverture"),
    ("département rural", "/territoires/departement/15/couverture?thematique=mobilite"),
    ("département dense", "/territoires/departement/59/couverture"),
    ("EPCI", "/territoires/epci/200054781/couverture?thematique=sante"),
    ("commune (arrondissements)", "/territoires/commune/75056/couverture"),
    ("API", "/api/v1/couverture?territoire=departement:93&thematique=mobilite&distance_km=10"),
)
# The main read of a département page, in raw SQL: its figures for every need.
RAW_SQL = """SELECT t.*, u.code, u.nom, u.population FROM coverage_territory AS t
LEFT JOIN coverage_unit AS u ON u.id = t.largest_uncovered
WHERE t.level = 'departement' AND t.code = '59' AND t.distance_km = 15"""


def _services() -> int:
    return db.session.scalar(text("SELECT count(*) FROM search_document")) or 0


def rebuild() -> None:
    services = _services()
    click.echo(f"{services} services indexés")
    started = time.perf_counter()
    result = operations.rebuild(db.session)
    db.session.commit()
    elapsed = time.perf_counter() - started
    for name, seconds in result.steps:
        click.echo(f"  {name:<42} {seconds:7.1f} s")
    click.echo(
        f"calcul complet: {elapsed:.1f} s ({result.units} unités, {result.cells} cellules, "
        f"{result.services_on_site} services sur place, {result.services_remote} à distance)"
    )
    target = 60 if services <= 150_000 else 300
    state = "OK" if elapsed <= target else "AU-DESSUS DE LA CIBLE"
    click.echo(f"cible ≤ {target} s à cette taille → {state}")


def _page(client, url: str) -> Callable[[], object]:
    def get() -> object:
        response = client.get(url)
        if response.status_code != 200:
            raise click.ClickException(f"{url} → {response.status_code}")
        return response

    return get


def pages() -> None:
    if not db.session.scalar(text("SELECT count(*) FROM coverage_run")):
        click.echo("couverture jamais calculée : lancez d’abord coverage.calcul")
        return
    client = current_app.test_client()
    raw = summarise("département (SQL)", time_calls(lambda: db.session.execute(
        text(RAW_SQL)).all(), REPEAT))  # fmt: skip
    worst = 0.0
    for label, url in PAGES:
        get = _page(client, url)
        get()  # warm caches and plans
        summary = summarise(label, time_calls(get, REPEAT))
        click.echo(summary.line())
        click.echo(ratio_line(label, summary, raw))
        worst = max(worst, summary.p50_ms)
    click.echo(raw.line())
    state = "OK" if worst <= PAGE_TARGET_MS else "AU-DESSUS DE LA CIBLE"
    click.echo(f"pages : pire p50 {worst:.1f} ms, cible ≤ {PAGE_TARGET_MS} ms → {state}")
    db.session.rollback()


BENCHMARKS: dict[str, Callable[[], None]] = {
    "coverage.calcul": rebuild,
    "coverage.pages": pages,
}
