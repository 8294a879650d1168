"""Home page search with the commune combobox of /recherche, and « Autour de moi » (granted
and refused), in headless Chromium."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_home_search_uses_the_commune_combobox(live_server, browser, artifacts):
    from playwright.sync_api import expect

    _, base = live_server
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
    page.goto(base + "/")
    box = page.get_by_role("combobox", name=re.compile("Où"))
    box.fill("Saint-Denis")
    option = page.get_by_role("option", name=re.compile(r"^Saint-Denis \(93"))
    expect(option).to_be_visible()
    page.screenshot(path=artifacts / "accueil-commune.png")
    option.click()
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"/recherche\?.*commune=93066"))
    expect(page.locator("#results-status")).to_contain_text("habitant Saint-Denis")
    expect(page.locator(".choices")).to_have_count(0)  # no « Plusieurs communes » picker


def test_around_me_searches_at_the_browsers_position(live_server, browser, artifacts):
    from playwright.sync_api import expect

    _, base = live_server
    context = browser.new_context(
        locale="fr-FR",
        geolocation={"latitude": 48.9362, "longitude": 2.3574},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(base + "/recherche")
    page.get_by_role("button", name="Autour de moi").click()
    page.wait_for_url(re.compile(r"lat=48\.9362.*lon=2\.3574"))
    expect(page.locator("#results-status")).to_contain_text(
        "autour de votre position (commune la plus proche : Saint-Denis"
    )
    page.screenshot(path=artifacts / "autour-de-moi.png")
    # Typing a commune afterwards searches that commune, not the old position.
    page.get_by_role("combobox", name=re.compile("Où")).fill("Montreuil")
    assert page.locator("input[name=lat]").count() == 0
    context.close()


def test_around_me_refused_says_what_to_do(live_server, browser, artifacts):
    from playwright.sync_api import expect

    _, base = live_server
    context = browser.new_context(locale="fr-FR")  # no permission: the browser refuses
    page = context.new_page()
    page.goto(base + "/")
    page.get_by_role("button", name="Autour de moi").click()
    status = page.locator("[data-position-status]")
    expect(status).to_contain_text("indiquez une commune")
    assert page.url.rstrip("/") == base  # nothing submitted
    page.screenshot(path=artifacts / "autour-de-moi-refus.png")
    context.close()
