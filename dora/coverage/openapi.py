"""OpenAPI 3.1 description of /api/v1/couverture (see dora.api.openapi)."""

from __future__ import annotations

from data_inclusion.schema import v1

from dora import vocabulary
from dora.coverage.operations import DEFAULT_DISTANCE_KM, DISTANCES_KM

_REF = "#/components/schemas/{}"
_COUNT = {"type": "integer", "minimum": 0}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_UNIT_REF = {
    "type": ["object", "null"],
    "required": ["code", "nom", "population"],
    "properties": {"code": {"type": "string"}, "nom": {"type": "string"}, "population": _COUNT},
}

_FIGURES = {
    "type": "object",
    "description": "Couverture d’un besoin (thématique) dans un territoire, à une distance.",
    "required": [
        "thematique", "libelle", "population", "population_couverte",
        "part_population_couverte", "population_avec_service_a_distance", "communes",
        "communes_sans_offre", "services", "services_comptes",
        "services_pour_10000_habitants", "part_services_a_jour",
        "plus_grande_commune_non_couverte",
    ],
    "properties": {
        "thematique": {"type": ["string", "null"], "description": "null : toutes."},
        "libelle": {"type": "string"},
        "population": _COUNT,
        "population_couverte": {
            **_COUNT,
            "description": "Habitants des communes (arrondissements à Paris, Lyon, Marseille) "
            "ayant au moins un service éligible sur place à moins de la distance.",
        },
        "part_population_couverte": _SHARE,
        "population_avec_service_a_distance": {
            **_COUNT,
            "description": "Habitants pour qui un service à distance éligible existe (montré "
            "à part : il ne comble pas un manque de présence).",
        },
        "communes": _COUNT,
        "communes_sans_offre": {
            **_COUNT,
            "description": "Communes sans aucun service éligible sur place à moins de la "
            "distance.",
        },
        "services": _COUNT,
        "services_comptes": {
            "type": "string",
            "enum": ["situes", "accessibles"],
            "description": "« situes » : services sur place situés dans le territoire ; "
            "« accessibles » (communes) : services éligibles sur place à moins de la distance.",
        },
        "services_pour_10000_habitants": {"type": ["number", "null"], "minimum": 0},
        "part_services_a_jour": {
            "type": ["number", "null"],
            "minimum": 0,
            "maximum": 1,
            "description": "Part des services mis à jour dans les 12 derniers mois.",
        },
        "plus_grande_commune_non_couverte": _UNIT_REF,
    },
}  # fmt: skip

_UNIT = {
    "type": "object",
    "required": [
        "code", "nom", "population", "couverte", "services_sur_place_dans_la_distance",
        "distance_service_le_plus_proche_m", "services_a_distance", "longitude", "latitude",
    ],
    "properties": {
        "code": {"type": "string"},
        "nom": {"type": "string"},
        "population": _COUNT,
        "couverte": {"type": "boolean"},
        "services_sur_place_dans_la_distance": _COUNT,
        "distance_service_le_plus_proche_m": {
            "type": ["integer", "null"],
            "description": "null : aucun service éligible sur place à moins de 30 km.",
        },
        "services_a_distance": {
            **_COUNT,
            "description": "Services à distance éligibles (ceux ouverts à toute la France "
            "compris).",
        },
        "longitude": {"type": "number"},
        "latitude": {"type": "number"},
    },
}  # fmt: skip

SCHEMAS = {"CouvertureChiffres": _FIGURES, "CouvertureCommune": _UNIT}

_NEEDS = ["toutes", *sorted(vocabulary.CATEGORIES), *vocabulary.values(v1.Thematique)]

PATHS = {
    "/api/v1/couverture": {
        "get": {
            "operationId": "couverture",
            "summary": "Couverture de l’offre d’un territoire pour un besoin et une distance",
            "description": "Chiffres précalculés (voir « calcul.date ») : population couverte "
            "par au moins un service éligible sur place à moins de la distance, communes sans "
            "offre, services pour 10 000 habitants, fraîcheur ; les services à distance sont "
            "comptés à part.",
            "tags": ["Territoires"],
            "parameters": [
                {
                    "name": "territoire",
                    "in": "query",
                    "required": True,
                    "description": "`france:FR`, `region:84`, `departement:15`, "
                    "`epci:200066660` ou `commune:15014`.",
                    "schema": {"type": "string", "maxLength": 40},
                },
                {
                    "name": "thematique",
                    "in": "query",
                    "required": False,
                    "description": "Une catégorie (toutes ses sous-thématiques), une "
                    "sous-thématique, ou `toutes` (par défaut).",
                    "schema": {"type": "string", "enum": _NEEDS},
                },
                {
                    "name": "distance_km",
                    "in": "query",
                    "required": False,
                    "schema": {
                        "type": "integer",
                        "enum": list(DISTANCES_KM),
                        "default": DEFAULT_DISTANCE_KM,
                    },
                },
            ],
            "responses": {
                "200": {
                    "description": "La couverture.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": [
                                    "territoire", "thematique", "distance_km", "calcul",
                                    "chiffres", "thematiques", "thematiques_sans_offre",
                                    "communes_non_couvertes",
                                ],
                                "properties": {
                                    "territoire": {
                                        "type": "object",
                                        "required": ["niveau", "code", "nom", "population",
                                                     "page"],
                                        "properties": {
                                            "niveau": {"type": "string", "enum": [
                                                "france", "region", "departement", "epci",
                                                "commune"]},
                                            "code": {"type": "string"},
                                            "nom": {"type": "string"},
                                            "population": _COUNT,
                                            "page": {"type": "string", "format": "uri"},
                                        },
                                    },
                                    "thematique": {"type": ["string", "null"]},
                                    "distance_km": {"type": "integer", "enum": list(DISTANCES_KM)},
                                    "calcul": {
                                        "type": ["object", "null"],
                                        "description": "null : jamais calculée.",
                                        "required": ["date", "avertissements"],
                                        "properties": {
                                            "date": {"type": "string", "format": "date-time"},
                                            "avertissements": {
                                                "type": "array", "items": {"type": "string"}},
                                        },
                                    },
                                    "chiffres": {"oneOf": [
                                        {"$ref": _REF.format("CouvertureChiffres")},
                                        {"type": "null"}]},
                                    "thematiques": {
                                        "type": "array",
                                        "items": {"$ref": _REF.format("CouvertureChiffres")},
                                    },
                                    "thematiques_sans_offre": {
                                        "type": "array", "items": {"type": "string"}},
                                    "communes_non_couvertes": {
                                        "type": "array",
                                        "description": "Communes sans service éligible sur "
                                        "place à moins de la distance, les plus peuplées "
                                        "d’abord (au plus 50) ; pour la France et une région, "
                                        "la plus grande de chaque département.",
                                        "items": {"$ref": _REF.format("CouvertureCommune")},
                                    },
                                },
                            }
                        }
                    },
                },
                "400": {"$ref": "#/components/responses/BadRequest"},
                "404": {"$ref": "#/components/responses/NotFound"},
            },
        }
    }
}  # fmt: skip
