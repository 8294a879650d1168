"""Benchmarks of maps at national scale (`dora bench maps.…`, part of `make bench`).

They read the database as it is: run them after `dora demo seed --services 1000000` (what
`make bench` does). Each prints the percentiles of the HTTP handler (through the Flask test
client: routing, queries, templates, JSON), of the raw SQL it stands for, and their ratio.

Targets (issue 4, 1,000,000 services, 2 cores): a département page ≤ 500 ms with HTML under
2 MB; the whole of France as clustered GeoJSON ≤ 200 ms; a city-level view of points ≤ 50 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click
from flask import current_app
from sqlalchemy import event, text

from dora.bench.timing import Summary, percentile, ratio_line, summarise, time_calls
from dora.extensions import db
from dora.maps import grid, queries
from dora.maps.territory import TerritoryRef, load_territory
from geodata import resolve

REPEAT = 20
# The most populated départements (the heaviest pages), and a rural one.
DEPARTEMENTS = ("59", "75", "13", "93", "69", "48")
FRANCE = "-5.5,41.0,10.0,51.5"
# A 1280 × 800 px screen at zoom 16 on a town centre. Towns of 35,000 to 45,000 inhabitants
# hold 400 to 500 services at this scale: the view answers the services themselves (the
# target). Big cities answer clusters, timed for information.
TOWNS = ("57672", "31149", "69282", "91477", "71270", "97418")  # Thionville, Colomiers…
CITIES = ("75056", "69123", "13055", "59350", "31555")  # Paris, Lyon, Marseille, Lille…
CITY_ZOOM = 16
SCREEN = (1280, 800)
HTML_LIMIT = 2 * 1024 * 1024


def _client():
    return current_app.test_client()


def _get(client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise click.ClickException(f"{url} → {response.status_code}")
    return response.get_data()


def _raw(sql: str, params: dict | None = None) -> Callable[[], object]:
    def run() -> object:
        return db.session.execute(text(sql), params or {}).all()

    return run


def _report(name: str, ours: Callable[[], object], raw: Callable[[], object]) -> Summary:
    ours()  # warm caches and plans
    raw()
    ours_summary = summarise(f"{name} (dora)", time_calls(ours, REPEAT))
    raw_summary = summarise(f"{name} (SQL)", time_calls(raw, REPEAT))
    click.echo(ours_summary.line())
    click.echo(raw_summary.line())
    click.echo(ratio_line(name, ours_summary, raw_summary))
    db.session.rollback()
    return ours_summary


def _verdict(label: str, samples: Sequence[Summary], target_ms: float) -> None:
    worst = max(s.p50_ms for s in samples)
    state = "OK" if worst <= target_ms else "AU-DESSUS DE LA CIBLE"
    click.echo(f"{label}: pire p50 {worst:.1f} ms, cible ≤ {target_ms:.0f} ms → {state}")


def _services_count() -> int:
    return db.session.scalar(text("SELECT count(*) FROM service")) or 0


def departement_pages() -> None:
    """GET /territoires/departement/<code> without filters: page time and size, against the
    SQL statements that the page runs (counts, list, map, remote count) run raw."""
    click.echo(f"services en base : {_services_count():,}".replace(",", " "))
    client = _client()
    summaries = []
    for code in DEPARTEMENTS:
        url = f"/territoires/departement/{code}"
        statements = _statements_of(client, url)
        html = _get(client, url)
        territory = load_territory(db.session, TerritoryRef("departement", code))
        assert territory is not None
        total, _categories, _publics = queries.territory_counts(db.session, territory)
        click.echo(
            f"— {territory.label} : {total:,} services sur place, page de "
            f"{len(html) / 1024:,.0f} Kio, {len(statements)} requêtes SQL".replace(",", " ")
        )
        if len(html) > HTML_LIMIT:
            click.echo(f"  page au-delà de {HTML_LIMIT // (1024 * 1024)} Mio")

        def raw(statements=statements) -> None:
            connection = db.session.connection()
            for statement, parameters in statements:
                connection.exec_driver_sql(statement, parameters).all()

        summaries.append(_report(f"page {code}", lambda url=url: _get(client, url), raw))
    _verdict("page département", summaries, 500)
    # For information: the same page with a filter (computed from the catalogue).
    url = "/territoires/departement/59?thematiques=mobilite"
    _get(client, url)
    samples = [s * 1000 for s in time_calls(lambda: _get(client, url), 5)]
    click.echo(f"(information) Nord, thematiques=mobilite : p50 {percentile(samples, 50):.0f} ms")


def _statements_of(client, url: str) -> list[tuple[str, object]]:
    """The SQL statements (with their parameters) that serving `url` runs."""
    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        _get(client, url)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return captured


def france_geojson() -> None:
    """The whole of France as clusters (precomputed grid), with and without a category."""
    client = _client()
    summaries = []
    bbox = grid.BBox(*(float(v) for v in FRANCE.split(",")))
    for zoom in (5, 6):
        for categorie in ("", "mobilite"):
            level = grid.level_for_zoom(zoom)
            stored = grid.stored_level_for(level)
            x0, x1, y0, y1 = grid.cell_range(bbox, stored)
            sql = f"""SELECT cx >> {stored - level}, cy >> {stored - level}, sum(n),
                    sum(sum_lon), sum(sum_lat)
                FROM map_grid_cell
                WHERE level = {stored} AND categorie = '{categorie}'
                  AND cx BETWEEN {x0} AND {x1} AND cy BETWEEN {y0} AND {y1}
                GROUP BY 1, 2 HAVING sum(n) > 0"""
            url = f"/api/v1/services.geojson?bbox={FRANCE}&zoom={zoom}"
            if categorie:
                url += f"&categorie={categorie}"
            body = _get(client, url)
            click.echo(f"— zoom {zoom} {categorie or 'toutes'} : {len(body) / 1024:.0f} Kio")
            summaries.append(
                _report(
                    f"France z{zoom} {categorie or 'toutes'}",
                    lambda url=url: _get(client, url),
                    _raw(sql),
                )
            )
    _verdict("France en regroupements", summaries, 200)
    # For information: a filter the grid cannot answer is clustered from the catalogue.
    url = f"/api/v1/services.geojson?bbox={FRANCE}&zoom=6&publics=jeunes"
    _get(client, url)
    samples = time_calls(lambda: _get(client, url), 5)
    click.echo(
        f"(information) France z6 publics=jeunes, calculé sans grille : "
        f"p50 {percentile([s * 1000 for s in samples], 50):.0f} ms"
    )


def _city_view(code: str) -> tuple[str, str]:
    commune = resolve.get_commune(db.session, code)
    if commune is None:
        raise click.ClickException(f"commune {code} absente : chargez les référentiels")
    view = grid.view_bbox(commune.longitude, commune.latitude, CITY_ZOOM, *SCREEN)
    return commune.nom, ",".join(f"{v:.5f}" for v in view.as_list())


def _points_sql(bbox: str) -> str:
    """What the API runs for a view of points, by hand: the search's public on-site
    documents in the view, then the displayed columns of at most MAP_MAX_POINTS services."""
    return f"""SELECT s.id, s.nom, st.nom, s.commune, s.location_precision, s.thematiques,
            ST_X(d.location::geometry), ST_Y(d.location::geometry)
        FROM search_document AS d
        JOIN service AS s ON s.id = d.service_id
        JOIN structure AS st ON st.id = s.structure_id
        WHERE d.on_site AND d.location && ST_MakeEnvelope({bbox}, 4326)::geography
          AND (d.suspendu_du IS NULL OR d.suspendu_du > current_date
               OR d.suspendu_au < current_date)
        ORDER BY s.id LIMIT {current_app.config["MAP_MAX_POINTS"]}"""


def city_points() -> None:
    """A screen of a town centre at zoom 16: the services themselves (≤ 50 ms)."""
    client = _client()
    summaries = []
    for code in TOWNS:
        name, bbox = _city_view(code)
        url = f"/api/v1/services.geojson?bbox={bbox}&zoom={CITY_ZOOM}"
        body = client.get(url).get_json()
        kind = "regroupements" if body["clustered"] else "points"
        click.echo(f"— {name} : {body['total']} services ({kind})")
        summary = _report(
            f"ville {name}", lambda url=url: _get(client, url), _raw(_points_sql(bbox))
        )
        if not body["clustered"]:
            summaries.append(summary)
    _verdict("vue de ville en points", summaries, 50)
    click.echo("(information) grandes villes, même écran : trop de services, regroupés")
    for code in CITIES:
        name, bbox = _city_view(code)
        url = f"/api/v1/services.geojson?bbox={bbox}&zoom={CITY_ZOOM}"
        body = client.get(url).get_json()
        samples = [s * 1000 for s in time_calls(lambda url=url: _get(client, url), REPEAT)]
        click.echo(
            f"— {name} : {body['total']} services, {len(body['features'])} objets, "
            f"p50 {percentile(samples, 50):.1f} ms, p95 {percentile(samples, 95):.1f} ms"
        )


BENCHMARKS: dict[str, Callable[[], None]] = {
    "maps.departement": departement_pages,
    "maps.france": france_geojson,
    "maps.ville": city_points,
}
