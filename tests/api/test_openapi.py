"""/api/v1/openapi.json describes every /api/v1 route, and the API answers as it says.

The schemathesis run is bounded (a few dozen generated requests per operation, derandomised
so that the suite is reproducible) and checks: no 5xx, status codes, content types and
response bodies as described.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

FLASK_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def described_operations(spec: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_api_route_is_described_and_nothing_else(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    routes = {
        (method, FLASK_PARAMETER.sub(r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = described_operations(spec)
    assert routes - described == set(), "routes missing from the OpenAPI description"
    assert described - routes == set(), "described operations that do not exist"


def test_the_description_names_parameters_and_responses(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    search = spec["paths"]["/api/v1/search"]["get"]
    names = {parameter["name"] for parameter in search["parameters"]}
    assert {"commune", "lat", "lon", "q", "thematiques", "publics", "frais", "modes_accueil",
            "types", "rayon_km", "page", "size"} <= names  # fmt: skip
    assert set(search["responses"]) >= {"200", "400"}
    item = spec["components"]["schemas"]["SearchItem"]
    assert item["allOf"][0] == {"$ref": "#/components/schemas/Service"}
    # The data·inclusion records come from the schema package, vocabularies included.
    thematique = spec["components"]["schemas"]["Thematique"]
    assert "mobilite--preparer-un-permis" in thematique["enum"]
    for path, item in spec["paths"].items():
        for operation in item.values():
            assert operation.get("summary"), path
            assert "200" in operation["responses"], path


@pytest.fixture
def seeded(db_session, make_structure, make_service):
    """A few services, so that answers have items to check against the schemas."""
    structure = make_structure(nom="Garage solidaire du 93")
    make_service(structure=structure, nom="Garage solidaire", frais="gratuit", type="atelier")
    make_service(
        structure=structure,
        nom="Conseil à distance",
        modes_accueil=["a-distance"],
        zone_eligibilite=None,
        point=None,
    )


EXAMPLES_PER_OPERATION = 30
# A request the description allows can still be refused with 400 for reasons OpenAPI cannot
# state: an INSEE code that has the right shape but names no commune, `lat` without `lon`,
# a page beyond the 10,000-result window. Those answers are checked (shape, status declared)
# but not reported as "valid data rejected".
EXCLUDED_CHECKS = [schemathesis.checks.positive_data_acceptance]


def test_api_answers_as_described(app, seeded):
    """schemathesis over the live description: valid and invalid inputs for every operation.

    (Driven by hand rather than with schemathesis' pytest plugin, whose fixture loader does
    not run under pytest 9.)"""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # schemathesis leaves out the operation serving the description itself.
    assert {op.label for op in operations} == {
        f"{method} {path}"
        for method, path in described_operations(schema.raw_schema)
        if path != "/api/v1/openapi.json"
    }
    tried: dict[str, int] = {}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case) -> None:
                tried[case.operation.label] = tried.get(case.operation.label, 0) + 1
                case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)

            try:
                check()
            except Unsatisfiable:
                # Nothing invalid can be written for some operations (a free-form path
                # parameter): only their valid inputs are tried.
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert all(count > 0 for count in tried.values()) and len(tried) == len(operations)
