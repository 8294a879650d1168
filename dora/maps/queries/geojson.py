"""The GeoJSON of a map view: the services themselves, or clusters.

Clusters for wide views come from `map_grid_cell` (kept by triggers, see migration 0005)
when the request has no filter or a single category, else from the commune statistics or
from the filtered services themselves.
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session

from dora.catalogue.models import Service
from dora.maps import DEFAULT_MAX_POINTS, grid
from dora.maps.grid import BBox
from dora.maps.models import MapGridCell
from dora.maps.queries.conditions import (
    MAX_CELLS,
    MapRequest,
    TooManyCells,
    bbox_condition,
    category_condition,
    on_map,
    shown_in_view,
)
from dora.maps.queries.features import (
    cluster_feature,
    clusters_and_singles,
    collection,
    point_features,
)
from dora.maps.queries.statistics import (
    commune_clusters,
    commune_clusters_apply,
    suspended_today,
    validated_structure,
)
from dora.search.query import doc


def grid_category(request: MapRequest) -> str | None:
    """The `map_grid_cell.categorie` answering this request, or None if the grid cannot."""
    if request.territory is not None:
        return None
    return _simple_category(request)


def _simple_category(request: MapRequest) -> str | None:
    """ "" (all) or the one category the request asks for, when precomputed counts can
    answer it (no other filter); None otherwise."""
    filters = request.filters
    # The precomputed counts know categories only: any other filter (the offer type
    # included) is counted live.
    if (
        filters.publics
        or filters.frais
        or filters.modes_accueil
        or filters.types
        or filters.q
        or filters.offre
    ):
        return None
    if not filters.thematiques:
        return request.categorie or ""
    wanted = filters.single_category()
    if wanted is None or request.categorie not in (None, wanted):
        return None
    return wanted


def _check_cells(bbox: BBox, level: int) -> tuple[int, int, int, int]:
    x0, x1, y0, y1 = grid.cell_range(bbox, level)
    if (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_CELLS:
        raise TooManyCells(level)
    return x0, x1, y0, y1


def services_geojson(
    session: Session, request: MapRequest, *, max_points: int = DEFAULT_MAX_POINTS
) -> dict:
    """A FeatureCollection: the services themselves when the view holds at most
    `max_points` of them, else clusters (count and centroid per 64-pixel cell)."""
    level = grid.level_for_zoom(request.zoom)
    _check_cells(request.bbox, level)
    categorie = grid_category(request)
    stored = grid.stored_level_for(level)
    grid_answers = categorie is not None and stored is not None
    if grid_answers and grid_total(session, request, categorie, stored) > max_points:
        clusters = _grid_clusters(session, request, categorie, stored, level)
        return collection(request, clusters, source="grille")
    simple = _simple_category(request)
    if (
        request.territory is not None
        and simple is not None
        and commune_clusters_apply(request.territory, request.zoom)
    ):
        clusters = commune_clusters(
            session,
            request.territory,
            zoom=request.zoom,
            categorie=simple or None,
            bbox=request.bbox,
            more_than=max_points,
        )
        if clusters is not None:
            return collection(request, clusters, source="communes")
    if stored is None:
        # Close views mostly hold few services: fetch them, cluster only if too many.
        points = point_features(session, request, max_points + 1)
        if len(points) <= max_points:
            return collection(request, points, source="direct")
    elif count_capped(session, request, max_points) <= max_points:
        return collection(request, point_features(session, request, max_points), source="direct")
    return collection(request, _live_clusters(session, request, level), source="direct")


def count_capped(session: Session, request: MapRequest, cap: int, *, with_bbox: bool = True) -> int:
    capped = (
        shown_in_view(session, request, with_bbox=with_bbox)
        .with_only_columns(doc.service_id)
        .limit(cap + 1)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(capped)) or 0


def _suspended_located(request: MapRequest, categorie: str) -> ColumnElement[bool]:
    """Services the grid counts but the public must not see today (suspended)."""
    clauses = [
        Service.statut == "publie",
        *suspended_today(),
        on_map(),
        bbox_condition(request.bbox),
        validated_structure(),
    ]
    if categorie:
        clauses.append(category_condition(categorie))
    return and_(*clauses)


def _grid_rows(request: MapRequest, categorie: str, stored: int):
    """Rows (cx, cy, n, sum_lon, sum_lat) of the stored level in the view, with the
    suspended services as negative rows."""
    x0, x1, y0, y1 = grid.cell_range(request.bbox, stored)
    cells = select(
        MapGridCell.cx, MapGridCell.cy, MapGridCell.n, MapGridCell.sum_lon, MapGridCell.sum_lat
    ).where(
        MapGridCell.level == stored,
        MapGridCell.categorie == categorie,
        MapGridCell.cx.between(x0, x1),
        MapGridCell.cy.between(y0, y1),
    )
    located = (
        select(func.geometry(Service.location).label("g"))
        .where(_suspended_located(request, categorie))
        .offset(0)
        .subquery()
    )
    lon, lat = func.ST_X(located.c.g), func.ST_Y(located.c.g)
    suspended = select(
        func.map_cell_x(lon, stored),
        func.map_cell_y(lat, stored),
        literal(-1),
        -lon,
        -lat,
    )
    return cells.union_all(suspended).subquery()


def grid_total(session: Session, request: MapRequest, categorie: str, stored: int) -> int:
    union = _grid_rows(request, categorie, stored)
    return int(session.scalar(select(func.coalesce(func.sum(union.c.n), 0))) or 0)


def _grid_clusters(
    session: Session, request: MapRequest, categorie: str, stored: int, level: int
) -> list[dict]:
    union = _grid_rows(request, categorie, stored)
    shift = stored - level
    x = union.c.cx.op(">>")(shift)
    y = union.c.cy.op(">>")(shift)
    n = func.sum(union.c.n)
    rows = session.execute(
        select(
            x.label("x"),
            y.label("y"),
            n.label("n"),
            func.sum(union.c.sum_lon).label("sum_lon"),
            func.sum(union.c.sum_lat).label("sum_lat"),
        )
        .group_by(text("1"), text("2"))
        .having(n > 0)
    )
    return [
        cluster_feature(row.x, row.y, level, row.n, row.sum_lon / row.n, row.sum_lat / row.n)
        for row in rows
    ]


def _live_clusters(session: Session, request: MapRequest, level: int) -> list[dict]:
    # Cast the geography once per row (OFFSET 0 keeps the subquery from being inlined).
    located = (
        shown_in_view(session, request)
        .with_only_columns(doc.service_id.label("id"), func.geometry(doc.location).label("g"))
        .offset(0)
        .subquery()
    )
    coordinates = select(
        located.c.id, func.ST_X(located.c.g).label("lon"), func.ST_Y(located.c.g).label("lat")
    ).subquery()
    count = func.count()
    rows = session.execute(
        select(
            func.map_cell_x(coordinates.c.lon, level).label("x"),
            func.map_cell_y(coordinates.c.lat, level).label("y"),
            count.label("n"),
            func.avg(coordinates.c.lon).label("lon"),
            func.avg(coordinates.c.lat).label("lat"),
            case((count == 1, func.min(coordinates.c.id))).label("single"),
        ).group_by(text("1"), text("2"))
    ).all()
    return clusters_and_singles(session, request, level, rows)
