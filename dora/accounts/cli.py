"""`dora users …` (staff, territory managers) and `dora mail …` (local SMTP server)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from dora.extensions import db


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.group("users", help="Comptes : équipe dora, gestionnaires de territoire.")
def command() -> None:
    pass


@command.command(
    "create-staff", help="Donne les droits de l’équipe dora à EMAIL (crée le compte au besoin)."
)
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Lire le mot de passe d’un nouveau compte sur l’entrée standard.",
)
@with_appcontext
def create_staff(email: str, password_stdin: bool) -> None:
    from dora.accounts import operations

    try:
        address = operations.normalise_email(email)
        user = operations.get_user_by_email(db.session, address)
        if user is None:
            if password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = click.prompt(
                    f"Mot de passe du nouveau compte {address}",
                    hide_input=True,
                    confirmation_prompt="Confirmez le mot de passe",
                )
            operations.create_user(db.session, address, password, verified=True, is_staff=True)
            created = True
        else:
            operations.make_staff(db.session, address)
            created = False
    except operations.OperationError as error:
        db.session.rollback()
        _fail(error.message)
    db.session.commit()
    click.echo(f"{address} : compte {'créé, ' if created else ''}membre de l’équipe dora.")


@command.command("make-manager", help="Fait de EMAIL un gestionnaire des départements donnés.")
@click.argument("email")
@click.option(
    "--departement",
    "-d",
    "departements",
    multiple=True,
    required=True,
    help="Code INSEE (répétable) : 93, 2A, 971…",
)
@with_appcontext
def make_manager(email: str, departements: tuple[str, ...]) -> None:
    from dora.accounts import operations

    try:
        user = operations.make_manager(db.session, email, list(departements))
    except operations.OperationError as error:
        db.session.rollback()
        _fail(error.message)
    db.session.commit()
    click.echo(f"{user.email} gère : {', '.join(sorted(user.departement_codes))}.")


@command.command(
    "remove-manager", help="Retire des départements à un gestionnaire (tous sans --departement)."
)
@click.argument("email")
@click.option("--departement", "-d", "departements", multiple=True)
@with_appcontext
def remove_manager(email: str, departements: tuple[str, ...]) -> None:
    from dora.accounts import operations

    try:
        user = operations.remove_manager(db.session, email, list(departements) or None)
    except operations.OperationError as error:
        db.session.rollback()
        _fail(error.message)
    db.session.commit()
    remaining = ", ".join(sorted(user.departement_codes)) or "aucun département"
    click.echo(f"{user.email} gère désormais : {remaining}.")


@command.command("list", help="Liste les comptes de l’équipe et les gestionnaires.")
@with_appcontext
def list_users() -> None:
    from dora.accounts.models import TerritoryManager, User

    rows = db.session.execute(
        select(User, func.array_remove(func.array_agg(TerritoryManager.departement_code), None))
        .outerjoin(TerritoryManager, TerritoryManager.user_id == User.id)
        .where((User.is_staff) | (TerritoryManager.user_id.is_not(None)))
        .group_by(User.id)
        .order_by(User.email)
    ).all()
    if not rows:
        click.echo("Aucun compte de l’équipe ni gestionnaire.")
    for user, codes in rows:
        roles = (["équipe dora"] if user.is_staff else []) + (
            [f"gestionnaire {', '.join(sorted(codes))}"] if codes else []
        )
        click.echo(f"{user.email}\t{' ; '.join(roles)}")


# Local SMTP server (development) --------------------------------------------------------


@click.group("mail", help="Serveur SMTP local de développement (e-mails dans var/mail).")
def mail_command() -> None:
    pass


def _mail_directory(directory: Path | None) -> Path:
    from dora.accounts.emails import DEFAULT_FALLBACK_DIR

    return directory or Path(current_app.config.get("MAIL_FALLBACK_DIR") or DEFAULT_FALLBACK_DIR)


@mail_command.command("serve", help="Serveur SMTP qui range les e-mails reçus en .eml.")
@click.option("--host", default=None, help="Par défaut MAIL_SERVER.")
@click.option("--port", type=int, default=None, help="Par défaut MAIL_PORT.")
@click.option(
    "--directory", type=click.Path(file_okay=False, path_type=Path), help="Par défaut var/mail."
)
@click.option("--background", is_flag=True, help="En arrière-plan (rien s’il tourne déjà).")
@with_appcontext
def serve(host: str | None, port: int | None, directory: Path | None, background: bool) -> None:
    from dora.accounts import mailserver

    host = host or current_app.config["MAIL_SERVER"]
    port = port or int(current_app.config["MAIL_PORT"])
    directory = _mail_directory(directory)
    if background:
        click.echo(mailserver.start_background(host, port, directory))
        return
    if mailserver.listening(host, port):
        _fail(f"Un serveur écoute déjà sur {host}:{port}.")
    directory.mkdir(parents=True, exist_ok=True)
    click.echo(f"Serveur SMTP local sur {host}:{port} ; e-mails dans {directory}. Ctrl-C : arrêt.")
    mailserver.serve_forever(host, port, directory)


@mail_command.command("stop", help="Arrête le serveur lancé avec --background.")
@click.option("--directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def stop(directory: Path | None) -> None:
    from dora.accounts import mailserver

    click.echo(mailserver.stop_background(_mail_directory(directory)))
