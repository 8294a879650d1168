"""A new user, in headless Chromium: registers, verifies the e-mail (read from the SMTP
server), creates a structure, and a territory manager validates it.

The browser talks to a live server thread on the test database, so this test commits real
rows (a per-test rollback cannot be shared with another thread) and deletes them at the end.
Screenshots are written to test-artifacts/accounts/.
"""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "accounts"
NEWCOMER = "e2e.nouvelle@exemple.fr"
MANAGER = "e2e.gestionnaire93@exemple.fr"
PASSWORD = "une phrase de passe pour le test"
SIRET = "35600000000048"  # La Poste, Luhn-valid establishment


@pytest.fixture
def live_server(database_url, smtp_server):
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Chromium absent")
    from dora import create_app
    from dora.config import normalise_database_url

    live = create_app(
        {
            "TESTING": True,
            "DORA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "SECRET_KEY": "browser-test",
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_server.port,
            "MAIL_FALLBACK_DIR": "",
        }
    )
    server = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield live, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        _clean(live)


def _clean(live) -> None:
    from dora.extensions import db

    with live.app_context():
        _clean_rows()
        db.session.remove()
        db.engine.dispose()


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


def test_register_verify_create_structure_and_get_it_validated(live_server, smtp_server):
    from playwright.sync_api import expect, sync_playwright

    live, base = live_server
    _create_manager(live)
    smtp_server.clear()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
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
            page.screenshot(path=ARTIFACTS / "01-inscription-erreur.png", full_page=True)
            page.get_by_label("Prénom et nom").fill("Camille Nouvelle")
            page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
            page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
            page.get_by_role("button", name="Créer mon compte").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre boîte e-mail")
            page.screenshot(path=ARTIFACTS / "02-inscription-envoyee.png", full_page=True)

            # 2. The e-mail, as delivered to the SMTP server.
            message = smtp_server.wait_for(lambda m: m["To"] == NEWCOMER)
            body = message.get_body(preferencelist=("plain",)).get_content()
            link = re.search(r"https?://\S+/inscription/confirmer/\S+", body).group(0)
            page.goto(link)
            expect(page.locator(".flashes")).to_contain_text("Votre adresse e-mail est confirmée")
            page.screenshot(path=ARTIFACTS / "03-adresse-confirmee.png", full_page=True)

            # 3. Create a structure, with the commune autocomplete.
            page.get_by_role("link", name="Créer une structure").click()
            page.get_by_label("Nom de la structure").fill("Bureau de poste solidaire")
            page.get_by_label("SIRET").fill("356 000 000 00048")
            page.get_by_label("Adresse", exact=True).fill("2 place du Caquet")
            page.get_by_label("Code postal").fill("93200")
            page.get_by_label("Commune").fill("Saint-Den")
            page.wait_for_function(
                "document.querySelectorAll('#communes-suggestions option').length > 0"
            )
            page.get_by_label("Commune").fill("Saint-Denis")
            page.screenshot(path=ARTIFACTS / "04-creation-structure.png", full_page=True)
            page.get_by_role("button", name="Créer la structure").click()
            expect(page.locator(".flashes")).to_contain_text("Structure créée")
            expect(page.locator(".status").first).to_have_text("En attente de validation")
            structure_url = page.url
            page.screenshot(path=ARTIFACTS / "05-structure-en-attente.png", full_page=True)
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
            page.screenshot(path=ARTIFACTS / "06-file-de-moderation.png", full_page=True)
            page.get_by_role("link", name="Bureau de poste solidaire").click()
            page.get_by_label("Valider la structure").check()
            page.screenshot(path=ARTIFACTS / "07-decision.png", full_page=True)
            page.get_by_role("button", name="Enregistrer la décision").click()
            expect(page.locator(".flashes")).to_contain_text("est validée")
            page.screenshot(path=ARTIFACTS / "08-validee.png", full_page=True)

            # 5. Now public; the admin got the news.
            page.goto(f"{base}/structures/{structure_id}")
            expect(page.get_by_role("heading", level=1)).to_have_text("Bureau de poste solidaire")
            page.screenshot(path=ARTIFACTS / "09-page-publique.png", full_page=True)
            smtp_server.wait_for(lambda m: m["To"] == NEWCOMER and "validée" in str(m["Subject"]))
        finally:
            browser.close()

    from dora.catalogue.models import Structure
    from dora.extensions import db

    with live.app_context():
        structure = db.session.scalar(select(Structure).where(Structure.siret == SIRET))
        assert structure.moderation == "validee"
        assert structure.code_insee == "93066"
        db.session.remove()
