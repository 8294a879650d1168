"""Search at national scale: `dora bench search`, `search-http`, `search-reindex`.

`search` makes sure the bench database holds DORA_BENCH_SEARCH_SERVICES demo services
(1,000,000 by default; seeded with `dora.demo` and indexed through the bulk path when missing,
reused otherwise), then runs a fixed mix of queries (same seed, same queries every run):

- commune only, commune + category, commune + text (communes drawn by population: searches
  are made where people live), text only nationwide;

and prints, per shape and overall, p50/p95/p99 of:

- the API through Flask's test client (parsing, place, text look-ups, backend, facets,
  hydration, JSON);
- the raw SQL the API runs for that query (same statements, psycopg alone, no SQLAlchemy nor
  Flask) — the ratio API / raw SQL is the application's own cost;
- what SQL alone costs for what the in-process accelerator answers (exact totals and facets,
  and the pages of searches with a place or text);

then facet counts for whole départements and for all of France (accelerator and SQL).
No result cache is involved anywhere: every query is computed.

`search-http` serves the app with gunicorn (4 workers, loopback), measures the same mix
over HTTP one request at a time, then throughput for 30 s with `wrk` (Debian package `wrk`;
without it, a Python thread pool client — slower, said in the output).

`search-reindex` times `dora search reindex` (full rebuild of the postgres index).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import click
import psycopg
from flask import current_app
from sqlalchemy import text
from sqlalchemy.orm import Session

from dora import vocabulary
from dora.bench.timing import Summary, ratio_line, summarise
from dora.extensions import db
from dora.search import accel, engine, facets, sync
from dora.search import api as search_api
from dora.search import text as text_module
from dora.search.backends.postgres import (
    CUSTOM_PLANS,
    PostgresBackend,
    Statements,
    merge_streams,
)
from dora.search.cache import DEFAULT_SIZE as DEFAULT_CACHE_SIZE
from dora.search.query import SearchQuery, preload_places, resolve_place

SERVICES = int(os.environ.get("DORA_BENCH_SEARCH_SERVICES", "1000000"))
MIX_SEED = 2026
LOAD_SECONDS = int(os.environ.get("DORA_BENCH_LOAD_SECONDS", "30"))
WORKERS = 4

# Needs as professionals type them (the demo data's vocabulary, accents or not).
WORDS = (
    "garage", "permis de conduire", "hébergement d'urgence", "atelier cv", "épicerie solidaire",
    "cours de français", "aide alimentaire", "vélo", "numérique", "budget", "parentalité",
    "accès aux droits", "logement", "entretien d'embauche", "santé", "mobilité", "informatique",
    "microcrédit", "garde d'enfants", "création d'entreprise",
)  # fmt: skip
# SQL alone takes seconds for big sets: measured on the first queries of each shape only.
SQL_ALONE_PER_SHAPE = 12
SHAPES = {"commune": 60, "commune + catégorie": 60, "commune + texte": 50, "texte national": 40}


def _echo(line: str = "") -> None:
    click.echo(line)


# Data ------------------------------------------------------------------------------------


def ensure_data() -> None:
    """The demo services of the bench, seeded and indexed when missing (reused otherwise)."""
    from dora.demo import operations

    with db.engine.connect() as connection:
        present = connection.execute(text("SELECT count(*) FROM service")).scalar_one()
    if present < SERVICES:
        _echo(f"Seeding {SERVICES - present:,} demo services (dora.demo)…")
        started = time.perf_counter()
        with db.engine.begin() as connection:
            report = operations.seed(connection, SERVICES, notify=False)
        _echo(
            f"  seed: {report.services_written:,} services in {time.perf_counter() - started:.0f} s"
        )
    with db.engine.connect() as connection:
        pending = sync.pending_count(connection)
    if pending:
        _echo(f"Building {pending:,} queued search documents (bulk path)…")
        report = sync.build_pending(db.engine)
        _echo(f"  {report}")
    with db.engine.connect() as connection:
        documents = connection.execute(text("SELECT count(*) FROM search_document")).scalar_one()
    _echo(f"Index: {documents:,} public services in search_document.")


def query_mix() -> list[tuple[str, SearchQuery]]:
    """The fixed mix: (shape, query), communes drawn by population."""
    rng = random.Random(MIX_SEED)
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT code, population FROM commune ORDER BY code")).all()
    codes = [row.code for row in rows]
    weights = [max(row.population, 1) for row in rows]
    categories = sorted(vocabulary.CATEGORIES)
    mix: list[tuple[str, SearchQuery]] = []
    for shape, count in SHAPES.items():
        for _ in range(count):
            commune = rng.choices(codes, weights)[0]
            if shape == "commune":
                query = SearchQuery(commune=commune)
            elif shape == "commune + catégorie":
                query = SearchQuery(commune=commune, thematiques=(rng.choice(categories),))
            elif shape == "commune + texte":
                query = SearchQuery(commune=commune, q=rng.choice(WORDS))
            else:
                query = SearchQuery(q=rng.choice(WORDS))
            mix.append((shape, query))
    return mix


def _url(query: SearchQuery) -> str:
    return "/api/v1/search?" + urlencode(query.to_args())


# Measurements ----------------------------------------------------------------------------


def _load_accelerator() -> accel.FacetIndex:
    index = accel.index_for(db.engine)
    with db.engine.connect() as connection:
        index.load(connection)
    _echo(f"Accelerator loaded in {index.load_seconds:.1f} s ({index.arrays.size:,} rows).")
    # As gunicorn.conf.py does before forking its workers.
    with Session(db.engine) as session:
        _echo(f"Places kept: {preload_places(session):,} communes and arrondissements.")
    return index


def _api_samples(mix) -> dict[str, list[float]]:
    client = current_app.test_client()
    samples: dict[str, list[float]] = defaultdict(list)
    for shape, query in mix:
        url = _url(query)
        started = time.perf_counter()
        response = client.get(url)
        samples[shape].append(time.perf_counter() - started)
        if response.status_code != 200:
            raise click.ClickException(f"{url}: {response.status_code} {response.get_data()!r}")
    return samples


def _set_response_cache(size: int) -> None:
    current_app.config["SEARCH_RESPONSE_CACHE_SIZE"] = size
    current_app.extensions.pop(search_api.CACHE_KEY, None)


def _psycopg_sql(sql: str) -> str:
    """SQLAlchemy's :name parameters as psycopg's %(name)s."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql.replace("%", "%%"))


