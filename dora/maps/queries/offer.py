"""A territory's offer (territory pages, widgets): counts per category and public, one page
of the list, the first map view; the remote services offered to the whole territory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
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
from dora.maps import DEFAULT_MAX_POINTS, grid
from dora.maps import filters as map_filters
from dora.maps.filters import MapFilters, text_array
from dora.maps.grid import BBox
from dora.maps.queries.conditions import (
    MapRequest,
    Reference,
    on_map,
    search_document,
    shown_documents,
    territory_condition,
)
from dora.maps.queries.features import (
    categories_of,
    clusters_and_singles,
    collection,
    point_feature,
    point_features,
    reference_point,
)
from dora.maps.queries.geojson import count_capped, grid_category, grid_total, services_geojson
from dora.maps.queries.statistics import (
    COMMUNE_CLUSTERS_MAX_ZOOM,
    _by_commune_code,
    commune_clusters,
    ordered_counts,
    remote_count_precomputed,
    suspended_today,
    territory_counts,
)
from dora.maps.territory import Territory
from dora.search.query import EVERYWHERE, doc


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
    horaires_accueil: str | None = None
    code_insee: str | None = None


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
        features = [point_feature(_PointRow(*values), None) for values in row.points]
        geojson = collection(request, features, source="direct")
    else:
        level = grid.level_for_zoom(zoom)
        cells = [_CellRow(*values) for values in row.clusters]
        features = clusters_and_singles(session, request, level, cells)
        geojson = collection(request, features, source="direct")
    return Offer(
        total=row.total,
        by_category=ordered_counts(row.by_category, [c.value for c in vocabulary.v1.Categorie]),
        by_public=ordered_counts(row.by_public, vocabulary.values(vocabulary.v1.Public)),
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
            Service.horaires_accueil,
            Service.code_insee,
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
            # dora.rules: `dora_category_of`, as the precomputed counts.
            func.dora_category_of(thematique.c.value).label("c"),
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
        return func.ST_Distance(offer.c.location, reference_point(reference))

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
            ordered.c.horaires_accueil,
            ordered.c.code_insee,
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
        Service.horaires_accueil,
        Service.code_insee,
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
    categorie = grid_category(whole)
    if categorie is not None:
        total = grid_total(session, whole, categorie, min(grid.STORED_LEVELS))
        capped = False
    else:
        total = count_capped(session, whole, NATIONAL_COUNT_CAP, with_bbox=False)
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
    items = [
        _listed(
            _ListedRow(
                *row[:7], row.date_maj.isoformat(), None, row.horaires_accueil, row.code_insee
            )
        )
        for row in rows
    ]
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
    # For the « ouvert maintenant » badge of the list.
    horaires_accueil: str | None = None
    code_insee: str | None = None


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
        horaires_accueil=row.horaires_accueil,
        code_insee=row.code_insee,
    )


def remote_count(session: Session, filters: MapFilters, territory: Territory | None) -> int:
    """Services offered remotely to everyone living in the territory: eligible in all of it
    (zone empty, the whole country, or containing the territory), read from the search's
    documents (public, not suspended, matching the filters)."""
    if filters.is_empty():
        return remote_count_precomputed(session, territory)
    return remote_count_live(session, filters, territory)


def remote_count_live(session: Session, filters: MapFilters, territory: Territory | None) -> int:
    # Remote proper, as map_remote_zone counts (dora.search.map_counts): not those shown like
    # remote services for want of a place (« lieu non précisé »).
    conditions = [doc.remote, ~doc.place_unknown]
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
        .union(select(Service.id).where(*suspended_today()))
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
        func.ST_Distance(Service.location, reference_point(reference))
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
    return [
        _listed(
            _ListedRow(
                *row[:7],
                row.date_maj.isoformat(),
                row.distance,
                row.horaires_accueil,
                row.code_insee,
            )
        )
        for row in rows
    ]


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
        geojson = collection(request, point_features(session, request, max_points), source="direct")
    elif zoom <= COMMUNE_CLUSTERS_MAX_ZOOM:
        geojson = collection(
            request, commune_clusters(session, territory, zoom=zoom), source="communes"
        )
    else:
        geojson = services_geojson(session, request, max_points=max_points)
    return Offer(total, by_category, by_public, items, geojson)
