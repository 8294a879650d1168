"""Communes API: autocomplete and lookup (the geodata package does the work)."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, jsonify, request

from dora.api import params
from dora.api.errors import ApiError, not_found
from dora.extensions import db
from geodata import resolve

bp = Blueprint("territories_api", __name__, url_prefix="/api/v1")

MAX_RESULTS = 20
MAX_QUERY_LENGTH = 100


def commune_json(commune: resolve.Commune) -> dict:
    return dataclasses.asdict(commune)


@bp.get("/communes")
def search_communes():
    query = (request.args.get("q") or "").strip()
    if not query:
        raise ApiError("Indiquez « q » : un nom de commune ou un code postal.", field="q")
    if len(query) > MAX_QUERY_LENGTH:
        raise ApiError(f"« q » est limité à {MAX_QUERY_LENGTH} caractères.", field="q")
    limit = params.get_int(
        request.args, "limit", default=MAX_RESULTS, minimum=1, maximum=MAX_RESULTS
    )
    communes = resolve.search_communes(db.session, query, limit=limit or MAX_RESULTS)
    # Exact names first (« Saint-Denis » before « Saint-Denis-en-Val »), and a label that
    # tells homonyms apart (« Saint-Denis (93) », « Saint-Denis (974) »), read back by the
    # resolver when a form is sent with it.
    items = [
        {**commune_json(c), "label": label}
        for c, label in zip(communes, resolve.commune_labels(communes), strict=True)
    ]
    return jsonify({"total": len(communes), "items": items})


@bp.get("/communes/<code>")
def get_commune(code: str):
    commune = resolve.get_commune(db.session, code)
    if commune is None:
        raise not_found(f"Commune inconnue : « {code} ».", field="code")
    return jsonify(commune_json(commune))
