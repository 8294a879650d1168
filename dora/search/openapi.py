"""OpenAPI fragment: GET /api/v1/search (see dora.api.openapi)."""

from __future__ import annotations

from data_inclusion.schema import v1

from dora import vocabulary
from dora.api.openapi import REF, integer_parameter, list_parameter, thematiques_parameter
from dora.search.facets import FACET_NAMES
from dora.search.query import (
    DEFAULT_RAYON_KM,
    DEFAULT_SIZE,
    MAX_Q_LENGTH,
    MAX_RAYON_KM,
    MAX_RESULT_WINDOW,
    MAX_SIZE,
    MIN_RAYON_KM,
)

PARAMETERS = [
    {
        "name": "commune",
        "in": "query",
        "description": (
            "Code INSEE de la commune de la personne (un arrondissement de Paris, Lyon ou "
            "Marseille vaut sa commune pour l’éligibilité, son propre point pour la distance)."
        ),
        "schema": {"type": "string", "pattern": "^([0-9]{5}|2[ABab][0-9]{3})$"},
        "example": "93066",
    },
    {
        "name": "lat",
        "in": "query",
        "description": "Latitude, avec `lon`, à la place de `commune` : l’éligibilité est "
        "celle de la commune dont le point de référence est le plus proche.",
        "schema": {"type": "number", "minimum": -90, "maximum": 90},
    },
    {
        "name": "lon",
        "in": "query",
        "description": "Longitude, avec `lat`.",
        "schema": {"type": "number", "minimum": -180, "maximum": 180},
    },
    {
        "name": "q",
        "in": "query",
        "description": "Texte libre (accents, casse et pluriel indifférents ; une faute de "
        "frappe par mot tolérée).",
        "schema": {"type": "string", "maxLength": MAX_Q_LENGTH},
    },
    thematiques_parameter(),
    list_parameter(
        "publics",
        vocabulary.values(v1.Public),
        "Publics ; un public trouve aussi les services « tous publics ».",
    ),
    list_parameter("frais", vocabulary.values(v1.Frais), "Frais."),
    list_parameter("modes_accueil", vocabulary.values(v1.ModeAccueil), "Modes d’accueil."),
    list_parameter("types", vocabulary.values(v1.TypeService), "Types de service."),
    {
        "name": "rayon_km",
        "in": "query",
        "description": "Distance maximale des services sur place (km).",
        "schema": {
            "type": "number",
            "minimum": MIN_RAYON_KM,
            "maximum": MAX_RAYON_KM,
            "default": DEFAULT_RAYON_KM,
        },
    },
    {
        "name": "a_distance",
        "in": "query",
        "description": "Inclure les services à distance (éligibles, où qu’ils soient).",
        "schema": {"type": "boolean", "default": True},
    },
    {
        "name": "offre",
        "in": "query",
        "description": "Type d’offre : `services` (les services ordinaires), `formations` "
        "(actions de formation importées des catalogues LHEO) ou `employeurs` (postes ouverts "
        "des employeurs inclusifs). Sans `offre` : tout. Les entreprises accueillantes ne sont "
        "pas des services : voir /api/v1/entreprises-accueillantes (`offre=entreprises` "
        "répond 400).",
        "schema": {"type": "string", "enum": ["services", "formations", "employeurs"]},
    },
    {
        "name": "tri",
        "in": "query",
        "description": "Ordre des résultats : `pertinence` (par défaut avec `q` : les mots "
        "trouvés dans le nom ou les thématiques d’abord, puis la pertinence pondérée par la "
        "proximité) ou `distance` (par défaut sans `q` : les services sur place du plus proche "
        "au plus loin, quelle que soit la pertinence du texte). Les services à distance "
        "gardent leur place (un résultat sur cinq) et leur ordre. Sans lieu, `distance` "
        "n’a pas d’effet. Une autre valeur répond 400 (`field` : `tri`).",
        "schema": {"type": "string", "enum": ["pertinence", "distance"]},
    },
    {
        "name": "ouvert_le",
        "in": "query",
        "description": "Ouvert ce jour-là (AAAA-MM-JJ, d’aujourd’hui à dans un an), d’après "
        "`horaires_accueil` (syntaxe OSM) évalués pour une semaine type (les horaires "
        "saisonniers, par mois, ne sont pas distingués). Un jour férié, seuls les services "
        "ouverts les jours fériés comme les autres jours sont gardés (`PH off` les exclut). "
        "Les services sans horaires, ou dont les horaires ne se lisent pas, sont exclus.",
        "schema": {"type": "string", "format": "date"},
    },
    {
        "name": "moment",
        "in": "query",
        "description": "Avec `ouvert_le` : `matin` (ouvert avant 12 h), `apres-midi` (à "
        "partir de 12 h) ou `journee` (à un moment de la journée).",
        "schema": {
            "type": "string",
            "enum": ["journee", "matin", "apres-midi"],
            "default": "journee",
        },
    },
    integer_parameter(
        "page",
        f"Page, à partir de 1 (les {MAX_RESULT_WINDOW} premiers résultats au plus).",
        minimum=1,
        maximum=MAX_RESULT_WINDOW,
        default=1,
    ),
    integer_parameter(
        "size",
        f"Résultats par page (au plus {MAX_SIZE}).",
        minimum=1,
        maximum=MAX_SIZE,
        default=DEFAULT_SIZE,
    ),
]

