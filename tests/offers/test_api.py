"""/api/v1/formations, /employeurs, /entreprises-accueillantes and the `offre` filter of
/api/v1/search, on the imported sample files."""

from __future__ import annotations

import pytest
from data_inclusion.schema import v1


def test_formations(client, imported):
    body = client.get("/api/v1/formations?departement=93").get_json()
    assert body["total"] == 1
    (training,) = body["items"]
    assert training["id"] == "lheo--A-2099-001-1"
    assert training["disponible"] is True
    assert training["prochaine_session"] == "2099-03-02"
    assert [s["identifiant_source"] for s in training["sessions"]] == ["S-2099-03", "S-2099-09"]
    assert training["organisme"]["siret"] == "12345678200002"
    assert training["certification"]["rs"] == "RS5080"
    assert training["source"] == "lheo" and training["identifiant_source"] == "A-2099-001-1"
    assert training["date_import"]
    # The Lyon training has no session to come: listed, not available; filtered out on demand.
    everything = client.get("/api/v1/formations").get_json()
    lyon = next(i for i in everything["items"] if i["id"] == "lheo--A-2099-002-1")
    assert lyon["disponible"] is False and lyon["sessions"] == []
    available = client.get("/api/v1/formations?disponibles=oui").get_json()
    assert [i["id"] for i in available["items"]] == ["lheo--A-2099-001-1"]
    by_commune = client.get("/api/v1/formations?code_commune=93066").get_json()
    assert by_commune["total"] == 1


def test_employeurs(client, imported):
    body = client.get("/api/v1/employeurs?departement=93").get_json()
    assert [e["id"] for e in body["items"]] == [
        "siae--33333333400006--geiq",
        "siae--55555555600003--aci",
    ]
    aci = body["items"][1]
    assert aci["type"] == "ACI" and "PASS IAE" in aci["eligibilite"]
    assert [p["nom"] for p in aci["postes"]] == ["Ouvrier maraîcher / Ouvrière maraîchère"]
    assert aci["postes"][0]["rome"] == "A1414"
    # A GEIQ that blocks applications: listed, no open position shown.
    assert body["items"][0]["postes"] == []
    paris = client.get("/api/v1/employeurs?code_commune=75056&type=ea").get_json()
    assert [e["id"] for e in paris["items"]] == ["siae--88888888000018--ea"]


def test_entreprises_accueillantes(client, imported):
    near = client.get(
        "/api/v1/entreprises-accueillantes?lat=48.9362&lon=2.3574&rayon_km=5&rome=D1106"
    ).get_json()
    assert [c["siret"] for c in near["items"]] == ["90909090400006"]
    assert near["items"][0]["distance_m"] < 200
    assert {m["appellation_code"] for m in near["items"][0]["metiers"]} == {
        "11573",
        "11574",
        "19714",
    }
    by_words = client.get("/api/v1/entreprises-accueillantes?metier=cuisine").get_json()
    assert [c["siret"] for c in by_words["items"]] == ["77777777200008"]
    assert client.get("/api/v1/entreprises-accueillantes?departement=75").get_json()["total"] == 1


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/formations?departement=999", "departement"),
        ("/api/v1/formations?code_commune=00000", "code_commune"),
        ("/api/v1/formations?disponibles=peut-etre", "disponibles"),
        ("/api/v1/formations?tri=nom", "tri"),
        ("/api/v1/employeurs?type=OPCS", "type"),
        ("/api/v1/employeurs?size=5000", "size"),
        ("/api/v1/entreprises-accueillantes?lat=48.9", "lon"),
        ("/api/v1/entreprises-accueillantes?rome=boulanger", "rome"),
        ("/api/v1/entreprises-accueillantes?rayon_km=0", "rayon_km"),
        ("/api/v1/search?offre=entreprises", "offre"),
        ("/api/v1/search?offre=tout", "offre"),
    ],
)
def test_errors_have_the_api_shape(client, url, field):
    response = client.get(url)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field
    assert error["message"]


def test_search_offre_filter(client, imported):
    def ids(offre: str | None) -> dict[str, str]:
        url = "/api/v1/search?commune=93066&size=100" + (f"&offre={offre}" if offre else "")
        return {i["id"]: i["type_offre"] for i in client.get(url).get_json()["items"]}

    formations = ids("formations")
    assert formations == {"lheo--A-2099-001-1": "formations"}
    employeurs = ids("employeurs")
    assert set(employeurs) == {"siae--55555555600003--aci--4101"}  # the GEIQ's is suspended
    services = ids("services")
    assert not set(services) & (set(formations) | set(employeurs))
    assert set(services.values()) <= {"services"}
    everything = ids(None)
    assert set(formations) | set(employeurs) <= set(everything)


def test_trainings_and_positions_are_exported_as_data_inclusion_services(client, imported):
    body = client.get("/api/v1/services?code_commune=93066&size=1000").get_json()
    exported = {item["id"]: item for item in body["items"]}
    for service_id in ("lheo--A-2099-001-1", "siae--55555555600003--aci--4101"):
        v1.Service(**exported[service_id])
