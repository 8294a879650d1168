"""Accounts: registration, e-mail verification, login, password reset, roles and permissions.

- `models`: User, Membership (role membre/admin), JoinRequest, Invitation, TerritoryManager,
  StructureModerationEvent.
- `permissions`: the `can_*` rules and view decorators every feature uses.
- `emails`: e-mails sent after the transaction commits, through SMTP (MAIL_* settings).
- `cli`: `dora users …` and `dora mail …`.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden, TooManyRequests

from dora.api.errors import API_PREFIX, ApiError, error_response
from dora.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)

    from dora.accounts import emails

    emails.init_app(app)

    from dora.accounts.cli import mail_command

    app.cli.add_command(mail_command)

    app.register_error_handler(Forbidden, _forbidden)
    app.register_error_handler(TooManyRequests, _too_many_requests)
    app.register_error_handler(CSRFError, _csrf_error)


def _load_user(session_id: str):
    from dora.accounts.sessions import load_user

    return load_user(session_id)


def _page(status: int, title: str, message: str, api_code: str):
    if request.path.startswith(API_PREFIX):
        return error_response(ApiError(message, code=api_code, status=status))
    return render_template("errors/generic.html", title=title, message=message), status


def _forbidden(exc: Forbidden):
    return _page(
        403,
        "Accès refusé",
        "Votre compte n’a pas les droits nécessaires pour cette action.",
        "acces_refuse",
    )


def _too_many_requests(exc: TooManyRequests):
    return _page(
        429,
        "Trop de tentatives",
        "Trop de tentatives en peu de temps. Patientez quelques minutes avant de réessayer.",
        "trop_de_requetes",
    )


def _csrf_error(exc: CSRFError):
    return _page(
        400,
        "Formulaire expiré",
        "Le formulaire a expiré ou n’a pas été envoyé depuis dora. Rechargez la page et "
        "recommencez.",
        "requete_invalide",
    )
