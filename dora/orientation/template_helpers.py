"""Blocks that other features' pages show: « Orienter une personne » on a service page, and
the orientation inboxes on /mon-espace."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from dora.accounts.permissions import is_verified
from dora.catalogue.models import Service
from dora.extensions import db
from dora.orientation import queries, stats


def service_block(service: Service) -> Markup:
    """The button to orient someone to this service (or why it cannot receive referrals)."""
    return Markup(
        render_template(
            "orientation/_service_block.html",
            service=service,
            can_receive=queries.can_receive(db.session, service),
        )
    )


def dashboard_block() -> Markup:
    """« Orientations reçues » (per status) and « Mes orientations » on /mon-espace."""
    if not is_verified(current_user):
        return Markup("")
    structure_ids = [m.structure_id for m in current_user.memberships]
    return Markup(
        render_template(
            "orientation/_dashboard_block.html",
            has_structures=bool(structure_ids),
            counts=queries.received_counts(db.session, structure_ids),
            sent_count=queries.sent_count(db.session, current_user),
            sees_statistics=not stats.scope_of(current_user).empty,
        )
    )
