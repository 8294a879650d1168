"""Coverage pages: a territory's coverage, the printable diagnostic, the comparison of two
territories, and CSV/JSON exports of every table. Public: aggregated figures only."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for

from dora.api.errors import ApiError
from dora.coverage import maps, queries
from dora.coverage.operations import DISTANCES_KM
from dora.coverage.queries import Selection, Territory, TerritoryKey
from dora.extensions import db

bp = Blueprint("coverage", __name__)

TERRITORY_RULE = "/territoires/<any(region, departement, epci, commune):level>/<code>/couverture"
FRANCE_RULE = "/territoires/france/couverture"
FRANCE = {"level": "france", "code": "FR"}
PRINTED_NEEDS_LIMIT = 30  # uncovered communes listed per thématique in the diagnostic


def _territory_or_404(level: str, code: str) -> Territory:
    territory = queries.load_territory(db.session, TerritoryKey(level, code.upper()))
    if territory is None:
        abort(404)
    return territory


def _selection(args) -> tuple[Selection, dict[str, str]]:
    """The thématique and distance asked, or the defaults with the error to show."""
    errors: dict[str, str] = {}
    need, distance = "", queries.DEFAULT_DISTANCE_KM
    try:
        need = queries.parse_need(args.get("thematique"))
    except ApiError as error:
        errors["thematique"] = error.message
    try:
        distance = queries.parse_distance(args.get("distance_km"))
    except ApiError as error:
        errors["distance_km"] = error.message
    return Selection(need, distance), errors


def coverage_url(territory: Territory, endpoint: str = "coverage.coverage_page", **args) -> str:
    values = {k: v for k, v in args.items() if v not in (None, "")}
    if territory.level == "france":
        return url_for(endpoint, **values)
    return url_for(endpoint, level=territory.level, code=territory.code, **values)


def _canonical(territory: Territory, code: str, endpoint: str, **kwargs):
    """Arrondissements and lowercase codes lead to the commune's canonical address."""
    if territory.code != code:
        return redirect(
            url_for(
                endpoint,
                level=territory.level,
                code=territory.code,
                **kwargs,
                **request.args.to_dict(flat=False),
            ),
            301,
        )
    return None


def _common_context(territory: Territory, selection: Selection) -> dict:
    return {
        "territory": territory,
        "selection": selection,
        "needs": queries.needs(),
        "distances": DISTANCES_KM,
        "coverage_url": lambda endpoint="coverage.coverage_page", **args: coverage_url(
            territory, endpoint, **args
        ),
        "percent": maps.percent,
        "share_classes": maps.SHARE_CLASSES,
        "colours": {"covered": maps.COVERED_COLOUR, "uncovered": maps.UNCOVERED_COLOUR},
        "selection_args": {
            "thematique": selection.need or None,
            "distance_km": selection.distance_km,
        },
    }


@bp.get(FRANCE_RULE, defaults=FRANCE)
@bp.get(TERRITORY_RULE)
def coverage_page(level: str, code: str):
    territory = _territory_or_404(level, code)
    redirected = _canonical(territory, code, "coverage.coverage_page")
    if redirected:
        return redirected
    selection, errors = _selection(request.args)
    overview = queries.overview(db.session, territory, selection)
    need_label = queries.need_label(selection.need)
    title = f"Couverture — {need_label} à moins de {selection.distance_km} km — {territory.label}"
    map_html = None
    if overview.freshness.computed:
        if overview.map_of_departements:
            outlines = queries.departement_outlines(
                db.session, [d.code for d in overview.departements]
            )
            map_html = maps.departements_map(
                overview.departements,
                outlines,
                aria_label=f"Carte des départements par part de population couverte — {title}",
                metropole=territory.level == "france",
            )
        else:
            map_html = maps.units_map(
                overview.units,
                selection.distance_km,
                aria_label=f"Carte des communes couvertes et non couvertes — {title}",
            )
    return (
        render_template(
            "coverage/page.html",
            overview=overview,
            map_html=map_html,
            errors=errors,
            need_label=need_label,
            title=title,
            **_common_context(territory, selection),
        ),
        400 if errors else 200,
    )


@bp.get(FRANCE_RULE + "/diagnostic", defaults=FRANCE)
@bp.get(TERRITORY_RULE + "/diagnostic")
def diagnostic(level: str, code: str):
    """« Diagnostic de l’offre »: one printed page per thématique, with map and table."""
    territory = _territory_or_404(level, code)
    redirected = _canonical(territory, code, "coverage.diagnostic")
    if redirected:
        return redirected
    selection, errors = _selection(request.args)
    state = queries.freshness(db.session)
    sections = []
    if state.computed:
        chapters = [n for n in queries.needs() if n.category is None]
        for need in chapters:
            chosen = Selection(need.value, selection.distance_km)
            overview = queries.overview(db.session, territory, chosen)
            if overview.map_of_departements:
                outlines = queries.departement_outlines(
                    db.session, [d.code for d in overview.departements]
                )
                svg = maps.departements_svg(
                    overview.departements, outlines, title=f"{need.label} — {territory.label}"
                )
            else:
                svg = maps.units_svg(
                    overview.units,
                    selection.distance_km,
                    title=f"{need.label} à moins de {selection.distance_km} km — {territory.label}",
                )
            rows = (
                overview.table
                if not need.value
                else [
                    f
                    for f in overview.table
                    if f.need == need.value or f.need.startswith(need.value + "--")
                ]
            )
            sections.append((need, overview, svg, rows))
    return (
        render_template(
            "coverage/diagnostic.html",
            sections=sections,
            freshness=state,
            errors=errors,
            printed_limit=PRINTED_NEEDS_LIMIT,
            **_common_context(territory, selection),
        ),
        400 if errors else 200,
    )


