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
