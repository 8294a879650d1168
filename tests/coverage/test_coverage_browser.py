"""Coverage pages in headless Chromium: the map renders, the selects change the figures, the
diagnostic prints (print media screenshot), and axe-core finds no serious violation.

axe-core comes from npm (devDependency pinned by package-lock.json) and is injected in a
context that bypasses the page's CSP (the app itself only runs its own nonce'd scripts).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dora import vocabulary
from dora.offers.kinds import COVERAGE_NEEDS

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def computed_live(live_dora):
    """The live server's seeded services (Seine-Saint-Denis), with the coverage computed."""
    from dora.coverage import operations
    from dora.extensions import db

    with live_dora.app.app_context():
        operations.rebuild(db.session)
        db.session.commit()
    return live_dora


def _page(browser, url: str):
    context = browser.new_context(
        viewport={"width": 1280, "height": 1000}, locale="fr-FR", bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page, errors


def _serious_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_map_renders_and_the_selects_change_the_figures(computed_live, browser, artifacts):
    from playwright.sync_api import expect

    base = computed_live.base_url
    page, errors = _page(browser, f"{base}/territoires/departement/93/couverture")
    map_div = page.locator(".folium-map[data-coverage-features]")
    expect(map_div).to_be_visible()
    drawn = int(map_div.get_attribute("data-coverage-features"))
    assert drawn >= 39  # every commune of Seine-Saint-Denis
    assert page.locator("path.leaflet-interactive").count() == drawn
    page.screenshot(path=artifacts / "couverture-93.png", full_page=True)

    key_figure = page.locator("#chiffre-cle")
    everything = key_figure.inner_text()
    page.select_option("#thematique", "famille--garde-denfants")
    page.select_option("#distance_km", "5")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**thematique=famille--garde-denfants**")
    narrower = page.locator("#chiffre-cle").inner_text()
    assert narrower != everything
    assert "à moins de\n5 km" in narrower or "5 km" in narrower
    expect(page.locator("#thematique")).to_have_value("famille--garde-denfants")
    page.screenshot(path=artifacts / "couverture-93-famille-5km.png", full_page=True)
    assert errors == []


def test_the_diagnostic_prints_one_page_per_thematique(computed_live, browser, artifacts):
    page, errors = _page(
        browser, f"{computed_live.base_url}/territoires/departement/93/couverture/diagnostic"
    )
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".coverage-form").is_visible()
    sections = page.locator(".diagnostic-section")
    # All needs, the 16 categories, and training and inclusive employment (dora.offers.kinds).
    expected = 1 + len(vocabulary.thematiques_by_category()) + len(COVERAGE_NEEDS)
    assert expected == 19 and sections.count() == expected
    assert sections.nth(1).evaluate("s => getComputedStyle(s).breakBefore") == "page"
    page.screenshot(path=artifacts / "diagnostic-93-impression.png", full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    # At least one A4 page per thématique (a long table may take two).
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= expected
    assert errors == []


@pytest.mark.parametrize(
    "path",
    [
        "/territoires/departement/93/couverture",
        "/territoires/france/couverture?thematique=mobilite",
        "/territoires/departement/93/couverture/diagnostic",
        "/territoires/couverture/comparer?a=departement:93&b=commune:93066",
        "/territoires/departement/93",
    ],
)
def test_axe_finds_no_serious_violation(computed_live, browser, path):
    page, _errors = _page(browser, computed_live.base_url + path)
    page.wait_for_load_state("networkidle")
    violations = _serious_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
