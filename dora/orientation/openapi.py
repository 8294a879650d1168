"""OpenAPI 3.1 description of /api/v1/orientations/statistiques (see dora.api.openapi)."""

from __future__ import annotations

from dora.orientation.stats import UNANSWERED_DAYS

_REF = "#/components/schemas/{}"

_FIGURES = {
    "type": "object",
    "description": "Chiffres d’un périmètre, sans aucune donnée personnelle.",
    "required": [
        "total",
        "acceptees",
        "refusees",
        "expirees",
        "en_attente",
        "taux_acceptation",
        "delai_median_premiere_reponse_heures",
        f"part_sans_reponse_{UNANSWERED_DAYS}_jours",
    ],
    "properties": {
        "total": {"type": "integer", "minimum": 0},
        "acceptees": {"type": "integer", "minimum": 0},
        "refusees": {"type": "integer", "minimum": 0},
        "expirees": {"type": "integer", "minimum": 0},
        "en_attente": {"type": "integer", "minimum": 0},
        "taux_acceptation": {
            "type": ["number", "null"],
            "description": "Acceptées parmi les orientations closes (acceptées, refusées, "
            "expirées).",
        },
        "delai_median_premiere_reponse_heures": {
            "type": ["number", "null"],
            "description": "Délai médian entre l’envoi et la première réponse de la structure "
            "(décision ou message).",
        },
        f"part_sans_reponse_{UNANSWERED_DAYS}_jours": {
            "type": ["number", "null"],
            "description": f"Parmi les orientations envoyées il y a au moins {UNANSWERED_DAYS} "
            f"jours, part de celles restées sans réponse pendant {UNANSWERED_DAYS} jours.",
        },
    },
}

SCHEMAS = {"OrientationChiffres": _FIGURES}

_ERROR = {"application/json": {"schema": {"$ref": _REF.format("Error")}}}


def _query(name: str, description: str, pattern: str | None = None) -> dict:
    schema: dict = {"type": "string", "maxLength": 200}
    if pattern:
        schema["pattern"] = pattern
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


PATHS = {
    "/api/v1/orientations/statistiques": {
        "get": {
            "summary": "Statistiques anonymes des orientations",
            "description": "Orientations reçues (par les services d’un périmètre) et envoyées "
            "(par les structures prescriptrices d’un périmètre) : nombres, taux d’acceptation, "
            "délai médian de première réponse, part sans réponse après "
            f"{UNANSWERED_DAYS} jours. Sans paramètre : la France et chaque département. Un "
            "seul périmètre à la fois.",
            "operationId": "statistiquesOrientations",
            "tags": ["orientations"],
            "parameters": [
                _query(
                    "departement", "Code de département (93, 2A, 974…).", r"^(\d{2}|2[ABab]|97\d)$"
                ),
                _query("structure_id", "Identifiant d’une structure."),
                _query("service_id", "Identifiant d’un service (orientations reçues)."),
            ],
            "responses": {
                "200": {
                    "description": "Les chiffres du périmètre.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["perimetre", "recues"],
                                "properties": {
                                    "perimetre": {
                                        "type": "object",
                                        "required": ["type"],
                                        "properties": {
                                            "type": {
                                                "type": "string",
                                                "enum": [
                                                    "france",
                                                    "departement",
                                                    "structure",
                                                    "service",
                                                ],
                                            },
                                            "code": {"type": "string"},
                                        },
                                    },
                                    "recues": {"$ref": _REF.format("OrientationChiffres")},
                                    "envoyees": {"$ref": _REF.format("OrientationChiffres")},
                                    "par_departement": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["code", "nom", "recues", "envoyees"],
                                            "properties": {
                                                "code": {"type": "string"},
                                                "nom": {"type": "string"},
                                                "recues": {
                                                    "$ref": _REF.format("OrientationChiffres")
                                                },
                                                "envoyees": {
                                                    "$ref": _REF.format("OrientationChiffres")
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "400": {"description": "Paramètre invalide.", "content": _ERROR},
                "404": {"description": "Périmètre inconnu.", "content": _ERROR},
            },
        }
    }
}
