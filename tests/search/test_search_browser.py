"""/recherche in headless Chromium, with and without JavaScript.

The browser talks to a live server thread, so this test commits its rows (a per-test rollback
cannot be shared with another thread) and deletes them at the end. Screenshots go to
test-artifacts/search/.
"""

from __future__ import annotations

import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "search"
PREFIX = "e2e-search--"


def _services(connection) -> None:
    connection.execute(
        sa.text("INSERT INTO structure (id, source, nom, date_maj) VALUES (:id, 'e2e', :nom, :d)"),
        {"id": PREFIX + "structure", "nom": "Association de la Plaine", "d": date.today()},
    )
    rows = [
        # (id, nom, frais, modes, point or None, zone)
        ("near", "Garage solidaire", "gratuit", "{en-presentiel}", "POINT(2.3600 48.9300)", None),
        ("far", "Garage associatif", "payant", "{en-presentiel}", "POINT(2.3800 48.9000)", None),
        ("remote", "Conseil garage en ligne", "gratuit", "{a-distance}", None, None),
        ("other", "Atelier numérique", "gratuit", "{en-presentiel}", "POINT(2.3500 48.9350)", None),
    ]
    for key, nom, frais, modes, point, zone in rows:
        connection.execute(
            sa.text(
                """INSERT INTO service (id, source, structure_id, nom, description, date_maj,
                    statut, thematiques, frais, modes_accueil, zone_eligibilite, code_insee,
                    location, modes_mobilisation)
                VALUES (:id, 'e2e', :structure, :nom, 'Un service pour le test du navigateur.',
                    current_date, 'publie', ARRAY['mobilite--entretenir-reparer-son-vehicule'],
                    :frais, CAST(:modes AS text[]), :zone, '93066',
                    CASE WHEN CAST(:point AS text) IS NULL THEN NULL
                         ELSE ST_GeogFromText('SRID=4326;' || :point) END,
                    ARRAY['telephoner'])"""
            ),
            {
                "id": PREFIX + key,
                "structure": PREFIX + "structure",
                "nom": nom,
                "frais": frais,
                "modes": modes,
                "zone": zone,
                "point": point,
            },
        )


def _clean(connection) -> None:
    connection.execute(sa.text("DELETE FROM service WHERE id LIKE :p"), {"p": PREFIX + "%"})
    connection.execute(sa.text("DELETE FROM structure WHERE id LIKE :p"), {"p": PREFIX + "%"})


@pytest.fixture
def live_server(app, database_url):  # `app` migrates and loads the database
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Chromium absent")
    from dora import create_app
    from dora.config import normalise_database_url
    from dora.extensions import db

    live = create_app(
        {
            "TESTING": True,
            "DORA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "SECRET_KEY": "browser-test-search",
            "RATELIMIT_ENABLED": False,
        }
    )
    with live.app_context(), db.engine.begin() as connection:
        _clean(connection)
        _services(connection)
    server = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        with live.app_context():
            with db.engine.begin() as connection:
                _clean(connection)
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_search_with_the_keyboard_then_filter_then_go_back(live_server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(live_server + "/recherche")
    page.locator("#search-commune").press_sequentially("93200", delay=20)
    option = page.locator("[role=option]").first
    option.wait_for()
    assert "Saint-Denis (93)" in option.inner_text()
    page.keyboard.press("ArrowDown")
    assert page.locator("#search-commune").get_attribute("aria-activedescendant")
    page.screenshot(path=ARTIFACTS / "combobox.png")
    page.keyboard.press("Enter")
    assert page.input_value("#search-commune") == "Saint-Denis (93)"
    assert page.input_value("[data-commune-code]") == "93066"
    page.fill("#search-q", "garage")
    page.keyboard.press("Enter")
    page.wait_for_url("**/recherche?**commune=93066**")
    assert "q=garage" in page.url
    # Results are announced: focus is on their summary.
    assert page.evaluate("document.activeElement.id") == "results-status"
    summary = page.locator("#results-status").inner_text()
    assert "3 services trouvés" in summary and "Saint-Denis" in summary
    names = page.locator(".result h3").all_inner_texts()
    assert names[:2] == ["Garage solidaire", "Garage associatif"]
    assert "Conseil garage en ligne" in names  # the remote one, alongside
    assert page.locator(".result .remote").count() == 1
    page.locator(".leaflet-marker-icon, .marker-cluster").first.wait_for()
    page.screenshot(path=ARTIFACTS / "results.png")

    page.check("#f-frais-gratuit")
    page.click("text=Appliquer les filtres")
    page.wait_for_url("**frais=gratuit**")
    assert page.locator(".result h3").all_inner_texts() == [
        "Garage solidaire",
        "Conseil garage en ligne",
    ]
    page.go_back()
    page.wait_for_url(lambda url: "frais=gratuit" not in url)
    assert len(page.locator(".result h3").all_inner_texts()) == 3


def test_without_javascript_a_typed_name_asks_which_commune(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/recherche")
    page.fill("#search-commune", "Saint-Denis")
    page.fill("#search-q", "garage")
    page.click("button[type=submit] >> nth=0")
    assert page.locator("#choices-title").is_visible()
    choices = page.locator(".choices li").all_inner_texts()
    assert any(text.startswith("Saint-Denis (93") for text in choices)
    assert any(text.startswith("Saint-Denis (974") for text in choices)
    page.locator('.choices a[href*="commune=93066"]').click()
    assert "commune=93066" in page.url and "q=garage" in page.url
    assert "Garage solidaire" in page.locator(".result-list").inner_text()
    page.screenshot(path=ARTIFACTS / "no-javascript.png", full_page=True)
    context.close()
