"""OpenAPI fragment of the maps feature: GET /api/v1/services.geojson (see dora.api.openapi,
which assembles every feature's PATHS and SCHEMAS, and dora.maps.api)."""

from __future__ import annotations

from data_inclusion.schema import v1

from dora import vocabulary
from dora.api.openapi import list_parameter, thematiques_parameter
from dora.maps import grid

POINT = {
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

SERVICE_PROPERTIES = {
    "type": "object",
    "required": ["type", "id", "nom", "structure", "categorie", "categories", "distance_m"],
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
        "categorie": {
            "type": ["string", "null"],
            "description": "La catégorie de la couleur (celle du calque, sinon la première).",
        },
        "categories": {"type": "array", "items": {"type": "string"}},
        "distance_m": {
            "type": ["integer", "null"],
            "description": "Distance au point de la commune « depuis », quand elle est donnée.",
        },
    },
}

CLUSTER_PROPERTIES = {
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

SCHEMAS = {
    "ServicesFeatureCollection": {
        "type": "object",
        "description": "Les services sur place de la vue (`type` : `service`), ou des "
        "regroupements (`cluster` : nombre et barycentre des services d’une case de "
        "64 pixels) quand ils sont plus nombreux que le seuil (500 par défaut). Une case "
        "d’un seul service donne ce service.",
        "required": ["type", "features", "bbox", "zoom", "clustered", "total", "source"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
            "zoom": {"type": "integer"},
            "clustered": {"type": "boolean", "description": "Contient des regroupements."},
            "total": {"type": "integer", "minimum": 0, "description": "Services représentés."},
            "source": {
                "enum": ["grille", "communes", "direct"],
                "description": "« grille » : comptes précalculés par case ; « communes » : "
                "comptes précalculés par commune, chaque commune à son barycentre ; "
                "« direct » : calculé à la demande.",
            },
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "geometry", "properties"],
                    "properties": {
                        "type": {"const": "Feature"},
                        "geometry": POINT,
                        "properties": {"oneOf": [SERVICE_PROPERTIES, CLUSTER_PROPERTIES]},
                    },
                },
            },
        },
    }
}

PATHS = {
    "/api/v1/services.geojson": {
        "get": {
            "operationId": "servicesGeojson",
            "summary": "Les services d’une vue de carte, en points ou regroupés (GeoJSON)",
            "description": "Les services sur place visibles du public dans la vue, avec les "
            "filtres de la recherche. Lisible depuis tout site "
            "(`Access-Control-Allow-Origin: *`).",
            "tags": ["Cartes"],
            "parameters": [
                {
                    "name": "bbox",
                    "in": "query",
                    "required": True,
                    "description": "La vue : ouest,sud,est,nord en degrés WGS 84 (ouest < est, "
                    "sud < nord), pas beaucoup plus grande qu’un écran à ce zoom.",
                    "schema": {"type": "string"},
                    "example": "2.2,48.8,2.5,49.0",
                },
                {
                    "name": "zoom",
                    "in": "query",
                    "required": True,
                    "description": "Niveau de zoom de la carte (tuiles Web Mercator).",
                    "schema": {
                        "type": "integer",
                        "minimum": grid.MIN_ZOOM,
                        "maximum": grid.MAX_ZOOM,
                    },
                },
                {
                    "name": "territoire",
                    "in": "query",
                    "description": "Seulement les services situés dans ce territoire : "
                    "`departement:93`, `epci:200054781` ou `commune:93066`.",
                    "schema": {"type": "string"},
                },
                {
                    "name": "categorie",
                    "in": "query",
                    "description": "Un calque : les services de cette catégorie de thématiques.",
                    "schema": {"type": "string", "enum": sorted(vocabulary.CATEGORIES)},
                },
                {
                    "name": "depuis",
                    "in": "query",
                    "description": "Code INSEE d’une commune : distance des services à elle.",
                    "schema": {"type": "string"},
                },
                thematiques_parameter(),
                list_parameter(
                    "publics",
                    vocabulary.values(v1.Public),
                    "Publics ; un public trouve aussi les services « tous publics ».",
                ),
                list_parameter("frais", vocabulary.values(v1.Frais), "Frais."),
                list_parameter(
                    "modes_accueil", vocabulary.values(v1.ModeAccueil), "Modes d’accueil."
                ),
                list_parameter("types", vocabulary.values(v1.TypeService), "Types."),
                {
                    "name": "q",
                    "in": "query",
                    "description": "Texte libre, comme la recherche.",
                    "schema": {"type": "string", "maxLength": 200},
                },
                {
                    "name": "offre",
                    "in": "query",
                    "description": "Type d’offre, comme la recherche : `services`, `formations` "
                    "ou `employeurs` (une couche par type ; les entreprises accueillantes ont "
                    "leur propre API).",
                    "schema": {"type": "string", "enum": ["services", "formations", "employeurs"]},
                },
            ],
            "responses": {
                "200": {
                    "description": "Une FeatureCollection GeoJSON.",
                    "content": {
                        "application/geo+json": {
                            "schema": {"$ref": "#/components/schemas/ServicesFeatureCollection"}
                        }
                    },
                },
                "400": {"$ref": "#/components/responses/BadRequest"},
            },
        }
    }
}
