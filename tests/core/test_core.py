import pytest
from sqlalchemy.exc import OperationalError

from tests.support.headers import csp


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


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
