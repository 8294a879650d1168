"""The embeddable widget: its page, its loader, the builder, framing and cookies."""

from __future__ import annotations

import re

import pytest

from dora.embed import widget
from tests.support.headers import csp


def _html(response) -> str:
    return response.get_data(as_text=True)


def _with_a_permanent_session(client) -> None:
    """A visitor who has a session: Flask would refresh its cookie on every response."""
    with client.session_transaction() as session:
        session["seen"] = True
        session.permanent = True


def test_widget_page_lists_the_territorys_services(client, make_structure, make_service):
    structure = make_structure(nom="Garage solidaire du 93")
    make_service(
        structure=structure, nom="Permis solidaire", thematiques=["mobilite--preparer-un-permis"]
    )
    make_service(nom="Accès aux soins", thematiques=["sante--acces-aux-soins"])
    response = client.get("/embed/carte?territoire=departement:93&thematiques=mobilite")
    assert response.status_code == 200
    html = _html(response)
    assert "Offre d’insertion — Seine-Saint-Denis (93)" in html
    assert "Permis solidaire" in html and "Garage solidaire du 93" in html
    assert "Accès aux soins" not in html
    assert 'target="_blank" rel="noopener"' in html  # services open on dora, not in the frame
    assert "DoraMap.servicesLayer" in html
    assert '"territoire": "departement:93"' in html
    assert "/static/js/embed-frame.js" in html


def test_widget_may_be_framed_by_any_site_but_sets_no_cookie(client, make_service):
    make_service()
    # Only the widget is made to be framed; the builder is a dora page.
    assert csp(client.get("/embed"))["frame-ancestors"] == "'self'"
    _with_a_permanent_session(client)
    # A normal page refreshes the session cookie and refuses framing…
    page = client.get("/territoires/departement/93")
    assert "Set-Cookie" in page.headers
    assert csp(page)["frame-ancestors"] == "'self'"
    # …the widget, its loader and the builder never set a cookie.
    for url in ("/embed/carte?territoire=departement:93", "/embed/widget.js", "/embed"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
    framed = client.get("/embed/carte?territoire=departement:93")
    assert csp(framed)["frame-ancestors"] == "*"
    assert "X-Frame-Options" not in framed.headers


def test_bad_parameters_are_explained_inside_the_frame(client):
    response = client.get(
        "/embed/carte?territoire=departement:999&thematiques=mobilty&couleur=%23ffeb3b"
        "&hauteur=12&carte=peut-etre"
    )
    assert response.status_code == 400
    # Still framable: the partner must see the message, not a blank frame.
    assert csp(response)["frame-ancestors"] == "*"
    assert "Set-Cookie" not in response.headers
    html = _html(response)
    assert "Ce widget dora est mal configuré" in html
    messages = dict(re.findall(r'<li data-parametre="(\w+)">(.*?)</li>', html))
    assert set(messages) == {"territoire", "thematiques", "couleur", "hauteur", "carte"}
    assert "999" in messages["territoire"]
    assert "mobilty" in messages["thematiques"]
    assert "trop claire" in messages["couleur"]
    assert "« hauteur » doit être compris entre 200 et 1000" in messages["hauteur"]
    assert "peut-etre" in messages["carte"]
    assert "/static/js/embed-frame.js" in html  # the frame still reports its height


def test_a_widget_without_territory_shows_france(client, make_service):
    make_service(nom="Un service en France")
    html = _html(client.get("/embed/carte?liste=1&nombre=5"))
    assert "Offre d’insertion — France" in html
    assert "Un service en France" in html
    assert "mis à jour le plus récemment" in html


def test_display_options(client, make_service):
    make_service(nom="Service listé")
    html = _html(
        client.get(
            "/embed/carte?territoire=commune:93066&carte=0&recherche=1&titre=Nos%20partenaires"
            "&couleur=%23006400&origine=https://partenaire.example&id=dora-widget-1-abc"
        )
    )
    assert "DoraMap" not in html  # no map
    assert 'class="widget-search"' in html
    assert "<h1>Nos partenaires</h1>" in html
    assert "--accent: #006400" in html
    assert 'data-origin="https://partenaire.example"' in html
    assert 'data-id="dora-widget-1-abc"' in html
    # The search box keeps the other parameters.
    assert '<input type="hidden" name="territoire" value="commune:93066">' in html
    assert (
        _html(client.get("/embed/carte?territoire=commune:93066&origine=javascript:x")).count(
            "data-origin"
        )
        == 0
    )


def test_the_loader_is_javascript_without_cookie(client):
    response = client.get("/embed/widget.js")
    assert response.mimetype == "text/javascript"
    assert response.cache_control.max_age == 3600
    source = _html(response)
    assert "[data-dora-widget]" in source
    assert "event.origin !== doraOrigin" in source  # origin checked on the host side
    assert "frame.title" in source


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("#1F5FA8", "#1f5fa8"), ("1f5fa8", "#1f5fa8"), ("#036", "#003366"), ("", "#1f5fa8")],
)
def test_accent_colours_are_normalised(raw, expected):
    errors: dict[str, str] = {}
    assert widget.parse_colour(raw, errors) == expected
    assert errors == {}


