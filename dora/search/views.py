"""The /recherche page: the search form, the results as a list and on a map.

Works without JavaScript: the form is a plain GET (the URL carries the whole query, so it
can be shared and the back button works). A commune typed by name or postal code is resolved
here; when several communes answer, the page asks which one. With JavaScript
(static/js/search.js) the "Où ?" field suggests communes as one types (communes API).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request, url_for

from dora import vocabulary
from dora.api.errors import ApiError
from dora.core import opening_status, opening_week
from dora.extensions import db
from dora.search import engine, mapping
from dora.search.query import DEFAULT_RAYON_KM, SearchQuery, parse_search_args
from geodata import resolve

bp = Blueprint("search", __name__)

RAYONS_KM = (5, 10, 20, 50, 100, 200)
PAGE_LINKS = 2  # pages shown each side of the current one
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class FilterGroup:
    name: str
    legend: str
    choices: list[vocabulary.Choice]


def filter_groups() -> list[FilterGroup]:
    from data_inclusion.schema import v1

    return [
        FilterGroup("publics", "Public", vocabulary.choices(v1.Public)),
        FilterGroup("frais", "Frais", vocabulary.choices(v1.Frais)),
        FilterGroup("modes_accueil", "Accueil", vocabulary.choices(v1.ModeAccueil)),
        FilterGroup("types", "Type de service", vocabulary.choices(v1.TypeService)),
    ]


def _commune_label(commune: resolve.Commune) -> str:
    return f"{commune.nom} ({commune.departement})"


def _args_without(*names: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.args.items(multi=True) if k not in names]


@bp.get("/recherche")
def search_page():
    if request.args.get("offre") == "entreprises":
        # Companies hosting immersions are not services: they have their own search.
        kept = [
            (k, v)
            for k in ("commune", "commune_nom", "q", "rayon_km")
            for v in request.args.getlist(k)
        ][:8]
        return redirect(url_for("offers.companies_page") + ("?" + urlencode(kept) if kept else ""))
    args = request.args.copy()
    # Browsers without a date picker send « Ouvert le » as typed: jj/mm/aaaa is accepted here.
    typed_day = _FRENCH_DATE.fullmatch((args.get("ouvert_le") or "").strip())
    if typed_day:
        day, month, year = typed_day.groups()
        args["ouvert_le"] = f"{year}-{int(month):02d}-{int(day):02d}"
    typed = (args.get("commune_nom") or "").strip()
    choices: list[resolve.Commune] = []
    if typed and not args.get("commune") and not args.get("lat"):
        resolved = resolve.resolve_typed_commune(db.session, typed)
        choices = list(resolved.choices)
        if resolved.commune is not None:
            args["commune"] = resolved.commune.code
    error: ApiError | None = None
    response = None
    query = SearchQuery()
    try:
        query = parse_search_args(args)
        if query.located or query.q or query.filters or query.offre or query.ouvert_le:
            response = engine.search(db.session, query)
    except ApiError as raised:
        error = raised
    place = response.place if response else None
    commune_label = typed
    if place is not None and not place.from_coordinates:
        commune_label = f"{place.nom} ({place.departement})"
    map_html = (
        mapping.results_map(db.session, query, place, response.text_query) if response else None
    )
    status = 400 if error else 200
    return (
        render_template(
            "search/page.html",
            query=query,
            response=response,
            place=place,
            error=error,
            typed=typed,
            commune_label=commune_label,
            choices=choices if typed and not query.located else [],
            choice_url=_choice_url,
            filter_groups=filter_groups(),
            categories=vocabulary.thematiques_by_category(),
            rayons=RAYONS_KM,
            moments=opening_week.MOMENTS,
            today=opening_status.now_in().date(),
            opening_holiday=bool(query.ouvert_le)
            and opening_week.is_public_holiday(query.ouvert_le),
            default_rayon=DEFAULT_RAYON_KM,
            page_url=_page_url,
            pages=_pages(response) if response else [],
            suggestion_url=_suggestion_url(query, response),
            thematique_suggestion=_thematique_suggestion(query, response),
            map_html=map_html,
        ),
        status,
    )


def _choice_url(commune: resolve.Commune) -> str:
    pairs = _args_without("commune", "commune_nom", "page")
    pairs += [("commune", commune.code), ("commune_nom", _commune_label(commune))]
    return url_for("search.search_page") + "?" + urlencode(pairs)


def _page_url(query: SearchQuery, page: int) -> str:
    pairs = query.to_args(page=page)
    typed = request.args.get("commune_nom")
    if typed:
        pairs.append(("commune_nom", typed))
    return url_for("search.search_page") + "?" + urlencode(pairs)


def _suggestion_url(query: SearchQuery, response) -> str | None:
    if not response or not response.result.suggestion:
        return None
    return _page_url(query.with_changes(q=response.result.suggestion, page=1), 1)


def _thematique_suggestion(query: SearchQuery, response) -> tuple[str, str] | None:
    """(label, URL) of « Rechercher la thématique … ? »: the words name a thématique, the
    link applies it as a filter in their place."""
    named = response.suggested_thematique if response else None
    if named is None:
        return None
    value, label = named
    filtered = query.with_changes(q="", thematiques=(*query.thematiques, value), page=1)
    return label, _page_url(filtered, 1)


def _pages(response) -> list[int | None]:
    """Page numbers to link, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
    last = min(response.page_count, _max_page(response.query))
    current = response.query.page
    shown = {1, last, *range(current - PAGE_LINKS, current + PAGE_LINKS + 1)}
    pages: list[int | None] = []
    for number in sorted(n for n in shown if 1 <= n <= last):
        if pages and pages[-1] is not None and number > pages[-1] + 1:
            pages.append(None)
        pages.append(number)
    return pages


def _max_page(query: SearchQuery) -> int:
    from dora.search.query import MAX_RESULT_WINDOW

    return max(1, MAX_RESULT_WINDOW // query.size)
