"""Territory pages in headless Chromium: markers, popups from the keyboard, category layers,
and the switch to server clusters above the threshold."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page, errors


def test_territory_page_renders_markers_popups_and_layers(live_dora, browser, artifacts):
    from playwright.sync_api import expect

    page, errors = _open(browser, f"{live_dora.base_url}/territoires/departement/93")
    status = page.locator("#carte-statut")
    expect(status).to_have_text("12 services dans la partie visible de la carte.")
    markers = page.locator(".map-point")
    expect(markers).to_have_count(12)
    expect(page.locator(".leaflet-interactive").first).to_be_visible()  # the outline
    page.screenshot(path=artifacts / "territoire-93.png", full_page=True)

    # A marker is reachable from the keyboard and opens its popup with Enter.
    markers.first.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".map-popup")
    expect(popup).to_be_visible()
    expect(popup.locator(".map-popup__title a")).to_have_text(re.compile("Service d’essai"))
    expect(popup).to_contain_text("Maison de l’insertion")

    # One layer per category: "Santé" keeps the 3 health services.
    page.locator(".leaflet-control-layers").hover()
    page.locator(".leaflet-control-layers-base label", has_text="Santé").click()
    expect(status).to_have_text("3 services dans la partie visible de la carte (Santé).")
    expect(markers).to_have_count(3)
    assert errors == []


def test_above_the_threshold_the_map_shows_clusters_and_zooms_into_them(
    live_dora, browser, artifacts
):
    from playwright.sync_api import expect

    live_dora.app.config["MAP_MAX_POINTS"] = 5
    try:
        page, errors = _open(browser, f"{live_dora.base_url}/territoires/departement/93")
        status = page.locator("#carte-statut")
        expect(status).to_contain_text(
            "12 services dans la partie visible de la carte, regroupés par secteur"
        )
        # Sectors holding several services are clusters; a lone service stays a marker.
        clusters = page.locator(".map-cluster:not(.map-cluster--local)")
        expect(clusters.first).to_be_visible()
        assert clusters.count() + page.locator(".map-point").count() < 12
        page.screenshot(path=artifacts / "territoire-93-regroupements.png")
        # A cluster is a button: it zooms on its sector; a few clicks reach the services.
        for _click in range(4):
            if clusters.count() == 0:
                break
            before = status.text_content()
            clusters.first.click()
            expect(status).not_to_have_text(before, timeout=10_000)
        expect(clusters).to_have_count(0)
        expect(status).not_to_contain_text("regroupés")
        expect(page.locator(".map-point").first).to_be_visible()
        assert errors == []
    finally:
        live_dora.app.config["MAP_MAX_POINTS"] = 500
