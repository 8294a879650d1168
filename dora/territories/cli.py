"""`dora geodata …`: load the reference territories into PostGIS."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from dora.extensions import db


@click.group("geodata", help="Référentiels géographiques (communes, EPCI, départements…).")
def command() -> None:
    pass


@command.command("load", help="Charge geodata/data dans la base (idempotent).")
@click.option("--force", is_flag=True, help="Recharger même si la version est déjà chargée.")
@with_appcontext
def load_command(force: bool) -> None:
    from geodata.load import load_all

    started = time.perf_counter()
    with db.engine.begin() as connection:
        report = load_all(connection, force=force)
    elapsed = time.perf_counter() - started
    click.echo(f"{report} ({elapsed:.1f} s)")
