"""`dora bench import`: data·inclusion import throughput on 100,000 services.

Generates valid services (and their structures) into temporary JSON lines and CSV files,
imports them into the current DATABASE_URL three times per format (after deleting what the
previous run wrote), then re-imports changed records (the update path). Prints records/s
per run and the median, and the ratio against a bare COPY of the same rows (no parsing, no
validation, no upsert) measured in the same run. Everything written carries the id prefix
`bench-import--` and is deleted at the end, even on failure.
"""

from __future__ import annotations

import csv
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
from data_inclusion.schema import v1
from sqlalchemy import text

from dora.core.signals import services_bulk_written
from dora.extensions import db
from dora.interop.fields import Kind, spec_of
from dora.interop.operations import copy_rows, import_files

PREFIX = "bench-import--"
SOURCE = "bench-import"
SERVICES = 100_000
SERVICES_PER_STRUCTURE = 5
RUNS = 3

_ACTIVITIES = (
    ("Garage solidaire", "mobilite--entretenir-reparer-son-vehicule"),
    ("Auto-école sociale", "mobilite--preparer-un-permis"),
    ("Point conseil budget", "difficultes-financieres--ameliorer-sa-gestion-budgetaire"),
    ("Atelier CV", "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"),
    ("Crèche AVIP", "famille--garde-denfants"),
    ("Épicerie solidaire", "equipement-et-alimentation--alimentation"),
    ("Permanence numérique", "numerique--acceder-a-des-services-en-ligne"),
    ("Atelier de français", "lecture-ecriture-calcul--maitriser-le-francais"),
)
_PUBLICS = [member.value for member in v1.Public if member is not v1.Public.TOUS_PUBLICS]


