"""The orientation journeys in headless Chromium, as their users live them:

1. a prescriber orients a person from a service page (the form in steps, an attachment), a
   member of the receiving structure reads and accepts, the prescriber sees the answer;
2. a prescriber orients to a service whose structure has no member on dora: the e-mailed
   secret link opens the referral without an account and refuses it with a reason; an expired
   link is renewed to the structure's address and the new one works.
Every e-mail is read from the test SMTP server.

The browser talks to a live server thread on the test database, so this test commits real
rows and deletes them at the end. Screenshots go to test-artifacts/orientation/.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import delete, select

pytestmark = pytest.mark.browser

PASSWORD = "une phrase de passe pour le test"
PRESCRIBER = "e2e.prescriptrice@exemple.fr"
MEMBER = "e2e.accueil@exemple.fr"
LINK_ADDRESS = "e2e.garage@exemple.fr"
SOURCE = "e2e-orientation"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def journey(live_server, tmp_path):
    """The live server with a prescriber, a structure with a member and one without, their
    services; no trace of them before or after."""
    live, base = live_server
    live.config["ORIENTATION_STORAGE_DIR"] = str(tmp_path / "pieces")
    with live.app_context():
        _clean_rows()
        ids = _create_rows()
    yield live, base, ids
    with live.app_context():
        _clean_rows()


def _create_rows() -> dict[str, str]:
    from dora.accounts import operations
    from dora.accounts.models import Membership
    from dora.catalogue.models import Service, Structure
    from dora.extensions import db

    def structure(key: str, nom: str, code: str, commune: str, **fields) -> Structure:
        row = Structure(
            id=f"{SOURCE}--{key}", source=SOURCE, nom=nom, date_maj=date.today(),
            code_insee=code, commune=commune, **fields,
        )  # fmt: skip
        db.session.add(row)
        return row

    def service(key: str, owner: Structure, nom: str, **fields) -> Service:
        row = Service(
            id=f"{SOURCE}--{key}", source=SOURCE, structure_id=owner.id, nom=nom,
            description="Un service pour les essais dans le navigateur.", date_maj=date.today(),
            statut="publie", publics=["jeunes"], modes_accueil=["a-distance"],
            zone_eligibilite=["93"], code_insee="93066", commune="Saint-Denis", **fields,
        )  # fmt: skip
        db.session.add(row)
        return row

    ccas = structure("ccas", "CCAS de Paris Centre", "75056", "Paris")
    accueil = structure("accueil", "Accueil solidaire de la Plaine", "93066", "Saint-Denis")
    garage = structure("garage", "Garage solidaire", "93066", "Saint-Denis")
    velo = service(
        "velo", accueil, "Atelier vélo solidaire", telephone="01 99 00 12 34",
        conditions_acces="Avoir entre 16 et 25 ans ; pièce d’identité",
    )  # fmt: skip
    voiture = service("voiture", garage, "Réparation de voitures", courriel=LINK_ADDRESS)
    prescriber = operations.create_user(
        db.session, PRESCRIBER, PASSWORD, nom_complet="Claire Conseil", verified=True
    )
    member = operations.create_user(
        db.session, MEMBER, PASSWORD, nom_complet="Alex Accueil", verified=True
    )
    db.session.flush()
    db.session.add(Membership(user_id=prescriber.id, structure_id=ccas.id, role="membre"))
    db.session.add(Membership(user_id=member.id, structure_id=accueil.id, role="membre"))
    db.session.commit()
    return {"velo": velo.id, "voiture": voiture.id}


def _clean_rows() -> None:
    from dora.accounts.models import User
    from dora.catalogue.models import Service, Structure
    from dora.extensions import db
    from dora.orientation.models import Orientation

    users = select(User.id).where(User.email.in_([PRESCRIBER, MEMBER]))
    db.session.execute(delete(Orientation).where(Orientation.prescriber_id.in_(users)))
    db.session.execute(delete(User).where(User.email.in_([PRESCRIBER, MEMBER])))
    db.session.execute(delete(Service).where(Service.source == SOURCE))
    db.session.execute(delete(Structure).where(Structure.source == SOURCE))
    db.session.commit()


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _mail(smtp_server, to: str, subject_part: str):
    message = smtp_server.wait_for(lambda m: m["To"] == to and subject_part in m["Subject"])
    return message, message.get_body(preferencelist=("plain",)).get_content()


def _fill_person(page, expect, *, lyon: bool = False) -> None:
    """Steps 1 to 4 of the form."""
    page.locator("#personne_prenom").fill("Camille")
    page.locator("#personne_nom").fill("Martin")
    page.locator("#personne_email").fill("camille.martin@exemple.fr")
    page.locator("#code_postal").fill("69001" if lyon else "93200")
    page.locator("#commune").fill("Lyon" if lyon else "Saint-Denis")
    page.locator("#commune").blur()
    expected = "n’est pas dans la zone" if lyon else "est dans la zone d’éligibilité"
    expect(page.locator("#eligibilite")).to_contain_text(expected)
    page.get_by_label("Par téléphone").check()
    page.locator(".orientation-step:not([hidden])").get_by_role("button", name="Suivant").click()
    page.get_by_label("Jeunes", exact=True).check()
    page.locator(".orientation-step:not([hidden])").get_by_role("button", name="Suivant").click()
    checklist = page.get_by_label("Fait partie du public : Jeunes")
    if checklist.count():  # the service states conditions: tick the first
        checklist.check()
    page.locator(".orientation-step:not([hidden])").get_by_role("button", name="Suivant").click()
    page.locator("#message").fill("Camille veut réparer son vélo pour aller en formation.")


def _send(page) -> None:
    page.locator(".orientation-step:not([hidden])").get_by_role("button", name="Suivant").click()
    page.get_by_label(re.compile("La personne a donné son accord")).check()
    page.get_by_role("button", name="Envoyer l’orientation").click()


def test_orient_accept_and_follow(journey, smtp_server, browser, artifacts):
    from playwright.sync_api import expect

    _, base, ids = journey
    smtp_server.clear()
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def shot(name: str) -> None:
        page.screenshot(path=artifacts / f"{name}.png", full_page=True)

    # The prescriber, from the service page.
    _log_in(page, base, PRESCRIBER)
    page.goto(f"{base}/services/{ids['velo']}")
    page.get_by_role("link", name="Orienter une personne").click()
    expect(page.locator("#orientation-progress")).to_have_text("Étape 1 sur 5 : La personne")
    _fill_person(page, expect)
    page.locator("#pieces_jointes").set_input_files(
        files=[{"name": "cv camille.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    shot("01-formulaire-message")
    # Step 5 without the person's agreement: the browser stops it before sending.
    page.locator(".orientation-step:not([hidden])").get_by_role("button", name="Suivant").click()
    page.get_by_role("button", name="Envoyer l’orientation").click()
    expect(
        page.locator(".orientation-step:not([hidden]) .orientation-step-message")
    ).to_contain_text("l’accord de la personne")
    page.get_by_label(re.compile("La personne a donné son accord")).check()
    page.get_by_role("button", name="Envoyer l’orientation").click()
    expect(page.locator(".flashes")).to_contain_text("Orientation envoyée à Accueil solidaire")
    expect(page.locator(".orientation-status")).to_have_text("Nouvelle")
    referral_url = page.url
    shot("02-orientation-envoyee")
    _, to_member = _mail(smtp_server, MEMBER, "Nouvelle orientation")
    assert "Camille" not in to_member
    _, to_person = _mail(smtp_server, "camille.martin@exemple.fr", "Vous êtes orienté")
    assert "01 99 00 12 34" in to_person and "/orientations/" not in to_person
    page.get_by_role("button", name="Déconnexion").click()

    # The member, from the link in their e-mail.
    _log_in(page, base, MEMBER)
    page.goto(re.search(r"https?://\S+/orientations/\d+", to_member).group(0))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Camille Martin")
    expect(page.locator(".orientation-criteria")).to_contain_text("Avoir entre 16 et 25 ans")
    with page.expect_download() as download:
        page.get_by_role("link", name="cv camille.pdf").click()
    assert download.value.suggested_filename == "cv camille.pdf"
    shot("03-structure-lit")
    page.get_by_label("Prochaine étape pour la personne").fill("Rendez-vous d’accueil mardi")
    page.get_by_role("button", name="Accepter l’orientation").click()
    expect(page.locator(".flashes")).to_contain_text("Orientation acceptée")
    shot("04-structure-accepte")
    page.get_by_role("button", name="Déconnexion").click()

    # The prescriber sees it accepted, and was told by e-mail.
    _, accepted = _mail(smtp_server, PRESCRIBER, ": acceptée")
    assert "Rendez-vous d’accueil mardi" in accepted
    _, to_person = _mail(smtp_server, "camille.martin@exemple.fr", "est acceptée")
    assert "Rendez-vous d’accueil mardi" in to_person
    _log_in(page, base, PRESCRIBER)
    page.get_by_role("link", name="Mes orientations").click()
    row = page.locator("tr", has_text="Camille M.")
    expect(row.locator(".orientation-status")).to_have_text("Acceptée")
    expect(row).to_contain_text("répondu en")
    shot("05-prescripteur-suit")
    page.goto(referral_url)
    expect(page.locator(".orientation-history")).to_contain_text("Orientation acceptée")
    assert errors == []


def test_secret_link_refuse_expire_and_renew(journey, smtp_server, browser, artifacts):
    from playwright.sync_api import expect

    live, base, ids = journey
    smtp_server.clear()
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    _log_in(page, base, PRESCRIBER)
    page.goto(f"{base}/services/{ids['voiture']}/orienter")
    _fill_person(page, expect, lyon=True)
    _send(page)
    expect(page.locator(".flashes")).to_contain_text("Orientation envoyée à Garage solidaire")
    referral_id = int(page.url.rsplit("/", 1)[1])
    _, body = _mail(smtp_server, LINK_ADDRESS, "Nouvelle orientation")
    link = re.search(r"https?://\S+/orientations/lien/\S+", body).group(0)
    token = link.rsplit("/", 1)[1]

    # The structure, in a browser that has never logged in.
    structure = browser.new_context(locale="fr-FR").new_page()
    structure.on("pageerror", lambda error: errors.append(str(error)))
    structure.goto(base + "/orientations/lien/" + token)
    expect(structure.get_by_role("heading", level=1)).to_contain_text("Camille Martin")
    expect(structure.locator("body")).to_contain_text(f"lien sécurisé envoyé à {LINK_ADDRESS}")
    expect(structure.locator("body")).to_contain_text("n’est pas dans la zone d’éligibilité")
    assert token not in structure.url
    structure.screenshot(path=artifacts / "06-lien-securise.png", full_page=True)
    structure.get_by_label("Hors critères").check()
    structure.get_by_label("Précisions").fill("Le garage n’intervient pas dans le Rhône.")
    structure.get_by_role("button", name="Refuser l’orientation").click()
    expect(structure.locator(".flashes")).to_contain_text("Orientation refusée")
    _, refused = _mail(smtp_server, PRESCRIBER, ": refusée")
    assert "Hors critères — Le garage n’intervient pas dans le Rhône." in refused
    page.reload()
    expect(page.locator(".orientation-status").first).to_have_text("Refusée")

    # A second referral: its link expires, is renewed, and the new one opens it.
    smtp_server.clear()
    page.goto(f"{base}/services/{ids['voiture']}/orienter")
    _fill_person(page, expect)
    _send(page)
    second_id = int(page.url.rsplit("/", 1)[1])
    assert second_id != referral_id
    _, body = _mail(smtp_server, LINK_ADDRESS, "Nouvelle orientation")
    old_token = re.search(r"/orientations/lien/(\S+)", body).group(1)
    with live.app_context():
        from dora.extensions import db
        from dora.orientation.models import Orientation

        orientation = db.session.get(Orientation, second_id)
        orientation.token_expires_at = orientation.created_at.replace(year=2000)
        db.session.commit()
    fresh = browser.new_context(locale="fr-FR").new_page()
    fresh.goto(base + "/orientations/lien/" + old_token)
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Ce lien a expiré")
    fresh.screenshot(path=artifacts / "07-lien-expire.png", full_page=True)
    smtp_server.clear()
    fresh.get_by_role("button", name="Recevoir un nouveau lien").click()
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Nouveau lien envoyé")
    _, renewed = _mail(smtp_server, LINK_ADDRESS, "Nouveau lien")
    new_token = re.search(r"/orientations/lien/(\S+)", renewed).group(1)
    assert new_token != old_token
    response = fresh.goto(base + "/orientations/lien/" + old_token)
    assert response.status == 404
    fresh.goto(base + "/orientations/lien/" + new_token)
    expect(fresh.get_by_role("heading", level=1)).to_contain_text("Camille Martin")
    fresh.screenshot(path=artifacts / "08-nouveau-lien.png", full_page=True)
    assert errors == []
