"""GeoJSON features: one function turns a row into a service Feature, one a cell into a
cluster, and one wraps them in the FeatureCollection every map of ours reads."""

from __future__ import annotations

from geoalchemy2 import Geography
from sqlalchemy import (
    ColumnElement,
    any_,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from dora import vocabulary
from dora.catalogue.models import Service, Structure
from dora.core.template_helpers import precision_caption
from dora.maps import grid
from dora.maps.filters import text_array
from dora.maps.queries.conditions import MapRequest, Reference, shown_in_view
from dora.search.query import doc


def collection(request: MapRequest, features: list[dict], *, source: str) -> dict:
    """The FeatureCollection, with what a client needs to know about it: the view it
    answers, whether it holds clusters, how many services it stands for."""
    total = sum(f["properties"].get("count", 1) for f in features)
    return {
        "type": "FeatureCollection",
        "bbox": request.bbox.as_list(),
        "zoom": request.zoom,
        "clustered": any(f["properties"]["type"] == "cluster" for f in features),
        "total": total,
        "source": source,
        "features": features,
    }


def clusters_and_singles(session: Session, request: MapRequest, level: int, rows) -> list[dict]:
    """Clusters, except that a cell holding one service shows that service."""
    singles = [row.single for row in rows if row.single is not None]
    features = [
        cluster_feature(row.x, row.y, level, row.n, row.lon, row.lat)
        for row in rows
        if row.single is None
    ]
    if singles:
        features.extend(point_features(session, request, len(singles), ids=singles))
    return features


def cluster_feature(x: int, y: int, level: int, count: int, lon: float, lat: float) -> dict:
    cell = grid.cell_bounds(x, y, level)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {
            "type": "cluster",
            "count": int(count),
            "bbox": [round(v, 6) for v in cell.as_list()],
        },
    }


def reference_point(reference: Reference) -> ColumnElement:
    return cast(func.ST_SetSRID(func.ST_MakePoint(reference.lon, reference.lat), 4326), Geography)


def point_features(
    session: Session, request: MapRequest, limit: int, *, ids: list[str] | None = None
) -> list[dict]:
    """The services of the view (or these `ids`, already known to be shown)."""
    geom = func.geometry(Service.location)
    distance = (
        func.ST_Distance(Service.location, reference_point(request.reference))
        if request.reference
        else literal(None)
    )
    statement = select(
        Service.id,
        Service.nom,
        Structure.nom.label("structure"),
        Service.commune,
        Service.location_precision,
        Service.thematiques,
        func.ST_X(geom).label("lon"),
        func.ST_Y(geom).label("lat"),
        distance.label("distance"),
    ).join(Structure, Structure.id == Service.structure_id)
    if ids is None:
        # No ORDER BY: the limit only tells "too many"; the order is set below.
        shown = (
            shown_in_view(session, request)
            .with_only_columns(doc.service_id)
            .limit(limit)
            .subquery()
        )
        statement = statement.join(shown, shown.c.service_id == Service.id)
    else:
        statement = statement.where(Service.id == any_(text_array(ids)))
    rows = sorted(session.execute(statement), key=lambda row: row.id)
    return [point_feature(row, request.categorie) for row in rows]


def categories_of(thematiques: list[str] | None) -> list[str]:
    return sorted({vocabulary.category_of(t) for t in thematiques or ()})


def point_feature(row, categorie: str | None) -> dict:
    categories = categories_of(row.thematiques)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(row.lon, 6), round(row.lat, 6)]},
        "properties": {
            "type": "service",
            "id": row.id,
            "nom": row.nom,
            "structure": row.structure,
            "commune": row.commune,
            "precision": row.location_precision,
            # Said in words when the point is not the address itself.
            "position": (
                precision_caption(row.location_precision)
                if row.location_precision not in (None, "adresse")
                else None
            ),
            # The colour: the category asked for, else the service's first.
            "categorie": categorie or (categories[0] if categories else None),
            "categories": categories,
            "distance_m": round(row.distance) if row.distance is not None else None,
        },
    }
