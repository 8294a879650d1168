"""Reads for maps: which services a territory holds, their counts, their list, and the
GeoJSON of points or clusters for a map view.

Clusters for wide views come from `map_grid_cell` (kept by triggers, see migration 0005)
when the request has no filter or a single category. Everything else starts from the
search's filtered set (`dora.search.query.matching_documents`: public services, today's
suspensions, the same filters as the search), on site, in the view or the territory; the
catalogue only adds what is displayed (names, communes) and the commune codes of territories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from geoalchemy2 import Geography
from sqlalchemy import (
    ColumnElement,
    Select,
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
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from dora import rules, vocabulary
from dora.catalogue.models import Service, Structure
from dora.catalogue.queries import publicly_visible
from dora.core.template_helpers import precision_caption
from dora.maps import DEFAULT_MAX_POINTS, grid
from dora.maps import filters as map_filters
from dora.maps.filters import MapFilters, text_array
from dora.maps.grid import BBox
from dora.maps.models import MapCommuneStat, MapGridCell, MapRemoteZone
from dora.maps.territory import Territory
from dora.search.models import SearchDocument
from dora.search.query import EVERYWHERE, SearchQuery, doc, filter_conditions
from dora.territories.models import Departement

search_document = SearchDocument.__table__
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
    """A service drawn on maps: on site (dora.rules: `dora_on_site`, as
    `search_document.on_site` from which the grid is counted). The function is inlined: the
    location index stays usable."""
    return and_(
        Service.location.is_not(None), func.dora_on_site(Service.location, Service.modes_accueil)
    )


def _envelope(bbox: BBox) -> ColumnElement:
    return func.ST_MakeEnvelope(bbox.west, bbox.south, bbox.east, bbox.north, 4326)


def bbox_condition(bbox: BBox) -> ColumnElement[bool]:
    return and_(*located_in(Service.location, bbox))


def territory_condition(territory: Territory) -> ColumnElement[bool]:
    """Services located in the territory: by commune code, and for a département also by
    point for services that have no commune code."""
    by_code = Service.code_insee == any_(text_array(territory.commune_codes))
    if not territory.uses_polygon:
        return by_code
    return or_(by_code, _placed_by_point(territory))


def _placed_by_point(territory: Territory) -> ColumnElement[bool]:
    """Services without a commune code whose point lies in the département's outline."""
    polygon = select(Departement.geom).where(Departement.code == territory.code)
    return and_(
        Service.code_insee.is_(None),
        bbox_condition(territory.bounds),
        func.ST_Covers(polygon.scalar_subquery(), func.geometry(Service.location)),
    )


def category_condition(categorie: str) -> ColumnElement[bool]:
    """A category means its sub-thèmes (dora.rules: `dora_thematiques_asked`)."""
    return Service.thematiques.op("&&")(rules.thematiques_asked(text_array([categorie])))


def located_in(location: ColumnElement, bbox: BBox) -> list[ColumnElement[bool]]:
    """A geography column inside a bbox: `&&` uses its GiST index, the geometry test makes
    the edges exact."""
    envelope = _envelope(bbox)
    return [
        location.op("&&")(cast(envelope, Geography)),
        func.ST_Intersects(func.geometry(location), envelope),
    ]


def shown_documents(
    session: Session,
    filters: MapFilters,
    *,
    territory: Territory | None = None,
    bbox: BBox | None = None,
    categorie: str | None = None,
) -> Select:
    """`search_document` rows of the on-site public services matching the search filters,
    in the territory, the view and the category layer when given."""
    documents = map_filters.documents(session, filters).where(doc.on_site)
    if bbox is not None:
        documents = documents.where(*located_in(doc.location, bbox))
    if categorie:
        documents = documents.where(
            *filter_conditions(session, SearchQuery(thematiques=(categorie,)))
        )
    if territory is not None:
        documents = documents.join(Service, Service.id == doc.service_id).where(
            territory_condition(territory)
        )
    return documents


