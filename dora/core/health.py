"""What /healthz reports beyond the database: checks registered by the features.

core cannot import the features (they import core); a feature with something to report —
the search queue — registers a check from its `init_app`, and /healthz runs them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy.engine import Connection

_KEY = "dora_health_checks"


@dataclass(frozen=True)
class HealthReport:
    """One section of /healthz; `degraded` makes the whole answer "degraded" (still 200)."""

    details: dict[str, Any]
    degraded: bool = False


HealthCheck = Callable[[Flask, Connection], HealthReport]


def register_check(app: Flask, name: str, check: HealthCheck) -> None:
    """Report `check`'s details under `name` in /healthz."""
    app.extensions.setdefault(_KEY, {})[name] = check


def run_checks(app: Flask, connection: Connection) -> dict[str, HealthReport]:
    """Every registered check, by name (database errors propagate: the caller answers 503)."""
    return {name: check(app, connection) for name, check in app.extensions.get(_KEY, {}).items()}
