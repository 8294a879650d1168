"""A new user, in headless Chromium: registers, verifies the e-mail (read from the SMTP
server), creates a structure, and a territory manager validates it.

The browser talks to a live server thread on the test database, so this test commits real
rows (a per-test rollback cannot be shared with another thread) and deletes them at the end.
Screenshots are written to test-artifacts/accounts/.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

pytestmark = pytest.mark.browser

NEWCOMER = "e2e.nouvelle@exemple.fr"
MANAGER = "e2e.gestionnaire93@exemple.fr"
PASSWORD = "une phrase de passe pour le test"
SIRET = "35600000000048"  # La Poste, Luhn-valid establishment


@pytest.fixture
def journey(live_server):
    """The live server with a manager of the 93, and no trace of this journey before or after."""
    live, base = live_server
    _create_manager(live)
    yield live, base
    with live.app_context():
        _clean_rows()


def _create_manager(live) -> None:
    from dora.accounts import operations
    from dora.extensions import db

    with live.app_context():
        _clean_rows()
        operations.create_user(db.session, MANAGER, PASSWORD, verified=True)
        operations.make_manager(db.session, MANAGER, ["93"])
        db.session.commit()
        db.session.remove()


def _clean_rows() -> None:
    from dora.accounts.models import User
    from dora.catalogue.models import Structure
    from dora.extensions import db

    db.session.execute(delete(Structure).where(Structure.siret == SIRET))
    db.session.execute(delete(User).where(User.email.in_([NEWCOMER, MANAGER])))
    db.session.commit()


def test_register_verify_create_structure_and_get_it_validated(
    journey, smtp_server, browser, artifacts
):
    from playwright.sync_api import expect

    live, base = journey
    smtp_server.clear()

    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")

    # 1. Registration: a weak password first, then a good one.
    page.goto(f"{base}/")
    page.get_by_role("link", name="Connexion").click()
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Adresse e-mail professionnelle").fill(NEWCOMER)
    page.get_by_label("Mot de passe", exact=True).fill("court")
    page.get_by_label("Confirmez le mot de passe").fill("court")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator(".field-error").first).to_contain_text("au moins 12 caractères")
    page.screenshot(path=artifacts / "01-inscription-erreur.png", full_page=True)
    page.get_by_label("Prénom et nom").fill("Camille Nouvelle")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre boîte e-mail")
    page.screenshot(path=artifacts / "02-inscription-envoyee.png", full_page=True)

    # 2. The e-mail, as delivered to the SMTP server.
    message = smtp_server.wait_for(lambda m: m["To"] == NEWCOMER)
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/inscription/confirmer/\S+", body).group(0)
    page.goto(link)
    expect(page.locator(".flashes")).to_contain_text("Votre adresse e-mail est confirmée")
    page.screenshot(path=artifacts / "03-adresse-confirmee.png", full_page=True)

    # 3. Create a structure, with the commune autocomplete.
    page.get_by_role("link", name="Créer une structure").click()
    page.get_by_label("Nom de la structure").fill("Bureau de poste solidaire")
    page.get_by_label("SIRET").fill("356 000 000 00048")
    page.get_by_label("Adresse", exact=True).fill("2 place du Caquet")
    page.get_by_label("Code postal").fill("93200")
    page.get_by_role("combobox", name="Commune").press_sequentially("Saint-Den", delay=20)
    # The postal code typed first keeps Saint-Denis (93) among the homonyms suggested.
    page.locator("[role=option]", has_text="Saint-Denis (93)").first.dispatch_event("mousedown")
    expect(page.get_by_role("combobox", name="Commune")).to_have_value("Saint-Denis")
    expect(page.locator("input[name=code_insee]")).to_have_value("93066")
    expect(page.get_by_label("Code postal")).to_have_value("93200")
    page.screenshot(path=artifacts / "04-creation-structure.png", full_page=True)
    page.get_by_role("button", name="Créer la structure").click()
    expect(page.locator(".flashes")).to_contain_text("Structure créée")
    expect(page.locator(".status").first).to_have_text("En attente de validation")
    structure_url = page.url
    page.screenshot(path=artifacts / "05-structure-en-attente.png", full_page=True)
    structure_id = structure_url.rsplit("/", 1)[1]
    assert page.request.get(f"{base}/structures/{structure_id}").status == 404

    # 4. The manager of the 93 was told; logs in and validates.
    notice = smtp_server.wait_for(lambda m: m["To"] == MANAGER)
    assert "Bureau de poste solidaire" in notice["Subject"]
    page.get_by_role("button", name="Déconnexion").click()
    page.get_by_role("link", name="Connexion").click()
    page.get_by_label("Adresse e-mail").fill(MANAGER)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Ouvrir la file de modération").click()
    page.screenshot(path=artifacts / "06-file-de-moderation.png", full_page=True)
    page.get_by_role("link", name="Bureau de poste solidaire").click()
    page.get_by_label("Valider la structure").check()
    page.screenshot(path=artifacts / "07-decision.png", full_page=True)
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".flashes")).to_contain_text("est validée")
    page.screenshot(path=artifacts / "08-validee.png", full_page=True)

    # 5. Now public; the admin got the news.
    page.goto(f"{base}/structures/{structure_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bureau de poste solidaire")
    page.screenshot(path=artifacts / "09-page-publique.png", full_page=True)
    smtp_server.wait_for(lambda m: m["To"] == NEWCOMER and "validée" in str(m["Subject"]))

    from dora.catalogue.models import Structure
    from dora.extensions import db

    with live.app_context():
        structure = db.session.scalar(select(Structure).where(Structure.siret == SIRET))
        assert structure.moderation == "validee"
        assert structure.code_insee == "93066"
        db.session.remove()
