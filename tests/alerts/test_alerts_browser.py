"""The journey of a professional in headless Chromium: stars a service, saves a search with a
daily alert, a new service is published, `dora alertes envoyer` e-mails it (read from the real
SMTP server), and the e-mail's unsubscribe link stops the alert without logging in.

The browser talks to a live server thread: this test commits rows and deletes them at the end.
Screenshots go to test-artifacts/alerts/.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.support.people import PASSWORD

pytestmark = pytest.mark.browser

EMAIL = "e2e.alertes@exemple.fr"
POINT = "POINT(2.3574 48.9362)"


def _service(service_id: str, nom: str):
    from geoalchemy2.elements import WKTElement

    from dora.catalogue.models import Service

    return Service(
        id=service_id,
        source="test",
        structure_id="e2e-alertes--structure",
        nom=nom,
        description="**Réparation** à prix solidaire.\r\n\r\n• vidange\r\n• freins",
        date_maj=date.today(),
        statut="publie",
        thematiques=["mobilite--entretenir-reparer-son-vehicule"],
        publics=["tous-publics"],
        modes_accueil=["en-presentiel"],
        zone_eligibilite=["93"],
        code_insee="93066",
        commune="Saint-Denis",
        code_postal="93200",
        telephone="+33199003915",
        horaires_accueil="Mo-Fr 09:00-12:00,14:00-17:00; PH off",
        location=WKTElement(POINT, srid=4326),
        location_precision="adresse",
        longitude=2.3574,
        latitude=48.9362,
    )


def _clean(db) -> None:
    db.session.execute(sa.text("DELETE FROM user_account WHERE email = :e"), {"e": EMAIL})
    db.session.execute(sa.text("DELETE FROM service WHERE id LIKE 'e2e-alertes--%'"))
    db.session.execute(sa.text("DELETE FROM structure WHERE id LIKE 'e2e-alertes--%'"))
    db.session.commit()


@pytest.fixture
def journey(live_server):
    from dora.accounts import operations
    from dora.catalogue.models import Structure
    from dora.extensions import db

    live, base = live_server
    with live.app_context():
        _clean(db)
        operations.create_user(db.session, EMAIL, PASSWORD, verified=True)
        db.session.add(
            Structure(
                id="e2e-alertes--structure",
                source="test",
                nom="Garage solidaire de Saint-Denis",
                date_maj=date.today(),
                code_insee="93066",
                code_postal="93200",
                commune="Saint-Denis",
            )
        )
        db.session.flush()
        db.session.add(_service("e2e-alertes--garage", "Garage solidaire (e2e)"))
        db.session.commit()
        db.session.remove()
    yield live, base
    with live.app_context():
        _clean(db)
        db.session.remove()


def test_favourite_saved_search_alert_email_and_unsubscribe(
    journey, smtp_server, browser, artifacts
):
    from flask.cli import ScriptInfo
    from playwright.sync_api import expect

    from dora.cli import cli
    from dora.extensions import db

    live, base = journey
    smtp_server.clear()
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/mon-espace")

    # 1. A service page: rendered Markdown, open-now badge, French phone; star it.
    page.goto(f"{base}/services/e2e-alertes--garage")
    expect(page.locator("section .prose strong")).to_have_text("Réparation")
    expect(page.locator("section .prose li")).to_have_count(2)
    expect(page.get_by_role("link", name="01 99 00 39 15")).to_be_visible()
    page.get_by_role("button", name="Ajouter à mes favoris").click()
    expect(page.locator(".flashes")).to_contain_text("est dans vos favoris")
    expect(page.get_by_role("button", name=re.compile("Dans mes favoris"))).to_be_visible()
    page.screenshot(path=artifacts / "01-service-favori.png", full_page=True)

    # 2. A search, saved with a daily alert.
    page.goto(f"{base}/recherche?commune=93066&thematiques=mobilite&rayon_km=5")
    page.get_by_text("Enregistrer cette recherche et recevoir une alerte").click()
    page.get_by_label("Nom de la recherche").fill("Garages près de Saint-Denis")
    page.get_by_label("Alerte par e-mail").select_option(label="Chaque jour")
    page.screenshot(path=artifacts / "02-recherche-a-enregistrer.png", full_page=True)
    page.get_by_role("button", name="Enregistrer la recherche").click()
    page.wait_for_url("**/mon-espace/favoris")
    expect(page.locator(".flashes")).to_contain_text("Garages près de Saint-Denis")
    expect(page.locator("#favoris + ul")).to_contain_text("Garage solidaire (e2e)")
    expect(page.locator(".saved-search")).to_contain_text("Alerte : chaque jour")
    page.screenshot(path=artifacts / "03-mes-favoris.png", full_page=True)

    # 3. A new service is published after the search was saved; the daily run e-mails it.
    with live.app_context():
        db.session.add(_service("e2e-alertes--velo", "Atelier vélo solidaire (e2e)"))
        db.session.commit()
        db.session.remove()
    runner = live.test_cli_runner()
    result = runner.invoke(
        cli, ["alertes", "envoyer", "--base-url", base], obj=ScriptInfo(create_app=lambda: live)
    )
    assert result.exit_code == 0, result.output
    message = smtp_server.wait_for(lambda m: m["To"] == EMAIL)
    body = message.get_content()
    assert message["Subject"] == (
        "« Garages près de Saint-Denis » : 1 service nouveau ou mis à jour"
    )
    assert "Atelier vélo solidaire (e2e) (nouveau)" in body
    assert "Garage solidaire (e2e)" not in body  # not changed since the search was saved
    again = runner.invoke(
        cli, ["alertes", "envoyer", "--base-url", base], obj=ScriptInfo(create_app=lambda: live)
    )
    assert "0 recherche(s) à traiter" in again.output

    # 4. The e-mail's links: the new service, then unsubscribe in a fresh browser (no login).
    service_url = re.search(r"http://\S+/services/e2e-alertes--velo", body).group(0)
    page.goto(service_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Atelier vélo solidaire (e2e)")
    unsubscribe_url = re.search(r"http://\S+/alertes/desabonnement/\S+", body).group(0)
    anonymous = browser.new_context(locale="fr-FR").new_page()
    anonymous.goto(unsubscribe_url)
    expect(anonymous.get_by_role("heading", level=1)).to_contain_text(
        "Arrêter l’alerte « Garages près de Saint-Denis »"
    )
    anonymous.get_by_role("button", name="Ne plus recevoir cette alerte").click()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Alerte arrêtée")
    anonymous.screenshot(path=artifacts / "04-desabonnement.png", full_page=True)
    page.goto(f"{base}/mon-espace/favoris")
    expect(page.locator(".saved-search")).to_contain_text("Alerte arrêtée")
