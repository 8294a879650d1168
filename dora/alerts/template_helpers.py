"""Blocks other pages show: the favourite star of a service page, « Enregistrer cette
recherche » on /recherche."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup

from dora.accounts.permissions import is_verified
from dora.alerts import queries
from dora.alerts.models import FREQUENCE_LABELS
from dora.extensions import db


def favorite_button(service) -> Markup:
    if not is_verified(current_user):
        return Markup(render_template("alerts/_favorite_login.html", service=service))
    starred = bool(queries.favorite_ids(db.session, current_user.id, [service.id]))
    return Markup(render_template("alerts/_favorite_button.html", service=service, starred=starred))


def save_search_block(query, default_name: str, part: str = "fields") -> Markup:
    """`part="fields"`: the disclosure with the name and frequency; `part="form"`: the form
    they belong to, to be written outside the search form."""
    if not is_verified(current_user):
        return Markup("")
    # Without « Ouvert le … » (one day, soon past: see operations.canonical_parameters).
    saved = query.with_changes(ouvert_le=None, moment="journee")
    parametres = urlencode([(k, v) for k, v in saved.to_args(page=1) if k != "size"])
    return Markup(
        render_template(
            "alerts/_save_search.html" if part == "fields" else "alerts/_save_search_form.html",
            parametres=parametres,
            default_name=default_name[:100],
            frequences=FREQUENCE_LABELS,
            back=request.full_path.rstrip("?"),
        )
    )
