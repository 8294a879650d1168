"""The OpenAPI 3.1 description of /api/v1, assembled from the features' fragments.

Each feature that serves /api/v1 routes provides `dora/<feature>/openapi.py` with:

    PATHS: dict[str, dict]     # OpenAPI path items, keyed by path ("/api/v1/search")
    SCHEMAS: dict[str, dict]   # added to components.schemas (names must not clash)

and is found like the rest of a feature (dora.features.modules("openapi")). Fragments may
reference what is common to the whole API, defined here:

- `#/components/schemas/Error` (the one error shape) and the responses
  `#/components/responses/BadRequest` / `NotFound`;
- the data·inclusion v1 records, generated from the `data_inclusion.schema.v1` pydantic
  models: `#/components/schemas/Service`, `Structure` and their vocabularies (`Thematique`,
  `Public`, `Frais`, `ModeAccueil`, `TypeService`…);
- `thematiques_parameter()` etc. below, for parameters that several routes share.

Across the API an empty query value counts as absent (HTML forms send `?commune=&q=…`): the
assembly marks every optional query parameter `allowEmptyValue`, and vocabulary lists accept
empty items.

`GET /api/v1/openapi.json` serves the result; tests/api/test_openapi.py checks that every
/api/v1 route is described and runs schemathesis over it.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from data_inclusion.schema import v1
from flask import Blueprint, current_app, jsonify
from pydantic.json_schema import models_json_schema

from dora import features, vocabulary

OPENAPI_VERSION = "3.1.0"
REF = "#/components/schemas/{model}"

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")


def error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "La forme de toutes les erreurs de l’API.",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "field"],
                "properties": {
                    "code": {"type": "string", "examples": ["parametre_invalide", "introuvable"]},
                    "message": {"type": "string", "description": "En français."},
                    "field": {
                        "type": ["string", "null"],
                        "description": "Le paramètre en cause, s’il y en a un.",
                    },
                },
            }
        },
    }


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
    }


@cache
def data_inclusion_schemas() -> dict[str, Any]:
    """Service, Structure and their vocabularies, from the data·inclusion pydantic models."""
    _, schema = models_json_schema(
        [(v1.Service, "serialization"), (v1.Structure, "serialization")], ref_template=REF
    )
    return schema["$defs"]


# Parameters shared by several routes ---------------------------------------------------------


def list_parameter(name: str, values: list[str], description: str) -> dict[str, Any]:
    """A vocabulary filter: repeatable (`?x=a&x=b`); `?x=a,b` is accepted too."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description + " Répétable, ou valeurs séparées par des virgules.",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string", "enum": [*values, ""]}},
    }


def thematiques_parameter() -> dict[str, Any]:
    values = sorted(vocabulary.CATEGORIES) + vocabulary.values(v1.Thematique)
    return list_parameter(
        "thematiques",
        values,
        "Thématiques ; une catégorie (`mobilite`) vaut toutes ses sous-thématiques.",
    )


def integer_parameter(
    name: str, description: str, *, minimum: int, maximum: int, default: int | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if default is not None:
        schema["default"] = default
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def page_parameters(*, default_size: int, max_size: int) -> list[dict[str, Any]]:
    return [
        integer_parameter(
            "page", "Numéro de page, à partir de 1.", minimum=1, maximum=100_000, default=1
        ),
        integer_parameter(
            "size",
            f"Résultats par page (au plus {max_size}).",
            minimum=1,
            maximum=max_size,
            default=default_size,
        ),
    ]


# Assembly ------------------------------------------------------------------------------------


def _own_paths() -> dict[str, Any]:
    return {
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "Cette description de l’API (OpenAPI 3.1)",
                "tags": ["API"],
                "responses": {
                    "200": {
                        "description": "Le document OpenAPI.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
    }


def build_spec() -> dict[str, Any]:
    """The whole description: common components plus every feature's fragment."""
    schemas: dict[str, Any] = {"Error": error_schema(), **copy.deepcopy(data_inclusion_schemas())}
    paths: dict[str, Any] = copy.deepcopy(_own_paths())
    for module in features.modules("openapi"):
        if module.__name__ == __name__ or not hasattr(module, "PATHS"):
            continue
        for name, schema in getattr(module, "SCHEMAS", {}).items():
            if name in schemas:
                raise ValueError(f"OpenAPI schema {name!r} defined twice ({module.__name__})")
            schemas[name] = schema
        for path, item in module.PATHS.items():
            if path in paths:
                raise ValueError(f"OpenAPI path {path!r} defined twice ({module.__name__})")
            paths[path] = copy.deepcopy(item)
    for item in paths.values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter.setdefault("allowEmptyValue", True)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "API ouverte de dora",
            "version": "1",
            "description": (
                "L’offre territoriale des services d’insertion, au format data·inclusion v1 : "
                "communes, structures, services, recherche et cartes. Lecture seule, sans "
                'authentification. Erreurs : toujours `{"error": {"code", "message", '
                '"field"}}`, avec un message en français.'
            ),
            "license": {
                "name": "Licence Ouverte 2.0",
                "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            },
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "responses": {
                "BadRequest": _error_response("Paramètre invalide (le champ `field` le nomme)."),
                "NotFound": _error_response("Ressource introuvable."),
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    spec = current_app.extensions.get("dora_openapi")
    if spec is None:
        spec = current_app.extensions["dora_openapi"] = build_spec()
    return jsonify(spec)
