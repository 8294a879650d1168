"""A partner page on another origin embeds widgets with the snippet, in headless Chromium."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

pytestmark = pytest.mark.browser

TITLE = "Carte de l’offre d’insertion (dora)"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def partner_site(tmp_path, live_dora):
    """A static page on another port (another origin) with two widgets and a dora page."""
    base = live_dora.base_url
    (tmp_path / "index.html").write_text(
        f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Site partenaire</title></head><body style="max-width:1000px;margin:auto">
<h1>Site d’un partenaire</h1>
<div style="display:grid;grid-template-columns:2fr 1fr;gap:16px">
  <div id="bon">
    <div data-dora-widget data-territoire="departement:93" data-thematiques="mobilite,sante"
         data-recherche="1" data-couleur="#8e24aa" data-hauteur="320"></div>
    <script src="{base}/embed/widget.js" async></script>
  </div>
  <div id="mauvais">
    <div data-dora-widget data-territoire="departement:999" data-thematiques="mobilty"></div>
    <script src="{base}/embed/widget.js" async></script>
  </div>
</div>
<iframe id="page-dora" src="{base}/territoires/departement/93" title="Page dora"></iframe>
<p>Fin de la page.</p>
</body></html>""",
        encoding="utf-8",
    )
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/index.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _frame(page, fragment: str):
    return next(frame for frame in page.frames if fragment in frame.url)


def test_the_snippet_shows_widgets_on_another_origin(browser, partner_site, artifacts):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="fr-FR")
    page.goto(partner_site)
    frames = page.locator(f'iframe[title="{TITLE}"]')
    expect(frames).to_have_count(2)

    good = page.frame_locator("#bon iframe")
    expect(good.locator("h1")).to_have_text("Offre d’insertion — Seine-Saint-Denis (93)")
    expect(good.locator(".map-point, .map-cluster").first).to_be_visible()
    expect(good.locator(".map-list__item")).to_have_count(6)  # mobility and health: 3 + 3
    expect(good.locator("#widget-statut")).to_have_text(
        "6 services dans la partie visible de la carte."
    )

    # The frame took the height of its content (postMessage from the frame).
    frame = _frame(page, "territoire=departement%3A93")
    content = frame.evaluate(
        "() => document.getElementById('widget').getBoundingClientRect().height"
    )
    page.wait_for_function(
        "h => Math.abs(document.querySelector('#bon iframe').getBoundingClientRect().height - h)"
        " < 4",
        arg=content,
    )
    assert page.locator("#bon iframe").evaluate("f => f.style.height") != "640px"

    # Bad parameters: a readable message inside the frame, not a blank frame.
    bad = page.frame_locator("#mauvais iframe")
    expect(bad.locator(".widget-error")).to_contain_text("territoire")
    expect(bad.locator(".widget-error")).to_contain_text("mobilty")

    # Every other dora page refuses to be framed by another site: Chromium blocks it.
    blocked = page.locator("#page-dora").element_handle().content_frame()
    page.wait_for_function("() => true")
    assert blocked.url.startswith("chrome-error://")
    expect(page.frame_locator("#page-dora").locator("body")).not_to_contain_text(
        "Seine-Saint-Denis"
    )

    page.locator("#bon").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "site-partenaire.png", full_page=True)

    # The search box works inside the frame.
    good.locator("#widget-q").fill("zzzz-aucun-resultat")
    good.locator(".widget-search button").click()
    expect(good.locator(".widget-list")).to_contain_text("Aucun service sur place")


def test_the_builder_previews_with_the_real_loader(live_dora, browser, artifacts):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1300, "height": 1000}, locale="fr-FR")
    page.goto(f"{live_dora.base_url}/embed")
    page.select_option("#widget-territoire", "departement:93")
    page.locator("#widget-th-sante").check()
    snippet = page.locator("#builder-snippet")
    expect(snippet).to_have_value(
        '<div data-dora-widget data-territoire="departement:93" data-thematiques="sante"></div>\n'
        f'<script src="{live_dora.base_url}/embed/widget.js" async></script>'
    )
    preview = page.frame_locator("#builder-preview iframe")
    expect(preview.locator(".map-list__item")).to_have_count(3)
    page.screenshot(path=artifacts / "generateur.png", full_page=True)
