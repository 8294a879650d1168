"""Web Mercator cells for clustering, and the map view arithmetic (no database).

A cell of level L is one of 2^L × 2^L squares of the Web Mercator world: at map zoom Z a
cell of level Z + 2 is a 64-pixel square on screen, the size of a cluster. The same formulas
exist in SQL (`map_cell_x`, `map_cell_y`, migration 0005); the database keeps counts for
STORED_LEVELS in `map_grid_cell` and coarser levels are rolled up with bit shifts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Must match LEVELS in migrations/versions/0005_map_grid.py (tests/maps checks it).
STORED_LEVELS = (11, 14)
CELL_PX = 64
TILE_PX = 256
LEVELS_PER_ZOOM = int(math.log2(TILE_PX // CELL_PX))  # 2
MAX_LATITUDE = 85.0511
MIN_ZOOM = 0
MAX_ZOOM = 20


@dataclass(frozen=True)
class BBox:
    """A longitude/latitude rectangle (WGS84), west < east and south < north."""

    west: float
    south: float
    east: float
    north: float

    def as_list(self) -> list[float]:
        return [self.west, self.south, self.east, self.north]

    def contains(self, other: BBox) -> bool:
        return (
            self.west <= other.west
            and self.south <= other.south
            and self.east >= other.east
            and self.north >= other.north
        )


def level_for_zoom(zoom: int) -> int:
    return zoom + LEVELS_PER_ZOOM


def stored_level_for(level: int) -> int | None:
    """The coarsest stored level at least as fine as `level` (None when none is)."""
    candidates = [stored for stored in STORED_LEVELS if stored >= level]
    return min(candidates) if candidates else None


def _clamp_latitude(lat: float) -> float:
    return max(-MAX_LATITUDE, min(MAX_LATITUDE, lat))


def mercator_x(lon: float) -> float:
    """0 at 180°W, 1 at 180°E."""
    return (lon + 180.0) / 360.0


def mercator_y(lat: float) -> float:
    """0 at the north edge of the Web Mercator world, 1 at the south edge."""
    phi = math.radians(_clamp_latitude(lat))
    return (1.0 - math.log(math.tan(math.pi / 4 + phi / 2)) / math.pi) / 2.0


def cell_x(lon: float, level: int) -> int:
    size = 1 << level
    return max(0, min(size - 1, math.floor(mercator_x(lon) * size)))


def cell_y(lat: float, level: int) -> int:
    size = 1 << level
    return max(0, min(size - 1, math.floor(mercator_y(lat) * size)))


def latitude_of(y: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y))))


def cell_bounds(cx: int, cy: int, level: int) -> BBox:
    size = 1 << level
    return BBox(
        west=cx / size * 360.0 - 180.0,
        south=latitude_of((cy + 1) / size),
        east=(cx + 1) / size * 360.0 - 180.0,
        north=latitude_of(cy / size),
    )


def cell_range(bbox: BBox, level: int) -> tuple[int, int, int, int]:
    """(x_min, x_max, y_min, y_max) of the cells a bbox touches (y grows southwards)."""
    return (
        cell_x(bbox.west, level),
        cell_x(bbox.east, level),
        cell_y(bbox.north, level),
        cell_y(bbox.south, level),
    )


def zoom_to_fit(
    bbox: BBox, width_px: int, height_px: int, *, max_zoom: int = 13, padding_px: int = 16
) -> int:
    """The largest zoom showing the whole bbox in a map of that size (like Leaflet's)."""
    dx = max(mercator_x(bbox.east) - mercator_x(bbox.west), 1e-9)
    dy = max(mercator_y(bbox.south) - mercator_y(bbox.north), 1e-9)
    usable_w = max(1, width_px - 2 * padding_px)
    usable_h = max(1, height_px - 2 * padding_px)
    scale = min(usable_w / (TILE_PX * dx), usable_h / (TILE_PX * dy))
    return max(MIN_ZOOM, min(max_zoom, math.floor(math.log2(scale))))


def view_bbox(lon: float, lat: float, zoom: int, width_px: int, height_px: int) -> BBox:
    """The rectangle a map of that size shows around (lon, lat) at `zoom`."""
    world = TILE_PX * (1 << zoom)
    x, y = mercator_x(lon), mercator_y(lat)
    half_w, half_h = width_px / 2 / world, height_px / 2 / world
    return BBox(
        west=max(-180.0, (x - half_w) * 360.0 - 180.0),
        south=latitude_of(min(1.0, y + half_h)),
        east=min(180.0, (x + half_w) * 360.0 - 180.0),
        north=latitude_of(max(0.0, y - half_h)),
    )