@pytest.mark.parametrize("raw", ["red", "#12345", "#ffff00", "#ffffff", "url(x)"])
def test_unreadable_or_malformed_colours_are_refused(raw):
    errors: dict[str, str] = {}
    assert widget.parse_colour(raw, errors) == widget.DEFAULT_COLOUR
    assert "couleur" in errors


def test_snippet_lists_only_what_differs_from_the_defaults_and_escapes_it():
    config = widget.WidgetConfig(
        territoire="departement:93",
        filters=widget.MapFilters(thematiques=("mobilite", "sante")),
        titre='Nos "partenaires" <b>',
        recherche=True,
    )
    code = str(widget.snippet(config, "https://dora.example/embed/widget.js"))
    assert code == (
        '<div data-dora-widget data-territoire="departement:93" '
        'data-thematiques="mobilite,sante" '
        'data-titre="Nos &#34;partenaires&#34; &lt;b&gt;" data-recherche="1"></div>\n'
        '<script src="https://dora.example/embed/widget.js" async></script>'
    )


def test_builder_without_javascript_generates_the_snippet(client):
    html = _html(client.get("/embed"))
    assert "Intégrer une carte de l’offre sur votre site" in html
    assert 'name="territoire"' in html and "Seine-Saint-Denis (93)" in html

    response = client.get(
        "/embed?territoire=departement:93&thematiques=mobilite&carte=0&carte=1&liste=0&liste=1"
        "&recherche=0&hauteur=500&nombre=10&couleur=%231f5fa8"
    )
    assert response.status_code == 200
    html = _html(response)
    snippet = re.search(r'<textarea id="builder-snippet"[^>]*>(.*?)</textarea>', html, re.S)
    assert snippet is not None
    assert (
        "&lt;div data-dora-widget data-territoire=&#34;departement:93&#34; "
        "data-thematiques=&#34;mobilite&#34; data-hauteur=&#34;500&#34;&gt;&lt;/div&gt;"
    ) in snippet.group(1)
    assert "http://dora.test/embed/widget.js" in snippet.group(1)
    assert '<iframe src="/embed/carte?territoire=departement%3A93' in html


def test_builder_finds_a_commune_or_an_epci_by_name(client):
    html = _html(client.get("/embed?lieu=Saint-Denis&territoire=departement:75"))
    assert "Retenu : commune" in html
    data = client.get("/embed/apercu?lieu=93066").get_json()
    assert data["territoire"] == "commune:93066"
    assert data["errors"] == {}
    assert 'data-territoire="commune:93066"' in data["snippet"]
    data = client.get("/embed/apercu?lieu=200054781").get_json()
    assert data["territoire_nom"] == "Métropole du Grand Paris"


def test_builder_explains_what_to_fix(client):
    response = client.get("/embed?lieu=Zzyzxqwv&couleur=%23eeeeee&carte=0&liste=0")
    assert response.status_code == 400
    html = _html(response)
    assert "Le code n’a pas pu être généré" in html
    assert "Zzyzxqwv" in html
    assert "trop claire" in html
    assert "Affichez au moins la carte ou la liste" in html
    assert 'aria-invalid="true"' in html
    data = client.get("/embed/apercu?thematiques=mobilty").get_json()
    assert data["snippet"] is None and "thematiques" in data["errors"]
