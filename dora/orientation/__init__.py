"""Orientation: a prescriber hands a person over to a service, and follows the handover until
it is answered.

- `models`: Orientation (the person's data, kept apart from the facts that statistics use),
  OrientationEvent (history), OrientationAttachment, OrientationAccess (every read logged).
- `access`: who reads a referral — its two sides, and the holder of a structure's secret link.
- `operations`: send, open, accept, refuse, write, renew the link, remind, expire, purge.
- `eligibility`: the one call to the platform's eligibility rule (see its docstring).
- `storage`: attachments typed by content, stored with a checksum under
  ORIENTATION_STORAGE_DIR.
- `views` (pages), `api` (/api/v1/orientations/statistiques), `stats` (the numbers),
  `cli` (`dora orientations relancer | purger`), `demo` (demo referrals), `bench`.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

# Loggers that write request paths: the development server's request lines, and the app's
# log of unexpected errors.
PATH_LOGGERS = ("werkzeug", "dora.api.errors")


class RedactLinkTokens(logging.Filter):
    """A secret link's token is a credential: it never reaches a log line."""

    TOKEN = re.compile(r"(/orientations/lien/)[^/\s?\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self.TOKEN.sub(r"\1[masqué]", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.TOKEN.sub(r"\1[masqué]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def init_app(app: Flask) -> None:
    from dora.orientation import emails, template_helpers
    from dora.orientation.models import MOTIF_LABELS, STATUT_LABELS

    # Used by templates/catalogue/service.html and templates/accounts/dashboard.html
    # (guarded by `is defined`).
    app.jinja_env.globals["orientation_service_block"] = template_helpers.service_block
    app.jinja_env.globals["orientation_dashboard_block"] = template_helpers.dashboard_block
    app.jinja_env.globals["orientation_retention_label"] = emails.retention_label
    # Globals, not a context processor: imported macros see them too.
    app.jinja_env.globals["ORIENTATION_STATUT_LABELS"] = STATUT_LABELS
    app.jinja_env.globals["ORIENTATION_MOTIF_LABELS"] = MOTIF_LABELS
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    _register_dashboard_section()
    for name in PATH_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactLinkTokens) for f in logger.filters):
            logger.addFilter(RedactLinkTokens())


def _too_large(exc: RequestEntityTooLarge):
    from dora.api.errors import API_PREFIX, ApiError, error_response

    if request.path.startswith(API_PREFIX):
        return error_response(
            ApiError("Requête trop volumineuse.", code="trop_volumineux", status=413)
        )
    return render_template(
        "errors/generic.html",
        title="Envoi trop volumineux",
        message="Les fichiers envoyés sont trop lourds : 5 Mo au plus par pièce jointe, trois "
        "pièces au plus. Revenez à la page précédente, retirez ou allégez les fichiers, puis "
        "renvoyez le formulaire.",
    ), 413


def _register_dashboard_section() -> None:
    """Our block on the structure dashboard (/mon-espace/structures/<id>)."""
    from dora.structures.dashboard import Section, register_section

    register_section(
        Section(
            key="orientation",
            template="orientation/_structure_section.html",
            context=_structure_context,
            order=20,
        )
    )


def _structure_context(structure, user) -> dict:
    from dora.accounts.permissions import role_in
    from dora.extensions import db
    from dora.orientation import queries

    role = role_in(user, structure)
    if role is None:  # managers and staff see the dashboard, not the referrals
        return {"visible": False}
    return {
        "visible": True,
        "counts": queries.received_counts(db.session, [structure.id]),
        "is_admin": role == "admin",
    }