def _communes(limit: int = 5000) -> list[tuple[str, str, str, str, float, float]]:
    # A connection of its own, closed at once: no transaction left open during long runs.
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT code, nom, departement_code, coalesce(codes_postaux[1], ''), "
                "ST_X(location::geometry), ST_Y(location::geometry) "
                "FROM commune ORDER BY population DESC LIMIT :limit"
            ),
            {"limit": limit},
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def generate(count: int, seed: int = 7, variant: int = 0) -> tuple[list[dict], list[dict]]:
    """`count` valid services and their structures; `variant` changes every service."""
    rng = random.Random(seed)
    communes = _communes()
    today = date.today()
    structures: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    for s in range(-(-count // SERVICES_PER_STRUCTURE)):
        code, nom, departement, code_postal, lon, lat = rng.choice(communes)
        structure_id = f"{PREFIX}structure-{s}"
        structures.append(
            {
                "source": SOURCE,
                "id": structure_id,
                "nom": f"Association d’insertion {nom} n° {s}",
                "date_maj": (today - timedelta(days=rng.randrange(1095))).isoformat(),
                "commune": nom,
                "code_postal": code_postal or None,
                "code_insee": code,
                "adresse": f"{rng.randrange(1, 120)} rue de la République",
                "courriel": f"contact-{s}@association.example.org",
                "site_web": f"https://association-{s}.example.org",
                "reseaux_porteurs": ["emmaus"] if s % 7 == 0 else None,
            }
        )
        for k in range(SERVICES_PER_STRUCTURE):
            n = s * SERVICES_PER_STRUCTURE + k
            if n >= count:
                break
            activity, thematique = _ACTIVITIES[n % len(_ACTIVITIES)]
            remote = n % 5 == 0
            with_point = not remote and n % 3 != 0
            services.append(
                {
                    "source": SOURCE,
                    "structure_id": structure_id,
                    "id": f"{PREFIX}service-{n}",
                    "nom": f"{activity} — {nom}",
                    "description": (
                        f"{activity} à {nom} : accueil sur rendez-vous, accompagnement "
                        f"individuel et ateliers collectifs (version {variant})."
                    ),
                    "date_maj": (today - timedelta(days=rng.randrange(1095))).isoformat(),
                    "type": "accompagnement",
                    "thematiques": [thematique],
                    "frais": "gratuit" if n % 4 else "payant",
                    "publics": ["tous-publics"] if n % 2 else rng.sample(_PUBLICS, 2),
                    "modes_accueil": ["a-distance"] if remote else ["en-presentiel"],
                    "zone_eligibilite": ["france"] if remote else [departement],
                    "commune": None if remote else nom,
                    "code_postal": None if remote else (code_postal or None),
                    "code_insee": None if remote else code,
                    "longitude": round(lon + rng.uniform(-0.01, 0.01), 6) if with_point else None,
                    "latitude": round(lat + rng.uniform(-0.01, 0.01), 6) if with_point else None,
                    "telephone": "+33123456789",
                    "courriel": f"service-{n}@association.example.org",
                    "modes_mobilisation": ["telephoner"],
                    "mobilisable_par": ["professionnels", "usagers"],
                    "horaires_accueil": "Mo-Fr 09:00-12:00",
                }
            )
    return structures, services


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _write_csv(path: Path, records: list[dict], kind: Kind) -> Path:
    columns = spec_of(kind).names
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for record in records:
            writer.writerow(
                [
                    json.dumps(value)
                    if isinstance(value, list)
                    else ("" if value is None else value)
                    for value in (record.get(name) for name in columns)
                ]
            )
    return path


def cleanup() -> int:
    """Delete what the benchmark wrote (committed); returns the number of services."""
    with db.engine.begin() as connection:
        ids = list(
            connection.execute(
                text("DELETE FROM service WHERE id LIKE :p RETURNING id"), {"p": f"{PREFIX}%"}
            ).scalars()
        )
        connection.execute(text("DELETE FROM structure WHERE id LIKE :p"), {"p": f"{PREFIX}%"})
        if ids:
            services_bulk_written.send(connection, service_ids=ids)
    return len(ids)


def _timed_import(structures: Path, services: Path) -> tuple[float, Any]:
    started = time.perf_counter()
    with db.engine.begin() as connection:
        report = import_files(connection, structures=structures, services=services)
    elapsed = time.perf_counter() - started
    if report.rejected:
        raise click.ClickException(
            f"bench: {report.rejected} rejected records, e.g. {report.rejections[0]}"
        )
    return elapsed, report


def _raw_copy(services: list[dict]) -> float:
    """The floor: COPY of the same service rows into a bare temporary table."""
    columns = spec_of("services").names
    rows = [tuple(record.get(name) for name in columns) for record in services]
    started = time.perf_counter()
    with db.engine.begin() as connection:
        connection.execute(
            text(
                f"CREATE TEMPORARY TABLE bench_raw_service ON COMMIT DROP AS "
                f"SELECT {', '.join(columns)} FROM service WITH NO DATA"
            )
        )
        copy_rows(connection, "bench_raw_service", columns, rows)
    return time.perf_counter() - started


def _line(label: str, records: int, seconds: float, report: Any = None) -> str:
    line = f"{label:<34} {records:>7,} enr. en {seconds:6.2f} s → {records / seconds:8,.0f} enr./s"
    if report is not None:
        line += "  (" + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items()) + ")"
    return line


def run_import(count: int = SERVICES, runs: int = RUNS) -> None:
    echo: Callable[[str], None] = click.echo
    removed = cleanup()
    if removed:
        echo(f"(nettoyage préalable : {removed:,} services d’un banc interrompu)")
    structures, services = generate(count)
    changed_structures, changed_services = generate(count, variant=1)
    total = len(structures) + len(services)
    try:
        with tempfile.TemporaryDirectory(prefix="dora-bench-import-") as folder:
            base = Path(folder)
            inputs = {
                "jsonl": (
                    _write_jsonl(base / "structures.jsonl", structures),
                    _write_jsonl(base / "services.jsonl", services),
                ),
                "csv": (
                    _write_csv(base / "structures.csv", structures, "structures"),
                    _write_csv(base / "services.csv", services, "services"),
                ),
            }
            updates = (
                _write_jsonl(base / "structures-v2.jsonl", changed_structures),
                _write_jsonl(base / "services-v2.jsonl", changed_services),
            )
            echo(
                f"{len(services):,} services + {len(structures):,} structures "
                f"({total:,} enregistrements), {runs} passes par format"
            )
            medians: dict[str, float] = {}
            for name, (structures_file, services_file) in inputs.items():
                rates = []
                for number in range(1, runs + 1):
                    cleanup()
                    seconds, report = _timed_import(structures_file, services_file)
                    rates.append(total / seconds)
                    echo(_line(f"création {name} passe {number}", total, seconds, report))
                medians[name] = statistics.median(rates)
                echo(f"{'création ' + name + ' médiane':<34} {medians[name]:>39,.0f} enr./s")
            rates = []
            for number in range(1, runs + 1):
                # Alternate versions so that every pass really updates every record.
                files = updates if number % 2 else inputs["jsonl"]
                seconds, report = _timed_import(*files)
                assert report.services.updated == len(services), report.services
                rates.append(total / seconds)
                echo(_line(f"mise à jour jsonl passe {number}", total, seconds, report))
            medians["update"] = statistics.median(rates)
            echo(f"{'mise à jour médiane':<34} {medians['update']:>39,.0f} enr./s")
            raw = min(_raw_copy(services) for _ in range(runs))
            raw_rate = len(services) / raw
            echo(_line("référence : COPY brut des services", len(services), raw))
            for name, rate in medians.items():
                echo(f"ratio COPY brut / import {name:<10} {raw_rate / rate:6.1f}x")
    finally:
        removed = cleanup()
        echo(f"nettoyage : {removed:,} services et leurs structures supprimés")


# -- export API ---------------------------------------------------------------------------

_API_CASES: tuple[tuple[str, dict[str, str]], ...] = (
    ("/api/v1/services", {"size": "1000"}),
    ("/api/v1/services", {"size": "1000", "page": "50"}),
    ("/api/v1/services", {"size": "100", "departement": "93"}),
    ("/api/v1/services", {"size": "100", "code_commune": "75056"}),
    ("/api/v1/services", {"size": "100", "thematiques": "mobilite"}),
    ("/api/v1/services", {"size": "100", "date_maj_min": "2025-01-01", "departement": "13"}),
    ("/api/v1/structures", {"size": "1000"}),
    ("/api/v1/structures", {"size": "100", "thematiques": "famille--garde-denfants"}),
)


def _raw_sql(path: str, params: dict[str, str]) -> Callable[[], object]:
    """The same page and total as plain SQL, without the API (parsing, records, JSON)."""
    from sqlalchemy import func, select

    from dora.catalogue.models import Service, Structure
    from dora.interop import queries

    size, page = int(params.get("size", "100")), int(params.get("page", "1"))
    codes = (
        queries.commune_codes(db.session, params["code_commune"])
        if "code_commune" in params
        else ()
    )
    filters = queries.ExportFilters(
        departement=params.get("departement"),
        code_communes=codes or (),
        thematiques=tuple(params["thematiques"].split(",")) if "thematiques" in params else (),
        date_maj_min=date.fromisoformat(params["date_maj_min"])
        if "date_maj_min" in params
        else None,
    )
    if path.endswith("services"):
        statement, order = queries.services_statement(filters), Service.id
    else:
        statement, order = queries.structures_statement(filters), Structure.id
    page_sql = statement.order_by(order).offset((page - 1) * size).limit(size)
    count_sql = select(func.count()).select_from(statement.order_by(None).subquery())

    def run() -> object:
        rows = db.session.execute(page_sql).all()
        return rows, db.session.scalar(count_sql)

    return run


def run_export_api(repeat: int = 7) -> None:
    """p50/p95 of the export API on the current database, and the ratio to its raw SQL."""
    from flask import current_app

    from dora.bench.timing import ratio_line, summarise, time_calls

    services = db.session.scalar(text("SELECT count(*) FROM service"))
    click.echo(f"{services:,} services dans la base")
    client = current_app.test_client()
    for path, params in _API_CASES:
        label = path.rsplit("/", 1)[1] + " " + "&".join(f"{k}={v}" for k, v in params.items())

        def call(path: str = path, params: dict[str, str] = params) -> None:
            response = client.get(path, query_string=params)
            assert response.status_code == 200, response.get_json()

        call()  # warm the cache: compare warm figures
        api = summarise(label, time_calls(call, repeat))
        raw = summarise("SQL brut", time_calls(_raw_sql(path, params), repeat))
        click.echo(api.line())
        click.echo(ratio_line("", api, raw))


BENCHMARKS: dict[str, Callable[[], None]] = {"import": run_import, "export-api": run_export_api}
