"""Search as served in production, from the first request: `dora bench search-serving`.

What the issue asks to measure, on the catalogue of the bench database (`make bench
BENCH_SERVICES=100000 BENCH=search-serving` for the national offer's size; 1,000,000 by
default):

- a real `gunicorn -c gunicorn.conf.py` with 4 workers (index and frequent postings loaded
  before the fork), started fresh for each pass: the first request measured is the first one
  the server answers — no warm-up;
- a query mix that never repeats (random communes weighted by population, radius, page,
  thématique or sub-thème, words drawn from the vocabulary labels and from the lexicon of
  names), so that the answer cache cannot hide the engine; four kinds: commune only,
  commune + thématique, commune + text, text only;
- per kind p50/p95/p99 over HTTP one request at a time, with the answer cache off then on;
- the raw SQL the API runs for the same queries (psycopg alone, each timed right after its
  request, so that both see the same load) and the ratio API / raw SQL;
- throughput of 8 concurrent clients (`wrk`, or Python threads when it is missing) on fresh
  queries, cache off then on;
- memory of the master and of each worker (RSS and PSS from /proc/<pid>/smaps_rollup: PSS
  shares each shared page among the processes mapping it, so their sum is the real total).

Targets (issue 10): p95 ≤ 50 ms and p50 ≤ 15 ms for every kind from the first request,
≥ 250 requests/s for 8 clients, cache off. Shared machines are noisy: compare ratios.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import click
import psycopg
from flask import current_app
from sqlalchemy import text
from sqlalchemy.orm import Session

from dora import vocabulary
from dora.bench.timing import Summary, ratio_line, summarise
from dora.extensions import db
from dora.search import accel, sync
from dora.search import text as text_module
from dora.search.bench import RawSql, _free_port, _statements_of
from dora.search.cache import DEFAULT_SIZE as DEFAULT_CACHE_SIZE
from dora.search.query import SearchQuery

WORKERS = 4
CLIENTS = 8
PER_KIND = int(os.environ.get("DORA_BENCH_SERVING_PER_KIND", "60"))
LOAD_SECONDS = int(os.environ.get("DORA_BENCH_LOAD_SECONDS", "20"))
KINDS = ("commune", "commune + thématique", "commune + texte", "texte seul")
RADII_KM = (2, 5, 10, 15, 20, 30, 50)
MIN_WORD_LENGTH = 4


def _echo(line: str = "") -> None:
    click.echo(line)


# The mix ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Material:
    codes: list[str]
    weights: list[int]
    thematiques: list[str]
    words: list[str]


def _material(seed: int) -> Material:
    """Communes by population, thématiques (categories and sub-thèmes), and words as a
    professional types them: those of the vocabulary labels, and of names in the lexicon."""
    rng = random.Random(seed)
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT code, population FROM commune ORDER BY code")).all()
        lexicon = list(
            connection.scalars(
                text(
                    "SELECT word FROM search_lexicon WHERE length(word) >= :n "
                    "ORDER BY md5(word || :seed) LIMIT 400"
                ),
                {"n": MIN_WORD_LENGTH, "seed": str(seed)},
            )
        )
    labels = {
        word
        for label in vocabulary.labels().values()
        for word in text_module.words(label)
        if len(word) >= MIN_WORD_LENGTH
    }
    thematiques = sorted(vocabulary.CATEGORIES) + [t.value for t in vocabulary.v1.Thematique]
    words = sorted(labels) + lexicon
    rng.shuffle(words)
    return Material(
        codes=[row.code for row in rows],
        weights=[max(row.population, 1) for row in rows],
        thematiques=thematiques,
        words=words,
    )


def _query(rng: random.Random, kind: str, material: Material) -> SearchQuery:
    page = rng.choices((1, 2, 3, 4, 5), (60, 20, 10, 6, 4))[0]
    words = " ".join(rng.sample(material.words, rng.choices((1, 2), (75, 25))[0]))
    if kind == "texte seul":
        return SearchQuery(q=words, page=page)
    located = SearchQuery(
        commune=rng.choices(material.codes, material.weights)[0],
        rayon_km=rng.choice(RADII_KM),
        page=page,
        a_distance=rng.random() < 0.8,
    )
    if kind == "commune + thématique":
        return located.with_changes(thematiques=(rng.choice(material.thematiques),))
    if kind == "commune + texte":
        return located.with_changes(q=words)
    return located


def fresh_queries(seed: int, material: Material) -> Iterator[tuple[str, SearchQuery]]:
    """An endless mix of the four kinds in turn, never the same query twice."""
    rng = random.Random(seed)
    seen: set[str] = set()
    while True:
        for kind in KINDS:
            for _ in range(100):
                query = _query(rng, kind, material)
                url = _url(query)
                if url not in seen:
                    seen.add(url)
                    yield kind, query
                    break


def _url(query: SearchQuery) -> str:
    return "/api/v1/search?" + urlencode(query.to_args())


# The server ---------------------------------------------------------------------------------


class Server:
    """`gunicorn -c gunicorn.conf.py wsgi:app` on a free loopback port."""

    def __init__(self, cache_size: int) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            SEARCH_RESPONSE_CACHE_SIZE=str(cache_size),
            DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=str(WORKERS),
            GUNICORN_LOGLEVEL="warning",
        )
        root = Path(current_app.root_path).parent
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [gunicorn, "-c", str(root / "gunicorn.conf.py"), "wsgi:app"], cwd=str(root), env=env
        )
        self._wait_for_workers()
        self.start_seconds = time.perf_counter() - started

    def _wait_for_workers(self) -> None:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise click.ClickException("gunicorn stopped while starting")
            if len(self.workers()) == WORKERS:
                try:
                    # A page that touches neither the search nor its index.
                    urllib.request.urlopen(self.base + "/healthz", timeout=5).read()
                    return
                except OSError:
                    pass
            time.sleep(0.2)
        raise click.ClickException("gunicorn did not start in 10 minutes")

    def workers(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _memory_kb(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("Rss", "Pss"):
            found[name] = int(value.split()[0])
    return found


def _memory_report(server: Server, moment: str) -> None:
    pids = [("master", server.process.pid)] + [
        (f"worker {n}", pid) for n, pid in enumerate(server.workers(), 1)
    ]
    _echo(f"  memory {moment} (MB):")
    total_rss = total_pss = 0
    for name, pid in pids:
        try:
            memory = _memory_kb(pid)
        except OSError:
            continue
        total_rss += memory["Rss"]
        total_pss += memory["Pss"]
        _echo(f"    {name:<9} RSS {memory['Rss'] / 1024:7.1f}  PSS {memory['Pss'] / 1024:7.1f}")
    _echo(
        f"    {'total':<9} RSS {total_rss / 1024:7.1f}  PSS {total_pss / 1024:7.1f}"
        "  (PSS: shared pages counted once)"
    )


def _get(base: str, path: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=120) as response:
        response.read()
        if response.status != 200:
            raise click.ClickException(f"{path}: HTTP {response.status}")
    return time.perf_counter() - started


# Passes -------------------------------------------------------------------------------------


class _RawSql:
    """The statements the API runs for a query, with psycopg alone (no SQLAlchemy, no Flask),
    timed right after the API answered the same query: on a shared machine both see the same
    load, so their ratio means something. This process keeps its own copy of the accelerator
    only to know which statements those are."""

    def __init__(self) -> None:
        self.index = accel.FacetIndex()
        with db.engine.connect() as connection:
            self.index.load(connection)
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.session = Session(db.engine)
        self.connection = psycopg.connect(url)
        self.runner = RawSql(self.connection)

    def time(self, query: SearchQuery) -> float:
        statements, _ = _statements_of(self.session, query, self.index)
        self.session.rollback()
        return self.runner.run(statements)

    def close(self) -> None:
        self.session.close()
        self.connection.close()


def _latencies(
    server: Server, mix: list[tuple[str, SearchQuery]], raw: _RawSql
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    api: dict[str, list[float]] = defaultdict(list)
    sql: dict[str, list[float]] = defaultdict(list)
    for kind, query in mix:
        try:
            api[kind].append(_get(server.base, _url(query)))
        except urllib.error.HTTPError as error:
            raise click.ClickException(f"{_url(query)}: HTTP {error.code}") from error
        sql[kind].append(raw.time(query))
    return api, sql


def _report(title: str, samples: dict[str, list[float]]) -> dict[str, Summary]:
    _echo(title)
    summaries = {kind: summarise(kind, samples[kind]) for kind in KINDS if samples.get(kind)}
    for summary in summaries.values():
        _echo("  " + summary.line())
    return summaries


def _throughput(server: Server, urls: list[str]) -> tuple[float, int]:
    """Requests per second of CLIENTS concurrent clients for LOAD_SECONDS, and errors."""
    if shutil.which("wrk"):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            paths = ",\n".join(f'"{u}"' for u in urls)
            # Each connection walks its own part of the list: no URL is asked twice.
            script.write(
                "local paths = {" + paths + "}\n"
                "local counter = 0\n"
                "setup = function(thread) thread:set('first', counter); counter = counter + 1 end\n"
                "local i = nil\n"
                "request = function()\n"
                "  if i == nil then i = first * math.floor(#paths / 2) end\n"
                "  i = i + 1\n"
                "  return wrk.format('GET', paths[(i % #paths) + 1])\n"
                "end\n"
            )
        try:
            result = subprocess.run(
                ["wrk", "-t2", f"-c{CLIENTS}", f"-d{LOAD_SECONDS}s", "--latency", "-s",
                 script.name, server.base],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
        finally:
            Path(script.name).unlink()
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
        socket_errors = re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", result.stdout
        )
        count = int(errors.group(1)) if errors else 0
        if socket_errors:
            count += sum(int(n) for n in socket_errors.groups())
        latency = re.search(r"Latency Distribution\n((?:.*\n){4})", result.stdout)
        if latency:
            _echo("  wrk latency: " + " ".join(latency.group(1).split()))
        return rate, count
    counts = {"ok": 0, "errors": 0}
    deadline = time.monotonic() + LOAD_SECONDS

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < deadline:
            try:
                _get(server.base, urls[i % len(urls)])
                counts["ok"] += 1
            except OSError:
                counts["errors"] += 1
            i += CLIENTS

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    return counts["ok"] / (time.monotonic() - started), counts["errors"]


def _ticks(pid: int) -> int:
    """User + system CPU time of a process so far, in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


