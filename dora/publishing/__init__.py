"""Publishing: structures keep their services up to date.

- `forms`: the service editor (every data·inclusion field, vocabularies from dora.vocabulary,
  OSM opening hours checked by `opening_hours`).
- `operations`: create, edit (with conflict detection on the `version` column), publish,
  unpublish, archive, suspend, duplicate, « toujours à jour » — each recorded in the history.
- `views`: /mes-services pages for structure members; `api`: /api/v1/territoires.
- `cli`: `dora notify stale`, the freshness reminders.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from dora.publishing.template_helpers import member_block

    # Used by templates/catalogue/service.html (guarded by `is defined`).
    app.jinja_env.globals["publishing_member_block"] = member_block
    from dora.publishing.display import ordered_changes

    app.jinja_env.filters["ordered_changes"] = ordered_changes
    _register_dashboard_section()


def _register_dashboard_section() -> None:
    """Our block on the structure dashboard (/mon-espace/structures/<id>)."""
    from dora.structures.dashboard import Section, register_section

    register_section(
        Section(
            key="publishing",
            template="publishing/_dashboard_services.html",
            context=_dashboard_context,
            order=10,
        )
    )


def _dashboard_context(structure, user) -> dict:
    from dora.accounts.permissions import can_edit_services
    from dora.extensions import db
    from dora.publishing import queries

    can_edit = can_edit_services(user, structure)
    stale = queries.stale_services(db.session, [structure.id]) if can_edit else []
    return {"can_edit": can_edit, "stale": stale}
