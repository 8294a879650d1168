"""The communes API: autocomplete and lookup, on the real reference data."""


def test_lookup_returns_the_documented_fields(client):
    response = client.get("/api/v1/communes/93066")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {
        "code", "nom", "departement", "region", "epci", "codes_postaux",
        "population", "longitude", "latitude", "precision",
    }  # fmt: skip
    assert body["nom"] == "Saint-Denis"
    assert body["epci"] == "200054781"
    assert body["departement"] == "93"
    assert body["region"] == "11"
    assert "93200" in body["codes_postaux"]


def test_an_arrondissement_answers_with_its_commune(client):
    body = client.get("/api/v1/communes/75110").get_json()
    assert body["code"] == "75056"
    assert body["nom"] == "Paris"


def test_an_unknown_code_answers_404_in_json(client):
    response = client.get("/api/v1/communes/00000")
    assert response.status_code == 404
    assert response.get_json()["error"] == {
        "code": "introuvable",
        "message": "Commune inconnue : « 00000 ».",
        "field": "code",
    }


def test_autocomplete_tolerates_accents_case_hyphens_and_saint(client):
    for query in ("saint denis", "ST-DENIS", "Saint-Dénis", "st denis"):
        items = client.get("/api/v1/communes", query_string={"q": query}).get_json()["items"]
        assert items, query
        # Ranked by population: the largest Saint-Denis (La Réunion, then Seine-Saint-Denis).
        assert {"97411", "93066"} <= {item["code"] for item in items[:3]}, query


def test_autocomplete_by_postal_code(client):
    items = client.get("/api/v1/communes", query_string={"q": "93200"}).get_json()["items"]
    assert [item["code"] for item in items] == ["93066"]


def test_autocomplete_returns_at_most_20(client):
    body = client.get("/api/v1/communes", query_string={"q": "sa"}).get_json()
    assert 0 < len(body["items"]) <= 20


def test_autocomplete_rejects_missing_or_bad_parameters(client):
    assert client.get("/api/v1/communes").status_code == 400
    response = client.get("/api/v1/communes", query_string={"q": "paris", "limit": "abc"})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "limit"
    response = client.get("/api/v1/communes", query_string={"q": "x" * 101})
    assert response.get_json()["error"]["field"] == "q"
