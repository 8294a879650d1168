"""`GET /api/v1/search`: the search, as JSON (see dora.search.query for the parameters)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from dora.extensions import db
from dora.search import engine
from dora.search.query import parse_search_args

bp = Blueprint("search_api", __name__, url_prefix="/api/v1")


@bp.get("/search")
def search():
    query = parse_search_args(request.args)
    return jsonify(engine.search(db.session, query).to_json())
