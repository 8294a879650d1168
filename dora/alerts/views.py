"""« Mes favoris » and saved searches; the unsubscribe link of alert e-mails (no login)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dora.accounts.permissions import verified_required
from dora.alerts import links, operations, queries
from dora.alerts.models import FREQUENCE_LABELS, SavedSearch
from dora.catalogue.models import Service
from dora.core.transactions import attempt
from dora.core.urls import same_site_path
from dora.extensions import csrf, db

bp = Blueprint("alerts", __name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _back(default: str) -> str:
    return same_site_path(request.form.get("next")) or default


def _own_search(search_id: int) -> SavedSearch:
    saved = queries.saved_search_of(db.session, current_user.id, search_id)
    if saved is None:
        abort(404)
    return saved


@bp.get("/mon-espace/favoris")
@verified_required
def dashboard():
    favorites = queries.favorite_services(db.session, current_user.id)
    searches = queries.saved_searches(db.session, current_user.id)
    return render_template(
        "alerts/dashboard.html",
        favorites=favorites,
        hidden=queries.hidden_favorites_count(db.session, current_user.id),
        searches=searches,
        frequences=FREQUENCE_LABELS,
    )


@bp.post("/mon-espace/favoris/<service_id>")
@verified_required
def add_favorite(service_id: str):
    service = db.session.get(Service, service_id)
    if service is None or not service.is_public():
        abort(404)
    with attempt() as outcome:
        operations.add_favorite(db.session, current_user, service)
    if outcome.error:
        flash(outcome.error.message, "error")
    else:
        flash(f"« {service.nom} » est dans vos favoris.", "success")
    return redirect(_back(url_for("catalogue.service_page", service_id=service_id)))


@bp.post("/mon-espace/favoris/<service_id>/retirer")
@verified_required
def remove_favorite(service_id: str):
    operations.remove_favorite(db.session, current_user, service_id)
    flash("Service retiré de vos favoris.", "success")
    return redirect(_back(url_for(".dashboard")))


@bp.post("/mon-espace/recherches")
@verified_required
def save_search():
    with attempt() as outcome:
        saved = operations.save_search(
            db.session,
            current_user,
            request.form.get("nom", ""),
            request.form.get("parametres", ""),
            request.form.get("frequence", ""),
            _now(),
        )
    if outcome.error:
        flash(outcome.error.message, "error")
        return redirect(_back(url_for("search.search_page")))
    label = FREQUENCE_LABELS[saved.frequence].lower()
    flash(
        f"Recherche « {saved.nom} » enregistrée : vous recevrez {label} par e-mail les "
        "services nouveaux ou mis à jour qui y répondent.",
        "success",
    )
    return redirect(url_for(".dashboard"))


@bp.post("/mon-espace/recherches/<int:search_id>/modifier")
@verified_required
def update_search(search_id: int):
    saved = _own_search(search_id)
    with attempt() as outcome:
        operations.update_search(
            db.session,
            saved,
            request.form.get("nom", saved.nom),
            request.form.get("frequence", ""),
            request.form.get("actif") == "oui",
            _now(),
        )
    if outcome.error:
        flash(outcome.error.message, "error")
    else:
        flash(f"Recherche « {saved.nom} » modifiée.", "success")
    return redirect(url_for(".dashboard"))


@bp.post("/mon-espace/recherches/<int:search_id>/supprimer")
@verified_required
def delete_search(search_id: int):
    saved = _own_search(search_id)
    nom = saved.nom
    operations.delete_search(db.session, saved)
    flash(f"Recherche « {nom} » supprimée.", "success")
    return redirect(url_for(".dashboard"))


def _from_token(token: str) -> SavedSearch | None:
    search_id = links.read_unsubscribe_token(token)
    return db.session.get(SavedSearch, search_id) if search_id is not None else None


@bp.get("/alertes/desabonnement/<token>")
def unsubscribe_page(token: str):
    saved = _from_token(token)
    if saved is None:
        return render_template("alerts/unsubscribe.html", saved=None), 404
    return render_template("alerts/unsubscribe.html", saved=saved, done=False)


# The signed token is the authorisation, and mail clients POST it with no session or form
# (RFC 8058 one-click unsubscribe): a forged request could only stop an alert whose secret
# link the forger already holds.
@csrf.exempt
@bp.post("/alertes/desabonnement/<token>")
def unsubscribe(token: str):
    saved = _from_token(token)
    if saved is None:
        return render_template("alerts/unsubscribe.html", saved=None), 404
    operations.unsubscribe(db.session, saved)
    return render_template("alerts/unsubscribe.html", saved=saved, done=True)