@bp.get("/territoires/couverture/comparer")
def compare():
    """Two territories side by side, same need, same distance."""
    selection, errors = _selection(request.args)
    sides = []
    for name in ("a", "b"):
        value = request.args.get(name, "")
        territory = None
        if value.strip():
            try:
                territory = queries.require_territory(db.session, value, field_name=name)
            except ApiError as error:
                errors[name] = error.message
        sides.append((name, value, territory))
    columns = []
    state = queries.freshness(db.session)
    if state.computed:
        for _name, _value, territory in sides:
            if territory is None:
                continue
            overview = queries.overview(db.session, territory, selection)
            if overview.map_of_departements:
                outlines = queries.departement_outlines(
                    db.session, [d.code for d in overview.departements]
                )
                svg = maps.departements_svg(overview.departements, outlines, title=territory.label)
            else:
                svg = maps.units_svg(overview.units, selection.distance_km, title=territory.label)
            columns.append((territory, overview, svg))
    return (
        render_template(
            "coverage/compare.html",
            sides=sides,
            columns=columns,
            freshness=state,
            errors=errors,
            selection=selection,
            needs=queries.needs(),
            distances=DISTANCES_KM,
            need_label=queries.need_label(selection.need),
            percent=maps.percent,
            colours={"covered": maps.COVERED_COLOUR, "uncovered": maps.UNCOVERED_COLOUR},
            share_classes=maps.SHARE_CLASSES,
            coverage_url=coverage_url,
        ),
        400 if errors else 200,
    )


# Exports -----------------------------------------------------------------------------------

EXPORT_RULE = "/<any(thematiques, communes, departements):table>.<any(csv, json):fmt>"


@bp.get(FRANCE_RULE + EXPORT_RULE, defaults=FRANCE)
@bp.get(TERRITORY_RULE + EXPORT_RULE)
def export(level: str, code: str, table: str, fmt: str):
    territory = _territory_or_404(level, code)
    redirected = _canonical(territory, code, "coverage.export", table=table, fmt=fmt)
    if redirected:
        return redirected
    selection, errors = _selection(request.args)
    if errors:
        field, message = next(iter(errors.items()))
        raise_bad = ApiError(message, field=field)
        return _export_error(raise_bad, fmt)
    if not queries.freshness(db.session).computed:
        # Not a 5xx: nothing is broken, there is nothing to export yet.
        return _export_error(
            ApiError(
                "Couverture pas encore calculée : lancez « dora observatoire calculer ».",
                code="non_calcule",
                status=404,
            ),
            fmt,
        )
    rows = export_rows(territory, selection, table)
    if rows is None:
        abort(404)
    name = f"couverture-{territory.level}-{territory.code}-{table}"
    if fmt == "json":
        response = jsonify(
            {
                "territoire": territory.key.param,
                "thematique": selection.need or None,
                "distance_km": selection.distance_km,
                "lignes": rows,
            }
        )
    else:
        response = Response(to_csv(rows), mimetype="text/csv")
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _export_error(error: ApiError, fmt: str):
    if fmt == "json":
        response = jsonify(error.to_dict())
    else:
        response = Response(error.message + "\n", mimetype="text/plain")
    response.status_code = error.status
    return response


def export_rows(territory: Territory, selection: Selection, table: str) -> list[dict] | None:
    if table == "thematiques":
        every = [n.value for n in queries.needs()]
        return [
            _flatten(f.as_dict())
            for f in queries.figures(db.session, territory, selection.distance_km, every)
        ]
    if table == "communes":
        return [
            u.as_dict()
            for u in queries.units(db.session, territory, selection.need, selection.distance_km)
        ]
    if territory.level not in ("france", "region"):
        return None
    return [
        {
            "code": d.code,
            "nom": d.nom,
            "population": d.population,
            "population_couverte": d.population_covered,
            "part_population_couverte": round(d.share, 4),
            "communes_sans_offre": d.units_uncovered,
        }
        for d in queries.departement_shares(
            db.session, territory, selection.need, selection.distance_km
        )
    ]


def _flatten(row: dict) -> dict:
    largest = row.pop("plus_grande_commune_non_couverte")
    row["plus_grande_commune_non_couverte_code"] = largest["code"] if largest else None
    row["plus_grande_commune_non_couverte_nom"] = largest["nom"] if largest else None
    row["plus_grande_commune_non_couverte_population"] = largest["population"] if largest else None
    return row


def to_csv(rows: list[dict]) -> str:
    """Semicolon-separated with a BOM: what French spreadsheets open without asking."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    text = str(value)
    # A cell starting with = + - @ is a formula to spreadsheets: neutralise it.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def page_query(**args) -> str:
    return urlencode({k: v for k, v in args.items() if v not in (None, "")})
