"""Authorisation cases of favourites and saved searches (harness: tests/accounts/authz.py).

Every verified user keeps their own favourites and searches; a saved search is changed only
by its owner (others get a 404: ids cannot be probed), staff included.
"""

from __future__ import annotations

VERIFIED = {
    "verified",
    "other_member",
    "member",
    "admin",
    "other_manager",
    "manager",
    "staff",
}


def _saved_search(w, user):
    from dora.alerts.models import SavedSearch

    saved = SavedSearch(
        user_id=user.id, nom="Garages", parametres="commune=93066", frequence="quotidienne"
    )
    w.db.add(saved)
    w.db.flush()
    return saved


def register(matrix) -> None:
    matrix.exempt(
        "alerts.unsubscribe",
        "authorised by its signed link (no session: one-click unsubscribe from the mail "
        "client); tested in tests/alerts/test_alerts.py",
    )

    @matrix.case("alerts.add_favorite", allow=VERIFIED)
    def add_favorite(w):
        service = w.make_service(structure=w.structure)
        return lambda client: client.post(f"/mon-espace/favoris/{service.id}")

    @matrix.case("alerts.remove_favorite", allow=VERIFIED)
    def remove_favorite(w):
        from dora.alerts.models import Favorite

        service = w.make_service(structure=w.structure)
        for user in w.users.values():
            if user is not None:
                w.db.add(Favorite(user_id=user.id, service_id=service.id))
        w.db.flush()
        return lambda client: client.post(f"/mon-espace/favoris/{service.id}/retirer")

    @matrix.case("alerts.save_search", allow=VERIFIED)
    def save_search(w):
        data = {"nom": "Garages", "parametres": "commune=93066", "frequence": "quotidienne"}
        return lambda client: client.post("/mon-espace/recherches", data=data)

    @matrix.case("alerts.update_search", allow={"verified"})
    def update_search(w):
        saved = _saved_search(w, w.users["verified"])
        url = f"/mon-espace/recherches/{saved.id}/modifier"
        data = {"frequence": "hebdomadaire", "actif": "oui"}
        return lambda client: client.post(url, data=data)

    @matrix.case("alerts.delete_search", allow={"verified"})
    def delete_search(w):
        saved = _saved_search(w, w.users["verified"])
        return lambda client: client.post(f"/mon-espace/recherches/{saved.id}/supprimer")
