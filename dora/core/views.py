"""Cross-cutting routes: health check."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from dora.api.errors import RETRY_AFTER_SECONDS
from dora.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        response = jsonify({"status": "erreur", "database": "injoignable"})
        return response, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify({"status": "ok", "database": "ok"})