class RawSql:
    """The statements of one search, run with psycopg alone (no SQLAlchemy, no Flask), outside
    any transaction as the API runs them (dora.core.transactions.without_transaction)."""

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection
        connection.autocommit = True

    def run(self, statements: list[tuple[str, dict[str, Any]]]) -> float:
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(_psycopg_sql(sql), params)
                cursor.fetchall()
        return time.perf_counter() - started


def _statements_of(session: Session, query: SearchQuery, index: accel.FacetIndex):
    """What the API runs for `query` (the accelerator answering counts and pages, the words
    looked up in its postings), and what SQL alone would run instead of the accelerator.

    The place is not asked: the API keeps every commune's (dora.search.query.preload_places,
    before gunicorn forks). Conservative for the API: the words are analysed every time,
    where the API keeps the analysis of words seen."""
    place = resolve_place(session, query)
    text_query = text_module.prepare(session, query.q, index.lexeme_known) if query.q else None
    statements = Statements(query, place, facets.keys(session), text_query)
    today = (date.today() - date(1970, 1, 1)).days
    run: list[tuple[str, dict[str, Any]]] = []
    if text_query is not None:
        folded = [text_module.fold(w) for w in text_module.words(query.q)]
        probe = text_module._PROBE_LEXEMES.text.replace(":typed", "CAST(:typed AS text[])")
        run.append((probe, {"typed": folded}))
    run.append((accel._STATE.text, {"xmax": index.xmax, "xip": index.xip}))
    replaced: list[tuple[str, dict[str, Any]]] = []
    accelerated_page = statements.has_text or place is not None
    if accelerated_page:
        match = index.text_match(text_query) if text_query else None
        counted, rows = index.page(query, place, statements.key_map, today, match)
        ords = [hit.service_id for hit in merge_streams(rows, query.offset, query.size)]
        hydrate = engine._hydrate_sql(session.get_bind().dialect, True)
        run.append((hydrate.replace("%(keys)s", ":keys"), {"keys": ords}))
    else:
        counted = index.counts(query, place, statements.key_map, today)
    statements.knn = counted.on_site >= 1000
    page_sql = statements.page_sql()
    if not accelerated_page:
        run.append((CUSTOM_PLANS, {}))
    (replaced if accelerated_page else run).append((page_sql, statements.bound_params(page_sql)))
    counts_sql = statements.counts_sql()
    replaced.append((counts_sql, statements.bound_params(counts_sql)))
    if not accelerated_page:
        run.append(
            (
                "SELECT s.*, st.nom FROM service AS s JOIN structure AS st"
                " ON st.id = s.structure_id WHERE s.id = ANY(CAST(:ids AS text[]))",
                {"ids": ["x"] * query.size},
            )
        )
    return run, replaced


