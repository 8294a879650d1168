"""OpenAPI fragment: GET /api/v1/territoires (see dora.api.openapi and dora.publishing.api).

Written by the search feature when it added the OpenAPI mechanism, so that every /api/v1
route is described; the publishing feature owns it.
"""

from __future__ import annotations

from dora.publishing.api import MAX_QUERY_LENGTH, MAX_RESULTS

SCHEMAS = {
    "Territoire": {
        "type": "object",
        "required": ["code", "nom", "type", "libelle", "zone"],
        "properties": {
            "code": {"type": "string"},
            "nom": {"type": "string"},
            "type": {"type": "string"},
            "libelle": {"type": "string"},
            "zone": {
                "type": "array",
                "description": "Ce qui va dans `zone_eligibilite` quand ce territoire est choisi.",
                "items": {
                    "type": "object",
                    "required": ["code", "libelle"],
                    "properties": {"code": {"type": "string"}, "libelle": {"type": "string"}},
                },
            },
        },
    }
}

PATHS = {
    "/api/v1/territoires": {
        "get": {
            "operationId": "searchTerritoires",
            "summary": "Territoires (commune, intercommunalité, département, région, France) "
            "pour la zone d’éligibilité",
            "tags": ["Territoires"],
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_LENGTH},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS},
                },
            ],
            "responses": {
                "200": {
                    "description": "Les territoires trouvés.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["total", "items"],
                                "properties": {
                                    "total": {"type": "integer", "minimum": 0},
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Territoire"},
                                    },
                                },
                            }
                        }
                    },
                },
                "400": {"$ref": "#/components/responses/BadRequest"},
            },
        }
    }
}
