"""Maps: territory pages, the services GeoJSON API and the one module that builds maps."""

from __future__ import annotations

from flask import Flask

# Above this many services in a view, the GeoJSON API answers with clusters.
DEFAULT_MAX_POINTS = 500


def init_app(app: Flask) -> None:
    # Read from the environment by dora.config; this default serves apps built without it.
    app.config.setdefault("MAP_MAX_POINTS", DEFAULT_MAX_POINTS)