def _sql_samples(mix, index) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    raw: dict[str, list[float]] = defaultdict(list)
    exact_counts: dict[str, list[float]] = defaultdict(list)
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with Session(db.engine) as session, psycopg.connect(url) as connection:
        runner = RawSql(connection)
        for shape, query in mix:
            statements, replaced = _statements_of(session, query, index)
            raw[shape].append(runner.run(statements))
            if len(exact_counts[shape]) < SQL_ALONE_PER_SHAPE:
                exact_counts[shape].append(runner.run(replaced))
            session.rollback()
    return raw, exact_counts


def _report(title: str, samples: dict[str, list[float]]) -> dict[str, Summary]:
    _echo(f"\n{title}")
    summaries = {shape: summarise(shape, values) for shape, values in samples.items()}
    summaries["tout le mélange"] = summarise(
        "tout le mélange", [v for values in samples.values() for v in values]
    )
    for summary in summaries.values():
        _echo("  " + summary.line())
    return summaries


def _facet_probes(index: accel.FacetIndex) -> None:
    """Totals and facets of département-sized result sets (the biggest cities, default radius:
    more services than any département holds) and of all of France."""
    today = (date.today() - date(1970, 1, 1)).days
    backend = PostgresBackend(accelerate=False)
    with Session(db.engine) as session:
        key_map = facets.keys(session)
        _echo("\nFacets of département-sized sets (big cities, 50 km; accelerator | SQL)")
        biggest = session.execute(
            text("SELECT code, nom FROM commune ORDER BY population DESC LIMIT 4")
        ).all()
        probes = [(f"{row.nom} ({row.code})", SearchQuery(commune=row.code)) for row in biggest]
        probes += [("toute la France", SearchQuery())]
        probes += [("toute la France, mobilite", SearchQuery(thematiques=("mobilite",)))]
        for label, query in probes:
            place = resolve_place(session, query)
            samples = []
            for _ in range(9):
                started = time.perf_counter()
                counted = index.counts(query, place, key_map, today)
                samples.append(time.perf_counter() - started)
            started = time.perf_counter()
            total, _ = backend.counts(session, Statements(query, place, key_map))
            sql_ms = (time.perf_counter() - started) * 1000
            assert total == counted.total, (label, total, counted.total)
            accelerated = summarise("accelerator", samples)
            _echo(
                f"  {label:<28} {counted.total:>9,} services  accelerator p50 "
                f"{accelerated.p50_ms:6.1f} ms p95 {accelerated.p95_ms:6.1f} ms"
                f"  | SQL {sql_ms:7.0f} ms"
            )


def bench_search() -> None:
    ensure_data()
    mix = query_mix()
    _echo(f"Mix: {len(mix)} queries ({', '.join(f'{n} {s}' for s, n in SHAPES.items())}).")
    index = _load_accelerator()
    _set_response_cache(0)
    _api_samples(mix)  # warm-up: buffers, postings, statistics
    api = _report("API (Flask test client), no answer cache", _api_samples(mix))
    _set_response_cache(DEFAULT_CACHE_SIZE)
    _api_samples(mix)  # fills the answer cache
    _report("API (Flask test client), answers from the cache (same mix again)", _api_samples(mix))
    _set_response_cache(0)
    raw, exact = _sql_samples(mix, index)
    # What SQL alone needs = what the API runs + what the accelerator replaces.
    sql = _report("Raw SQL of the same queries (psycopg, the statements the API runs)", raw)
    alone = _report(
        f"SQL alone for what the accelerator answers (exact counts and facets; pages) — first"
        f" {SQL_ALONE_PER_SHAPE} queries of each shape",
        exact,
    )
    _echo("\nRatios: API / raw SQL it runs (the accelerator's work counts on the API side)")
    for shape in api:
        _echo("  " + ratio_line(shape, api[shape], sql[shape]))
    _echo("Ratios: API / SQL alone giving the same answers")
    for shape in api:
        _echo("  " + ratio_line(shape, api[shape], alone[shape]))
    _facet_probes(index)
    _targets(api["tout le mélange"], sql["tout le mélange"])


def _targets(api: Summary, sql: Summary) -> None:
    _echo("\nTargets")
    ratio = api.p50_ms / sql.p50_ms
    for label, ok in (
        (f"API p50 ≤ 15 ms: {api.p50_ms:.1f}", api.p50_ms <= 15),
        (f"API p95 ≤ 50 ms: {api.p95_ms:.1f}", api.p95_ms <= 50),
        (f"API p50 ≤ 2 × raw SQL p50: {ratio:.2f} ×", ratio <= 2),
    ):
        _echo(f"  [{'ok' if ok else 'NOT MET'}] {label}")