def _shown(session: Session, request: MapRequest, *, with_bbox: bool = True) -> Select:
    return shown_documents(
        session,
        request.filters,
        territory=request.territory,
        bbox=request.bbox if with_bbox else None,
        categorie=request.categorie,
    )


# GeoJSON ---------------------------------------------------------------------------------


def _grid_category(request: MapRequest) -> str | None:
    """The `map_grid_cell.categorie` answering this request, or None if the grid cannot."""
    if request.territory is not None:
        return None
    return _simple_category(request)


def _simple_category(request: MapRequest) -> str | None:
    """ "" (all) or the one category the request asks for, when precomputed counts can
    answer it (no other filter); None otherwise."""
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
    grid_answers = categorie is not None and stored is not None
    if grid_answers and _grid_total(session, request, categorie, stored) > max_points:
        clusters = _grid_clusters(session, request, categorie, stored, level)
        return _collection(request, clusters, source="grille")
    simple = _simple_category(request)
    if (
        request.territory is not None
        and simple is not None
        and _commune_clusters_apply(request.territory, request.zoom)
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
            return _collection(request, clusters, source="communes")
    if stored is None:
        # Close views mostly hold few services: fetch them, cluster only if too many.
        points = _points(session, request, max_points + 1)
        if len(points) <= max_points:
            return _collection(request, points, source="direct")
    elif _count_capped(session, request, max_points) <= max_points:
        return _collection(request, _points(session, request, max_points), source="direct")
    return _collection(request, _live_clusters(session, request, level), source="direct")


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
        _shown(session, request, with_bbox=with_bbox)
        .with_only_columns(doc.service_id)
        .limit(cap + 1)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(capped)) or 0


