"""`dora bench seed`: demo seed throughput on 100,000 services.

Each run seeds 100,000 services (about 25,000 structures) of a demo set of its own (ids
`bench-demo--…`, source `dora-demo-bench`, so the bench database's own data is not touched),
commits, and deletes them again (not timed). The baseline, measured in the same run, is a bare
COPY of the very same rows rendered beforehand: what the database alone costs (constraints,
indexes, other features' triggers), so the ratio is what generation and rendering add.
Generation alone (no database) is timed too.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import date

import click
from sqlalchemy import text

from dora.bench.timing import ratio_line, summarise
from dora.demo import generator, operations
from dora.demo.generator import SERVICE_COLUMNS, STRUCTURE_COLUMNS, DemoSet
from dora.demo.writer import render_line
from dora.extensions import db

SERVICES = int(os.environ.get("DORA_BENCH_DEMO_SERVICES", "100000"))
RUNS = 3
DEMO = DemoSet(seed=97, prefix="bench-demo", source="dora-demo-bench", reference_date=date.today())
_DESCRIPTION = frozenset([SERVICE_COLUMNS.index("description")])


def _clean() -> None:
    with db.engine.begin() as connection:
        operations.delete_demo(connection, DEMO)


def _seed_once() -> float:
    started = time.perf_counter()
    with db.engine.begin() as connection:
        report = operations.seed(connection, SERVICES, DEMO)
    elapsed = time.perf_counter() - started
    assert report.services_written == SERVICES, report
    return elapsed


def _rendered() -> tuple[bytes, bytes]:
    structures, services = [], []
    for chunk_structures, rows in generator.generate(DEMO, SERVICES):
        structures += [render_line(s.row) for s in chunk_structures]
        services += [render_line(row, _DESCRIPTION) for row in rows]
    return ("\n".join(structures) + "\n").encode(), ("\n".join(services) + "\n").encode()


def _copy_once(structures: bytes, services: bytes) -> float:
    started = time.perf_counter()
    with db.engine.begin() as connection:
        # The same conditions as the seed: fresh statistics, search deferred to after commit.
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY structure ({', '.join(STRUCTURE_COLUMNS)}) FROM STDIN") as copy:
            copy.write(structures)
        connection.execute(text("ANALYZE structure"))
        connection.execute(text("SET LOCAL dora.search_bulk_rows = 1"))
        with cursor.copy(f"COPY service ({', '.join(SERVICE_COLUMNS)}) FROM STDIN") as copy:
            copy.write(services)
        connection.execute(text("ANALYZE service"))
    return time.perf_counter() - started


def _generate_once() -> float:
    started = time.perf_counter()
    for chunk in range(generator.chunk_count(SERVICES)):
        limit = generator.services_in_chunk(chunk, SERVICES)
        for structure in generator.generate_structures(DEMO, chunk):
            render_line(structure.row)
        structures = generator.generate_structures(DEMO, chunk, rows=False)
        for row in generator.generate_services(DEMO, chunk, structures, limit):
            render_line(row, _DESCRIPTION)
    return time.perf_counter() - started


def _rate(seconds: list[float]) -> str:
    return f"{SERVICES / statistics.median(seconds):,.0f}".replace(",", " ")


def bench_seed() -> None:
    click.echo(f"demo seed: {SERVICES:,} services, {RUNS} runs, ids {DEMO.prefix}--…")
    _clean()
    seeds: list[float] = []
    copies: list[float] = []
    generations: list[float] = []
    try:
        structures, services = _rendered()
        for run in range(1, RUNS + 1):
            seeds.append(_seed_once())
            _clean()
            copies.append(_copy_once(structures, services))
            _clean()
            generations.append(_generate_once())
            click.echo(
                f"  run {run}: seed {seeds[-1]:.1f} s ({SERVICES / seeds[-1]:,.0f} services/s),"
                f" bare COPY {copies[-1]:.1f} s, generation only {generations[-1]:.1f} s"
            )
    finally:
        _clean()
    seed_summary = summarise("demo seed (generate + COPY + commit)", seeds)
    copy_summary = summarise("bare COPY of the same rows (raw SQL)", copies)
    click.echo(seed_summary.line())
    click.echo(copy_summary.line())
    click.echo(summarise("generation + rendering only", generations).line())
    click.echo(ratio_line("demo seed vs bare COPY", seed_summary, copy_summary))
    click.echo(
        f"median throughput: seed {_rate(seeds)} services/s, bare COPY {_rate(copies)}"
        " services/s (services; structures are written too, one for four services)"
    )


BENCHMARKS: dict[str, Callable[[], None]] = {"seed": bench_seed}
