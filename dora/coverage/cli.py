"""`dora observatoire calculer | etat`: compute the coverage figures, say how fresh they are."""

from __future__ import annotations

import functools

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from dora.core.cli_errors import FrenchError
from dora.coverage import operations, queries
from dora.extensions import db


@click.group("observatoire", help="Observatoire de la couverture de l’offre.")
def command() -> None:
    pass


def database_errors(function):
    """A database failure said in French, without a traceback; nothing is published (the
    computation is one transaction: the previous figures stay in place)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except DBAPIError as error:
            db.session.rollback()
            kind = type(error.orig).__name__ if error.orig else "erreur"
            raise FrenchError(
                f"échec dans la base de données ({kind}), rien n’a été modifié. Vérifiez "
                "qu’elle est joignable et à jour (dora db upgrade), puis réessayez."
            ) from error

    return wrapper


def _number(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


@command.command(
    "calculer",
    help="Recalcule toute la couverture (France entière) depuis l’index de recherche. "
    "À lancer chaque nuit (cron) et après un import.",
)
@click.option("--quiet", is_flag=True, help="N’afficher que le résumé.")
@click.option(
    "--si-necessaire",
    "only_if_needed",
    is_flag=True,
    help="Ne rien faire si les chiffres sont à jour (jamais calculés, plus d’un jour, ou "
    "catalogue modifié depuis : recalculer).",
)
@with_appcontext
@database_errors
def compute_command(quiet: bool, only_if_needed: bool) -> None:
    if only_if_needed:
        state = queries.freshness(db.session)
        if state.computed and not state.warnings:
            click.echo("Couverture à jour : rien à recalculer.")
            return
    if not db.session.scalar(db.text("SELECT count(*) FROM commune")):
        raise FrenchError("Référentiel des communes absent : lancez d’abord « dora geodata load ».")
    result = operations.rebuild(db.session, progress=None if quiet else click.echo)
    db.session.commit()
    click.echo(
        f"Couverture calculée en {_number(result.duration_s)} s : "
        f"{result.units} communes et arrondissements, {result.services_on_site} services sur "
        f"place, {result.services_remote} à distance, {result.cells} cellules."
    )


@command.command("etat", help="Date du dernier calcul et changements du catalogue depuis.")
@with_appcontext
@database_errors
def status_command() -> None:
    state = queries.freshness(db.session)
    if state.run is None:
        click.echo("Couverture jamais calculée : lancez « dora observatoire calculer ».")
        raise SystemExit(1)
    run = state.run
    click.echo(
        f"Dernier calcul : {run.finished_at:%d/%m/%Y %H:%M} UTC, en {_number(run.duration_s)} s."
    )
    click.echo(
        f"{run.units} communes et arrondissements, {run.services_on_site} services sur place, "
        f"{run.services_remote} à distance, {run.cells} cellules."
    )
    for warning in state.warnings:
        click.echo(f"Attention : {warning}")
    if not state.warnings:
        click.echo("À jour : le catalogue n’a pas changé depuis.")
