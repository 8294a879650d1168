"""Territory pages: the offer of a département, an EPCI or a commune, on a map and a list."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from dora.api import params
from dora.api.errors import ApiError
from dora.extensions import db
from dora.maps import queries
from dora.maps.builder import (
    MapReference,
    category_styles,
    services_map,
)
from dora.maps.filters import MapFilters, parse_filters
from dora.maps.pages import MAP_HEIGHT_PX, PageErrors, cluster_colour, initial_view
from dora.maps.territory import (
    Territory,
    TerritoryRef,
    find_territories,
    load_territory,
)
from geodata import reference as geodata_reference
from geodata import resolve
from geodata.text import normalise_name

bp = Blueprint("maps", __name__)

PAGE_SIZE = 20


def resolve_reference(
    value: str | None, territory: Territory | None = None
) -> tuple[queries.Reference | None, str | None]:
    """A commune typed by a person (name, INSEE code or postal code) → its point, or an
    error message. Among homonyms, the one in the territory (Saint-Denis in 93, not the
    one of La Réunion)."""
    value = (value or "").strip()[:100]
    if not value:
        return None, None
    resolved = resolve.resolve_typed_commune(
        db.session, value, prefer=territory.commune_codes if territory else ()
    )
    # A page shows the likeliest homonym rather than asking (the list can be re-sorted).
    commune = resolved.likeliest
    if commune is None:
        return None, resolved.message or f"Commune introuvable : « {value} »."
    return (
        queries.Reference(
            commune.longitude, commune.latitude, f"{commune.nom} ({commune.code})", commune.code
        ),
        None,
    )


def search_place(
    territory: Territory, reference: queries.Reference | None
) -> tuple[str, str] | None:
    """(code, name) of the commune the search page is pre-filled with: the person's when
    given, else the one standing for the territory (its chef-lieu, largest commune…)."""
    if reference is not None and reference.code:
        return reference.code, reference.label
    return territory.search_commune


def search_url(place: tuple[str, str] | None, filters: MapFilters) -> str | None:
    """The search page, pre-filled with the commune and the same filters."""
    if place is None:
        return None
    query = [("commune", place[0]), *filters.query_args()]
    base = (
        url_for("search.search_page")
        if "search.search_page" in current_app.view_functions
        else "/recherche"
    )
    return f"{base}?{urlencode(query)}"


def page_url(endpoint_args: dict, args: MultiDict, **changes) -> str:
    query = MultiDict(args)
    for key, value in changes.items():
        query.setlist(key, [] if value in (None, "") else [str(value)])
    return url_for("maps.territory_page", **endpoint_args) + (
        "?" + urlencode(list(query.items(multi=True))) if query else ""
    )


@bp.get("/territoires")
def territories_index():
    q = (request.args.get("q") or "").strip()[:100]
    matches = find_territories(db.session, q) if q else []
    regions = {r.code: r.nom for r in geodata_reference.regions()}
    by_region: dict[str, list] = {}
    for departement in geodata_reference.departements():
        by_region.setdefault(regions.get(departement.region, departement.region), []).append(
            departement
        )
    return render_template(
        "maps/index.html",
        q=q,
        matches=matches,
        # French order: « Île-de-France » among the I, not after « Provence » (accents fold).
        by_region=sorted(by_region.items(), key=lambda item: normalise_name(item[0])),
    )


@bp.get("/territoires/<any(departement, epci, commune):kind>/<code>")
def territory_page(kind: str, code: str):
    territory = load_territory(db.session, TerritoryRef(kind, code.upper()))
    if territory is None:
        abort(404)
    if territory.code != code:
        # Former commune codes and arrondissements lead to the commune's page.
        return redirect(
            url_for(
                "maps.territory_page",
                kind=kind,
                code=territory.code,
                **request.args.to_dict(flat=False),
            ),
            301,
        )

    errors: dict[str, str] = {}
    try:
        filters = parse_filters(request.args)
    except ApiError as error:
        errors[error.field or "filtres"] = error.message
        filters = MapFilters()
    try:
        page = params.get_int(request.args, "page", default=1, minimum=1, maximum=10_000) or 1
    except ApiError as error:
        errors["page"] = error.message
        page = 1
    reference, reference_error = resolve_reference(request.args.get("depuis"), territory)
    if reference_error:
        errors["depuis"] = reference_error

    bbox, zoom, centre = initial_view(territory.bounds)
    offer = queries.territory_offer(
        db.session,
        territory,
        filters,
        view=(bbox, zoom),
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        reference=reference,
        max_points=current_app.config["MAP_MAX_POINTS"],
    )
    remote = queries.remote_count(db.session, filters, territory)
    api_params = dict(filters.query_args())
    api_params["territoire"] = territory.ref.param
    if reference is not None:
        api_params["depuis"] = reference.code
    map_html = services_map(
        aria_label=f"Carte des services sur place — {territory.label}",
        initial=offer.geojson,
        location=centre,
        zoom=zoom,
        params=api_params,
        categories=list(offer.by_category),
        outline=territory.outline,
        outline_label="Contour (approximatif)",
        reference=MapReference(reference.lon, reference.lat, reference.label)
        if reference
        else None,
        status_id="carte-statut",
        height=f"{MAP_HEIGHT_PX}px",
        cluster_colour=cluster_colour(filters),
        offer_switch=True,
    )
    pages = max(1, math.ceil(offer.total / PAGE_SIZE))
    status = 400 if errors else 200
    return (
        render_template(
            "maps/territory.html",
            territory=territory,
            kind_label=territory.kind_label,
            filters=filters,
            errors=PageErrors(errors),
            offer=offer,
            remote=remote,
            map_html=map_html,
            reference=reference,
            depuis=request.args.get("depuis", ""),
            page=page,
            pages=pages,
            page_url=lambda number: page_url(
                {"kind": kind, "code": territory.code}, request.args, page=number
            ),
            category_url=lambda value: page_url(
                {"kind": kind, "code": territory.code},
                request.args,
                thematiques=value,
                page=None,
            ),
            search_place=search_place(territory, reference),
            search_url=search_url(search_place(territory, reference), filters),
            styles={s.value: s for s in category_styles()},
        ),
        status,
    )
