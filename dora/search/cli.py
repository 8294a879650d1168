"""`dora search …`: keep the search indexes in step, rebuild them, look at their state."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from dora.extensions import db
from dora.search import sync

LABELS = {"documents": "Documents", "index": "Index", "meilisearch": "Meilisearch"}


def _progress(phase: str, total: int):
    bar = tqdm(total=total, desc=LABELS.get(phase, phase), unit=" ", leave=True)
    return bar.update


@click.group("search", help="Index de recherche (postgres, Meilisearch).")
def command() -> None:
    pass


@command.command(
    "sync", help="Construit les documents en attente et vide la file vers Meilisearch."
)
@with_appcontext
def sync_command() -> None:
    from dora.search import operations

    report = operations.sync_all(current_app, progress=_progress)
    click.echo(f"Synchronisation : {report}.")


@command.command("reindex", help="Reconstruit tout l’index de recherche depuis la base.")
@with_appcontext
def reindex_command() -> None:
    from dora.search import operations

    try:
        report = operations.reindex(current_app, progress=_progress)
    except sync.SwapBlocked as error:
        raise click.ClickException(str(error)) from error
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.phases.items())
    click.echo(f"Réindexation : {report} ({phases}).")


@command.command("status", help="État des index : documents, file d’attente, moteur.")
@with_appcontext
def status_command() -> None:
    with db.engine.connect() as connection:
        documents = connection.exec_driver_sql("SELECT count(*) FROM search_document").scalar()
        pending = sync.pending_count(connection)
        queued = connection.exec_driver_sql("SELECT count(*) FROM search_outbox").scalar()
    backend = current_app.config.get("SEARCH_BACKEND", "postgres")
    click.echo(f"Moteur : {backend}")
    click.echo(f"Documents dans l’index postgres : {documents}")
    click.echo(f"Documents en attente de construction : {pending}")
    click.echo(f"Entrées dans la file (outbox) : {queued}")
