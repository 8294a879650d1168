"""Reads for maps: which services a territory holds, their counts, their list, and the
GeoJSON of points or clusters for a map view.

Clusters for wide views come from `map_grid_cell` (kept by triggers, see migration 0007)
when the request has no filter or a single category; everything else is computed from the
catalogue on the fly. Every path starts from `publicly_visible()`: the public sees the same
services here as anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from geoalchemy2 import Geography
from sqlalchemy import (
    ColumnElement,
    and_,
    any_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from dora import vocabulary
from dora.catalogue.models import Service, Structure
from dora.catalogue.queries import publicly_visible
from dora.core.template_helpers import precision_caption
from dora.maps import DEFAULT_MAX_POINTS, grid
from dora.maps import filters as map_filters
from dora.maps.filters import MapFilters, text_array
from dora.maps.grid import BBox
from dora.maps.models import MapGridCell
from dora.maps.territory import Territory
from dora.search.query import EVERYWHERE, doc
from dora.territories.models import Departement

# A request may not ask for more clusters than a 4096 × 4096 px screen shows.
MAX_CELLS = 64 * 64


@dataclass(frozen=True)
class Reference:
    """The point distances are measured from (a beneficiary's commune)."""

    lon: float
    lat: float
    label: str
    code: str | None = None


@dataclass(frozen=True)
class MapRequest:
    bbox: BBox
    zoom: int
    filters: MapFilters = field(default_factory=MapFilters)
    territory: Territory | None = None
    categorie: str | None = None
    reference: Reference | None = None


class TooManyCells(ValueError):
    """The bbox is far larger than a screen at that zoom."""


# Conditions ------------------------------------------------------------------------------


def on_map() -> ColumnElement[bool]:
    """A service drawn on maps: located, and on site (or with no mode given). The same rule
    is written in SQL in migration 0007 for the grid."""
    return and_(
        Service.location.is_not(None),
        or_(
            Service.modes_accueil.is_(None),
            func.cardinality(Service.modes_accueil) == 0,
            Service.modes_accueil.op("@>")(text_array([vocabulary.EN_PRESENTIEL])),
        ),
    )


def _envelope(bbox: BBox) -> ColumnElement:
    return func.ST_MakeEnvelope(bbox.west, bbox.south, bbox.east, bbox.north, 4326)


def bbox_condition(bbox: BBox) -> ColumnElement[bool]:
    # `&&` on the geography uses the GiST index; the geometry test makes the edges exact.
    envelope = _envelope(bbox)
    return and_(
        Service.location.op("&&")(cast(envelope, Geography)),
        func.ST_Intersects(func.geometry(Service.location), envelope),
    )


def territory_condition(territory: Territory) -> ColumnElement[bool]:
    """Services located in the territory: by commune code, and for a département also by
    point for services that have no commune code."""
    by_code = Service.code_insee == any_(text_array(territory.commune_codes))
    if not territory.uses_polygon:
        return by_code
    polygon = select(Departement.geom).where(Departement.code == territory.code)
    by_point = and_(
        Service.code_insee.is_(None),
        bbox_condition(territory.bounds),
        func.ST_Covers(polygon.scalar_subquery(), func.geometry(Service.location)),
    )
    return or_(by_code, by_point)


def category_condition(categorie: str) -> ColumnElement[bool]:
    return Service.thematiques.op("&&")(text_array(vocabulary.expand_thematiques([categorie])))


def _shown(session: Session, request: MapRequest, *, with_bbox: bool = True) -> ColumnElement[bool]:
    clauses = [publicly_visible(), on_map(), map_filters.condition(session, request.filters)]
    if request.territory is not None:
        clauses.append(territory_condition(request.territory))
    if request.categorie:
        clauses.append(category_condition(request.categorie))
    if with_bbox:
        clauses.append(bbox_condition(request.bbox))
    return and_(*clauses)


def offer_condition(
    session: Session, filters: MapFilters, territory: Territory | None
) -> ColumnElement[bool]:
    """On-site services of a territory matching the filters (pages: counts and list)."""
    clauses = [publicly_visible(), on_map(), map_filters.condition(session, filters)]
    if territory is not None:
        clauses.append(territory_condition(territory))
    return and_(*clauses)


# GeoJSON ---------------------------------------------------------------------------------


def _grid_category(request: MapRequest) -> str | None:
    """The `map_grid_cell.categorie` answering this request, or None if the grid cannot."""
    if request.territory is not None:
        return None
    filters = request.filters
    if filters.publics or filters.frais or filters.modes_accueil or filters.types or filters.q:
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
    categorie = _grid_category(request)
    stored = grid.stored_level_for(level)
    if categorie is not None and stored is not None:
        total = _grid_total(session, request, categorie, stored)
        if total > max_points:
            clusters = _grid_clusters(session, request, categorie, stored, level)
            return _collection(request, clusters, source="grille")
    elif _count_capped(session, request, max_points) > max_points:
        clusters = _live_clusters(session, request, level)
        return _collection(request, clusters, source="direct")
    points = _points(session, request, max_points)
    return _collection(request, points, source="direct")


def _collection(request: MapRequest, features: list[dict], *, source: str) -> dict:
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


def _count_capped(
    session: Session, request: MapRequest, cap: int, *, with_bbox: bool = True
) -> int:
    capped = (
        select(Service.id)
        .where(_shown(session, request, with_bbox=with_bbox))
        .limit(cap + 1)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(capped)) or 0


def _suspended_located(request: MapRequest, categorie: str) -> ColumnElement[bool]:
    """Services the grid counts but the public must not see today (suspended)."""
    today = func.current_date()
    clauses = [
        Service.statut == "publie",
        Service.suspendu_du.is_not(None),
        Service.suspendu_du <= today,
        or_(Service.suspendu_au.is_(None), Service.suspendu_au >= today),
        on_map(),
        bbox_condition(request.bbox),
        Service.structure_id.in_(select(Structure.id).where(Structure.moderation == "validee")),
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


def _grid_total(session: Session, request: MapRequest, categorie: str, stored: int) -> int:
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
        _cluster(row.x, row.y, level, row.n, row.sum_lon / row.n, row.sum_lat / row.n)
        for row in rows
    ]


def _live_clusters(session: Session, request: MapRequest, level: int) -> list[dict]:
    # Cast the geography once per row (OFFSET 0 keeps the subquery from being inlined).
    located = (
        select(Service.id, func.geometry(Service.location).label("g"))
        .where(_shown(session, request))
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
    return _clusters_and_singles(session, request, level, rows)


def _clusters_and_singles(session: Session, request: MapRequest, level: int, rows) -> list[dict]:
    """Clusters, except that a cell holding one service shows that service."""
    singles = [row.single for row in rows if row.single is not None]
    features = [
        _cluster(row.x, row.y, level, row.n, row.lon, row.lat) for row in rows if row.single is None
    ]
    if singles:
        features.extend(_points(session, request, len(singles), ids=singles))
    return features


def _cluster(x: int, y: int, level: int, count: int, lon: float, lat: float) -> dict:
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


def _reference_point(reference: Reference) -> ColumnElement:
    return cast(func.ST_SetSRID(func.ST_MakePoint(reference.lon, reference.lat), 4326), Geography)


def _points(
    session: Session, request: MapRequest, limit: int, *, ids: list[str] | None = None
) -> list[dict]:
    """The services of the view (or these `ids`, already known to be shown)."""
    geom = func.geometry(Service.location)
    distance = (
        func.ST_Distance(Service.location, _reference_point(request.reference))
        if request.reference
        else literal(None)
    )
    rows = session.execute(
        select(
            Service.id,
            Service.nom,
            Structure.nom.label("structure"),
            Service.commune,
            Service.location_precision,
            Service.thematiques,
            func.ST_X(geom).label("lon"),
            func.ST_Y(geom).label("lat"),
            distance.label("distance"),
        )
        .join(Structure, Structure.id == Service.structure_id)
        .where(_shown(session, request) if ids is None else Service.id == any_(text_array(ids)))
        .order_by(Service.id)
        .limit(limit)
    )
    return [_point(row, request.categorie) for row in rows]


def categories_of(thematiques: list[str] | None) -> list[str]:
    return sorted({vocabulary.category_of(t) for t in thematiques or ()})


def _point(row, categorie: str | None) -> dict:
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


# Territory pages and widgets ---------------------------------------------------------------


@dataclass(frozen=True)
class ListedService:
    id: str
    nom: str
    structure: str
    commune: str | None
    code_postal: str | None
    categories: list[str]
    thematiques: list[str]
    frais: str | None
    date_maj: date
    distance_m: int | None


@dataclass(frozen=True)
class Offer:
    """What a territory page or a widget shows: counts, one page of the list, map data."""

    total: int
    by_category: dict[str, int]
    by_public: dict[str, int]
    items: list[ListedService]
    geojson: dict


def territory_offer(
    session: Session,
    territory: Territory,
    filters: MapFilters,
    *,
    view: tuple[BBox, int],
    offset: int,
    limit: int,
    reference: Reference | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
) -> Offer:
    """Everything a territory page needs, in one statement that reads the territory's
    services once (a materialised CTE) and aggregates them several ways."""
    bbox, zoom = view
    statement = offer_statement(
        session,
        territory,
        filters,
        zoom=zoom,
        offset=offset,
        limit=limit,
        reference=reference,
        max_points=max_points,
    )
    row = session.execute(statement).one()
    request = MapRequest(bbox, zoom, filters, territory, reference=reference)
    if row.points is not None:
        features = [_point(_PointRow(*values), None) for values in row.points]
        geojson = _collection(request, features, source="direct")
    else:
        level = grid.level_for_zoom(zoom)
        cells = [_CellRow(*values) for values in row.clusters]
        features = _clusters_and_singles(session, request, level, cells)
        geojson = _collection(request, features, source="direct")
    return Offer(
        total=row.total,
        by_category=_ordered(row.by_category, [c.value for c in vocabulary.v1.Categorie]),
        by_public=_ordered(row.by_public, vocabulary.values(vocabulary.v1.Public)),
        items=[_listed(_ListedRow(*values)) for values in row.items],
        geojson=geojson,
    )


def offer_statement(
    session: Session,
    territory: Territory,
    filters: MapFilters,
    *,
    zoom: int,
    offset: int,
    limit: int,
    reference: Reference | None,
    max_points: int,
):
    """The one statement of `territory_offer` (JSON columns, see there)."""
    offer = (
        select(
            Service.id,
            Service.nom,
            Service.structure_id,
            Service.commune,
            Service.code_postal,
            Service.thematiques,
            Service.publics,
            Service.frais,
            Service.date_maj,
            Service.location_precision,
            Service.location,
        )
        .where(offer_condition(session, filters, territory))
        .cte("offer")
        .prefix_with("MATERIALIZED")
    )
    # Counted once (a CTE), used in several places.
    counted = select(func.count().label("n")).select_from(offer).cte("counted")
    total = select(counted.c.n).scalar_subquery()

    # A service counts once per category even with several sub-thèmes of it.
    thematique = func.unnest(offer.c.thematiques).table_valued("value").render_derived()
    pairs = (
        select(
            offer.c.id,
            func.split_part(thematique.c.value, vocabulary.THEMATIQUE_SEPARATOR, 1).label("c"),
        )
        .select_from(offer)
        .join(thematique, true())
        .distinct()
        .subquery()
    )
    by_category = (
        select(pairs.c.c.label("k"), func.count().label("n")).group_by(pairs.c.c).subquery()
    )
    public = func.unnest(offer.c.publics).table_valued("value").render_derived()
    by_public = (
        select(public.c.value.label("k"), func.count().label("n"))
        .select_from(offer)
        .join(public, true())
        .group_by(public.c.value)
        .subquery()
    )

    def distance():
        if reference is None:
            return literal(None)
        return func.ST_Distance(offer.c.location, _reference_point(reference))

    ordered = (
        select(offer, distance().label("distance"))
        .order_by(*([text("distance"), offer.c.id] if reference else [offer.c.nom, offer.c.id]))
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    page = (
        select(
            ordered.c.id,
            ordered.c.nom,
            Structure.nom.label("structure"),
            ordered.c.commune,
            ordered.c.code_postal,
            ordered.c.thematiques,
            ordered.c.frais,
            ordered.c.date_maj,
            ordered.c.distance,
        )
        .join(Structure, Structure.id == ordered.c.structure_id)
        .subquery()
    )

    geom = func.geometry(offer.c.location)
    points = (
        select(
            offer.c.id,
            offer.c.nom,
            Structure.nom.label("structure"),
            offer.c.commune,
            offer.c.location_precision,
            offer.c.thematiques,
            func.ST_X(geom).label("lon"),
            func.ST_Y(geom).label("lat"),
            distance().label("distance"),
        )
        .join(Structure, Structure.id == offer.c.structure_id)
        .order_by(offer.c.id)
        .subquery()
    )
    level = grid.level_for_zoom(zoom)
    located = select(offer.c.id, geom.label("g")).select_from(offer).offset(0).subquery()
    coordinates = select(
        located.c.id, func.ST_X(located.c.g).label("lon"), func.ST_Y(located.c.g).label("lat")
    ).subquery()
    count = func.count()
    clusters = (
        select(
            func.map_cell_x(coordinates.c.lon, level).label("x"),
            func.map_cell_y(coordinates.c.lat, level).label("y"),
            count.label("n"),
            func.avg(coordinates.c.lon).label("lon"),
            func.avg(coordinates.c.lat).label("lat"),
            case((count == 1, func.min(coordinates.c.id))).label("single"),
        )
        .group_by(text("1"), text("2"))
        .subquery()
    )

    def rows_json(subquery) -> ColumnElement:
        return (
            select(func.coalesce(func.json_agg(func.json_build_array(*subquery.c)), text("'[]'")))
            .select_from(subquery)
            .scalar_subquery()
        )

    return select(
        total.label("total"),
        rows_json(by_category).label("by_category"),
        rows_json(by_public).label("by_public"),
        rows_json(page).label("items"),
        # Only one of the two is computed (a CASE evaluates the branch it takes).
        case((total <= max_points, rows_json(points)), else_=literal(None)).label("points"),
        case((total > max_points, rows_json(clusters)), else_=literal(None)).label("clusters"),
    )


WORLD = BBox(-180.0, -grid.MAX_LATITUDE, 180.0, grid.MAX_LATITUDE)
NATIONAL_COUNT_CAP = 10_000


def national_offer(
    session: Session,
    filters: MapFilters,
    *,
    view: tuple[BBox, int],
    offset: int,
    limit: int,
    max_points: int = DEFAULT_MAX_POINTS,
) -> tuple[Offer, bool]:
    """The whole country's offer (a widget without territory): the total, from the grid
    when it can answer (else counted up to NATIONAL_COUNT_CAP: the flag says it is capped),
    the most recently updated services, and the map of the view. No per-category counts."""
    bbox, zoom = view
    whole = MapRequest(WORLD, 0, filters)
    categorie = _grid_category(whole)
    if categorie is not None:
        total = _grid_total(session, whole, categorie, min(grid.STORED_LEVELS))
        capped = False
    else:
        total = _count_capped(session, whole, NATIONAL_COUNT_CAP, with_bbox=False)
        capped = total > NATIONAL_COUNT_CAP
    rows = session.execute(
        select(
            Service.id,
            Service.nom,
            Structure.nom.label("structure"),
            Service.commune,
            Service.code_postal,
            Service.thematiques,
            Service.frais,
            Service.date_maj,
            literal(None).label("distance"),
        )
        .join(Structure, Structure.id == Service.structure_id)
        .where(offer_condition(session, filters, None))
        .order_by(Service.date_maj.desc(), Service.id)
        .offset(offset)
        .limit(limit)
    )
    items = [_listed(_ListedRow(*row[:7], row.date_maj.isoformat(), None)) for row in rows]
    geojson = services_geojson(session, MapRequest(bbox, zoom, filters), max_points=max_points)
    return Offer(total, {}, {}, items, geojson), capped


@dataclass(frozen=True)
class _CellRow:
    x: int
    y: int
    n: int
    lon: float
    lat: float
    single: str | None


@dataclass(frozen=True)
class _PointRow:
    id: str
    nom: str
    structure: str
    commune: str | None
    location_precision: str | None
    thematiques: list[str] | None
    lon: float
    lat: float
    distance: float | None


@dataclass(frozen=True)
class _ListedRow:
    id: str
    nom: str
    structure: str
    commune: str | None
    code_postal: str | None
    thematiques: list[str] | None
    frais: str | None
    date_maj: str
    distance: float | None


def _listed(row: _ListedRow) -> ListedService:
    return ListedService(
        id=row.id,
        nom=row.nom,
        structure=row.structure,
        commune=row.commune,
        code_postal=row.code_postal,
        categories=categories_of(row.thematiques),
        thematiques=list(row.thematiques or []),
        frais=row.frais,
        date_maj=date.fromisoformat(row.date_maj),
        distance_m=round(row.distance) if row.distance is not None else None,
    )


def _ordered(rows, order: list[str]) -> dict[str, int]:
    counts = dict(rows)
    return {key: counts[key] for key in order if counts.get(key)}


def remote_count(session: Session, filters: MapFilters, territory: Territory | None) -> int:
    """Services offered remotely to everyone living in the territory: eligible in all of it
    (zone empty, the whole country, or containing the territory), read from the search's
    documents (public, not suspended, matching the filters)."""
    conditions = [doc.remote]
    if territory is not None:
        conditions.append(doc.elig.op("&&")(text_array([*territory.covering_codes, EVERYWHERE])))
    remote = map_filters.documents(session, filters).where(*conditions).subquery()
    return session.scalar(select(func.count()).select_from(remote)) or 0


def reference_of_commune(session: Session, code: str) -> Reference | None:
    from geodata import resolve

    commune = resolve.get_commune(session, code)
    if commune is None:
        return None
    return Reference(
        commune.longitude, commune.latitude, f"{commune.nom} ({commune.code})", commune.code
    )
