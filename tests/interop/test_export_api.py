"""The export API /api/v1/services and /api/v1/structures (data·inclusion v1 records)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from data_inclusion.schema import v1

from dora.interop.fields import spec_of
from dora.interop.operations import import_files
from tests.interop.samples import (
    full_service,
    full_structure,
    minimal_service,
    minimal_structure,
    write_csv,
    write_json,
    write_jsonl,
)


def _items(client, path: str, **params) -> list[dict]:
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def _varied_services(make_structure, make_service):
    """Services made on dora, the way the catalogue's own pages make them."""
    structure = make_structure(
        nom="Maison de l’emploi",
        siret="13003013300016",
        courriel="contact@mde.example.org",
        site_web="https://mde.example.org",
        reseaux_porteurs=["maisons-de-l-emploi"],
        code_insee="93066",
    )
    full = make_service(
        structure=structure,
        id="api--full",
        type="atelier",
        thematiques=["preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"],
        frais="gratuit",
        frais_precisions="Aucun frais",
        publics=["jeunes", "femmes"],
        publics_precisions="16-25 ans",
        conditions_acces="Aucune",
        adresse="1 place du Marché",
        complement_adresse="2e étage",
        telephone="+33123456789",
        courriel="atelier@mde.example.org",
        modes_accueil=["en-presentiel", "a-distance"],
        zone_eligibilite=["93066", "200054781"],
        contact_nom_prenom="Camille Martin",
        lien_mobilisation="https://mde.example.org/inscription",
        lien_source="https://mde.example.org/services/cv",
        modes_mobilisation=["envoyer-un-courriel"],
        mobilisable_par=["usagers"],
        mobilisation_precisions="Inscription en ligne",
        volume_horaire_hebdomadaire=3.0,
        nombre_semaines=2,
        horaires_accueil="Tu,Th 14:00-17:00",
    )
    minimal = make_service(
        structure=structure,
        id="api--minimal",
        point=None,
        thematiques=None,
        publics=None,
        modes_accueil=None,
        zone_eligibilite=None,
        code_insee=None,
        commune=None,
        code_postal=None,
    )
    remote = make_service(
        structure=structure,
        id="api--remote",
        point=None,
        modes_accueil=["a-distance"],
        zone_eligibilite=["france"],
        code_insee=None,
    )
    # Empty lists where the schema wants at least one value when present: exported as null.
    empty_lists = make_service(
        structure=structure,
        id="api--empty-lists",
        thematiques=[],
        publics=[],
        modes_accueil=[],
        zone_eligibilite=[],
        modes_mobilisation=[],
        mobilisable_par=[],
    )
    return full, minimal, remote, empty_lists


def test_every_exported_service_validates_with_the_schema(client, make_structure, make_service):
    _varied_services(make_structure, make_service)
    items = _items(client, "/api/v1/services", size=1000)
    assert {item["id"] for item in items} == {
        "api--full",
        "api--minimal",
        "api--remote",
        "api--empty-lists",
    }
    for item in items:
        assert set(item) == set(v1.Service.model_fields)
        v1.Service.model_validate(item, context={"ignore_warnings": False})
    by_id = {item["id"]: item for item in items}
    assert by_id["api--empty-lists"]["thematiques"] == []  # allowed empty: kept
    assert by_id["api--empty-lists"]["publics"] is None
    assert by_id["api--empty-lists"]["zone_eligibilite"] is None
    assert by_id["api--minimal"]["thematiques"] is None
    assert by_id["api--remote"]["longitude"] is None


def test_every_exported_structure_validates_with_the_schema(client, make_structure, make_service):
    _varied_services(make_structure, make_service)
    make_structure(id="api--bare", nom="Structure sans détails")
    items = _items(client, "/api/v1/structures", size=1000)
    assert len(items) == 2
    for item in items:
        assert set(item) == set(v1.Structure.model_fields)
        v1.Structure.model_validate(item, context={"ignore_warnings": False})


def test_only_what_the_public_sees_is_exported(client, make_structure, make_service):
    visible = make_service(id="api--visible")
    make_service(id="api--draft", statut="brouillon")
    make_service(id="api--archived", statut="archive")
    make_service(id="api--suspended", suspendu_du=date.today() - timedelta(days=1))
    pending = make_structure(id="api--pending", moderation="en-attente")
    make_service(id="api--pending-structure", structure=pending)
    make_structure(id="api--refused", moderation="refusee")

    services = _items(client, "/api/v1/services")
    assert [item["id"] for item in services] == ["api--visible"]
    structures = {item["id"] for item in _items(client, "/api/v1/structures")}
    assert visible.structure_id in structures
    assert not {"api--pending", "api--refused"} & structures


