"""`GET /api/v1/services.geojson`: points, clusters above the threshold, filters, errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

API = "/api/v1/services.geojson"
# Around Saint-Denis (93) and Paris: a city-sized view.
CITY = "2.30,48.88,2.42,48.96"
FRANCE = "-5.5,41,10,51.5"


@pytest.fixture
def max_points(app):
    """Lower the clustering threshold for a test (restored afterwards)."""
    saved = app.config["MAP_MAX_POINTS"]

    def set_threshold(value: int) -> None:
        app.config["MAP_MAX_POINTS"] = value

    yield set_threshold
    app.config["MAP_MAX_POINTS"] = saved


def _features(body: dict, kind: str) -> list[dict]:
    return [f for f in body["features"] if f["properties"]["type"] == kind]


def _ids(body: dict) -> set[str]:
    return {f["properties"]["id"] for f in _features(body, "service")}


def test_a_city_view_answers_the_services_themselves(client, make_structure, make_service):
    structure = make_structure(nom="Garage solidaire du 93")
    service = make_service(
        structure=structure,
        nom="Réparation solidaire",
        thematiques=[
            "mobilite--entretenir-reparer-son-vehicule",
            "numerique--acquerir-un-equipement",
        ],
    )
    response = client.get(f"{API}?bbox={CITY}&zoom=14")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    assert body["clustered"] is False
    feature = next(f for f in body["features"] if f["properties"]["id"] == service.id)
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.3574, 48.9362]}
    assert feature["properties"]["nom"] == "Réparation solidaire"
    assert feature["properties"]["structure"] == "Garage solidaire du 93"
    assert feature["properties"]["categories"] == ["mobilite", "numerique"]
    assert feature["properties"]["distance_m"] is None


def test_services_the_public_must_not_see_are_never_on_the_map(
    client, make_structure, make_service
):
    today = date.today()
    shown = make_service()
    hidden = [
        make_service(statut="brouillon"),
        make_service(suspendu_du=today - timedelta(days=2)),
        make_service(structure=make_structure(moderation="en-attente")),
        make_service(modes_accueil=["a-distance"]),
    ]
    ids = _ids(client.get(f"{API}?bbox={CITY}&zoom=14").get_json())
    assert shown.id in ids
    assert not ids & {s.id for s in hidden}


def test_above_the_threshold_the_server_answers_clusters(client, make_service, max_points):
    for index in range(6):
        make_service(point=(2.35 + index * 0.002, 48.93))
    max_points(3)

    # A national view without filters: counts come from the precomputed grid.
    body = client.get(f"{API}?bbox={FRANCE}&zoom=5").get_json()
    assert body["clustered"] is True
    assert body["source"] == "grille"
    assert not _features(body, "service")
    clusters = _features(body, "cluster")
    assert sum(c["properties"]["count"] for c in clusters) == body["total"] >= 6
    paris = next(
        c for c in clusters if c["properties"]["bbox"][0] <= 2.35 <= c["properties"]["bbox"][2]
    )
    west, south, east, north = paris["properties"]["bbox"]
    lon, lat = paris["geometry"]["coordinates"]
    assert west <= lon <= east and south <= lat <= north

    # Closer than the stored levels: clustered on the fly.
    body = client.get(f"{API}?bbox=2.34,48.92,2.37,48.94&zoom=15").get_json()
    assert body["clustered"] is True and body["source"] == "direct"
    assert body["total"] >= 6

    # Below the threshold again: points.
    max_points(500)
    body = client.get(f"{API}?bbox=2.34,48.92,2.37,48.94&zoom=15").get_json()
    assert body["clustered"] is False
    assert len(_features(body, "service")) == body["total"] >= 6


def test_filtered_clusters_are_computed_from_the_catalogue(client, make_service, max_points):
    for _ in range(4):
        make_service(publics=["jeunes"])
    make_service(publics=["seniors"])
    make_service(publics=["tous-publics"])
    max_points(2)
    young = client.get(f"{API}?bbox={FRANCE}&zoom=5&publics=jeunes").get_json()
    assert young["clustered"] is True and young["source"] == "direct"
    # Asking for a public also matches services open to everyone.
    assert young["total"] == 5
    seniors = client.get(f"{API}?bbox={FRANCE}&zoom=5&publics=seniors").get_json()
    assert seniors["clustered"] is False
    assert seniors["total"] == 2


def test_filters_and_category_layers(client, make_service):
    mobility = make_service(thematiques=["mobilite--preparer-un-permis"], frais="payant")
    health = make_service(thematiques=["sante--acces-aux-soins"], frais="gratuit")
    view = f"{API}?bbox={CITY}&zoom=14"
    assert mobility.id in _ids(client.get(f"{view}&thematiques=mobilite").get_json())
    assert health.id not in _ids(client.get(f"{view}&thematiques=mobilite").get_json())
    assert _ids(client.get(f"{view}&categorie=sante").get_json()) >= {health.id}
    assert mobility.id not in _ids(client.get(f"{view}&categorie=sante").get_json())
    # A category layer inside a filter is the intersection.
    assert health.id not in _ids(
        client.get(f"{view}&thematiques=mobilite&categorie=sante").get_json()
    )
    assert health.id in _ids(client.get(f"{view}&frais=gratuit").get_json())
    assert health.id not in _ids(client.get(f"{view}&frais=payant").get_json())


def test_a_territory_keeps_only_its_services(client, make_service):
    saint_denis = make_service(code_insee="93066")
    # Boulogne (92): placed in the view but in another département.
    boulogne = make_service(code_insee="92012", point=(2.36, 48.93))
    body = client.get(f"{API}?bbox={CITY}&zoom=14&territoire=departement:93").get_json()
    assert saint_denis.id in _ids(body)
    assert boulogne.id not in _ids(body)
    body = client.get(f"{API}?bbox={CITY}&zoom=14&territoire=commune:93066").get_json()
    assert _ids(body) >= {saint_denis.id}
    assert boulogne.id not in _ids(body)


def test_distances_from_a_reference_commune(client, make_service):
    service = make_service()
    body = client.get(f"{API}?bbox={CITY}&zoom=14&depuis=75056").get_json()
    feature = next(f for f in body["features"] if f["properties"]["id"] == service.id)
    # Saint-Denis is 8 to 10 km from the reference point of Paris.
    assert 6_000 < feature["properties"]["distance_m"] < 12_000


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("zoom=5", "bbox"),
        ("bbox=1,2,3&zoom=5", "bbox"),
        ("bbox=a,b,c,d&zoom=5", "bbox"),
        ("bbox=3,48,2,49&zoom=5", "bbox"),
        ("bbox=-200,48,2,49&zoom=5", "bbox"),
        ("bbox=2,48,3,nan&zoom=5", "bbox"),
        (f"bbox={CITY}", "zoom"),
        (f"bbox={CITY}&zoom=30", "zoom"),
        (f"bbox={CITY}&zoom=douze", "zoom"),
        (f"bbox={FRANCE}&zoom=14", "bbox"),
        (f"bbox={CITY}&zoom=12&territoire=93", "territoire"),
        (f"bbox={CITY}&zoom=12&territoire=departement:999", "territoire"),
        (f"bbox={CITY}&zoom=12&territoire=epci:123456789", "territoire"),
        (f"bbox={CITY}&zoom=12&thematiques=mobilty", "thematiques"),
        (f"bbox={CITY}&zoom=12&publics=martiens", "publics"),
        (f"bbox={CITY}&zoom=12&categorie=mobilite--preparer-un-permis", "categorie"),
        (f"bbox={CITY}&zoom=12&depuis=00000", "depuis"),
    ],
)
def test_bad_parameters_answer_400_with_the_field(client, query, field):
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field
    assert error["code"] == "parametre_invalide"
    assert field in error["message"]
    # Partner scripts can read the error too.
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_answers_match_the_openapi_description(app, client, make_service, max_points):
    import jsonschema_rs  # installed with schemathesis (dev dependencies)

    from dora.api.openapi import build_spec

    spec = build_spec()
    operation = spec["paths"][API]["get"]
    assert any(rule.rule == API for rule in app.url_map.iter_rules())

    def validator(ref: str):
        return jsonschema_rs.validator_for({"$ref": ref, "components": spec["components"]})

    ok = validator(
        operation["responses"]["200"]["content"]["application/geo+json"]["schema"]["$ref"]
    )
    error = validator("#/components/schemas/Error")
    for index in range(4):
        make_service(point=(2.35 + index * 0.01, 48.93))
    points = client.get(f"{API}?bbox={CITY}&zoom=14&depuis=93066").get_json()
    assert points["total"] == 4
    ok.validate(points)
    max_points(1)
    ok.validate(client.get(f"{API}?bbox={FRANCE}&zoom=5").get_json())
    ok.validate(client.get(f"{API}?bbox={CITY}&zoom=13&publics=jeunes").get_json())
    ok.validate(client.get(f"{API}?bbox={FRANCE}&zoom=6&territoire=departement:93").get_json())
    error.validate(client.get(f"{API}?bbox={CITY}").get_json())
    assert not ok.is_valid({"type": "FeatureCollection", "features": "?"})
    names = {p["name"] for p in operation["parameters"]}
    assert names == {
        "bbox",
        "zoom",
        "territoire",
        "categorie",
        "depuis",
        "thematiques",
        "publics",
        "frais",
        "modes_accueil",
        "types",
        "q",
        "offre",
    }
