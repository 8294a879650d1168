"""Writes of favourites and saved searches (they flush, never commit)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from dora.accounts.models import User
from dora.alerts.models import AlertDelivery, Favorite, Frequence, SavedSearch
from dora.api.errors import ApiError
from dora.catalogue.models import Service
from dora.core.transactions import Refusal
from dora.search.query import parse_search_args

MAX_SAVED_SEARCHES = 50
MAX_NAME = 100


class AlertError(Refusal):
    pass


def add_favorite(session: Session, user: User, service: Service) -> None:
    if not service.is_public():
        raise AlertError("Ce service n’est pas public : il ne peut pas être mis en favori.")
    session.execute(
        insert(Favorite)
        .values(user_id=user.id, service_id=service.id)
        .on_conflict_do_nothing(index_elements=["user_id", "service_id"])
    )
    session.flush()


def remove_favorite(session: Session, user: User, service_id: str) -> None:
    session.execute(
        delete(Favorite).where(Favorite.user_id == user.id, Favorite.service_id == service_id)
    )
    session.flush()


def canonical_parameters(raw: str) -> str:
    """The query string of a search as /recherche would write it (no page, no size).

    Raises AlertError (field `parametres`) when the search itself is invalid."""
    try:
        query = parse_search_args(MultiDict(parse_qsl(raw or "", keep_blank_values=False)))
    except ApiError as error:
        raise AlertError(f"Recherche invalide : {error.message}", field="parametres") from None
    # « Ouvert le … » names one day, soon past (the saved search would then be invalid): an
    # alert lists new services, whatever day they open.
    query = query.with_changes(size=20, ouvert_le=None, moment="journee")
    pairs = [(k, v) for k, v in query.to_args(page=1) if k != "size"]
    if not pairs:
        raise AlertError(
            "Précisez d’abord la recherche (une commune, un besoin ou un mot-clé) : "
            "une alerte sur toute l’offre de France serait illisible.",
            field="parametres",
        )
    return urlencode(pairs)


def _name(nom: str) -> str:
    nom = " ".join((nom or "").split())
    if not nom:
        raise AlertError("Donnez un nom à cette recherche.", field="nom")
    if len(nom) > MAX_NAME:
        raise AlertError(f"Le nom est limité à {MAX_NAME} caractères.", field="nom")
    return nom


def _frequence(value: str) -> str:
    if value not in {f.value for f in Frequence}:
        raise AlertError(
            "Choisissez une fréquence : chaque jour ou chaque semaine.", field="frequence"
        )
    return value


def save_search(
    session: Session, user: User, nom: str, parametres: str, frequence: str, now: datetime
) -> SavedSearch:
    """Saves the search; the first alert lists what changes from `now` on."""
    nom, frequence = _name(nom), _frequence(frequence)
    parametres = canonical_parameters(parametres)
    count = session.scalar(
        select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id)
    )
    if (count or 0) >= MAX_SAVED_SEARCHES:
        raise AlertError(
            f"Vous avez déjà {MAX_SAVED_SEARCHES} recherches enregistrées : "
            "supprimez-en une avant d’en ajouter."
        )
    saved = SavedSearch(
        user_id=user.id, nom=nom, parametres=parametres, frequence=frequence, depuis=now
    )
    session.add(saved)
    session.flush()
    return saved


def update_search(
    session: Session, saved: SavedSearch, nom: str, frequence: str, actif: bool, now: datetime
) -> None:
    saved.nom, saved.frequence = _name(nom), _frequence(frequence)
    if actif and not saved.actif:
        saved.depuis = now  # re-subscribed: no backlog of what changed while off
    saved.actif = actif
    session.flush()


def delete_search(session: Session, saved: SavedSearch) -> None:
    session.delete(saved)
    session.flush()


def unsubscribe(session: Session, saved: SavedSearch) -> bool:
    """Stops the alerts of `saved` (kept in the user's list, re-activable). False when they
    were already stopped."""
    if not saved.actif:
        return False
    saved.actif = False
    session.flush()
    return True


def record_delivery(
    session: Session, saved: SavedSearch, periode: str, count: int, until: datetime
) -> bool:
    """Marks the period done and moves the search's checkpoint to `until`. False when another
    run already did this period (nothing written)."""
    recorded = session.execute(
        insert(AlertDelivery)
        .values(saved_search_id=saved.id, periode=periode, services_count=count)
        .on_conflict_do_nothing(constraint="uq_alert_delivery")
        .returning(AlertDelivery.id)
    ).scalar()
    if recorded is None:
        return False
    saved.depuis = until
    session.flush()
    return True
