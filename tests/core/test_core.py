import re

import pytest
from sqlalchemy.exc import OperationalError

from tests.support.headers import csp


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["search_queue"]["status"] == "ok"


def test_healthz_answers_503_when_the_database_does_not(client, db_session, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db_session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "injoignable"


def test_pages_refuse_framing_by_other_sites(client):
    response = client.get("/")
    assert csp(response)["frame-ancestors"] == "'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_api_route_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "introuvable"


def test_unknown_page_answers_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


# Opening hours said in French --------------------------------------------------------------


@pytest.mark.parametrize(
    ("osm", "french"),
    [
        (
            "Mo-Fr 09:00-12:00,14:00-17:00; PH off",
            ["Du lundi au vendredi : 9 h – 12 h et 14 h – 17 h", "Jours fériés : fermé"],
        ),
        ("Mo,We,Fr 08:30-12:00", ["Lundi, mercredi et vendredi : 8 h 30 – 12 h"]),
        ("Mo-Su 10:00-18:00", ["Tous les jours : 10 h – 18 h"]),
        ("09:00-17:00", ["Tous les jours : 9 h – 17 h"]),
        ("Sa closed", ["Samedi : fermé"]),
        ("24/7", ["Tous les jours, 24 h sur 24"]),
    ],
)
def test_simple_opening_hours_are_said_in_french(osm, french):
    from dora.core.opening_hours_fr import french_opening_hours

    said = french_opening_hours(osm)
    assert [line.replace("\u00a0", " ") for line in said] == french


@pytest.mark.parametrize(
    "osm",
    ["", "Jan-Mar Mo 09:00-12:00", "Sa-Mo 10:00-12:00", "Mo 09:00-12:00 || Tu off", "Mo 9h-12h"],
)
def test_richer_opening_hours_are_not_guessed(osm):
    from dora.core.opening_hours_fr import french_opening_hours

    assert french_opening_hours(osm) is None


def test_method_not_allowed_says_what_is(client):
    response = client.post("/api/v1/search")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "methode_non_autorisee"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    page = client.delete("/recherche")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


def test_production_sends_hsts_and_development_does_not(app, client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    app.config["DORA_ENV"] = "production"
    try:
        hsts = client.get("/healthz").headers["Strict-Transport-Security"]
    finally:
        app.config["DORA_ENV"] = "testing"
    assert hsts.startswith("max-age=31536000")


def test_every_page_has_a_script_policy_with_a_fresh_nonce(client):
    first, second = csp(client.get("/")), csp(client.get("/"))
    assert first["script-src"].startswith("'self' 'nonce-")
    assert first["script-src"] != second["script-src"]
    assert first["object-src"] == "'none'" and first["base-uri"] == "'none'"
    assert "https://*.tile.openstreetmap.org" in first["img-src"]


def test_map_scripts_carry_the_nonce(client, make_service):
    service = make_service()
    response = client.get(f"/services/{service.id}")
    nonce = csp(response)["script-src"].split("'nonce-")[1].rstrip("'")
    page = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline, "the map script is inline"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)