@pytest.mark.parametrize("file_format", ["json", "jsonl", "csv"])
def test_import_then_export_keeps_every_field(client, db_session, tmp_path, file_format):
    structures = [full_structure(1), minimal_structure(1)]
    services = [
        full_service(1),
        minimal_service(1),
        full_service(2, publics=["tous-publics"], modes_accueil=["a-distance"]),
    ]
    if file_format != "csv":
        # An empty list and a null differ in JSON; a CSV cell cannot tell them apart.
        services.append(full_service(3, thematiques=[], modes_accueil=[]))
    write = {
        "json": write_json,
        "jsonl": write_jsonl,
        "csv": lambda path, records: write_csv(path, records, path.stem),
    }[file_format]
    report = import_files(
        db_session.connection(),
        structures=write(tmp_path / f"structures.{file_format}", structures),
        services=write(tmp_path / f"services.{file_format}", services),
    )
    assert report.rejections == [] and report.warnings == []

    exported = {item["id"]: item for item in _items(client, "/api/v1/services", size=1000)}
    for record in services:
        _assert_same_record(record, exported[record["id"]], "services")
    exported = {item["id"]: item for item in _items(client, "/api/v1/structures", size=1000)}
    for record in structures:
        _assert_same_record(record, exported[record["id"]], "structures")


def _assert_same_record(sent: dict, received: dict, kind: str) -> None:
    spec = spec_of(kind)  # type: ignore[arg-type]
    assert set(received) == set(spec.names)
    for name in spec.names:
        expected = sent.get(name)
        if name in spec.sets and expected is not None:
            expected = sorted(expected)  # sets in the schema: exported sorted
        assert received[name] == expected, (sent["id"], name)


def test_pages_are_stable_and_total_is_right(client, make_structure, make_service):
    structure = make_structure()
    ids = sorted(make_service(structure=structure, id=f"api--page-{n:02d}").id for n in range(23))
    seen: list[str] = []
    for page in (1, 2, 3):
        body = client.get("/api/v1/services", query_string={"size": 10, "page": page}).get_json()
        assert (body["total"], body["page"], body["size"]) == (23, page, 10)
        seen.extend(item["id"] for item in body["items"])
    assert seen == ids
    beyond = client.get("/api/v1/services", query_string={"size": 10, "page": 4}).get_json()
    assert beyond["items"] == [] and beyond["total"] == 23


def test_filters(client, make_structure, make_service):
    structure = make_structure(code_insee="75056")
    make_service(id="api--paris-10", structure=structure, code_insee="75110")
    make_service(
        id="api--ajaccio",
        code_insee="2A004",
        thematiques=["famille--garde-denfants"],
        date_maj=date(2022, 1, 10),
    )
    make_service(id="api--saint-denis", code_insee="93066")
    make_service(id="api--pierrefitte-old-code", code_insee="93059")

    def ids(**params) -> list[str]:
        return [item["id"] for item in _items(client, "/api/v1/services", **params)]

    assert ids(departement="75") == ["api--paris-10"]
    assert ids(departement="2a") == ["api--ajaccio"]
    assert ids(departement="93") == ["api--pierrefitte-old-code", "api--saint-denis"]
    assert ids(code_commune="75056") == ["api--paris-10"]  # arrondissements belong to Paris
    assert ids(code_commune="75110") == ["api--paris-10"]
    assert ids(code_commune="93066") == ["api--pierrefitte-old-code", "api--saint-denis"]
    assert ids(thematiques="famille") == ["api--ajaccio"]  # a category: all its sub-thèmes
    assert ids(thematiques="famille--garde-denfants,sante--addictions") == ["api--ajaccio"]
    assert "api--ajaccio" not in ids(date_maj_min="2023-01-01")
    assert ids(date_maj_min="2023-01-01", departement="75") == ["api--paris-10"]
    structures = [item["id"] for item in _items(client, "/api/v1/structures", departement="75")]
    assert structures == [structure.id]
    offering = _items(client, "/api/v1/structures", thematiques="famille")
    assert len(offering) == 1 and offering[0]["id"] != structure.id


@pytest.mark.parametrize("path", ["/api/v1/services", "/api/v1/structures"])
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"departement": "999"}, "departement"),
        ({"code_commune": "99999"}, "code_commune"),
        ({"thematiques": "mobilite,nimportequoi"}, "thematiques"),
        ({"date_maj_min": "01/02/2024"}, "date_maj_min"),
        ({"size": "1001"}, "size"),
        ({"size": "0"}, "size"),
        ({"page": "0"}, "page"),
        ({"page": "deux"}, "page"),
        ({"thematique": "mobilite"}, "thematique"),
    ],
)
def test_bad_parameters_answer_400_with_the_error_shape(client, path, params, field):
    response = client.get(path, query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "parametre_invalide"
    assert error["field"] == field
    assert error["message"]


def test_no_query_per_record(client, count_queries, make_structure, make_service):
    structure = make_structure()
    for n in range(3):
        make_service(structure=structure, id=f"api--q-{n}")
    with count_queries as few:
        client.get("/api/v1/services", query_string={"size": 2})
        client.get("/api/v1/structures", query_string={"size": 2})
    for n in range(3, 40):
        make_service(structure=structure, id=f"api--q-{n}")
    with count_queries as many:
        client.get("/api/v1/services", query_string={"size": 30})
        client.get("/api/v1/structures", query_string={"size": 30})
    assert many.count == few.count
    assert few.count <= 4  # a page and a total for each list
