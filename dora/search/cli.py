"""`dora search …`: keep the search indexes in step, rebuild them, look at their state."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from dora.core.cli_errors import FrenchError
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

    try:
        report = operations.sync_all(current_app, progress=_progress)
    except sync.IndexingFailed as error:
        raise FrenchError(f"{error}. Rien n’est perdu : relancez `dora search sync`.") from error
    click.echo(f"Synchronisation : {report}.")


@command.command(
    "worker",
    help="Surveille la file d’indexation et construit ce qui attend (à lancer à côté de l’app).",
)
@click.option(
    "--intervalle",
    "interval",
    type=click.FloatRange(min=0.5, max=3600),
    default=5.0,
    show_default=True,
    help="Secondes entre deux examens de la file.",
)
@click.option("--une-fois", "once", is_flag=True, help="Un seul passage, puis s’arrête.")
@with_appcontext
def worker_command(interval: float, once: bool) -> None:
    from dora.search import worker

    loop = worker.Loop(current_app._get_current_object(), interval_s=interval)
    if once:
        if loop.run(rounds=1, echo=click.echo):
            raise FrenchError("le passage d’indexation a échoué (voir ci-dessus).")
        return
    worker.install_signal_handlers(loop)
    click.echo(f"Indexation : surveillance de la file toutes les {interval:g} s (Ctrl-C arrête).")
    loop.run(echo=click.echo)
    click.echo("Indexation : arrêt.")


@command.command("reindex", help="Reconstruit tout l’index de recherche depuis la base.")
@with_appcontext
def reindex_command() -> None:
    from dora.search import operations

    try:
        report = operations.reindex(current_app, progress=_progress)
    except (sync.SwapBlocked, sync.RebuildRunning, sync.IndexingFailed) as error:
        raise FrenchError(str(error)) from error
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
    from dora.search import worker

    with db.engine.connect() as connection:
        state = worker.queue_state(connection, meilisearch=backend == "meilisearch")
    if state.oldest_age_s is not None:
        click.echo(f"Plus ancienne entrée en attente : {state.oldest_age_s:.0f} s")