def _suspended_located(request: MapRequest, categorie: str) -> ColumnElement[bool]:
    """Services the grid counts but the public must not see today (suspended)."""
    clauses = [
        Service.statut == "publie",
        *_suspended_today(),
        on_map(),
        bbox_condition(request.bbox),
        _validated_structure(),
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
        _shown(session, request)
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
        shown = _shown(session, request).with_only_columns(doc.service_id).limit(limit).subquery()
        statement = statement.join(shown, shown.c.service_id == Service.id)
    else:
        statement = statement.where(Service.id == any_(text_array(ids)))
    rows = sorted(session.execute(statement), key=lambda row: row.id)
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
    """Everything a territory page needs: counts, a page of the list, the first map view.

    Without filters the counts come from the precomputed commune statistics and the list
    from the catalogue's indexes; with filters, one statement reads the territory's matching
    services once (a materialised CTE) and aggregates them several ways."""
    bbox, zoom = view
    if filters.is_empty():
        return _territory_offer_precomputed(
            session,
            territory,
            view=view,
            offset=offset,
            limit=limit,
            reference=reference,
            max_points=max_points,
        )
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
        .join(search_document, search_document.c.service_id == Service.id)
        .where(
            map_filters.documents(session, filters).whereclause,
            doc.on_site,
            territory_condition(territory),
        )
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

    order = [distance(), offer.c.id] if reference else [offer.c.nom, offer.c.id]
    ordered = (
        select(
            offer,
            distance().label("distance"),
            func.row_number().over(order_by=order).label("rank"),
        )
        .order_by(*order)
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    page = (
        select(
            ordered.c.rank,
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

    def rows_json(subquery, *, ranked: bool = False) -> ColumnElement:
        # A join does not keep the order of its input: ranked rows are aggregated by rank.
        columns = [c for c in subquery.c if c.name != "rank"]
        rows = func.json_build_array(*columns)
        aggregated = func.json_agg(aggregate_order_by(rows, subquery.c.rank) if ranked else rows)
        return (
            select(func.coalesce(aggregated, text("'[]'"))).select_from(subquery).scalar_subquery()
        )

    return select(
        total.label("total"),
        rows_json(by_category).label("by_category"),
        rows_json(by_public).label("by_public"),
        rows_json(page, ranked=True).label("items"),
        # Only one of the two is computed (a CASE evaluates the branch it takes).
        case((total <= max_points, rows_json(points)), else_=literal(None)).label("points"),
        case((total > max_points, rows_json(clusters)), else_=literal(None)).label("clusters"),
    )


WORLD = BBox(-180.0, -grid.MAX_LATITUDE, 180.0, grid.MAX_LATITUDE)
NATIONAL_COUNT_CAP = 10_000


def _list_columns(distance) -> tuple:
    """The columns of a row of the list of services beside a map (its accessible twin)."""
    return (
        Service.id,
        Service.nom,
        Structure.nom.label("structure"),
        Service.commune,
        Service.code_postal,
        Service.thematiques,
        Service.frais,
        Service.date_maj,
        distance.label("distance"),
    )


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
    # The search's index on (date_maj, service_id) gives the freshest first.
    freshest = (
        shown_documents(session, filters)
        .with_only_columns(doc.service_id, doc.date_maj)
        .order_by(doc.date_maj.desc(), doc.service_id.desc())
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        select(*_list_columns(literal(None)))
        .select_from(freshest)
        .join(Service, Service.id == freshest.c.service_id)
        .join(Structure, Structure.id == Service.structure_id)
        .order_by(freshest.c.date_maj.desc(), freshest.c.service_id.desc())
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
    if filters.is_empty():
        return _remote_count_precomputed(session, territory)
    return remote_count_live(session, filters, territory)


def remote_count_live(session: Session, filters: MapFilters, territory: Territory | None) -> int:
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


# Precomputed paths (no filter) ---------------------------------------------------------------
#
# map_commune_stat and map_remote_zone count the published services of validated structures;
# what they cannot know is added here from small live queries: today's suspensions (minus)
# and, for a département, the located services without a commune code (plus).

# Commune statistics stand for clusters of a territory of several communes up to this zoom
# (cells of 2 km and more: about a commune): each commune's services at their centroid.
# Closer, or for a single commune, clusters come from the services' own points.
COMMUNE_CLUSTERS_MAX_ZOOM = 12


def _commune_clusters_apply(territory: Territory, zoom: int) -> bool:
    # Paris, Lyon and Marseille count their arrondissements: their codes are apart too.
    return len(territory.commune_codes) > 1 and zoom <= COMMUNE_CLUSTERS_MAX_ZOOM


def _suspended_today() -> list[ColumnElement[bool]]:
    # `suspendu_du IS NOT NULL` first: the partial index of the few suspended services.
    return [
        Service.suspendu_du.is_not(None),
        ~rules.not_suspended(Service.suspendu_du, Service.suspendu_au),
    ]


def _validated_structure() -> ColumnElement[bool]:
    """The structure side of dora.rules' `dora_is_public` (few structures are not validated:
    read through their partial index)."""
    return Service.structure_id.not_in(
        select(Structure.id).where(~rules.is_public(literal("publie"), Structure.moderation))
    )


def _by_commune_code(territory: Territory) -> ColumnElement[bool]:
    return Service.code_insee == any_(text_array(territory.commune_codes))


def _corrections(territory: Territory, *, categorie: str | None = None, bbox: BBox | None = None):
    """Signed on-site services the commune statistics get wrong for this territory: -1 for
    the suspended today (counted there), +1 for those placed by point (not there)."""
    geom = func.geometry(Service.location)
    narrower = [
        *([category_condition(categorie)] if categorie else []),
        *([bbox_condition(bbox)] if bbox is not None else []),
    ]

    def rows(sign: int, *conditions) -> Select:
        return select(
            literal(sign).label("sign"),
            Service.id,
            Service.thematiques,
            Service.publics,
            func.ST_X(geom).label("lon"),
            func.ST_Y(geom).label("lat"),
        ).where(on_map(), *conditions, *narrower)

    suspended = rows(
        -1,
        Service.statut == "publie",
        _validated_structure(),
        _by_commune_code(territory),
        *_suspended_today(),
    )
    if not territory.uses_polygon:
        return suspended
    return suspended.union_all(rows(1, publicly_visible(), _placed_by_point(territory)))


def _keys_of(row) -> list[str]:
    """The map_commune_stat keys a service counts in."""
    return [
        "",
        *(f"c:{c}" for c in categories_of(row.thematiques)),
        *(f"p:{p}" for p in sorted(set(row.publics or ()))),
    ]


def territory_counts(
    session: Session, territory: Territory
) -> tuple[int, dict[str, int], dict[str, int]]:
    """(total, per category, per declared public) of the territory's on-site services."""
    counts: dict[str, int] = dict(
        session.execute(
            select(MapCommuneStat.cle, func.sum(MapCommuneStat.n))
            .where(MapCommuneStat.code_insee == any_(text_array(territory.commune_codes)))
            .group_by(MapCommuneStat.cle)
        ).all()
    )
    for row in session.execute(_corrections(territory)):
        for key in _keys_of(row):
            counts[key] = counts.get(key, 0) + row.sign
    by_category = {k[2:]: n for k, n in counts.items() if k.startswith("c:")}
    by_public = {k[2:]: n for k, n in counts.items() if k.startswith("p:")}
    return (
        max(0, counts.get("", 0)),
        _ordered(by_category.items(), [c.value for c in vocabulary.v1.Categorie]),
        _ordered(by_public.items(), vocabulary.values(vocabulary.v1.Public)),
    )


def _hidden_services() -> Select:
    """Published services the public does not see: their structure is not validated (few
    structures: a partial index) or they are suspended today (a partial index too). The
    complement of publicly_visible() among published services, cheap to compute."""
    hidden_structures = select(Structure.id).where(
        ~rules.is_public(literal("publie"), Structure.moderation)
    )
    return (
        select(Service.id)
        .where(Service.structure_id.in_(hidden_structures))
        .union(select(Service.id).where(*_suspended_today()))
    )


def list_territory(
    session: Session,
    territory: Territory,
    *,
    offset: int,
    limit: int,
    reference: Reference | None = None,
) -> list[ListedService]:
    """A page of the territory's on-site services, by name or nearest first. Visibility is
    checked as "published and not hidden" so that no structure is read per service."""
    located_here = (
        or_(_by_commune_code(territory), territory_condition(territory))
        if territory.uses_polygon
        else _by_commune_code(territory)
    )
    distance = (
        func.ST_Distance(Service.location, _reference_point(reference))
        if reference
        else literal(None)
    )
    page = (
        select(Service.id, distance.label("distance"))
        .where(
            located_here,
            Service.statut == "publie",
            on_map(),
            Service.id.not_in(_hidden_services()),
        )
        .order_by(*([distance, Service.id] if reference else [Service.nom, Service.id]))
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        select(*_list_columns(page.c.distance))
        .select_from(page)
        .join(Service, Service.id == page.c.id)
        .join(Structure, Structure.id == Service.structure_id)
        .order_by(*([page.c.distance, Service.id] if reference else [Service.nom, Service.id]))
    )
    return [_listed(_ListedRow(*row[:7], row.date_maj.isoformat(), row.distance)) for row in rows]


def commune_clusters(
    session: Session,
    territory: Territory,
    *,
    zoom: int,
    categorie: str | None = None,
    bbox: BBox | None = None,
    more_than: int = 0,
) -> list[dict] | None:
    """Clusters of the territory's services from the commune statistics: each commune's
    services at their centroid, grouped per 64-pixel cell (overview zooms only); with a
    `bbox`, the communes whose centroid is in it. None when they are `more_than` or fewer
    (the caller shows the services themselves)."""
    level = grid.level_for_zoom(zoom)
    cle = f"c:{categorie}" if categorie else ""
    stat = MapCommuneStat
    lon = stat.sum_lon / stat.n
    lat = stat.sum_lat / stat.n
    in_view = (
        [lon.between(bbox.west, bbox.east), lat.between(bbox.south, bbox.north)]
        if bbox is not None
        else []
    )
    stats = select(
        func.map_cell_x(lon, level).label("x"),
        func.map_cell_y(lat, level).label("y"),
        stat.n,
        stat.sum_lon,
        stat.sum_lat,
        stat.code_insee,
    ).where(
        stat.code_insee == any_(text_array(territory.commune_codes)),
        stat.cle == cle,
        stat.n > 0,
        *in_view,
    )
    corrections = _corrections(territory, categorie=categorie, bbox=bbox).subquery()
    fixes = select(
        func.map_cell_x(corrections.c.lon, level),
        func.map_cell_y(corrections.c.lat, level),
        corrections.c.sign,
        corrections.c.sign * corrections.c.lon,
        corrections.c.sign * corrections.c.lat,
        literal(None),
    )
    cells = stats.union_all(fixes).subquery()
    n = func.sum(cells.c.n)
    rows = session.execute(
        select(
            cells.c.x,
            cells.c.y,
            n.label("n"),
            (func.sum(cells.c.sum_lon) / n).label("lon"),
            (func.sum(cells.c.sum_lat) / n).label("lat"),
            func.array_agg(cells.c.code_insee).label("codes"),
        )
        .group_by(cells.c.x, cells.c.y)
        .having(n > 0)
    ).all()
    if sum(row.n for row in rows) <= more_than:
        return None
    # A cell of one service shows that service (found by its commune code).
    single_codes = [c for row in rows if row.n == 1 for c in row.codes if c is not None]
    features = [_cluster(row.x, row.y, level, row.n, row.lon, row.lat) for row in rows if row.n > 1]
    if single_codes:
        request = MapRequest(territory.bounds, zoom, MapFilters(), territory, categorie)
        singles = (
            select(Service.id)
            .where(
                Service.code_insee == any_(text_array(single_codes)),
                publicly_visible(),
                on_map(),
                *([category_condition(categorie)] if categorie else []),
            )
            .subquery()
        )
        ids = list(session.scalars(select(singles.c.id)))
        features.extend(_points(session, request, len(ids), ids=ids))
    return features


def _territory_offer_precomputed(
    session: Session,
    territory: Territory,
    *,
    view: tuple[BBox, int],
    offset: int,
    limit: int,
    reference: Reference | None,
    max_points: int,
) -> Offer:
    bbox, zoom = view
    total, by_category, by_public = territory_counts(session, territory)
    items = list_territory(session, territory, offset=offset, limit=limit, reference=reference)
    # The first view shows the whole territory: its services, or its clusters.
    request = MapRequest(bbox, zoom, MapFilters(), territory, reference=reference)
    if total <= max_points:
        geojson = _collection(request, _points(session, request, max_points), source="direct")
    elif zoom <= COMMUNE_CLUSTERS_MAX_ZOOM:
        geojson = _collection(
            request, commune_clusters(session, territory, zoom=zoom), source="communes"
        )
    else:
        geojson = services_geojson(session, request, max_points=max_points)
    return Offer(total, by_category, by_public, items, geojson)


def _remote_count_precomputed(session: Session, territory: Territory | None) -> int:
    covering = [*territory.covering_codes, EVERYWHERE] if territory else None
    zones = select(func.coalesce(func.sum(MapRemoteZone.n), 0))
    if covering is not None:
        zones = zones.where(MapRemoteZone.zone.op("&&")(text_array(covering)))
    total = session.scalar(zones) or 0
    # Remote services suspended today are counted in the zones: take them out.
    # (The same set as the zones count: remote proper, eligibility by dora.rules.)
    suspended = select(func.count()).where(
        Service.statut == "publie",
        _validated_structure(),
        Service.modes_accueil.op("@>")(text_array([vocabulary.A_DISTANCE])),
        *_suspended_today(),
        *(
            [func.dora_elig(Service.zone_eligibilite).op("&&")(text_array(covering))]
            if covering
            else []
        ),
    )
    return max(0, total - (session.scalar(suspended) or 0))
