"""Favourites, saved searches and `dora alertes envoyer` (real SMTP server, real PostGIS)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from dora.alerts import cli as alerts_cli
from dora.alerts import links
from dora.alerts.models import AlertDelivery, Favorite, SavedSearch
from tests.support.net import free_port

MOBILITE = "mobilite--entretenir-reparer-son-vehicule"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def _run(app, *args):
    from flask.cli import ScriptInfo

    from dora.cli import cli

    return app.test_cli_runner().invoke(
        cli, ["alertes", "envoyer", *args], obj=ScriptInfo(create_app=lambda: app)
    )


@pytest.fixture
def user(make_user):
    return make_user("conseillere@exemple.fr")


@pytest.fixture
def world(db_session, make_service, make_structure, user):
    """A saved search « garages à Saint-Denis » and services around it."""
    structure = make_structure(nom="Garage solidaire 93")
    services = {
        "new": make_service(structure=structure, nom="Garage solidaire nouveau"),
        "updated": make_service(structure=structure, nom="Atelier vélo mis à jour"),
        "old": make_service(structure=structure, nom="Garage ancien"),
        "other_theme": make_service(
            structure=structure,
            nom="Épicerie",
            thematiques=["famille--soutien-a-la-parentalite-et-a-leducation"],
        ),
        "far": make_service(
            structure=structure, nom="Garage lointain", point=(5.3698, 43.2965),
            code_insee="13055", zone_eligibilite=["france"],
        ),
        "draft": make_service(structure=structure, nom="Garage brouillon", statut="brouillon"),
    }  # fmt: skip
    since = datetime.now(UTC) - timedelta(days=1)
    db_session.execute(
        sa.text("UPDATE service SET created_at = :long_ago WHERE id = :id"),
        {"long_ago": LONG_AGO, "id": services["updated"].id},
    )
    db_session.execute(
        sa.text("UPDATE service SET updated_at = :long_ago, created_at = :long_ago WHERE id = :id"),
        {"long_ago": LONG_AGO, "id": services["old"].id},
    )
    saved = SavedSearch(
        user_id=user.id,
        nom="Garages à Saint-Denis",
        parametres="commune=93066&thematiques=mobilite&rayon_km=10",
        frequence="quotidienne",
        depuis=since,
    )
    db_session.add(saved)
    db_session.flush()
    db_session.expire_all()
    return saved, services


def test_alert_lists_new_and_updated_matches_once(app, db_session, world, mailbox):
    saved, services = world
    result = _run(app)
    assert result.exit_code == 0, result.output
    assert "1 alerte(s) envoyées" in result.output
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "conseillere@exemple.fr"
    assert message["Subject"] == "« Garages à Saint-Denis » : 2 services nouveaux ou mis à jour"
    body = message.get_content()
    assert "Garage solidaire nouveau (nouveau)" in body
    assert "Atelier vélo mis à jour (mis à jour)" in body
    for absent in ("Garage ancien", "Épicerie", "Garage lointain", "Garage brouillon"):
        assert absent not in body
    assert f"/services/{services['new'].id}" in body
    assert "/recherche?commune=93066&thematiques=mobilite&rayon_km=10" in body
    unsubscribe = re.search(r"http://\S+/alertes/desabonnement/(\S+)", body)
    assert unsubscribe and links.read_unsubscribe_token(unsubscribe.group(1)) == saved.id
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe.group(0)}>"
    # Idempotent: the same day, nothing more.
    mailbox.clear()
    result = _run(app)
    assert result.exit_code == 0 and "0 recherche(s) à traiter" in result.output
    assert mailbox.messages == []
    delivery = db_session.scalars(sa.select(AlertDelivery)).one()
    assert (delivery.services_count, delivery.periode) == (
        2,
        alerts_cli.periods(datetime.now(UTC))["quotidienne"],
    )
    db_session.refresh(saved)
    assert saved.depuis > datetime.now(UTC) - timedelta(minutes=5)


def test_a_period_with_nothing_new_sends_nothing_but_counts(app, db_session, world, mailbox):
    saved, _ = world
    saved.parametres = "commune=93066&q=chaudronnerie"
    db_session.flush()
    result = _run(app)
    assert result.exit_code == 0 and "1 sans nouveauté" in result.output
    assert mailbox.messages == []
    assert db_session.scalars(sa.select(AlertDelivery)).one().services_count == 0


def test_weekly_searches_use_the_iso_week(app, db_session, world, mailbox, monkeypatch):
    saved, _ = world
    saved.frequence = "hebdomadaire"
    db_session.flush()
    monday = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert alerts_cli.periods(monday) == {"quotidienne": "2026-12-07", "hebdomadaire": "2026-W50"}
    monkeypatch.setattr(alerts_cli, "_now", lambda: datetime.now(UTC))
    assert _run(app).exit_code == 0 and len(mailbox.messages) == 1
    assert (
        db_session.scalars(sa.select(AlertDelivery.periode))
        .one()
        .startswith(f"{datetime.now(UTC).isocalendar()[0]}-W")
    )


def test_dry_run_counts_without_sending_or_recording(app, db_session, world, mailbox):
    result = _run(app, "--dry-run")
    assert "1 alerte(s) seraient envoyées" in result.output
    assert mailbox.messages == []
    assert db_session.scalars(sa.select(AlertDelivery)).all() == []


def test_failed_delivery_is_retried_next_run(app, db_session, world, mailbox):
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    try:
        result = _run(app)
    finally:
        app.config["MAIL_PORT"] = port
    assert result.exit_code == 1 and "1 échec(s) d’envoi" in result.output
    assert db_session.scalars(sa.select(AlertDelivery)).all() == []
    result = _run(app)
    assert result.exit_code == 0 and len(mailbox.messages) == 1


def test_a_search_the_vocabulary_no_longer_accepts_is_reported(app, db_session, world, mailbox):
    saved, _ = world
    saved.parametres = "commune=93066&thematiques=theme-disparu"
    db_session.flush()
    result = _run(app)
    assert "1 recherche(s) devenue(s) invalide(s)" in result.output
    assert mailbox.messages == []


def test_unsubscribe_link_needs_no_login(client, db_session, world):
    saved, _ = world
    token = links.unsubscribe_token(saved.id)
    page = client.get(f"/alertes/desabonnement/{token}")
    assert page.status_code == 200 and "Garages à Saint-Denis" in page.get_data(as_text=True)
    assert saved.actif  # a GET (link preview, antivirus) changes nothing
    done = client.post(f"/alertes/desabonnement/{token}")
    assert done.status_code == 200 and "Alerte arrêtée" in done.get_data(as_text=True)
    db_session.refresh(saved)
    assert not saved.actif
    assert client.get(f"/alertes/desabonnement/{token}x").status_code == 404
    assert (
        client.post(f"/alertes/desabonnement/{links.unsubscribe_token(10**9)}").status_code == 404
    )
    # Another salt's signature is not an unsubscribe token.
    from itsdangerous import URLSafeSerializer

    forged = URLSafeSerializer(client.application.config["SECRET_KEY"], salt="autre").dumps(
        saved.id
    )
    assert client.post(f"/alertes/desabonnement/{forged}").status_code == 404


def test_unsubscribed_searches_get_no_alert(app, db_session, world, mailbox):
    saved, _ = world
    saved.actif = False
    db_session.flush()
    assert "0 recherche(s) à traiter" in _run(app).output
    assert mailbox.messages == []


def test_favourites_add_list_remove(client, db_session, login, user, make_service, make_user):
    service = make_service(nom="Garage solidaire", telephone="+33199003915")
    login(user)
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Ajouter à mes favoris" in page
    response = client.post(f"/mon-espace/favoris/{service.id}", data={"next": "//evil.example"})
    assert response.status_code == 302 and response.headers["Location"] == f"/services/{service.id}"
    client.post(f"/mon-espace/favoris/{service.id}")  # twice: still one favourite
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Favorite)) == 1
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Dans mes favoris — retirer" in page and 'aria-pressed="true"' in page
    listing = client.get("/mon-espace/favoris").get_data(as_text=True)
    assert "Garage solidaire" in listing and "01 99 00 39 15" in listing
    # Unpublished: said, not listed.
    service.statut = "brouillon"
    db_session.flush()
    listing = client.get("/mon-espace/favoris").get_data(as_text=True)
    assert f"/services/{service.id}" not in listing
    assert "Un de vos favoris n’est plus public" in listing
    service.statut = "publie"
    db_session.flush()
    client.post(f"/mon-espace/favoris/{service.id}/retirer")
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Favorite)) == 0


def test_favourite_of_a_draft_is_404(client, login, user, make_service):
    draft = make_service(statut="brouillon")
    login(user)
    assert client.post(f"/mon-espace/favoris/{draft.id}").status_code == 404
    assert client.post("/mon-espace/favoris/inconnu").status_code == 404


def test_save_search_from_the_search_page(client, db_session, login, user, make_service):
    make_service()
    login(user)
    page = client.get("/recherche?commune=93066&thematiques=mobilite&page=2").get_data(as_text=True)
    assert "Enregistrer cette recherche" in page
    parametres = re.search(r'name="parametres" value="([^"]+)"', page).group(1)
    assert parametres == "commune=93066&amp;thematiques=mobilite"
    response = client.post(
        "/mon-espace/recherches",
        data={
            "nom": "  Garages   93 ",
            "parametres": "commune=93066&thematiques=mobilite&page=3&size=50",
            "frequence": "quotidienne",
        },
    )
    assert response.status_code == 302
    saved = db_session.scalars(sa.select(SavedSearch)).one()
    assert (saved.nom, saved.parametres, saved.frequence) == (
        "Garages 93",
        "commune=93066&thematiques=mobilite",
        "quotidienne",
    )
    listing = client.get("/mon-espace/favoris").get_data(as_text=True)
    assert "Garages 93" in listing and "Alerte : chaque jour" in listing
    client.post(f"/mon-espace/recherches/{saved.id}/modifier", data={"frequence": "hebdomadaire"})
    db_session.refresh(saved)
    assert saved.frequence == "hebdomadaire" and not saved.actif
    client.post(f"/mon-espace/recherches/{saved.id}/supprimer")
    assert db_session.scalars(sa.select(SavedSearch)).all() == []


def test_a_saved_search_leaves_out_the_one_day_opening_filter(
    client, db_session, login, user, make_service
):
    from datetime import date, timedelta

    make_service(horaires_accueil="24/7")
    login(user)
    day = (date.today() + timedelta(days=2)).isoformat()
    page = client.get(f"/recherche?commune=93066&ouvert_le={day}&moment=matin&tri=distance")
    parametres = re.search(r'name="parametres" value="([^"]+)"', page.get_data(as_text=True))
    assert parametres.group(1) == "commune=93066&amp;tri=distance"
    response = client.post(
        "/mon-espace/recherches",
        data={
            "nom": "Ouverts",
            "parametres": f"commune=93066&ouvert_le={day}&moment=matin",
            "frequence": "quotidienne",
        },
    )
    assert response.status_code == 302
    saved = db_session.scalars(sa.select(SavedSearch)).one()
    assert saved.parametres == "commune=93066"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"nom": "", "parametres": "commune=93066", "frequence": "quotidienne"}, "Donnez un nom"),
        (
            {"nom": "x" * 101, "parametres": "commune=93066", "frequence": "quotidienne"},
            "limité à 100",
        ),
        (
            {"nom": "A", "parametres": "commune=93066", "frequence": "mensuelle"},
            "Choisissez une fréquence",
        ),
        (
            {"nom": "A", "parametres": "commune=abc", "frequence": "quotidienne"},
            "Recherche invalide",
        ),
        (
            {"nom": "A", "parametres": "", "frequence": "quotidienne"},
            "Précisez d’abord la recherche",
        ),
        (
            {"nom": "A", "parametres": "thematiques=inconnu", "frequence": "quotidienne"},
            "Recherche invalide",
        ),
    ],
)
def test_save_search_refuses_bad_input_in_french(client, db_session, login, user, data, message):
    login(user)
    response = client.post("/mon-espace/recherches", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db_session.scalars(sa.select(SavedSearch)).all() == []


def test_another_users_search_is_404(client, db_session, login, make_user, world):
    saved, _ = world
    login(make_user("autre@exemple.fr"))
    assert client.post(f"/mon-espace/recherches/{saved.id}/supprimer").status_code == 404
    assert (
        client.post(
            f"/mon-espace/recherches/{saved.id}/modifier", data={"frequence": "quotidienne"}
        ).status_code
        == 404
    )
    assert "Garages à Saint-Denis" not in client.get("/mon-espace/favoris").get_data(as_text=True)
