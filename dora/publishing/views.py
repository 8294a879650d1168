"""Pages of structure members: their services in every status, the editor, the conflict
screen, status actions, history and freshness.

Authorisation follows dora.accounts.permissions: anonymous visitors go to the login page;
a service or structure private to others answers 404 (ids cannot be probed); one the user
sees without the right to edit answers 403. Every data-changing route is a POST with CSRF.
"""

from __future__ import annotations

from typing import Any

import folium
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from geoalchemy2.shape import to_shape
from markupsafe import Markup

from dora import vocabulary
from dora.accounts.permissions import (
    can_edit_services,
    can_view_structure_private,
    get_structure_or_404,
    verified_required,
)
from dora.catalogue.models import STATUT_LABELS, Service, Statut, Structure
from dora.core.mapbuilder import FRANCE_CENTER, new_map, render_map, tooltip
from dora.core.markdown import render_markdown
from dora.core.transactions import attempt
from dora.core.urls import same_site_path
from dora.extensions import db
from dora.publishing import display, fields, operations, queries
from dora.publishing.forms import ActionForm, ServiceForm, SuspensionForm
from dora.publishing.models import ACTION_LABELS

bp = Blueprint("publishing", __name__)


# Helpers ---------------------------------------------------------------------------------


def _author() -> operations.Author:
    return operations.Author(user_id=current_user.id, label=current_user.email)


def _service_or_404(service_id: str) -> Service:
    """The service if the current user may edit it (404 if private to others, else 403)."""
    service = queries.get_service(db.session, service_id)
    if service is None or not can_view_structure_private(current_user, service.structure):
        abort(404)
    if not can_edit_services(current_user, service.structure):
        abort(403)
    return service


def _my_structures() -> list[Structure]:
    structures = [m.structure for m in current_user.memberships]
    return sorted(structures, key=lambda s: (s.nom.lower(), s.id))


def _safe_next(default: str) -> str:
    """Where to go back after a one-click action: a path of this site only."""
    return same_site_path(request.form.get("next")) or default


def _check_action_form() -> None:
    # The CSRF token is checked by CSRFProtect before the view; this validates the rest.
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)


def _preview_map(service: Service | None, form: ServiceForm | None = None):
    """The editor's map: the saved or previewed point, with handles for the editor script."""
    latitude = longitude = None
    precision = None
    if form is not None and form.latitude.data is not None and form.longitude.data is not None:
        latitude, longitude, precision = form.latitude.data, form.longitude.data, "adresse"
    elif form is not None and form.commune_found is not None:
        latitude, longitude = form.commune_found.latitude, form.commune_found.longitude
        precision = form.commune_found.precision
    elif service is not None and service.location is not None:
        point = to_shape(service.location)
        latitude, longitude, precision = point.y, point.x, service.location_precision
    has_point = latitude is not None and longitude is not None
    page_map = new_map(
        location=(latitude, longitude) if has_point else FRANCE_CENTER,
        zoom_start=14 if has_point else 5,
        height="320px",
        aria_label="Aperçu de la localisation du service",
    )
    marker = None
    if has_point:
        marker = folium.Marker(location=[latitude, longitude], tooltip=tooltip("Lieu d’accueil"))
        marker.add_to(page_map)
    html = render_map(page_map)
    marker_name = marker.get_name() if marker else "null"
    # Both names are folium's generated identifiers (letters, digits, underscores).
    handles = Markup(
        f"\nwindow.doraPreview = {{map: {page_map.get_name()}, marker: {marker_name}}};\n"
    )
    return html, handles, precision


def _territories_for(*mappings) -> dict[str, queries.Territory]:
    codes = display.zone_codes_in(mappings)
    return queries.territories_by_code(db.session, codes) if codes else {}


def _attach_missing(form: ServiceForm, missing: list[tuple[str, str]]) -> None:
    """Publication requirements shown as errors next to the fields concerned."""
    for name, message in missing:
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, f"Obligatoire pour publier : {message}."]


def _render_editor(form: ServiceForm, service: Service | None, structure: Structure, **extra):
    map_html, map_handles, precision = _preview_map(service, form)
    return render_template(
        "publishing/edit.html",
        form=form,
        service=service,
        structure=structure,
        map_html=map_html,
        map_handles=map_handles,
        precision=precision,
        categories=vocabulary.thematiques_by_category(),
        **extra,
    )


