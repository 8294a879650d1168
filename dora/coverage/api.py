"""`GET /api/v1/couverture`: a territory's coverage for a need and a distance (open data)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from dora.coverage import queries
from dora.coverage.views import coverage_url
from dora.extensions import db

bp = Blueprint("coverage_api", __name__, url_prefix="/api/v1")

KNOWN_PARAMETERS = {"territoire", "thematique", "distance_km"}


@bp.get("/couverture")
def coverage():
    territory = queries.require_territory(db.session, request.args.get("territoire"))
    selection = queries.parse_selection(request.args)
    overview = queries.overview(db.session, territory, selection)
    run = overview.freshness.run
    return jsonify(
        {
            "territoire": {
                "niveau": territory.level,
                "code": territory.code,
                "nom": territory.nom,
                "population": territory.population,
                "page": coverage_url(territory, _external=True),
            },
            "thematique": selection.need or None,
            "distance_km": selection.distance_km,
            "calcul": None
            if run is None
            else {
                "date": run.finished_at.isoformat(),
                "avertissements": list(overview.freshness.warnings),
            },
            "chiffres": overview.selected.as_dict() if overview.selected else None,
            "thematiques": [f.as_dict() for f in overview.table],
            "thematiques_sans_offre": [f.need for f in overview.absent],
            "communes_non_couvertes": [
                u.as_dict() for u in overview.uncovered[: queries.UNCOVERED_LIST_LIMIT]
            ],
        }
    )
