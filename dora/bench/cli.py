"""`dora bench [NAME…]`: run the benchmarks the features provide (all by default)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from dora import features
from dora.extensions import db


def available() -> dict:
    found: dict = {}
    for module in features.modules("bench"):
        found.update(module.BENCHMARKS)
    return found


@click.command("bench", help="Mesures de performance (toutes par défaut).")
@click.argument("names", nargs=-1)
@click.option("--list", "list_only", is_flag=True, help="Lister les mesures disponibles.")
@with_appcontext
def command(names: tuple[str, ...], list_only: bool) -> None:
    benchmarks = available()
    if list_only:
        for name in benchmarks:
            click.echo(name)
        return
    wanted = [n for n in names if n != "all"] or list(benchmarks)
    unknown = [n for n in wanted if n not in benchmarks]
    if unknown:
        raise click.BadParameter(
            f"mesure(s) inconnue(s) : {', '.join(unknown)} ; disponibles : {', '.join(benchmarks)}",
            param_hint="NAMES",
        )
    for name in wanted:
        click.echo(f"\n=== {name} ===")
        try:
            benchmarks[name]()
        finally:
            # A benchmark's session must not keep a transaction open into the next one
            # (the reindex swap would wait on it).
            db.session.remove()