class _CpuMeter:
    """CPU time spent during the load by the app (gunicorn master and workers), PostgreSQL
    (the backends of this cluster) and the load generator, per request: on a machine shared
    with other work, what the throughput would be with all its cores (each side's cost is
    measured, not its share of a contended machine)."""

    def __init__(self, server: Server) -> None:
        with db.engine.connect() as connection:
            data_directory = connection.execute(text("SHOW data_directory")).scalar_one()
        try:
            postmaster = int(Path(data_directory, "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            postmaster = None
        self.app = [server.process.pid, *server.workers()]
        self.database = self._children(postmaster) if postmaster else []
        self.before = self._sample()

    @staticmethod
    def _children(pid: int) -> list[int]:
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def _sample(self) -> tuple[int, int, float]:
        children = os.times()
        return (
            sum(_ticks(pid) for pid in self.app),
            sum(_ticks(pid) for pid in self.database),
            children.children_user + children.children_system,
        )

    def report(self, requests: float) -> None:
        after = self._sample()
        tick = os.sysconf("SC_CLK_TCK")
        app = (after[0] - self.before[0]) / tick
        database = (after[1] - self.before[1]) / tick
        client = after[2] - self.before[2]
        if requests <= 0:
            return
        per_request = [1000 * seconds / requests for seconds in (app, database, client)]
        total = sum(per_request)
        cores = os.cpu_count() or 1
        _echo(
            f"  CPU per request: app {per_request[0]:.2f} ms, PostgreSQL {per_request[1]:.2f} ms,"
            f" load generator {per_request[2]:.2f} ms; with the {cores} cores to itself:"
            f" ≈ {cores * 1000 / total:.0f} requests/s"
            if total
            else "  CPU per request: n/a"
        )


def _ensure_index() -> int:
    with db.engine.connect() as connection:
        pending = sync.pending_count(connection)
    if pending:
        _echo(f"Building {pending:,} queued search documents (bulk path)…")
        _echo(f"  {sync.build_pending(db.engine)}")
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM search_document")).scalar_one()


def bench_serving() -> None:
    documents = _ensure_index()
    if not documents:
        raise click.ClickException("search_document is empty: seed demo data first")
    seed = int(os.environ.get("DORA_BENCH_SEED") or time.time())
    material = _material(seed)
    queries = fresh_queries(seed, material)
    _echo(
        f"Catalogue: {documents:,} public services indexed. gunicorn -c gunicorn.conf.py, "
        f"{WORKERS} workers; {os.cpu_count()} CPU(s) (shared: compare ratios). Seed {seed}."
    )
    _echo(
        f"Mix: {PER_KIND} fresh queries per kind, the four kinds in turn; throughput: "
        f"{CLIENTS} clients, {LOAD_SECONDS} s, fresh queries."
    )
    results: dict[str, dict] = {}
    raw = _RawSql()
    try:
        for cache_size, label in ((0, "answer cache off"), (DEFAULT_CACHE_SIZE, "answer cache on")):
            mix = [next(queries) for _ in range(PER_KIND * len(KINDS))]
            _echo(f"\n--- {label} ---")
            server = Server(cache_size)
            try:
                _echo(f"  server ready in {server.start_seconds:.1f} s (index loaded before fork)")
                _memory_report(server, "after start")
                api_samples, sql_samples = _latencies(server, mix, raw)
                first = {kind: api_samples[kind][0] * 1000 for kind in KINDS}
                api = _report(
                    f"API over HTTP from the first request, one at a time ({label})", api_samples
                )
                _echo(
                    "  first request of each kind: "
                    + ", ".join(f"{kind} {ms:.0f} ms" for kind, ms in first.items())
                )
                sql = _report(
                    "Raw SQL of the same queries (psycopg alone, each right after its request)",
                    sql_samples,
                )
                _echo("Ratios API / raw SQL (p50)")
                for kind in api:
                    _echo("  " + ratio_line(kind, api[kind], sql[kind]))
                load_urls = [_url(next(queries)[1]) for _ in range(max(6000, 400 * LOAD_SECONDS))]
                cpu = _CpuMeter(server)
                loaded_at = time.monotonic()
                rate, errors = _throughput(server, load_urls)
                _echo(f"  throughput, {CLIENTS} clients: {rate:.0f} requests/s, {errors} errors")
                cpu.report(rate * (time.monotonic() - loaded_at))
                _memory_report(server, "after the load")
            finally:
                server.stop()
            results[label] = {"api": api, "rate": rate, "errors": errors}
    finally:
        raw.close()
    _targets(results["answer cache off"])


def _targets(cache_off: dict) -> None:
    _echo("\nTargets (cache off, from the first request)")
    checks = []
    for kind, summary in cache_off["api"].items():
        checks.append((f"{kind}: p95 ≤ 50 ms: {summary.p95_ms:.1f}", summary.p95_ms <= 50))
        checks.append((f"{kind}: p50 ≤ 15 ms: {summary.p50_ms:.1f}", summary.p50_ms <= 15))
    rate = cache_off["rate"]
    checks.append(
        (f"≥ 250 requests/s for {CLIENTS} clients, no error: {rate:.0f}/s, "
         f"{cache_off['errors']} errors", rate >= 250 and not cache_off["errors"])
    )  # fmt: skip
    for label, ok in checks:
        _echo(f"  [{'ok' if ok else 'NOT MET'}] {label}")
