"""OpenAPI fragment: /api/v1/formations, /api/v1/employeurs, /api/v1/entreprises-accueillantes
(see dora.offers.api)."""

from __future__ import annotations

from dora.api.openapi import REF, page_parameters
from dora.offers.api import DEFAULT_SIZE, MAX_SIZE
from dora.offers.siae.importer import KINDS

PAGES = page_parameters(default_size=DEFAULT_SIZE, max_size=MAX_SIZE)
DEPARTEMENT = {
    "name": "departement",
    "in": "query",
    "description": "Code du département.",
    "schema": {"type": "string", "maxLength": 3},
    "example": "93",
}
CODE_COMMUNE = {
    "name": "code_commune",
    "in": "query",
    "description": "Code INSEE de la commune (ses arrondissements compris).",
    "schema": {"type": "string"},
    "example": "93066",
}
NULLABLE_TEXT = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
ORIGIN = {
    "source": {"type": "string", "description": "Source des données."},
    "date_maj": {**NULLABLE_DATE, "description": "Date de mise à jour à la source."},
    "date_import": {"type": "string", "format": "date-time", "description": "Date d’import."},
}


def _page(model: str) -> dict:
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


SCHEMAS = {
    "Formation": {
        "type": "object",
        "description": "Une action de formation (catalogue LHEO) et ses sessions à venir. "
        "Elle est aussi un service (`id`) de /api/v1/services.",
        "required": [
            "id",
            "nom",
            "disponible",
            "sessions",
            "organisme",
            "source",
            "identifiant_source",
            "date_import",
        ],
        "properties": {
            "id": {"type": "string"},
            "nom": {"type": "string"},
            "disponible": {
                "type": "boolean",
                "description": "Une session au moins peut encore être rejointe.",
            },
            "prochaine_session": NULLABLE_DATE,
            "sessions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["identifiant_source", "debut", "fin"],
                    "properties": {
                        "identifiant_source": {"type": "string"},
                        "debut": DATE,
                        "fin": DATE,
                        "inscription_debut": NULLABLE_DATE,
                        "inscription_fin": NULLABLE_DATE,
                        "etat_recrutement": {
                            "type": ["integer", "null"],
                            "description": "LHEO : 1 ouvert, 2 fermé, 3 suspendu.",
                        },
                    },
                },
            },
            "organisme": {
                "type": "object",
                "required": ["id", "nom", "siret"],
                "properties": {
                    "id": {"type": "string"},
                    "nom": {"type": "string"},
                    "siret": NULLABLE_TEXT,
                },
            },
            "lieu": {"type": "object"},
            "thematiques": {"type": "array", "items": {"type": "string"}},
            "publics": {"type": "array", "items": {"type": "string"}},
            "certification": {"type": "object"},
            "certifiante": {"type": "boolean"},
            "financeurs": {"type": "array", "items": {"type": "string"}},
            "prix_total_ttc": NULLABLE_TEXT,
            "identifiant_source": {"type": "string", "description": "Numéro LHEO de l’action."},
            **ORIGIN,
        },
    },
    "Employeur": {
        "type": "object",
        "description": "Un employeur inclusif (SIAE, GEIQ, entreprise adaptée) et ses postes "
        "ouverts ; chaque poste est aussi un service de /api/v1/services.",
        "required": [
            "id",
            "nom",
            "siret",
            "type",
            "eligibilite",
            "postes",
            "source",
            "identifiant_source",
            "date_import",
        ],
        "properties": {
            "id": {"type": "string"},
            "nom": {"type": "string"},
            "siret": NULLABLE_TEXT,
            "type": {"type": "string", "enum": list(KINDS)},
            "type_libelle": {"type": "string"},
            "eligibilite": {
                "type": "string",
                "description": "Règle d’embauche (PASS IAE et prescripteur habilité, RQTH…).",
            },
            "adresse": NULLABLE_TEXT,
            "code_postal": NULLABLE_TEXT,
            "commune": NULLABLE_TEXT,
            "code_insee": NULLABLE_TEXT,
            "longitude": {"type": ["number", "null"]},
            "latitude": {"type": ["number", "null"]},
            "postes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "nom"],
                    "properties": {
                        "id": {"type": "string"},
                        "nom": {"type": "string"},
                        "rome": NULLABLE_TEXT,
                        "identifiant_source": NULLABLE_TEXT,
                        "date_maj": NULLABLE_DATE,
                        "conditions_acces": NULLABLE_TEXT,
                    },
                },
            },
            "identifiant_source": {"type": "string", "description": "SIRET/type."},
            **ORIGIN,
        },
    },
    "EntrepriseAccueillante": {
        "type": "object",
        "description": "Une entreprise qui accueille des immersions (PMSMP, Immersion Facile), "
        "avec les métiers proposés. Ce n’est pas un service.",
        "required": ["siret", "nom", "metiers", "volontaire", "source", "date_import"],
        "properties": {
            "siret": {"type": "string"},
            "nom": {"type": "string"},
            "enseigne": NULLABLE_TEXT,
            "naf": NULLABLE_TEXT,
            "naf_libelle": NULLABLE_TEXT,
            "adresse": NULLABLE_TEXT,
            "code_postal": NULLABLE_TEXT,
            "commune": NULLABLE_TEXT,
            "code_insee": NULLABLE_TEXT,
            "departement": NULLABLE_TEXT,
            "longitude": {"type": "number"},
            "latitude": {"type": "number"},
            "distance_m": {"type": ["integer", "null"], "minimum": 0},
            "volontaire": {"type": "boolean"},
            "accueil_handicap": {"type": ["boolean", "null"]},
            "mode_contact": {
                "type": ["string", "null"],
                "enum": ["EMAIL", "PHONE", "IN_PERSON", None],
            },
            "site_web": NULLABLE_TEXT,
            "metiers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["appellation_code", "appellation_libelle", "rome_code"],
                    "properties": {
                        "appellation_code": {"type": "string"},
                        "appellation_libelle": {"type": "string"},
                        "rome_code": {"type": "string"},
                        "rome_libelle": {"type": "string"},
                    },
                },
            },
            **ORIGIN,
        },
    },
    "FormationPage": _page("Formation"),
    "EmployeurPage": _page("Employeur"),
    "EntrepriseAccueillantePage": _page("EntrepriseAccueillante"),
}


