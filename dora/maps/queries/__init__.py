"""Reads for maps, by concern:

- `conditions`: a map request and the SQL conditions of what it shows;
- `features`: rows → GeoJSON Features and FeatureCollections;
- `geojson`: the GeoJSON of a map view (points or clusters; the services GeoJSON API);
- `statistics`: the precomputed counts per commune and remote zone, with their live corrections;
- `offer`: what a territory page or a widget shows (counts, list, first view, remote count).

The names callers use are re-exported here (`from dora.maps import queries`).
"""

from __future__ import annotations

from dora.maps.queries.conditions import MapRequest, Reference, TooManyCells
from dora.maps.queries.geojson import services_geojson
from dora.maps.queries.offer import (
    NATIONAL_COUNT_CAP,
    ListedService,
    Offer,
    list_territory,
    national_offer,
    offer_statement,
    reference_of_commune,
    remote_count,
    remote_count_live,
    territory_offer,
)
from dora.maps.queries.statistics import commune_clusters, territory_counts

__all__ = [
    "NATIONAL_COUNT_CAP",
    "ListedService",
    "MapRequest",
    "Offer",
    "Reference",
    "TooManyCells",
    "commune_clusters",
    "list_territory",
    "national_offer",
    "offer_statement",
    "reference_of_commune",
    "remote_count",
    "remote_count_live",
    "services_geojson",
    "territory_counts",
    "territory_offer",
]
