"""`next` after login and one-click actions: paths of this site only, never a 500."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from dora.core.urls import same_site_path
from tests.support.people import PASSWORD

OTHER_SITES = [
    "//evil.example",
    "///evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\x7f/evil.example",
    "/%09/evil.example\n",
    "",
    "/" + "a" * 3000,
]
SAME_SITE = [
    "/",
    "/mon-espace",
    "/recherche?commune=93066&q=v%C3%A9lo",
    "/services/abc#carte",
    "/%2F%2Fevil.example",  # a path of ours: %2F is not a slash to the browser's URL parser
    "/..//evil.example",  # resolves to https://<this site>//evil.example
]


@pytest.mark.parametrize("target", OTHER_SITES)
def test_other_sites_and_control_characters_are_refused(target):
    assert same_site_path(target) is None


@pytest.mark.parametrize("target", SAME_SITE)
def test_paths_of_this_site_are_kept(target):
    assert same_site_path(target) == target


def _assert_stays_here(response):
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "dora.test")
    assert not location.path.startswith("//")
    assert "evil" not in response.headers["Location"].split("?")[0].lstrip("/").split("/")[0]


@pytest.mark.parametrize("target", OTHER_SITES)
def test_login_never_sends_the_browser_elsewhere(client, make_user, target):
    user = make_user()
    if "\x00" in target:  # refused at the door (dora.core.guards)
        assert client.get("/connexion?next=" + quote(target, safe="")).status_code == 400
        return
    # The raw query string, as an attacker's link would carry it (%09, %0A…).
    page = client.get("/connexion?next=" + quote(target, safe=""))
    assert page.status_code == 200
    assert "evil" not in page.get_data(as_text=True)
    response = client.post(
        "/connexion", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    _assert_stays_here(response)
    assert response.headers["Location"].endswith("/mon-espace")
    # Already logged in: the GET redirects at once.
    _assert_stays_here(client.get("/connexion?next=" + quote(target, safe="")))


def test_login_goes_back_to_the_page_asked(client, make_user):
    user = make_user()
    response = client.post(
        "/connexion", data={"email": user.email, "password": PASSWORD, "next": "/recherche?q=x"}
    )
    assert response.headers["Location"].endswith("/recherche?q=x")


@pytest.mark.parametrize(
    "raw,stored",
    [
        ("https://exemple.fr/page?a=1&b=2#x", "https://exemple.fr/page?a=1&b=2#x"),
        ("  https://exemple.fr  ", "https://exemple.fr"),
        ('https://exemple.fr/a"b', "https://exemple.fr/a%22b"),
        ("https://exemple.fr/a b", "https://exemple.fr/a%20b"),
        ("https://exemple.fr/café", "https://exemple.fr/caf%C3%A9"),
        ("https://exé.fr/", "https://xn--ex-cja.fr/"),
        ("javascript:alert(1)", None),
        ("ftp://exemple.fr/", None),
        ("https://", None),
        ("exemple.fr", None),
        ("", None),
    ],
)
def test_web_addresses_become_valid_uris(raw, stored):
    from dora.core.urls import normalise_web_url

    assert normalise_web_url(raw) == stored


def test_the_structure_form_stores_a_valid_uri(client, make_user, login):
    from dora.catalogue.models import Structure
    from dora.extensions import db

    login(make_user())
    response = client.post(
        "/mon-espace/structures/nouvelle",
        data={
            "nom": "Atelier",
            "siret": "73282932000074",
            "adresse": "1 rue de la République",
            "code_postal": "93200",
            "commune": "Saint-Denis",
            "site_web": 'https://exemple.fr/"atelier"',
        },
    )
    assert response.status_code == 302
    structure = db.session.query(Structure).filter_by(nom="Atelier").one()
    assert structure.site_web == "https://exemple.fr/%22atelier%22"
    refused = client.post(
        "/mon-espace/structures/nouvelle",
        data={"nom": "Autre", "siret": "73282932000074", "site_web": "javascript:alert(1)"},
    )
    assert "Indiquez une adresse web complète" in refused.get_data(as_text=True)
