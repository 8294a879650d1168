"""The members-only block that the public service page shows to the service's structure."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from dora.accounts.permissions import can_edit_services
from dora.catalogue.models import Service
from dora.extensions import db
from dora.publishing import display, fields, queries
from dora.publishing.models import ACTION_LABELS

RECENT_CHANGES = 5


def member_block(service: Service) -> Markup:
    """Edit link and latest history for members of the service's structure; empty otherwise."""
    if not can_edit_services(current_user, service.structure):
        return Markup("")
    history = queries.history(db.session, service.id, limit=RECENT_CHANGES)
    codes = display.zone_codes_in([h.changes for h in history])
    territories = queries.territories_by_code(db.session, codes) if codes else {}
    return Markup(
        render_template(
            "publishing/_member_block.html",
            service=service,
            history=history,
            territories=territories,
            action_labels=ACTION_LABELS,
            field_labels=fields.LABELS,
            format_value=display.format_value,
        )
    )
