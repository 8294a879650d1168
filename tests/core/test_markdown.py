"""Descriptions in Markdown: the safe subset is rendered, everything else stays text."""

from __future__ import annotations

import pytest

from dora.core.markdown import markdown_excerpt, markdown_text, render_markdown

REAL = (
    "**Accompagnement** vers l’emploi\r\n\r\n"
    "• Atelier CV\r\n• Simulation d’entretien\r\n\r\n"
    "Inscription sur [le site de la structure](https://example.org/inscription)."
)


def test_real_description_is_rendered():
    html = str(render_markdown(REAL))
    assert "<strong>Accompagnement</strong>" in html
    assert "<ul>\n<li>Atelier CV</li>\n<li>Simulation d’entretien</li>\n</ul>" in html
    assert (
        '<a href="https://example.org/inscription" rel="nofollow noopener">'
        "le site de la structure</a>" in html
    )
    assert "*" not in html and "•" not in html and "\r" not in html


def test_italics_dash_lists_numbered_lists_and_line_breaks():
    html = str(render_markdown("Le *mardi*\nsur rendez-vous\n\n- un\n- deux\n\n1. a\n2. b"))
    assert "<em>mardi</em><br>\nsur rendez-vous" in html
    assert "<ul>" in html and "<ol>" in html and html.count("<li>") == 4


@pytest.mark.parametrize(
    "text, forbidden",
    [
        ("[x](javascript:alert(1))", "href"),
        ("[x](JaVaScRiPt:alert(1))", "href"),
        ("[x](data:text/html,<script>alert(1)</script>)", "href"),
        ("[x](/chemin/relatif)", "href"),
        ("![img](https://example.org/x.png)", "<img"),
        ("<script>alert(1)</script>", "<script"),
        ("<img src=x onerror=alert(1)>", "<img"),
        ('<a href="https://example.org" onclick="x()">a</a>', "<a"),
        ("<b onmouseover=alert(1)>survol</b>", "<b"),
        ('[x](https://example.org "t" onclick=alert(1))', "<a "),
    ],
)
def test_hostile_markdown_stays_text(text, forbidden):
    html = str(render_markdown(text))
    assert forbidden not in html.lower()


def test_image_shows_its_words_only():
    assert str(render_markdown("![plan d’accès](https://example.org/x.png)")) == (
        "<p>plan d’accès</p>"
    )


def test_raw_html_is_escaped_not_dropped():
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in str(
        render_markdown("<script>alert(1)</script>")
    )


def test_mailto_and_tel_links_are_kept():
    html = str(render_markdown("[écrire](mailto:contact@example.org) [appeler](tel:+33199003915)"))
    assert 'href="mailto:contact@example.org"' in html and 'href="tel:+33199003915"' in html


def test_empty_text():
    assert render_markdown(None) == "" and render_markdown("  \r\n") == ""


def test_plain_text_and_excerpt():
    assert markdown_text(REAL) == (
        "Accompagnement vers l’emploi Atelier CV Simulation d’entretien "
        "Inscription sur le site de la structure."
    )
    excerpt = markdown_excerpt(REAL, 40)
    assert excerpt == "Accompagnement vers l’emploi Atelier CV…"
    assert markdown_excerpt("court", 40) == "court"
