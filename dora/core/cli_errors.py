"""Errors of the `dora` command, told in French."""

from __future__ import annotations

import click


class FrenchError(click.ClickException):
    """A failure told in French, exit status 1."""

    def show(self, file=None) -> None:
        click.echo(f"Erreur : {self.format_message()}", err=True, file=file)
