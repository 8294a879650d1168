"""Cross-cutting routes: health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from dora.api.errors import RETRY_AFTER_SECONDS
from dora.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness for load balancers: 503 only when the database is unreachable. A search
    queue left behind (no worker running, a failed indexing) makes it "degraded", still 200:
    pages answer, only recent changes may be missing from search."""
    from dora.search.worker import queue_state

    try:
        db.session.execute(text("SELECT 1"))
        state = queue_state(
            db.session.connection(),
            meilisearch=current_app.config.get("SEARCH_BACKEND") == "meilisearch",
        )
    except SQLAlchemyError:
        response = jsonify({"status": "erreur", "database": "injoignable"})
        return response, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    max_age = current_app.config["SEARCH_QUEUE_MAX_AGE"]
    degraded = state.degraded(max_age)
    return jsonify(
        {
            "status": "degraded" if degraded else "ok",
            "database": "ok",
            "search_queue": {
                "pending": state.pending,
                "queued": state.queued,
                "oldest_age_s": round(state.oldest_age_s, 1)
                if state.oldest_age_s is not None
                else None,
                "max_age_s": max_age,
                "status": "en retard" if degraded else "ok",
            },
        }
    )