# Over HTTP ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(port: int, cache_size: int) -> subprocess.Popen:
    env = dict(os.environ)
    env["SEARCH_RESPONSE_CACHE_SIZE"] = str(cache_size)
    env["DATABASE_URL"] = db.engine.url.render_as_string(hide_password=False)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return subprocess.Popen(
        [gunicorn, "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--timeout", "120", "wsgi:app"],
        cwd=str(Path(current_app.root_path).parent),
        env=env,
    )  # fmt: skip


def _get(base: str, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=60) as response:
        response.read()
        return response.status, time.perf_counter() - started


def _wait_ready(base: str, mix) -> None:
    for _ in range(300):
        try:
            _get(base, "/healthz")
            break
        except OSError:
            time.sleep(0.2)
    # Every worker loads its accelerator copy in the background on its first search, then
    # fetches the postings of the words it is asked: the mix is run a few times first.
    with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
        for _ in range(2):
            list(pool.map(lambda item: _get(base, _url(item[1])), mix[:40]))
            time.sleep(8)
        for _ in range(WORKERS + 2):
            list(pool.map(lambda item: _get(base, _url(item[1])), mix))


def bench_http() -> None:
    ensure_data()
    mix = query_mix()
    for cache_size, label in ((0, "no answer cache"), (DEFAULT_CACHE_SIZE, "answer cache on")):
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _serve(port, cache_size)
        try:
            _wait_ready(base, mix)
            samples: dict[str, list[float]] = defaultdict(list)
            for shape, query in mix:
                status, seconds = _get(base, _url(query))
                assert status == 200
                samples[shape].append(seconds)
            _report(
                f"API over HTTP (gunicorn, {WORKERS} workers, one request at a time), {label}",
                samples,
            )
            _throughput(base, mix, label)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _throughput(base: str, mix, label: str) -> None:
    urls = [_url(query) for _, query in mix]
    if shutil.which("wrk"):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            paths = ",\n".join(f'"{u}"' for u in urls)
            script.write(
                "local paths = {" + paths + "}\nlocal i = 0\n"
                "request = function()\n  i = i % #paths + 1\n"
                "  return wrk.format('GET', paths[i])\nend\n"
            )
        result = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{LOAD_SECONDS}s", "--latency", "-s", script.name, base],
            capture_output=True,
            text=True,
            check=True,
        )
        Path(script.name).unlink()
        _echo(
            f"\nThroughput ({label}): wrk, 2 threads, 16 connections, {LOAD_SECONDS} s,"
            " the mix in turn"
        )
        _echo("\n".join("  " + line for line in result.stdout.strip().splitlines()))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
        socket_errors = re.search(r"Socket errors: (.*)", result.stdout)
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
        ok = rate >= 300 and not errors and not socket_errors
        _echo(f"  [{'ok' if ok else 'NOT MET'}] ≥ 300 requests/s with zero errors: {rate:.0f}/s")
        return
    _echo("\nwrk is not installed (apt install wrk): Python client, 16 threads")
    deadline = time.monotonic() + LOAD_SECONDS
    counts = {"ok": 0, "errors": 0}

    def worker(offset: int) -> None:
        i = offset
        while time.monotonic() < deadline:
            try:
                status, _ = _get(base, urls[i % len(urls)])
                counts["ok" if status == 200 else "errors"] += 1
            except OSError:
                counts["errors"] += 1
            i += 1

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(worker, range(16)))
    rate = counts["ok"] / LOAD_SECONDS
    _echo(f"  {counts['ok']} answers, {counts['errors']} errors: {rate:.0f} requests/s")


# Reindex ------------------------------------------------------------------------------------


def bench_reindex() -> None:
    ensure_data()
    bars: dict[str, Callable] = {}

    def progress(phase: str, total: int):
        bars[phase] = lambda n: None
        return bars[phase]

    report = sync.rebuild(db.engine, progress=progress)
    phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report.phases.items())
    _echo(f"Reindex of {report.built:,} documents: {report.seconds:.0f} s ({phases})")
    ok = report.seconds <= 300
    _echo(f"  [{'ok' if ok else 'NOT MET'}] reindex ≤ 5 min")


def bench_serving() -> None:
    # Its own module (it reuses this one's raw SQL runner).
    from dora.search.bench_serving import bench_serving as run

    run()


BENCHMARKS: dict[str, Callable[[], None]] = {
    "search": bench_search,
    "search-serving": bench_serving,
    "search-http": bench_http,
    "search-reindex": bench_reindex,
}
