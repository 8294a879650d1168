"""The `dora` command: Flask's CLI (run, shell, db …) plus each feature's commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from dora import create_app, features


@click.group(cls=FlaskGroup, create_app=create_app, help="Commandes de dora.")
def cli() -> None:
    pass


for _module in features.modules("cli"):
    cli.add_command(_module.command)


def main() -> None:
    cli(prog_name="dora")
