"""The feature packages of dora, and discovery of what each one provides.

A feature package `dora/<name>/` may provide, by convention:
- `models.py`            SQLAlchemy models (imported for migrations and tests);
- `views.py`, `api.py`   a Blueprint named `bp` (both are registered when present);
- `cli.py`               a click command or group named `command`, added to `dora`;
- `init_app(app)`        in its `__init__.py`, for anything else it hooks into the app.
Adding a feature means adding its name here, nothing more.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from types import ModuleType

FEATURES = (
    "core",
    "territories",
    "catalogue",
    "interop",
    "demo",
    "search",
    "maps",
    "embed",
    "accounts",
    "structures",
    "publishing",
    "orientation",
    "offers",
    "alerts",
    "coverage",
    "bench",
    # Shared API pieces: serves /api/v1/openapi.json, built from every feature's openapi.py.
    "api",
)


def modules(submodule: str | None = None) -> Iterator[ModuleType]:
    """Each feature's package (or its `submodule`), for the features that have it."""
    for feature in FEATURES:
        name = f"dora.{feature}" + (f".{submodule}" if submodule else "")
        if importlib.util.find_spec(f"dora.{feature}") is None:
            continue
        if submodule and importlib.util.find_spec(name) is None:
            continue
        yield importlib.import_module(name)
