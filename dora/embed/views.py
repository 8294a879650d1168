"""Embed routes: the widget page (made for an iframe), its loader script, the builder.

None of them sets a cookie (see dora.embed.init_app); only the widget page may be framed.
"""

from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from dora.api import params
from dora.api.errors import ApiError
from dora.core.security import allow_framing
from dora.embed import widget
from dora.extensions import db
from dora.maps import grid, queries
from dora.maps.builder import category_styles, services_map
from dora.maps.pages import PageErrors, cluster_colour, initial_view
from geodata import reference as geodata_reference

bp = Blueprint("embed", __name__, url_prefix="/embed")

LOADER = Path(__file__).resolve().parent.parent / "static" / "js" / "widget.js"
LOADER_MAX_AGE = 3600
# Metropolitan France, the view of a widget without territory.
FRANCE = grid.BBox(-5.2, 41.3, 9.6, 51.1)
# The widget's width is the partner's: the first view is computed for this one.
WIDGET_WIDTH_PX = 480


def _frame_size(config: widget.WidgetConfig) -> tuple[int, int]:
    return WIDGET_WIDTH_PX, config.hauteur


@bp.get("/carte")
@allow_framing
def widget_page():
    parsed = widget.parse_widget_args(db.session, request.args)
    config = parsed.config
    common = {
        "widget": config,
        "parent_origin": parsed.parent_origin,
        "frame_id": parsed.frame_id,
        "builder_url": url_for("embed.builder", _external=True),
    }
    if parsed.errors:
        return render_template("embed/widget.html", errors=parsed.errors, **common), 400
    try:
        page = params.get_int(request.args, "page", default=1, minimum=1, maximum=10_000) or 1
    except ApiError:
        page = 1

    territory = parsed.territory
    width, height = _frame_size(config)
    capped = False
    if territory is not None:
        bbox, zoom, centre = initial_view(territory.bounds, width, height)
        offer = queries.territory_offer(
            db.session,
            territory,
            config.filters,
            view=(bbox, zoom),
            offset=(page - 1) * config.nombre,
            limit=config.nombre if config.liste else 0,
            max_points=current_app.config["MAP_MAX_POINTS"],
        )
    else:
        bbox, zoom, centre = initial_view(FRANCE, width, height)
        offer, capped = queries.national_offer(
            db.session,
            config.filters,
            view=(bbox, zoom),
            offset=(page - 1) * config.nombre,
            limit=config.nombre if config.liste else 0,
            max_points=current_app.config["MAP_MAX_POINTS"],
        )

    map_html = None
    if config.carte:
        api_params = dict(config.filters.query_args())
        if territory is not None:
            api_params["territoire"] = territory.ref.param
        map_html = services_map(
            aria_label=f"Carte des services — {territory.label if territory else 'France'}",
            initial=offer.geojson,
            location=centre,
            zoom=zoom,
            params=api_params,
            categories=list(offer.by_category) if territory else None,
            outline=territory.outline if territory else None,
            outline_label="Contour (approximatif)",
            status_id="widget-statut",
            height=f"{config.hauteur}px",
            link_target="_blank",
            cluster_colour=cluster_colour(config.filters),
            # A widget limited to one type (a Région's training map) offers no switch.
            offer_switch=not config.filters.offre,
        )
    pages = max(1, math.ceil(min(offer.total, queries.NATIONAL_COUNT_CAP) / config.nombre))
    base_query = widget.frame_query(config)
    extra = [(k, v) for k, v in (("origine", parsed.parent_origin), ("id", parsed.frame_id)) if v]

    def page_url(number: int) -> str:
        query = base_query + ("&" if base_query else "") + urlencode([*extra, ("page", number)])
        return url_for("embed.widget_page") + "?" + query

    return render_template(
        "embed/widget.html",
        errors=None,
        territory=territory,
        offer=offer,
        capped=capped,
        map_html=map_html,
        page=page,
        pages=pages,
        page_url=page_url,
        hidden=[*[(k, v) for k, v in widget._joined(config.query()) if k != "q"], *extra],
        styles={s.value: s for s in category_styles()},
        dora_url=_dora_url(territory, config),
        **common,
    )


def _dora_url(territory, config: widget.WidgetConfig) -> str:
    """The same offer on dora itself (opened in a new tab from the widget)."""
    if territory is None:
        return url_for("catalogue.home", _external=True)
    query = urlencode(config.filters.query_args())
    return url_for(
        "maps.territory_page", kind=territory.kind, code=territory.code, _external=True
    ) + (f"?{query}" if query else "")


@bp.get("/widget.js")
def loader():
    response = Response(LOADER.read_text("utf-8"), mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = LOADER_MAX_AGE
    return response


def _builder_state(args: MultiDict) -> dict:
    """What the builder shows for a query string: the widget's parameters, the errors, the
    snippet and the frame's URL (the same code answers the page and its live preview)."""
    query = MultiDict(args)
    errors: dict[str, str] = {}
    lieu = (args.get("lieu") or "").strip()
    if lieu:
        place, error = widget.resolve_place(db.session, lieu)
        if error:
            errors["lieu"] = error
        else:
            query.setlist("territoire", [place])
    parsed = widget.parse_widget_args(db.session, query)
    errors.update(parsed.errors)
    loader_url = url_for("embed.loader", _external=True)
    frame_query = widget.frame_query(parsed.config)
    return {
        "widget": parsed.config,
        "territory": parsed.territory,
        "errors": errors,
        "lieu": lieu,
        # Plain text: the page shows it escaped in a text area, the preview sends it as JSON.
        "snippet": None if errors else str(widget.snippet(parsed.config, loader_url)),
        "frame_url": None
        if errors
        else url_for("embed.widget_page") + (f"?{frame_query}" if frame_query else ""),
    }


@bp.get("")
def builder():
    state = _builder_state(request.args)
    state["errors"] = PageErrors(state["errors"])
    departements = geodata_reference.departements()
    status = 400 if state["errors"] and request.args else 200
    return (
        render_template(
            "embed/builder.html",
            departements=departements,
            submitted=bool(request.args),
            **state,
        ),
        status,
    )


@bp.get("/apercu")
def preview():
    """The builder's live preview (JSON for embed-builder.js)."""
    state = _builder_state(request.args)
    return jsonify(
        {
            "errors": state["errors"],
            "snippet": state["snippet"],
            "frame_url": state["frame_url"],
            "territoire": state["widget"].territoire,
            "territoire_nom": state["territory"].label if state["territory"] else None,
        }
    )
