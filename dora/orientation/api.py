"""Open statistics of orientations: /api/v1/orientations/statistiques (counts only, no
personal data; see dora.orientation.stats for the definitions)."""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request
from sqlalchemy import text

from dora.api.errors import ApiError, not_found
from dora.extensions import db
from dora.orientation import stats

bp = Blueprint("orientation_api", __name__, url_prefix="/api/v1")

_DEPARTEMENT = re.compile(r"^(?:\d{2}|2[AB]|97\d)$")
SCOPES = ("departement", "structure_id", "service_id")
MAX_ID_LENGTH = 200


def _scope() -> tuple[str | None, str | None]:
    given = [(name, request.args.get(name, "").strip()) for name in SCOPES]
    given = [(name, value) for name, value in given if value]
    if len(given) > 1:
        raise ApiError(
            "Un seul périmètre à la fois : « departement », « structure_id » ou « service_id ».",
            field=given[1][0],
        )
    if not given:
        return None, None
    name, value = given[0]
    if len(value) > MAX_ID_LENGTH:
        raise ApiError(f"« {name} » est limité à {MAX_ID_LENGTH} caractères.", field=name)
    if name == "departement" and not _DEPARTEMENT.match(value.upper()):
        raise ApiError("« departement » est un code de département (93, 2A, 974…).", field=name)
    return name, value.upper() if name == "departement" else value


def _exists(table: str, column: str, value: str) -> bool:
    return bool(
        db.session.scalar(
            text(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {column} = :v)"), {"v": value}
        )
    )


@bp.get("/orientations/statistiques")
def statistics():
    name, value = _scope()
    session = db.session
    if name is None:
        france, lines = stats.national(session)
        return jsonify(
            {
                "perimetre": {"type": "france"},
                "recues": france.to_json(),
                "par_departement": [
                    {
                        "code": line.code,
                        "nom": line.nom,
                        "recues": line.recues.to_json(),
                        "envoyees": line.envoyees.to_json(),
                    }
                    for line in lines
                ],
            }
        )
    params = {"v": value}
    if name == "departement":
        if not _exists("departement", "code", value):
            raise not_found(f"Département inconnu : « {value} ».", field=name)
        recues = stats.total(session, "departement_code = :v", params)
        envoyees = stats.total(session, "prescriber_departement_code = :v", params)
    elif name == "structure_id":
        if not _exists("structure", "id", value):
            raise not_found(f"Structure inconnue : « {value} ».", field=name)
        recues = stats.total(session, "structure_id = :v", params)
        envoyees = stats.total(session, "prescriber_structure_id = :v", params)
    else:
        if not _exists("service", "id", value):
            raise not_found(f"Service inconnu : « {value} ».", field=name)
        recues = stats.total(session, "service_id = :v", params)
        envoyees = None
    body = {
        "perimetre": {"type": name.removesuffix("_id"), "code": value},
        "recues": recues.to_json(),
    }
    if envoyees is not None:
        body["envoyees"] = envoyees.to_json()
    return jsonify(body)
