"""OpenAPI 3.1 description of the publishing feature's API route, for /api/v1/openapi.json.

`PATHS` is an OpenAPI `paths` object whose keys are full paths; the API document assembles
the PATHS of every feature. Schemas are inline so that the object stands on its own.
"""

from __future__ import annotations

# The one error shape of the API (dora.api.errors).
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
            },
        }
    },
}

_ZONE_ENTRY = {
    "type": "object",
    "required": ["code", "libelle"],
    "properties": {
        "code": {"type": "string", "description": "Code à mettre dans zone_eligibilite."},
        "libelle": {"type": "string"},
    },
}

TERRITOIRE = {
    "type": "object",
    "required": ["code", "nom", "type", "libelle", "zone"],
    "properties": {
        "code": {"type": "string", "examples": ["93", "200054781", "93066", "france"]},
        "nom": {"type": "string"},
        "type": {"type": "string", "enum": ["pays", "region", "departement", "epci", "commune"]},
        "libelle": {"type": "string", "description": "Ce que le sélecteur affiche."},
        "zone": {
            "type": "array",
            "items": _ZONE_ENTRY,
            "description": "Codes à ajouter à zone_eligibilite quand ce territoire est choisi "
            "(une région vaut la liste de ses départements : le schéma data·inclusion n’a pas "
            "de code région).",
        },
    },
}

PATHS: dict = {
    "/api/v1/territoires": {
        "get": {
            "summary": "Territoires pour la zone d’éligibilité d’un service",
            "description": "Par nom (accents, casse et tirets indifférents, une faute tolérée) "
            "ou par code : commune (INSEE), intercommunalité (SIREN), département, région, "
            "« france ». Noms exacts d’abord, puis les territoires les plus grands.",
            "operationId": "rechercherTerritoires",
            "tags": ["territoires"],
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                    "description": "Nom ou code du territoire.",
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 20, "default": 20},
                },
            ],
            "responses": {
                "200": {
                    "description": "Territoires trouvés, les meilleurs d’abord.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["total", "items"],
                                "properties": {
                                    "total": {"type": "integer", "minimum": 0},
                                    "items": {"type": "array", "items": TERRITOIRE},
                                },
                            }
                        }
                    },
                },
                "400": {
                    "description": "Paramètre invalide.",
                    "content": {"application/json": {"schema": _ERROR}},
                },
            },
        }
    }
}