MAX_PREVIEW = 20_000


@bp.post("/mon-espace/apercu-description")
@verified_required
def markdown_preview():
    """The description as pages will show it (the editor's « Aperçu »): same renderer, same
    sanitiser, so the preview cannot differ from the page nor run anything."""
    text = request.form.get("texte", "")[:MAX_PREVIEW]
    html = render_markdown(text) or Markup('<p class="meta">Rien à afficher.</p>')
    return str(html), 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.post("/mon-espace/horaires")
@verified_required
def opening_hours_tool():
    """The editor's week grid asks here, so that the grid, the French phrasings and the stored
    OSM string are handled by one tested implementation (dora.core.opening_hours_grid):
    `grille` (JSON) → OSM string; `texte` (OSM or French) → OSM string and grid."""
    import json

    from dora.core.opening_hours_fr import french_opening_hours
    from dora.core.opening_hours_grid import GridError, WeekGrid, from_osm, to_osm
    from dora.publishing.opening_hours import OpeningHoursError, validate

    try:
        if "grille" in request.form:
            try:
                data = json.loads(request.form["grille"][:MAX_PREVIEW])
            except ValueError:
                raise GridError("Grille d’horaires illisible.") from None
            value = validate(to_osm(WeekGrid.from_json(data))) or ""
        else:
            value = validate(request.form.get("texte", "")[:MAX_PREVIEW]) or ""
    except (GridError, OpeningHoursError) as error:
        return {"erreur": str(error)}, 200
    grid = from_osm(value)
    return {
        "osm": value,
        "grille": grid.to_json() if grid is not None else None,
        "lignes": french_opening_hours(value) or [],
    }


# Lists and dashboards ------------------------------------------------------------------------


@bp.get("/mes-services")
@verified_required
def my_services():
    structures = _my_structures()
    ids = [s.id for s in structures]
    services = queries.services_of(db.session, ids)
    stale = {s.id for s in queries.stale_services(db.session, ids)}
    by_structure: dict[str, list[Service]] = {s.id: [] for s in structures}
    for service in services:
        by_structure[service.structure_id].append(service)
    return render_template(
        "publishing/my_services.html",
        structures=structures,
        by_structure=by_structure,
        stale=stale,
        statut_labels=STATUT_LABELS,
        action_form=ActionForm(),
    )


@bp.get("/mon-espace/structures/<structure_id>/services")
@verified_required
def structure_services(structure_id: str):
    structure = get_structure_or_404(structure_id, can_edit_services)
    services = queries.services_of(db.session, [structure.id])
    stale = queries.stale_services(db.session, [structure.id])
    return render_template(
        "publishing/structure_services.html",
        structure=structure,
        services=services,
        stale=stale,
        stale_ids={s.id for s in stale},
        statut_labels=STATUT_LABELS,
        action_form=ActionForm(),
    )


# Editor --------------------------------------------------------------------------------------


@bp.route("/mon-espace/structures/<structure_id>/services/nouveau", methods=["GET", "POST"])
@verified_required
def create(structure_id: str):
    structure = get_structure_or_404(structure_id, can_edit_services)
    form = ServiceForm()
    action = request.form.get("action", "enregistrer")
    if request.method == "POST" and form.validate() and action in ("enregistrer", "publier"):
        service = operations.create_service(db.session, structure, form.values(), author=_author())
        if action == "publier":
            try:
                operations.publish(db.session, service, author=_author())
            except operations.PublishingError as error:
                # The draft is kept (committed at the request's boundary), unpublished.
                return _after_failed_publication(service, error)
        flash(_saved_message(service), "success")
        return redirect(url_for(".service", service_id=service.id))
    if request.method == "GET":
        form.modes_accueil.data = form.modes_accueil.data or ["en-presentiel"]
    return _render_editor(form, None, structure)


def _saved_message(service: Service) -> str:
    if service.statut == Statut.PUBLIE:
        return "Service enregistré et publié : il est visible dans la recherche."
    return "Service enregistré en brouillon : il n’est pas encore visible du public."


def _after_failed_publication(service: Service, error: operations.PublishingError):
    """Saved as a draft but not published: to the editor, which shows what is missing."""
    flash(f"Vos modifications sont enregistrées en brouillon. {error.message}", "warning")
    return redirect(url_for(".edit", service_id=service.id, publication=1))


