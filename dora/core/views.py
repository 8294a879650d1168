"""Cross-cutting routes: health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from dora.api.errors import RETRY_AFTER_SECONDS
from dora.core.health import run_checks
from dora.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness for load balancers: 503 only when the database is unreachable. A check of a
    feature may make it "degraded", still 200 (the search queue left behind: pages answer,
    only recent changes may be missing from search; see dora.core.health)."""
    try:
        db.session.execute(text("SELECT 1"))
        reports = run_checks(current_app._get_current_object(), db.session.connection())
    except SQLAlchemyError:
        response = jsonify({"status": "erreur", "database": "injoignable"})
        return response, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    degraded = any(report.degraded for report in reports.values())
    return jsonify(
        {
            "status": "degraded" if degraded else "ok",
            "database": "ok",
            **{name: report.details for name, report in reports.items()},
        }
    )
