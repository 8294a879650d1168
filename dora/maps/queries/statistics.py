"""Precomputed statistics (no filter): `map_commune_stat` and `map_remote_zone`.

They count the published services of validated structures (kept by triggers, migration
0005); what they cannot know is added here from small live queries: today's suspensions
(minus) and, for a département, the located services without a commune code (plus).
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    Select,
    any_,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from dora import rules, vocabulary
from dora.catalogue.models import Service, Structure
from dora.catalogue.queries import publicly_visible
from dora.maps import grid
from dora.maps.filters import MapFilters, text_array
from dora.maps.grid import BBox
from dora.maps.models import MapCommuneStat, MapRemoteZone
from dora.maps.queries.conditions import (
    MapRequest,
    _placed_by_point,
    bbox_condition,
    category_condition,
    on_map,
)
from dora.maps.queries.features import categories_of, cluster_feature, point_features
from dora.maps.territory import Territory
from dora.search.query import EVERYWHERE


def ordered_counts(rows, order: list[str]) -> dict[str, int]:
    counts = dict(rows)
    return {key: counts[key] for key in order if counts.get(key)}


# Commune statistics stand for clusters of a territory of several communes up to this zoom
# (cells of 2 km and more: about a commune): each commune's services at their centroid.
# Closer, or for a single commune, clusters come from the services' own points.
COMMUNE_CLUSTERS_MAX_ZOOM = 12


def commune_clusters_apply(territory: Territory, zoom: int) -> bool:
    # Paris, Lyon and Marseille count their arrondissements: their codes are apart too.
    return len(territory.commune_codes) > 1 and zoom <= COMMUNE_CLUSTERS_MAX_ZOOM


def suspended_today() -> list[ColumnElement[bool]]:
    # `suspendu_du IS NOT NULL` first: the partial index of the few suspended services.
    return [
        Service.suspendu_du.is_not(None),
        ~rules.not_suspended(Service.suspendu_du, Service.suspendu_au),
    ]


def validated_structure() -> ColumnElement[bool]:
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
        validated_structure(),
        _by_commune_code(territory),
        *suspended_today(),
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
        ordered_counts(by_category.items(), [c.value for c in vocabulary.v1.Categorie]),
        ordered_counts(by_public.items(), vocabulary.values(vocabulary.v1.Public)),
    )


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
    features = [
        cluster_feature(row.x, row.y, level, row.n, row.lon, row.lat) for row in rows if row.n > 1
    ]
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
        features.extend(point_features(session, request, len(ids), ids=ids))
    return features


def remote_count_precomputed(session: Session, territory: Territory | None) -> int:
    covering = [*territory.covering_codes, EVERYWHERE] if territory else None
    zones = select(func.coalesce(func.sum(MapRemoteZone.n), 0))
    if covering is not None:
        zones = zones.where(MapRemoteZone.zone.op("&&")(text_array(covering)))
    total = session.scalar(zones) or 0
    # Remote services suspended today are counted in the zones: take them out.
    # (The same set as the zones count: remote proper, eligibility by dora.rules.)
    suspended = select(func.count()).where(
        Service.statut == "publie",
        validated_structure(),
        Service.modes_accueil.op("@>")(text_array([vocabulary.A_DISTANCE])),
        *suspended_today(),
        *(
            [func.dora_elig(Service.zone_eligibilite).op("&&")(text_array(covering))]
            if covering
            else []
        ),
    )
    return max(0, total - (session.scalar(suspended) or 0))