@bp.route("/mes-services/<service_id>/modifier", methods=["GET", "POST"])
@verified_required
def edit(service_id: str):
    service = _service_or_404(service_id)
    if request.method == "GET":
        form = ServiceForm(obj=service, formdata=None)
        form.version.data = str(service.version)
        if request.args.get("publication") and service.statut == Statut.BROUILLON:
            # Back from a refused publication: each missing field says so.
            _attach_missing(form, operations.missing_for_publication(fields.snapshot(service)))
        return _render_editor(form, service, service.structure)

    form = ServiceForm()
    action = request.form.get("action", "enregistrer")
    if not form.validate() or action not in ("enregistrer", "publier"):
        return _render_editor(form, service, service.structure)
    base_version = form.submitted_version()
    if base_version is None:
        return _incomplete(form, service)
    values = form.values()
    author = _author()
    try:
        if "conflit_version" in request.form:
            values = _resolve_conflict(service, base_version, values)
        operations.update_service(
            db.session,
            service,
            values,
            expected_version=_expected(service, base_version),
            author=author,
        )
        if action == "publier" and service.statut == Statut.BROUILLON:
            try:
                operations.publish(db.session, service, author=author)
            except operations.PublishingError as error:
                return _after_failed_publication(service, error)
    except operations.EditConflict as conflict:
        # Nothing was written (update_service checks before writing, or rolled back its
        # own savepoint).
        return _render_conflict(conflict, form)
    except _IncompleteForm:
        return _incomplete(form, service)
    except _UndecidedFields as undecided:
        return _render_conflict(undecided.conflict, form, undecided=undecided.names)
    except operations.NotPublishable as error:
        db.session.rollback()  # the edit is refused as a whole: nothing of it is kept
        _attach_missing(form, error.missing)
        return _render_editor(
            form,
            service,
            service.structure,
            notice="Ce service est publié : il doit rester complet. " + error.message,
        )
    flash(_saved_message(service), "success")
    return redirect(url_for(".service", service_id=service.id))


def _expected(service: Service, base_version: int) -> int:
    # After a conflict screen the choices were made against the version it showed.
    if "conflit_version" in request.form:
        return service.version
    return base_version


class _IncompleteForm(Exception):
    """The form lacks the version it was loaded with: we cannot tell what it would overwrite."""


def _incomplete(form: ServiceForm, service: Service):
    page = _render_editor(
        form,
        service,
        service.structure,
        notice="Le formulaire est incomplet (sa version manque) : rien n’a été enregistré. "
        "Rechargez la page du service avant de le modifier.",
    )
    return page, 400


class _UndecidedFields(Exception):
    def __init__(self, conflict: operations.EditConflict, names: list[str]) -> None:
        self.conflict = conflict
        self.names = names


def _resolve_conflict(service: Service, base_version: int, values: dict[str, Any]):
    """Values to save after the conflict screen, or a new conflict if it changed again."""
    try:
        seen = int(request.form["conflit_version"])
    except ValueError:
        raise _IncompleteForm() from None
    if service.version != seen and operations.edited_since(db.session, service, seen):
        raise operations.build_conflict(db.session, service, seen, values)
    conflict = operations.build_conflict(db.session, service, base_version, values)
    choices = {name: request.form.get(f"choix_{name}", "") for name in fields.EDITABLE_FIELDS}
    undecided = [
        name
        for name in conflict.differing
        if choices[name] not in ("leur", "mien") and conflict.default_choice(name) is None
    ]
    if undecided:
        raise _UndecidedFields(conflict, undecided)
    return operations.merge_choices(conflict, choices)