SCHEMAS = {
    "SearchItem": {
        "description": "Un service au format data·inclusion v1, avec sa distance et sa structure.",
        "allOf": [
            {"$ref": REF.format(model="Service")},
            {
                "type": "object",
                "required": ["distance_m", "lieu_non_precise", "structure", "type_offre"],
                "properties": {
                    "type_offre": {
                        "type": "string",
                        "enum": ["services", "formations", "employeurs"],
                        "description": "Ce qu’est le résultat : un service, une formation "
                        "(voir /api/v1/formations) ou un poste d’employeur inclusif (voir "
                        "/api/v1/employeurs).",
                    },
                    "distance_m": {
                        "type": ["integer", "null"],
                        "minimum": 0,
                        "description": "Distance en mètres ; `null` pour un service à distance, "
                        "au lieu non précisé, ou une recherche sans lieu.",
                    },
                    "lieu_non_precise": {
                        "type": "boolean",
                        "description": "Ni point ni accueil à distance connus : présenté comme "
                        "un service à distance (sans distance), « lieu non précisé ».",
                    },
                    "structure": {
                        "type": "object",
                        "required": ["id", "nom"],
                        "properties": {"id": {"type": "string"}, "nom": {"type": "string"}},
                    },
                },
            },
        ],
    },
    "SearchResponse": {
        "type": "object",
        "required": [
            "total",
            "page",
            "size",
            "backend",
            "items",
            "facets",
            "suggestion",
            "suggested_thematique",
        ],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
            "backend": {
                "type": "string",
                "enum": ["postgres", "meilisearch"],
                "description": "Le moteur qui a répondu (postgres si Meilisearch est injoignable).",
            },
            "items": {"type": "array", "items": {"$ref": REF.format(model="SearchItem")}},
            "facets": {
                "type": "object",
                "description": "Nombre de résultats par valeur de chaque filtre (les catégories "
                "de thématiques comptent leurs sous-thématiques ; un public compte les services "
                "« tous publics »).",
                "required": list(FACET_NAMES),
                "properties": {
                    name: {"type": "object", "additionalProperties": {"type": "integer"}}
                    for name in FACET_NAMES
                },
            },
            "suggestion": {
                "type": ["string", "null"],
                "description": "« Vouliez-vous dire » : `q` corrigé, quand un mot ne trouve rien.",
            },
            "suggested_thematique": {
                "type": ["object", "null"],
                "description": "La thématique (catégorie) que nomment les mots de `q` "
                "(« mobilité » : Mobilité), quand la recherche ne la filtre pas encore : "
                "la proposer comme filtre (`thematiques=<value>`).",
                "required": ["value", "label"],
                "properties": {
                    "value": {"type": "string", "examples": ["mobilite"]},
                    "label": {"type": "string", "examples": ["Mobilité"]},
                },
            },
        },
    },
}

PATHS = {
    "/api/v1/search": {
        "get": {
            "operationId": "search",
            "summary": "Rechercher des services près d’une personne",
            "description": (
                "Services publiés éligibles pour une personne habitant la commune : sur place "
                "dans le rayon (triés par distance, ou par pertinence mêlée à la proximité avec "
                "`q`) et à distance ou au lieu non précisé (présentés parmi eux, un résultat sur "
                "cinq). Sans lieu : toute la France. Facettes : comptes par valeur de filtre. "
                "Un code à deux caractères de `zone_eligibilite` est un département (jamais "
                "une région)."
            ),
            "tags": ["Recherche"],
            "parameters": PARAMETERS,
            "responses": {
                "200": {
                    "description": "Une page de résultats.",
                    "content": {
                        "application/json": {"schema": {"$ref": REF.format(model="SearchResponse")}}
                    },
                },
                "400": {"$ref": "#/components/responses/BadRequest"},
            },
        }
    }
}
