"""In Chromium: a professional searches a training near a commune and opens a session.

The browser talks to a live server thread, so the imported sample is committed and deleted
at the end. Screenshots go to test-artifacts/offers/.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.offers.conftest import FIXTURES

pytestmark = pytest.mark.browser


@pytest.fixture
def committed_training(live_server):
    from dora.extensions import db
    from dora.offers.lheo.importer import Importer

    app, _ = live_server
    with app.app_context():
        report = Importer(
            db.session.connection(), FIXTURES / "lheo-valide.xml", source="e2e-lheo"
        ).run()
        assert not report.rejections
        db.session.commit()
        db.session.remove()
    yield
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM service WHERE source = 'e2e-lheo'"))
        db.session.execute(sa.text("DELETE FROM structure WHERE source = 'e2e-lheo'"))
        db.session.commit()
        db.session.remove()


def test_search_a_training_near_a_commune_and_open_a_session(
    live_server, committed_training, browser, artifacts
):
    _, base_url = live_server
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(base_url + "/recherche")
        where = page.get_by_label("Où ?")
        where.fill("93200")
        option = page.get_by_role("option", name="Saint-Denis")
        option.first.click()
        page.get_by_label("Formations", exact=True).check()
        page.get_by_role("button", name="Rechercher").click()
        page.wait_for_url("**offre=formations**")
        result = page.locator(".result--formations").filter(has_text="Savoirs de base")
        assert result.count() == 1
        assert "Prochaine session : 2 mars 2099" in result.inner_text()
        page.screenshot(path=str(artifacts / "search-formations.png"), full_page=True)

        result.get_by_role(
            "link", name="Savoirs de base et français à visée professionnelle"
        ).click()
        page.wait_for_url("**/formations/lheo--A-2099-001-1")
        sessions = page.locator("table.sessions tbody tr")
        assert sessions.count() == 2
        page.screenshot(path=str(artifacts / "training.png"), full_page=True)

        sessions.nth(1).get_by_role("link").click()
        page.wait_for_url("**/formations/sessions/*")
        assert (
            "Du 7 septembre 2099 au 18 décembre 2099"
            in page.locator(".offer-session-dates").inner_text()
        )
        assert "S-2099-09" in page.content()
        page.screenshot(path=str(artifacts / "session.png"), full_page=True)
    finally:
        page.close()
    assert errors == []


@pytest.fixture
def committed_plain_service(live_server):
    """One ordinary service (no offer type) in Saint-Denis, beside the training."""
    from dora.extensions import db

    app, _ = live_server
    with app.app_context():
        db.session.execute(
            sa.text(
                "INSERT INTO structure (id, source, nom, date_maj)"
                " VALUES ('e2e-plain--str', 'e2e-plain', 'Maison des solidarités', current_date)"
            )
        )
        db.session.execute(
            sa.text(
                "INSERT INTO service (id, source, structure_id, nom, description, date_maj,"
                " statut, thematiques, modes_accueil, code_insee, location) VALUES"
                " ('e2e-plain--svc', 'e2e-plain', 'e2e-plain--str', 'Atelier vélo', 'Réparer',"
                " current_date, 'publie', '{mobilite--entretenir-reparer-son-vehicule}',"
                " '{en-presentiel}', '93066', 'SRID=4326;POINT(2.3539 48.9356)')"
            )
        )
        db.session.commit()
        db.session.remove()
    yield
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM service WHERE source = 'e2e-plain'"))
        db.session.execute(sa.text("DELETE FROM structure WHERE source = 'e2e-plain'"))
        db.session.commit()
        db.session.remove()


def test_the_territory_map_switches_between_offer_types(
    live_server, committed_training, committed_plain_service, browser, artifacts
):
    from playwright.sync_api import expect

    _, base_url = live_server
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    asked: list[str] = []
    page.on(
        "request", lambda request: asked.append(request.url) if "geojson" in request.url else None
    )
    try:
        page.goto(base_url + "/territoires/departement/93")
        status = page.locator("#carte-statut")
        expect(status).to_have_text("2 services dans la partie visible de la carte.")
        switch = page.locator(".map-offer-types")
        expect(switch.locator("legend")).to_have_text("Type d’offre")
        expect(switch.get_by_label("Toutes les offres")).to_be_checked()

        switch.get_by_label("Formations").check()
        expect(status).to_have_text("1 service dans la partie visible de la carte.")
        assert any("offre=formations" in url for url in asked)
        expect(page.locator(".map-point")).to_have_count(1)
        page.screenshot(path=str(artifacts / "territoire-93-formations.png"), full_page=True)

        switch.get_by_label("Services", exact=True).check()
        expect(status).to_have_text("1 service dans la partie visible de la carte.")
        assert "offre=services" in asked[-1]
        expect(page.locator(".map-point")).to_have_count(1)

        switch.get_by_label("Toutes les offres").check()
        expect(status).to_have_text("2 services dans la partie visible de la carte.")
        assert "offre=" not in asked[-1]
    finally:
        page.close()
    assert errors == []
