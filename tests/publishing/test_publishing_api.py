"""/api/v1/territoires: the eligibility zone picker."""


def _items(client, q, **params):
    response = client.get("/api/v1/territoires", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_a_departement_by_name_ignoring_accents_and_case(client):
    [first, *_] = _items(client, "seine saint denis")
    assert first["code"] == "93"
    assert first["type"] == "departement"
    assert first["zone"] == [{"code": "93", "libelle": "Seine-Saint-Denis (93, département)"}]


def test_codes_are_recognised(client):
    assert _items(client, "93")[0]["code"] == "93"
    assert _items(client, "2A")[0]["nom"] == "Corse-du-Sud"
    assert _items(client, "france")[0] == {
        "code": "france",
        "nom": "France",
        "type": "pays",
        "libelle": "Toute la France",
        "zone": [{"code": "france", "libelle": "Toute la France"}],
    }
    assert _items(client, "93066")[0]["nom"] == "Saint-Denis"


def test_an_epci_by_its_siren_and_by_its_name(client):
    by_name = _items(client, "metropole du grand paris")
    assert by_name[0]["code"] == "200054781"
    assert by_name[0]["type"] == "epci"
    assert _items(client, "200054781")[0]["nom"] == "Métropole du Grand Paris"


def test_a_region_stands_for_its_departements(client):
    region = next(t for t in _items(client, "bretagne") if t["type"] == "region")
    assert sorted(z["code"] for z in region["zone"]) == ["22", "29", "35", "56"]
    assert {"code": "35", "libelle": "Ille-et-Vilaine (35, département)"} in region["zone"]


def test_exact_names_come_before_longer_ones(client):
    found = _items(client, "saint-denis")
    assert {found[0]["code"], found[1]["code"]} == {"93066", "97411"}
    assert "Saint-Denis (93200)" in [t["libelle"] for t in found]
    # The département named Seine-Saint-Denis is a word match: after the communes.
    assert [t["type"] for t in _items(client, "seine-saint-denis")] == ["departement"]


def test_a_typo_still_finds_the_territory(client):
    assert _items(client, "seine saint deni")[0]["code"] == "93"


def test_bad_parameters_answer_the_api_error_shape(client):
    response = client.get("/api/v1/territoires")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "q"
    response = client.get("/api/v1/territoires", query_string={"q": "x" * 101})
    assert response.status_code == 400
    response = client.get("/api/v1/territoires", query_string={"q": "paris", "limit": "0"})
    assert response.get_json()["error"]["field"] == "limit"


def test_limit_is_respected(client):
    assert len(_items(client, "saint", limit=3)) == 3


def test_answers_match_the_openapi_description(client):
    import jsonschema_rs

    from dora.publishing.openapi import PATHS

    responses = PATHS["/api/v1/territoires"]["get"]["responses"]
    ok = jsonschema_rs.validator_for(responses["200"]["content"]["application/json"]["schema"])
    error = jsonschema_rs.validator_for(responses["400"]["content"]["application/json"]["schema"])
    for q in ("bretagne", "93", "france", "saint-denis", "zzzzzz"):
        ok.validate(client.get("/api/v1/territoires", query_string={"q": q}).get_json())
    error.validate(client.get("/api/v1/territoires").get_json())
    parameters = {p["name"] for p in PATHS["/api/v1/territoires"]["get"]["parameters"]}
    assert parameters == {"q", "limit"}
