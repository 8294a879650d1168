"""What the territory pages and the embedded widget both draw: the first view of a map,
the cluster colour of the filters, the form errors of a page."""

from __future__ import annotations

from dataclasses import dataclass

from dora.maps import grid
from dora.maps.builder import ALL_CATEGORIES_COLOUR, category_colour
from dora.maps.filters import MapFilters

# The map size the first view is computed for (the page lays the map out about this size).
MAP_WIDTH_PX = 760
MAP_HEIGHT_PX = 480
MAX_INITIAL_ZOOM = 13


@dataclass(frozen=True)
class PageErrors:
    """Bad query-string values of a page: shown next to the form, never a 500."""

    messages: dict[str, str]

    def __bool__(self) -> bool:
        return bool(self.messages)


def initial_view(
    bounds: grid.BBox, width: int = MAP_WIDTH_PX, height: int = MAP_HEIGHT_PX
) -> tuple[grid.BBox, int, tuple[float, float]]:
    """The first view of a map of that size showing `bounds`: (bbox, zoom, (lat, lon))."""
    zoom = grid.zoom_to_fit(bounds, width, height, max_zoom=MAX_INITIAL_ZOOM)
    lon = (bounds.west + bounds.east) / 2
    # The centre in Mercator, so that the territory sits in the middle of the map.
    lat = grid.latitude_of((grid.mercator_y(bounds.north) + grid.mercator_y(bounds.south)) / 2)
    return grid.view_bbox(lon, lat, zoom, width, height), zoom, (lat, lon)


def cluster_colour(filters: MapFilters) -> str:
    category = filters.single_category()
    return category_colour(category) if category else ALL_CATEGORIES_COLOUR
