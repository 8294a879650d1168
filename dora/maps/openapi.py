"""OpenAPI 3.1 description of the maps API route, for /api/v1/openapi.json.

`PATHS` is an OpenAPI `paths` object whose keys are full paths; the API document assembles
the PATHS of every feature. Schemas are inline so that the object stands on its own.
"""

from __future__ import annotations

from dora import vocabulary
from dora.maps import grid

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

_POINT = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"const": "Point"},
        "coordinates": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 2,
            "maxItems": 2,
            "description": "longitude, latitude (WGS 84)",
        },
    },
}

_SERVICE = {
    "type": "object",
    "required": ["type", "id", "nom", "structure", "categories", "categorie", "distance_m"],
    "properties": {
        "type": {"const": "service"},
        "id": {"type": "string"},
        "nom": {"type": "string"},
        "structure": {"type": "string"},
        "commune": {"type": ["string", "null"]},
        "precision": {"type": ["string", "null"]},
        "position": {
            "type": ["string", "null"],
            "description": "En toutes lettres quand le point n’est pas l’adresse même.",
        },
        "categorie": {"type": ["string", "null"], "description": "Catégorie de la couleur."},
        "categories": {"type": "array", "items": {"type": "string"}},
        "distance_m": {
            "type": ["integer", "null"],
            "description": "Distance au point de « depuis », quand il est donné.",
        },
    },
}

_CLUSTER = {
    "type": "object",
    "required": ["type", "count", "bbox"],
    "properties": {
        "type": {"const": "cluster"},
        "count": {"type": "integer", "minimum": 1},
        "bbox": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 4,
            "maxItems": 4,
            "description": "La case regroupée (ouest, sud, est, nord) : zoomer dessus.",
        },
    },
}

_COLLECTION = {
    "type": "object",
    "required": ["type", "features", "bbox", "zoom", "clustered", "total", "source"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
        "zoom": {"type": "integer"},
        "clustered": {"type": "boolean", "description": "Contient des regroupements."},
        "total": {"type": "integer", "description": "Services représentés."},
        "source": {
            "enum": ["grille", "direct"],
            "description": "« grille » : comptes précalculés ; « direct » : calculé à la demande.",
        },
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "geometry": _POINT,
                    "properties": {"oneOf": [_SERVICE, _CLUSTER]},
                },
            },
        },
    },
}


def _list_parameter(name: str, values: list[str], description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description + " Répétable ou séparé par des virgules.",
        "schema": {"type": "array", "items": {"enum": values}},
        "style": "form",
        "explode": True,
    }


def _parameters() -> list[dict]:
    categories = sorted(vocabulary.CATEGORIES)
    return [
        {
            "name": "bbox",
            "in": "query",
            "required": True,
            "description": "La vue : ouest,sud,est,nord en degrés WGS 84 (ouest < est).",
            "schema": {"type": "string", "examples": ["2.2,48.8,2.5,49.0"]},
        },
        {
            "name": "zoom",
            "in": "query",
            "required": True,
            "description": "Niveau de zoom de la carte (tuiles Web Mercator).",
            "schema": {"type": "integer", "minimum": grid.MIN_ZOOM, "maximum": grid.MAX_ZOOM},
        },
        {
            "name": "territoire",
            "in": "query",
            "required": False,
            "description": "Seulement les services situés dans ce territoire : "
            "departement:93, epci:200054781 ou commune:93066.",
            "schema": {"type": "string"},
        },
        {
            "name": "categorie",
            "in": "query",
            "required": False,
            "description": "Un calque : les services de cette catégorie de thématiques.",
            "schema": {"enum": categories},
        },
        {
            "name": "depuis",
            "in": "query",
            "required": False,
            "description": "Code INSEE d’une commune : distances depuis son point.",
            "schema": {"type": "string"},
        },
        _list_parameter(
            "thematiques",
            categories + vocabulary.values(vocabulary.v1.Thematique),
            "Thématiques (une catégorie vaut toutes ses sous-thématiques).",
        ),
        _list_parameter(
            "publics",
            vocabulary.values(vocabulary.v1.Public),
            "Publics (un public trouve aussi les services « tous publics »).",
        ),
        _list_parameter("frais", vocabulary.values(vocabulary.v1.Frais), "Frais."),
        _list_parameter(
            "modes_accueil", vocabulary.values(vocabulary.v1.ModeAccueil), "Modes d’accueil."
        ),
        _list_parameter("types", vocabulary.values(vocabulary.v1.TypeService), "Types."),
        {
            "name": "q",
            "in": "query",
            "required": False,
            "description": "Texte libre, comme la recherche.",
            "schema": {"type": "string", "maxLength": 200},
        },
    ]


PATHS: dict = {
    "/api/v1/services.geojson": {
        "get": {
            "summary": "Services d’une vue de carte, en points ou en regroupements",
            "description": "Les services sur place visibles du public dans la vue, avec les "
            "filtres de la recherche. Au-delà d’un seuil (500 par défaut), des regroupements "
            "par case de 64 pixels (nombre et barycentre) remplacent les points ; une case "
            "d’un seul service donne ce service. Lisible depuis tout site "
            "(Access-Control-Allow-Origin: *).",
            "operationId": "servicesGeojson",
            "tags": ["cartes"],
            "parameters": _parameters(),
            "responses": {
                "200": {
                    "description": "Une FeatureCollection GeoJSON.",
                    "content": {"application/geo+json": {"schema": _COLLECTION}},
                },
                "400": {
                    "description": "Paramètre invalide (le champ est nommé).",
                    "content": {"application/json": {"schema": _ERROR}},
                },
            },
        }
    }
}