def _get(operation: str, summary: str, description: str, parameters: list, page: str) -> dict:
    return {
        "get": {
            "operationId": operation,
            "summary": summary,
            "description": description + " Un paramètre inconnu est refusé.",
            "tags": ["Offres"],
            "parameters": [*parameters, *PAGES],
            "responses": {
                "200": {
                    "description": "Une page.",
                    "content": {"application/json": {"schema": {"$ref": REF.format(model=page)}}},
                },
                "400": {"$ref": "#/components/responses/BadRequest"},
            },
        }
    }


PATHS = {
    "/api/v1/formations": _get(
        "listFormations",
        "Formations (catalogues LHEO) et leurs sessions à venir",
        "Actions de formation importées des catalogues des Régions et Carif-Oref, triées par "
        "identifiant, avec leurs sessions à venir.",
        [
            DEPARTEMENT,
            CODE_COMMUNE,
            {
                "name": "disponibles",
                "in": "query",
                "description": "`oui` : seulement les formations qu’on peut encore rejoindre.",
                "schema": {"type": "string", "enum": ["oui", "non"]},
            },
        ],
        "FormationPage",
    ),
    "/api/v1/employeurs": _get(
        "listEmployeurs",
        "Employeurs inclusifs et leurs postes ouverts",
        "SIAE (ACI, EI, AI, ETTI, EITI), GEIQ et entreprises adaptées des emplois de "
        "l’inclusion, avec la règle d’éligibilité de chacun.",
        [
            DEPARTEMENT,
            CODE_COMMUNE,
            {
                "name": "type",
                "in": "query",
                "description": "Type d’employeur.",
                "schema": {"type": "string", "enum": list(KINDS)},
            },
        ],
        "EmployeurPage",
    ),
    "/api/v1/entreprises-accueillantes": _get(
        "listEntreprisesAccueillantes",
        "Entreprises accueillant des immersions, par métier",
        "Entreprises d’Immersion Facile, par métier (code ROME ou mots), près d’un point "
        "(`lat`, `lon`, `rayon_km`, triées par distance) ou dans un département.",
        [
            DEPARTEMENT,
            {
                "name": "lat",
                "in": "query",
                "description": "Latitude, avec `lon`.",
                "schema": {"type": "number", "minimum": -90, "maximum": 90},
            },
            {
                "name": "lon",
                "in": "query",
                "description": "Longitude, avec `lat`.",
                "schema": {"type": "number", "minimum": -180, "maximum": 180},
            },
            {
                "name": "rayon_km",
                "in": "query",
                "description": "Rayon autour du point (km).",
                "schema": {"type": "number", "minimum": 1, "maximum": 200, "default": 30},
            },
            {
                "name": "rome",
                "in": "query",
                "description": "Code ROME du métier.",
                "schema": {"type": "string", "pattern": "^[A-Na-n][0-9]{4}$"},
                "example": "D1106",
            },
            {
                "name": "metier",
                "in": "query",
                "description": "Mots du métier (appellation ou libellé ROME).",
                "schema": {"type": "string", "maxLength": 100},
            },
        ],
        "EntrepriseAccueillantePage",
    ),
}
