"""`GET /api/v1/search`: the search, as JSON (see dora.search.query for the parameters).

Answers may come from a per-process cache that is exact by construction (dora.search.cache):
it is keyed on the version of the index copy that the request has just brought up to date.
"""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, current_app, request

from dora.core.transactions import without_transaction
from dora.extensions import db
from dora.search import engine
from dora.search.cache import DEFAULT_SIZE, ResponseCache
from dora.search.query import parse_search_args

bp = Blueprint("search_api", __name__, url_prefix="/api/v1")

CACHE_KEY = "dora_search_response_cache"


def _cache() -> ResponseCache:
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        size = current_app.config.get("SEARCH_RESPONSE_CACHE_SIZE", DEFAULT_SIZE)
        cache = current_app.extensions[CACHE_KEY] = ResponseCache(int(size))
    return cache


@bp.get("/search")
def search():
    query = parse_search_args(request.args)
    # Read-only: independent reads (the index's state, the page's services), no transaction.
    without_transaction(db.session())
    cache = _cache()
    # The cache is keyed on the index version, which offer types do not change with.
    version = engine.index_version(db.session) if cache.size > 0 and not query.offre else None
    key = (query, version) if version is not None else None
    body = cache.get(key) if key is not None else None
    if body is None:
        answer = engine.search(db.session, query).to_json()
        # orjson: the same compact UTF-8 JSON, a tenth of the time of the json module.
        body = orjson.dumps(answer)
        if key is not None:
            cache.put(key, body)
    return Response(body, mimetype="application/json")
