"""`dora maps …`: the precomputed counts of maps (see migration 0005)."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext
from sqlalchemy import text

from dora.extensions import db

TABLES = ("map_grid_cell", "map_commune_stat", "map_remote_zone")


@click.group("maps", help="Cartes : comptes précalculés des services.")
def command() -> None:
    pass


def _counts() -> dict[str, int]:
    return {
        table: db.session.scalar(text(f"SELECT count(*) FROM {table} WHERE n <> 0")) or 0
        for table in TABLES
    }


@command.command(
    "recompter",
    help="Recalcule les comptes précalculés depuis le catalogue (les déclencheurs les tiennent "
    "à jour ; à lancer après une restauration partielle ou pour vérifier).",
)
@with_appcontext
def recount_command() -> None:
    before = _counts()
    started = time.perf_counter()
    db.session.execute(text("SELECT map_grid_rebuild()"))
    db.session.commit()
    elapsed = time.perf_counter() - started
    after = _counts()
    for table in TABLES:
        click.echo(f"{table} : {before[table]} → {after[table]} lignes")
    click.echo(f"Recalculé en {elapsed:.1f} s.".replace(".", ",", 1))