def _render_conflict(conflict: operations.EditConflict, form: ServiceForm, undecided=()):
    service = conflict.service
    authors = {}
    for change in conflict.changes:
        for name in change.changes:
            authors[name] = change
    territories = _territories_for(conflict.theirs, conflict.yours)
    rows = [
        {
            "name": name,
            "label": fields.LABELS[name],
            "theirs": display.format_value(name, conflict.theirs.get(name), territories),
            "yours": display.format_value(name, conflict.yours.get(name), territories),
            "default": conflict.default_choice(name),
            "by": authors.get(name),
            "undecided": name in undecided,
        }
        for name in conflict.differing
    ]
    hidden = [
        (key, value)
        for key, values in request.form.lists()
        if key not in ("csrf_token", "version", "conflit_version", "action")
        and not key.startswith("choix_")
        for value in values
    ]
    # The values as validated (commune resolved, zone completed) replace the raw ones.
    status = 409
    return (
        render_template(
            "publishing/conflict.html",
            service=service,
            rows=rows,
            hidden=hidden,
            base_version=conflict.base_version,
            current_version=service.version,
            changes=conflict.changes,
            action_labels=ACTION_LABELS,
            undecided=[fields.LABELS[n] for n in undecided],
            form=form,
        ),
        status,
    )


# Member page of a service --------------------------------------------------------------------


@bp.get("/mes-services/<service_id>")
@verified_required
def service(service_id: str):
    service = _service_or_404(service_id)
    history = queries.history(db.session, service.id)
    territories = _territories_for(
        {"zone_eligibilite": service.zone_eligibilite or []}, *[h.changes for h in history]
    )
    map_html, _, _ = _preview_map(service)
    return render_template(
        "publishing/service.html",
        service=service,
        history=history,
        territories=territories,
        missing=operations.missing_for_publication(fields.snapshot(service)),
        is_stale=queries.is_stale(service),
        map_html=map_html if service.location is not None else None,
        statut_labels=STATUT_LABELS,
        action_labels=ACTION_LABELS,
        action_form=ActionForm(),
        suspension_form=SuspensionForm(formdata=None),
        format_value=display.format_value,
        field_labels=fields.LABELS,
    )


# Status actions (POST only) ------------------------------------------------------------------


def _status_action(service_id: str, operation, success: str):
    service = _service_or_404(service_id)
    _check_action_form()
    with attempt() as outcome:
        operation(db.session, service, author=_author())
    if outcome.error:
        flash(outcome.error.message, "error")
        return redirect(url_for(".service", service_id=service_id))
    flash(success, "success")
    return redirect(_safe_next(url_for(".service", service_id=service_id)))


@bp.post("/mes-services/<service_id>/publier")
@verified_required
def publish(service_id: str):
    return _status_action(
        service_id, operations.publish, "Service publié : il est visible dans la recherche."
    )


@bp.post("/mes-services/<service_id>/depublier")
@verified_required
def unpublish(service_id: str):
    return _status_action(
        service_id,
        operations.unpublish,
        "Service remis en brouillon : il n’est plus visible du public.",
    )


@bp.post("/mes-services/<service_id>/archiver")
@verified_required
def archive(service_id: str):
    return _status_action(service_id, operations.archive, "Service archivé.")


@bp.post("/mes-services/<service_id>/desarchiver")
@verified_required
def unarchive(service_id: str):
    return _status_action(
        service_id, operations.unarchive, "Service sorti des archives, en brouillon."
    )


@bp.post("/mes-services/<service_id>/reprendre")
@verified_required
def resume(service_id: str):
    return _status_action(service_id, operations.resume, "La suspension est levée.")


@bp.post("/mes-services/<service_id>/toujours-a-jour")
@verified_required
def confirm(service_id: str):
    return _status_action(
        service_id,
        operations.confirm_up_to_date,
        "Merci : le service est marqué à jour aujourd’hui.",
    )


@bp.post("/mes-services/<service_id>/suspendre")
@verified_required
def suspend(service_id: str):
    service = _service_or_404(service_id)
    form = SuspensionForm()
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(f"Suspension : {message}", "error")
        return redirect(url_for(".service", service_id=service_id))
    with attempt() as outcome:
        operations.suspend(
            db.session, service, form.suspendu_du.data, form.suspendu_au.data, author=_author()
        )
    if outcome.error:
        flash(outcome.error.message, "error")
        return redirect(url_for(".service", service_id=service_id))
    flash("Service suspendu : il est masqué du public pendant la période indiquée.", "success")
    return redirect(url_for(".service", service_id=service_id))


@bp.post("/mes-services/<service_id>/dupliquer")
@verified_required
def duplicate(service_id: str):
    service = _service_or_404(service_id)
    _check_action_form()
    copy = operations.duplicate(db.session, service, author=_author())
    flash("Copie créée en brouillon : modifiez-la puis publiez-la.", "success")
    return redirect(url_for(".edit", service_id=copy.id))
