"""OpenAPI fragment: the communes API (see dora.api.openapi and dora.territories.views)."""

from __future__ import annotations

from dora.api.openapi import REF
from dora.territories.views import MAX_QUERY_LENGTH, MAX_RESULTS

SCHEMAS = {
    "Commune": {
        "type": "object",
        "required": [
            "code", "nom", "departement", "region", "epci", "codes_postaux", "population",
            "longitude", "latitude", "precision",
        ],
        "properties": {
            "code": {"type": "string", "description": "Code INSEE."},
            "nom": {"type": "string"},
            "departement": {"type": "string"},
            "region": {"type": "string"},
            "epci": {"type": ["string", "null"], "description": "SIREN de l’intercommunalité."},
            "codes_postaux": {"type": "array", "items": {"type": "string"}},
            "population": {"type": "integer", "minimum": 0},
            "longitude": {"type": "number"},
            "latitude": {"type": "number"},
            "precision": {
                "type": "string",
                "description": "Précision du point : commune, code-postal, epci, departement.",
            },
        },
    },
    "CommuneSuggestion": {
        "allOf": [
            {"$ref": REF.format(model="Commune")},
            {
                "type": "object",
                "required": ["label"],
                "properties": {
                    "label": {
                        "type": "string",
                        "description": "Libellé qui distingue les homonymes de la liste : "
                        "« Saint-Denis (93) », « Saint-Denis (974) » (avec le code postal "
                        "si le département ne suffit pas) ; un formulaire envoyé avec ce "
                        "libellé désigne cette commune.",
                    }
                },
            },
        ]
    },
}  # fmt: skip

PATHS = {
    "/api/v1/communes": {
        "get": {
            "operationId": "searchCommunes",
            "summary": "Communes par nom ou par code postal (autocomplétion)",
            "tags": ["Territoires"],
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "description": "Début d’un nom de commune, ou d’un code postal.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_LENGTH},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_RESULTS,
                        "default": MAX_RESULTS,
                    },
                },
            ],
            "responses": {
                "200": {
                    "description": "Les communes, les plus probables d’abord.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["total", "items"],
                                "properties": {
                                    "total": {"type": "integer", "minimum": 0},
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": REF.format(model="CommuneSuggestion")},
                                    },
                                },
                            }
                        }
                    },
                },
                "400": {"$ref": "#/components/responses/BadRequest"},
            },
        }
    },
    "/api/v1/communes/{code}": {
        "get": {
            "operationId": "getCommune",
            "summary": "Une commune par code INSEE (un arrondissement donne sa commune)",
            "tags": ["Territoires"],
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "La commune.",
                    "content": {
                        "application/json": {"schema": {"$ref": REF.format(model="Commune")}}
                    },
                },
                "404": {"$ref": "#/components/responses/NotFound"},
            },
        }
    },
}
