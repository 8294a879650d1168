"""The `dora` command: Flask's CLI (run, shell, db …) plus each feature's commands."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from dora import create_app, features
from dora.core import cli_french

cli_french.install()


@click.group(cls=FlaskGroup, create_app=create_app, help="Commandes de dora.")
def cli() -> None:
    pass


for _module in features.modules("cli"):
    cli.add_command(_module.command)


def main() -> None:
    from dora.config import ConfigError

    try:
        cli(prog_name="dora")
    except ConfigError as error:  # a setting is missing: say so, without a traceback
        click.echo(f"Erreur : {error}", err=True)
        sys.exit(1)
