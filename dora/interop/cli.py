"""`dora import data-inclusion` and `dora export data-inclusion`.

Exit status of the import: 0 everything imported (warnings allowed); 1 some records were
rejected (the valid ones are imported, unless --strict: then nothing is); 2 a file is
unusable or the territories are not loaded (nothing written); 3 the database (or anything
unexpected) failed during the import (rolled back: nothing written).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
import psycopg
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from dora.extensions import db
from dora.interop import queries
from dora.interop.operations import Counts, ImportReport, import_files
from dora.interop.places import GeodataMissing
from dora.interop.readers import FileProblem
from dora.interop.schemas import service_record, structure_record

log = logging.getLogger(__name__)

EXIT_REJECTED = 1
EXIT_UNUSABLE = 2
EXIT_DATABASE = 3
T = TypeVar("T")


def run_import(session, work: Callable[[], T], *, label: str, unusable: tuple) -> T:
    """Run an import's `work`; on failure roll everything back, say why in French and exit
    with the importers' codes (EXIT_UNUSABLE for a file that cannot be read, EXIT_DATABASE
    otherwise). Shared by every `dora import …` command."""
    try:
        return work()
    except unusable as exc:
        session.rollback()
        click.echo(f"Erreur : {exc}\nAucune donnée n’a été écrite.", err=True)
        sys.exit(EXIT_UNUSABLE)
    except (SQLAlchemyError, psycopg.Error) as exc:
        # psycopg.Error: COPY runs on the driver connection, unwrapped by SQLAlchemy.
        session.rollback()
        cause = getattr(exc, "orig", None) or exc
        first_line = str(cause).strip().splitlines()[0] if str(cause).strip() else repr(cause)
        click.echo(
            f"Erreur de la base de données pendant l’import : {first_line}\n"
            "L’import a été annulé : aucune donnée n’a été écrite.",
            err=True,
        )
        sys.exit(EXIT_DATABASE)
    except Exception as exc:
        session.rollback()
        log.exception("%s import failed", label)
        click.echo(
            f"Erreur inattendue pendant l’import : {exc!r}\n"
            "L’import a été annulé : aucune donnée n’a été écrite.",
            err=True,
        )
        sys.exit(EXIT_DATABASE)


_FILE = click.Path(path_type=Path, dir_okay=False)


@click.group("import", help="Importer des données dans le catalogue.")
def command() -> None:
    pass


@command.command(
    "data-inclusion",
    help="Importer des structures et/ou des services au format data·inclusion v1 "
    "(JSON, JSON lines ou CSV). Réimporter met à jour les enregistrements par `id`.",
)
@click.option("--structures", type=_FILE, help="Fichier de structures.")
@click.option("--services", type=_FILE, help="Fichier de services.")
@click.option(
    "--strict",
    is_flag=True,
    help="Ne rien écrire du tout si un enregistrement est invalide.",
)
@with_appcontext
def import_data_inclusion(structures: Path | None, services: Path | None, strict: bool) -> None:
    if structures is None and services is None:
        raise click.UsageError("Indiquez --structures FICHIER et/ou --services FICHIER.")
    session = db.session
    report = run_import(
        session,
        lambda: import_files(
            session.connection(),
            structures=structures,
            services=services,
            strict=strict,
            progress=sys.stderr.isatty(),
        ),
        label="data·inclusion",
        unusable=(FileProblem, GeodataMissing),
    )
    if report.written:
        session.commit()
    else:
        session.rollback()
    _print_report(report, structures, services, strict)
    if report.rejected:
        sys.exit(EXIT_REJECTED)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _summary(label: str, path: Path, counts: Counts) -> str:
    return (
        f"{label} ({path.name}) — lus : {counts.read} · créés : {counts.created} · "
        f"mis à jour : {counts.updated} · inchangés : {counts.unchanged} · "
        f"rejetés : {counts.rejected}"
    )


def _print_report(
    report: ImportReport, structures: Path | None, services: Path | None, strict: bool
) -> None:
    for problem in report.rejections:
        click.echo(f"REJET  {problem}", err=True)
    for problem in report.warnings:
        click.echo(f"AVERTISSEMENT  {problem}", err=True)
    if structures is not None:
        click.echo(_summary("Structures", structures, report.structures))
    if services is not None:
        click.echo(_summary("Services", services, report.services))
    if report.warnings:
        click.echo(f"{_plural(len(report.warnings), 'avertissement')} (voir ci-dessus).")
    if report.timings:
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.timings.items())
        click.echo(f"Durée : {phases}.")
    if report.rejected:
        if strict:
            click.echo(
                f"Mode strict : {_plural(report.rejected, 'enregistrement')} invalide(s), "
                "aucune donnée n’a été écrite.",
                err=True,
            )
        else:
            click.echo(
                f"{_plural(report.rejected, 'enregistrement')} rejeté(s) (détail ci-dessus) ; "
                "les autres ont été importés.",
                err=True,
            )


@click.group("export", help="Exporter le catalogue.")
def export_command() -> None:
    pass


@export_command.command(
    "data-inclusion",
    help="Écrire les structures validées et les services visibles du public au format "
    "data·inclusion v1, en JSON lines (un enregistrement par ligne).",
)
@click.option("--structures", type=_FILE, help="Fichier de structures à écrire.")
@click.option("--services", type=_FILE, help="Fichier de services à écrire.")
@with_appcontext
def export_data_inclusion(structures: Path | None, services: Path | None) -> None:
    if structures is None and services is None:
        raise click.UsageError("Indiquez --structures FICHIER et/ou --services FICHIER.")
    connection = db.session.connection()
    for path, rows, to_record, label in (
        (structures, queries.iter_structures, structure_record, "structures"),
        (services, queries.iter_services, service_record, "services"),
    ):
        if path is None:
            continue
        try:
            with path.open("w", encoding="utf-8") as handle:
                count = 0
                for row in rows(connection):
                    handle.write(json.dumps(to_record(row), ensure_ascii=False) + "\n")
                    count += 1
        except OSError as exc:
            click.echo(f"Erreur : écriture impossible de {path} ({exc.strerror}).", err=True)
            sys.exit(EXIT_UNUSABLE)
        click.echo(f"{_plural(count, label[:-1])} écrit(s) dans {path}.")
    db.session.rollback()
