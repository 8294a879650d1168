"""The one commune combobox (dora/static/js/combobox.js) in headless Chromium, on every page
that asks for a commune without an account: the search page, a territory page, the widget
builder (the editors and the orientation form are driven in their own browser journeys).

Screenshots go to test-artifacts/combobox/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "combobox"


@pytest.fixture
def page(live_server, browser):
    _app, base = live_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.base = base
    yield opened
    context.close()
    assert errors == []


def _suggestions(page) -> list[str]:
    options = page.locator("[role=listbox]:visible [role=option]")
    options.first.wait_for()
    # The label without the postal codes shown beside it.
    return [option.evaluate("o => o.firstChild.textContent.trim()") for option in options.all()]


def test_search_page_exact_name_first_no_twin_labels_keyboard(page):
    page.goto(page.base + "/recherche")
    field = page.get_by_role("combobox", name="Où ?")
    field.press_sequentially("Saint-Denis", delay=15)
    options = page.locator("[role=listbox]:visible [role=option]")
    # The suggestions of « Saint-Denis » (not those of a shorter prefix still on screen).
    expect(options.first).to_have_text(re.compile(r"^Saint-Denis \("))
    options.nth(4).wait_for()
    labels = _suggestions(page)
    # Exact names before names starting with them, and never two identical suggestions.
    exact = [label for label in labels if label.startswith("Saint-Denis (")]
    assert labels[: len(exact)] == exact and len(exact) >= 2
    assert "Saint-Denis (93)" in exact and "Saint-Denis (974)" in exact
    assert any(label.startswith("Saint-Denis-") for label in labels[len(exact) :])
    assert len(set(labels)) == len(labels)
    assert field.get_attribute("aria-expanded") == "true"
    page.screenshot(path=ARTIFACTS / "recherche.png")

    # Keyboard: down to Saint-Denis (93), Enter picks it and fills the INSEE code.
    target = labels.index("Saint-Denis (93)")
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    active = field.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    assert field.input_value() == "Saint-Denis (93)"
    assert page.input_value("[data-commune-code]") == "93066"
    assert field.get_attribute("aria-expanded") == "false"
    # Typing again forgets the picked code (the server resolves what is typed).
    field.press("End")
    field.press_sequentially("x")
    assert page.input_value("[data-commune-code]") == ""
    page.keyboard.press("Escape")


def test_search_page_sends_the_label_and_the_server_reads_it_back(page):
    page.goto(page.base + "/recherche")
    field = page.get_by_role("combobox", name="Où ?")
    field.press_sequentially("Saint-Denis", delay=15)
    page.locator("[role=option]", has_text="Saint-Denis (974)").first.dispatch_event("mousedown")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**commune=97411**")
    # The same label typed by hand, without the code: resolved alike, no choice asked.
    page.goto(page.base + "/recherche?commune_nom=Saint-Denis+%28974%29")
    assert "Plusieurs communes peuvent correspondre" not in page.content()
    assert page.get_by_role("combobox", name="Où ?").input_value() == "Saint-Denis (974)"


def test_territory_page_distances_from_the_commune_picked(page):
    page.goto(page.base + "/territoires/departement/93")
    page.locator("summary", has_text="Filtrer").click()
    field = page.get_by_role("combobox", name="Distances depuis")
    field.press_sequentially("Saint-Den", delay=15)
    page.locator("[role=option]", has_text="Saint-Denis (93)").first.dispatch_event("mousedown")
    assert field.input_value() == "Saint-Denis (93)"
    page.screenshot(path=ARTIFACTS / "territoire.png")
    field.press("Enter")
    page.wait_for_url("**depuis=Saint-Denis**")
    # Resolved to Saint-Denis of the 93, not of La Réunion; no error.
    assert "Commune introuvable" not in page.content()
    assert "93066" in page.content()


def test_widget_builder_place_field(page):
    page.goto(page.base + "/embed")
    field = page.get_by_role("combobox", name="ou une commune")
    field.press_sequentially("Montreuil", delay=15)
    labels = _suggestions(page)
    assert "Montreuil (93)" in labels and len(set(labels)) == len(labels)
    page.locator("[role=option]", has_text="Montreuil (93)").first.dispatch_event("mousedown")
    assert field.input_value() == "Montreuil (93)"
    # The live preview asks the server, which reads the label back: the snippet names it.
    expect(page.locator("#builder-snippet")).to_have_value(re.compile("commune:93048"))
    page.screenshot(path=ARTIFACTS / "widget.png")


def test_home_page_and_companies_page(page):
    page.goto(page.base + "/")
    field = page.get_by_role("combobox", name="Où ?")
    field.press_sequentially("93200", delay=15)
    page.locator("[role=option]", has_text="Saint-Denis (93)").first.dispatch_event("mousedown")
    assert page.input_value("[data-commune-code]") == "93066"
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/recherche?**commune=93066**")

    page.goto(page.base + "/entreprises-accueillantes")
    field = page.get_by_role("combobox", name="Où ?")
    field.press_sequentially("Montreuil", delay=15)
    labels = _suggestions(page)
    assert labels[0].startswith("Montreuil (") and len(set(labels)) == len(labels)
    page.locator("[role=option]", has_text="Montreuil (93)").first.dispatch_event("mousedown")
    assert field.input_value() == "Montreuil (93)"
    field.press("Enter")
    page.wait_for_url("**commune_nom=Montreuil**")
    assert "Aucune commune ne correspond" not in page.content()
    assert "Plusieurs communes" not in page.content()
