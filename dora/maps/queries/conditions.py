"""What a map request is and which services it shows: the request, the point distances are
measured from, and the SQL conditions (on a map, in a view, in a territory, in a category).

Everything starts from the search's filtered set (`dora.search.query.matching_documents`:
public services, today's suspensions, the same filters as the search); the catalogue only adds
what is displayed (names, communes) and the commune codes of territories.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geoalchemy2 import Geography
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    any_,
    cast,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from dora import rules
from dora.catalogue.models import Service
from dora.maps import filters as map_filters
from dora.maps.filters import MapFilters, text_array
from dora.maps.grid import BBox
from dora.maps.territory import Territory
from dora.search.models import SearchDocument
from dora.search.query import SearchQuery, doc, filter_conditions
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


def shown_in_view(session: Session, request: MapRequest, *, with_bbox: bool = True) -> Select:
    return shown_documents(
        session,
        request.filters,
        territory=request.territory,
        bbox=request.bbox if with_bbox else None,
        categorie=request.categorie,
    )
