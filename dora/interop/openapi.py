"""OpenAPI fragment: the catalogue API, /api/v1/services and /api/v1/structures (see
dora.api.openapi and dora.interop.api)."""

from __future__ import annotations

from dora.api.openapi import REF, page_parameters, thematiques_parameter
from dora.interop.api import DEFAULT_SIZE, MAX_SIZE

FILTERS = [
    {
        "name": "departement",
        "in": "query",
        "description": "Code du département du lieu du service ou de la structure.",
        "schema": {"type": "string"},
        "example": "93",
    },
    {
        "name": "code_commune",
        "in": "query",
        "description": "Code INSEE de la commune (ses arrondissements compris).",
        "schema": {"type": "string"},
        "example": "93066",
    },
    thematiques_parameter(),
    {
        "name": "date_maj_min",
        "in": "query",
        "description": "Mis à jour depuis cette date (AAAA-MM-JJ).",
        "schema": {"type": "string", "format": "date"},
    },
]


def _page_of(model: str) -> dict:
    return {
        "type": "object",
        "required": ["total", "page", "size", "items"],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 1},
            "items": {"type": "array", "items": {"$ref": REF.format(model=model)}},
        },
    }


SCHEMAS = {"ServicePage": _page_of("Service"), "StructurePage": _page_of("Structure")}


def _listing(operation: str, summary: str, page_schema: str) -> dict:
    return {
        "get": {
            "operationId": operation,
            "summary": summary,
            "description": (
                "Ce que le public voit (publié, non suspendu, structure validée), trié par "
                "identifiant : les pages sont stables. Un paramètre inconnu est refusé."
            ),
            "tags": ["Catalogue"],
            "parameters": [
                *page_parameters(default_size=DEFAULT_SIZE, max_size=MAX_SIZE),
                *FILTERS,
            ],
            "responses": {
                "200": {
                    "description": "Une page, au format data·inclusion v1.",
                    "content": {
                        "application/json": {"schema": {"$ref": REF.format(model=page_schema)}}
                    },
                },
                "400": {"$ref": "#/components/responses/BadRequest"},
            },
        }
    }


PATHS = {
    "/api/v1/services": _listing("listServices", "Les services publiés", "ServicePage"),
    "/api/v1/structures": _listing("listStructures", "Les structures", "StructurePage"),
}
