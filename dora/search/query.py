"""The public query layer of search: what a search asks, where it is, which services match.

Other features (the search page, the API, territory maps and embeddable widgets) build on
these three pieces, so that every list, map and widget applies the same rules:

`SearchQuery`
    A frozen description of a search: `commune` (INSEE code, arrondissements accepted) or
    `lat` + `lon`; `q` (free text); `thematiques` (a category means all its sub-thèmes),
    `publics` (a public also matches `tous-publics`), `frais`, `modes_accueil`, `types`
    (each a tuple, values OR-ed within a field, fields AND-ed); `rayon_km` (on-site services
    farther than this are left out); `a_distance` (include remote services, default True);
    `page` / `size`; `tri` (`pertinence` or `distance`, None: the default, `pertinence`
    with text, `distance` without — see `sort`); `ouvert_le` (a date) and `moment`
    (`journee`, `matin`, `apres-midi`): open that day at that moment, from the weekly mask of
    `search_document.opening_week` (dora.core.opening_week; services without readable hours
    are left out).

`parse_search_args(args) -> SearchQuery`
    Reads query-string arguments (a werkzeug `MultiDict`: `request.args`) with the API's
    rules — every list is repeatable or comma-separated — and raises `ApiError` (400, French
    message, `field` naming the parameter) for anything wrong. Syntax only: whether the
    commune exists is checked by `resolve_place`.

`resolve_place(session, query) -> Place | None`
    The point and eligibility codes of the search: the commune's (an arrondissement gives its
    own point and its commune's eligibility), or, for `lat` + `lon`, that point with the
    eligibility of the commune whose reference point is nearest. None for a search without
    location (nationwide). Raises `ApiError(field="commune")` for an unknown code.

`matching_documents(session, query, place) -> Select`
    The filtered set of public services as SQL, without ranking or pagination: a SELECT over
    `search_document` (columns `service_id`, `structure_id`, `location`, `on_site`, `remote`,
    `keys`, `date_maj`) applying eligibility, radius, remote, vocabulary filters, free text
    (without typo correction: see dora.search.text) and today's suspensions. Map layers
    (GeoJSON, clusters) select from it, e.g.
    `select(func.count()).select_from(matching_documents(...).subquery())`.

Domain rules (../shared/DESIGN.md), each defined once in SQL (dora.rules): a service is
eligible for commune C when its `zone_eligibilite` is empty or contains C's code, its EPCI,
département, `france` or `99100` (`dora_place_codes` gives the codes of a place; a two-digit
code is a département, never a région). An on-site service is kept within `rayon_km` of the
point; a remote service — or one without a usable place, « lieu non précisé » — is kept
whenever it is eligible, wherever it is.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Select,
    SmallInteger,
    Text,
    and_,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY as PG_ARRAY
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from dora import rules, vocabulary
from dora.api import params
from dora.api.errors import ApiError
from dora.core import opening_status, opening_week
from dora.search import facets, offer_types
from dora.search.models import SearchDocument

DEFAULT_RAYON_KM = 50
MIN_RAYON_KM = 1
MAX_RAYON_KM = 200
DEFAULT_SIZE = 20
MAX_SIZE = 100
# Deep pagination costs as much as listing everything before the page: like most search
# engines we stop at a window (page × size) and ask for a narrower search beyond it.
MAX_RESULT_WINDOW = 10_000
MAX_Q_LENGTH = 200
EVERYWHERE = "*"
# « Trier par »: relevance (words in names and labels first, then text score blended with
# proximity) or distance (on-site services nearest first, whatever the text score). Only a
# search with a place has distances: without one, `distance` orders like `pertinence`.
SORTS = {"pertinence": "Pertinence", "distance": "Distance"}

FILTER_FIELDS: dict[str, str] = {
    # query parameter -> vocabulary field of the data·inclusion schema
    "thematiques": "thematiques",
    "publics": "publics",
    "frais": "frais",
    "modes_accueil": "modes_accueil",
    "types": "type",
}

_COMMUNE_CODE = re.compile(r"(?:\d{5}|2[AB]\d{3})")
_TRUE = {"1", "true", "oui", "on", "yes"}
_FALSE = {"0", "false", "non", "off", "no"}


@dataclass(frozen=True)
class SearchQuery:
    commune: str | None = None
    lat: float | None = None
    lon: float | None = None
    q: str = ""
    thematiques: tuple[str, ...] = ()
    publics: tuple[str, ...] = ()
    frais: tuple[str, ...] = ()
    modes_accueil: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    rayon_km: float = DEFAULT_RAYON_KM
    a_distance: bool = True
    # « Type d'offre » (dora.search.offer_types): services, formations or employeurs.
    offre: str | None = None
    tri: str | None = None
    ouvert_le: date | None = None
    moment: str = "journee"
    page: int = 1
    size: int = DEFAULT_SIZE

    @property
    def located(self) -> bool:
        return self.commune is not None or self.lat is not None

    @property
    def sort(self) -> str:
        """The order asked, or the default: `pertinence` with text, `distance` without."""
        if self.tri:
            return self.tri
        return "pertinence" if self.q else "distance"

    @property
    def by_distance(self) -> bool:
        """On-site results nearest first, even when there is text."""
        return self.sort == "distance"

    @property
    def opening_bits(self) -> tuple[int, int] | None:
        """(any_of, all_of) bits of `opening_week` for « Ouvert le … », None without it."""
        if self.ouvert_le is None:
            return None
        return opening_week.wanted_bits(self.ouvert_le, self.moment)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def filters(self) -> dict[str, tuple[str, ...]]:
        """Non-empty vocabulary filters, by parameter name."""
        return {name: getattr(self, name) for name in FILTER_FIELDS if getattr(self, name)}

    def with_changes(self, **changes: Any) -> SearchQuery:
        return replace(self, **changes)

    def to_args(self, *, page: int | None = None) -> list[tuple[str, str]]:
        """Query-string pairs that `parse_search_args` reads back into this query (URLs)."""
        pairs: list[tuple[str, str]] = []
        if self.commune:
            pairs.append(("commune", self.commune))
        if self.lat is not None and self.lon is not None:
            pairs += [("lat", _number(self.lat)), ("lon", _number(self.lon))]
        if self.q:
            pairs.append(("q", self.q))
        for name in FILTER_FIELDS:
            pairs += [(name, value) for value in getattr(self, name)]
        if self.rayon_km != DEFAULT_RAYON_KM:
            pairs.append(("rayon_km", _number(self.rayon_km)))
        if not self.a_distance:
            pairs.append(("a_distance", "non"))
        if self.offre:
            pairs.append(("offre", self.offre))
        if self.tri:
            pairs.append(("tri", self.tri))
        if self.ouvert_le:
            pairs.append(("ouvert_le", self.ouvert_le.isoformat()))
            if self.moment != "journee":
                pairs.append(("moment", self.moment))
        if self.size != DEFAULT_SIZE:
            pairs.append(("size", str(self.size)))
        chosen_page = self.page if page is None else page
        if chosen_page != 1:
            pairs.append(("page", str(chosen_page)))
        return pairs

    def cache_key(self) -> tuple:
        """Everything but the page: what total and facets depend on."""
        return tuple(getattr(self, f.name) for f in fields(self) if f.name not in {"page", "size"})


def _number(value: float) -> str:
    return f"{value:g}"


def parse_search_args(args: MultiDict) -> SearchQuery:
    """The search asked by query-string `args`; ApiError (400, with `field`) when invalid."""
    commune = (args.get("commune") or "").strip().upper() or None
    if commune is not None and not _COMMUNE_CODE.fullmatch(commune):
        raise ApiError(
            f"« commune » doit être un code INSEE à 5 caractères (reçu : « {commune[:20]} »).",
            field="commune",
        )
    lat = params.get_float(args, "lat", minimum=-90, maximum=90)
    lon = params.get_float(args, "lon", minimum=-180, maximum=180)
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise ApiError(f"« lat » et « lon » vont ensemble : indiquez « {missing} ».", field=missing)
    if commune is not None and lat is not None:
        raise ApiError(
            "Indiquez soit « commune », soit « lat » et « lon », pas les deux.", field="commune"
        )
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_Q_LENGTH:
        raise ApiError(f"« q » est limité à {MAX_Q_LENGTH} caractères.", field="q")
    filters = {
        name: tuple(
            dict.fromkeys(
                params.get_vocabulary_list(
                    args,
                    name,
                    field,
                    extra=vocabulary.CATEGORIES if name == "thematiques" else frozenset(),
                )
            )
        )
        for name, field in FILTER_FIELDS.items()
    }
    rayon = params.get_float(args, "rayon_km", minimum=MIN_RAYON_KM, maximum=MAX_RAYON_KM)
    page = params.get_page(args, default_size=DEFAULT_SIZE, max_size=MAX_SIZE)
    if page.page * page.size > MAX_RESULT_WINDOW:
        raise ApiError(
            f"Pages limitées aux {MAX_RESULT_WINDOW} premiers résultats : précisez la recherche.",
            field="page",
        )
    return SearchQuery(
        commune=commune,
        lat=lat,
        lon=lon,
        q=q,
        rayon_km=DEFAULT_RAYON_KM if rayon is None else rayon,
        a_distance=_get_bool(args, "a_distance", default=True),
        offre=_get_offre(args),
        tri=_get_tri(args),
        **_get_opening(args),
        page=page.page,
        size=page.size,
        **filters,
    )


def _get_offre(args: MultiDict) -> str | None:
    raw = (args.get("offre") or "").strip()
    if not raw:
        return None
    if raw in offer_types.OTHER_OFFERS:
        raise ApiError(
            "Les entreprises accueillantes ne sont pas des services : elles se cherchent par "
            "métier sur /api/v1/entreprises-accueillantes.",
            field="offre",
        )
    if raw not in offer_types.SERVICE_OFFERS:
        raise ApiError(
            f"« offre » vaut {', '.join(offer_types.SERVICE_OFFERS)} (reçu : « {raw[:30]} »).",
            field="offre",
        )
    return raw


def _get_tri(args: MultiDict) -> str | None:
    raw = (args.get("tri") or "").strip().lower()
    if not raw:
        return None
    if raw not in SORTS:
        raise ApiError(
            f"« tri » vaut {' ou '.join(SORTS)} (reçu : « {raw[:30]} »).",
            field="tri",
        )
    return raw


MAX_OPENING_DAYS = 366


def _get_opening(args: MultiDict) -> dict[str, Any]:
    """`ouvert_le` (YYYY-MM-DD, today to a year ahead) and `moment` (with it only)."""
    raw = (args.get("ouvert_le") or "").strip()
    moment = (args.get("moment") or "").strip().lower()
    if moment and moment not in opening_week.MOMENTS:
        raise ApiError(
            f"« moment » vaut {', '.join(opening_week.MOMENTS)} (reçu : « {moment[:30]} »).",
            field="moment",
        )
    if not raw:
        if moment and moment != "journee":
            raise ApiError("« moment » va avec « ouvert_le » : indiquez le jour.", field="moment")
        return {}
    try:
        day = date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
    except ValueError:
        day = None
    if day is None:
        raise ApiError(
            f"« ouvert_le » doit être une date AAAA-MM-JJ (reçu : « {raw[:30]} »).",
            field="ouvert_le",
        )
    today = opening_status.now_in().date()
    last = today + timedelta(days=MAX_OPENING_DAYS - 1)
    if not today <= day <= last:
        raise ApiError(
            "« ouvert_le » doit être entre aujourd’hui et dans un an "
            f"({today.isoformat()} – {last.isoformat()}).",
            field="ouvert_le",
        )
    return {"ouvert_le": day, "moment": moment or "journee"}


def _get_bool(args: MultiDict, name: str, *, default: bool) -> bool:
    raw = (args.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ApiError(f"« {name} » vaut « oui » ou « non ».", field=name)


@dataclass(frozen=True)
class Place:
    """Where a search is made: a point, and the codes that make a service eligible there."""

    commune: str  # INSEE code of the commune whose eligibility applies
    nom: str
    longitude: float
    latitude: float
    departement: str
    region: str
    epci: str | None
    # Codes a `zone_eligibilite` may contain to be eligible here ("*" = everywhere).
    codes: tuple[str, ...] = field(default=())
    arrondissement: str | None = None
    from_coordinates: bool = False

    @property
    def point_wkt(self) -> str:
        return f"SRID=4326;POINT({self.longitude} {self.latitude})"


_PLACE_COLUMNS = """c.code, c.nom, c.departement_code, c.region_code, c.epci_code,
    ST_X(c.location::geometry) AS longitude, ST_Y(c.location::geometry) AS latitude"""
# Eligibility codes of the place: the one rule (dora.rules, `dora_place_codes`).
_PLACE_CODES = "dora_place_codes(c.code, {arrondissement}) AS codes"


# Communes resolved by code, per database. Territories change only with `dora geodata load` (a
# yearly COG, which writes a new version in geodata_meta): places are kept as long as that
# version is the same, checked at most every PLACE_TTL_S seconds (a reload reaches every
# process within that time). Unknown codes are never kept. `preload_places` reads them all
# at once (gunicorn.conf.py, before the workers fork): a search then never asks for one.
PLACE_TTL_S = 60.0
_PLACE_CACHE_SIZE = 50_000
_GEODATA_VERSION = text("SELECT value::text FROM geodata_meta WHERE key = 'version'")
_ALL_PLACES = text(
    f"""SELECT {_PLACE_COLUMNS}, NULL AS arrondissement,
        {_PLACE_CODES.format(arrondissement="NULL")},
        NULL::float8 AS a_longitude, NULL::float8 AS a_latitude
    FROM commune AS c
    UNION ALL
    SELECT {_PLACE_COLUMNS}, a.code, {_PLACE_CODES.format(arrondissement="a.code")},
        ST_X(a.location::geometry), ST_Y(a.location::geometry)
    FROM arrondissement_municipal AS a JOIN commune AS c ON c.code = a.commune_code"""
)


@dataclass
class _Places:
    version: str | None
    checked_at: float
    by_code: dict[str, Place] = field(default_factory=dict)


_places: dict[str, _Places] = {}
_places_lock = threading.Lock()


def _known_places(session: Session) -> _Places:
    """The places kept for this database, emptied when the territories' version changed."""
    url = str(session.get_bind().engine.url)
    now = time.monotonic()
    with _places_lock:
        known = _places.get(url)
    if known is not None and now - known.checked_at < PLACE_TTL_S:
        return known
    version = session.execute(_GEODATA_VERSION).scalar()
    with _places_lock:
        known = _places.get(url)
        if known is None or known.version != version:
            known = _places[url] = _Places(version=version, checked_at=now)
        known.checked_at = now
        return known


def preload_places(session: Session) -> int:
    """Keep every commune and arrondissement of this database's territories (see above)."""
    version = session.execute(_GEODATA_VERSION).scalar()
    by_code = {
        row.arrondissement or row.code: _row_place(row) for row in session.execute(_ALL_PLACES)
    }
    with _places_lock:
        _places[str(session.get_bind().engine.url)] = _Places(
            version=version, checked_at=time.monotonic(), by_code=by_code
        )
    return len(by_code)


def resolve_place(session: Session, query: SearchQuery) -> Place | None:
    """The place of `query` (see the module docstring); None when it has no location."""
    if query.commune:
        known = _known_places(session)
        place = known.by_code.get(query.commune)
        if place is None:
            place = _commune_place(session, query.commune)
            with _places_lock:
                if len(known.by_code) >= _PLACE_CACHE_SIZE:
                    known.by_code.clear()
                known.by_code[query.commune] = place
        return place
    if query.lat is not None and query.lon is not None:
        row = session.execute(
            text(
                f"""SELECT {_PLACE_COLUMNS}, {_PLACE_CODES.format(arrondissement="NULL")}
                FROM commune AS c
                ORDER BY c.location <-> ST_GeogFromText(:point) LIMIT 1"""
            ),
            {"point": f"SRID=4326;POINT({query.lon} {query.lat})"},
        ).first()
        if row is None:  # no territories loaded
            raise ApiError("Référentiel des communes absent.", field="lat", status=503)
        return _place(row, longitude=query.lon, latitude=query.lat, from_coordinates=True)
    return None


def _commune_place(session: Session, code: str) -> Place:
    """A commune (or arrondissement, or former commune) by its code."""
    row = session.execute(
        text(
            f"""SELECT {_PLACE_COLUMNS}, a.code AS arrondissement,
                {_PLACE_CODES.format(arrondissement="a.code")},
                ST_X(a.location::geometry) AS a_longitude,
                ST_Y(a.location::geometry) AS a_latitude
            FROM commune AS c
            LEFT JOIN arrondissement_municipal AS a
                ON a.code = :code AND a.commune_code = c.code
            WHERE c.code = :code OR c.code = (
                SELECT commune_code FROM arrondissement_municipal WHERE code = :code)"""
        ),
        {"code": code},
    ).first()
    if row is None:
        row = _former_commune(session, code)
    if row is None:
        raise ApiError(f"Commune inconnue : « {code} ».", field="commune")
    return _row_place(row)


def _row_place(row) -> Place:
    """A commune's place, or its arrondissement's when the row has one."""
    arrondissement = getattr(row, "arrondissement", None)
    return _place(
        row,
        arrondissement=arrondissement,
        longitude=row.a_longitude if arrondissement else row.longitude,
        latitude=row.a_latitude if arrondissement else row.latitude,
    )


def _former_commune(session: Session, code: str):
    """A merged commune's former code answers with the commune it joined (geodata)."""
    from geodata import reference

    current = reference.former_codes().get(code)
    if not current:
        return None
    return session.execute(
        text(
            f"SELECT {_PLACE_COLUMNS}, {_PLACE_CODES.format(arrondissement='NULL')}"
            " FROM commune AS c WHERE c.code = :code"
        ),
        {"code": current},
    ).first()


def _place(row, *, longitude: float, latitude: float, **extra: Any) -> Place:
    return Place(
        commune=row.code,
        nom=row.nom,
        longitude=float(longitude),
        latitude=float(latitude),
        departement=row.departement_code,
        region=row.region_code,
        epci=row.epci_code,
        codes=tuple(row.codes),
        **extra,
    )


# SQL conditions ------------------------------------------------------------------------------

doc = SearchDocument.__table__.c


def not_suspended():
    """Not suspended today (dora.rules: `dora_not_suspended`)."""
    return rules.not_suspended(doc.suspendu_du, doc.suspendu_au)


def point(place: Place):
    return func.ST_GeogFromText(place.point_wkt)


def within_radius(query: SearchQuery, place: Place):
    """On site and within the radius (sphere distance, as the KNN ordering uses)."""
    return and_(
        doc.on_site,
        func.ST_DWithin(doc.location, point(place), query.rayon_km * 1000, False),
    )


def filter_conditions(session: Session, query: SearchQuery) -> list:
    """Vocabulary filters as `keys && {…}` conditions (one per non-empty field)."""
    key_map = facets.keys(session)
    conditions = []
    for name, values in query.filters.items():
        codes = key_map.codes(name, values)
        conditions.append(
            type_coerce(doc["keys"], PG_ARRAY(SmallInteger)).overlap(codes) if codes else false()
        )
    return conditions


def location_conditions(query: SearchQuery, place: Place | None) -> list:
    if place is None:
        return []
    eligible = type_coerce(doc.elig, PG_ARRAY(Text)).overlap(list(place.codes))
    remote = doc.remote if query.a_distance else false()
    return [eligible, or_(remote, within_radius(query, place))]


def matching_documents(
    session: Session, query: SearchQuery, place: Place | None, *, tsquery=None
) -> Select:
    """Public services matching `query` at `place` (see the module docstring).

    `tsquery`: a prepared text query (dora.search.text.TextQuery.sql()); by default `query.q`
    is matched as plain words (`websearch_to_tsquery`), without typo tolerance.
    """
    conditions = [
        not_suspended(),
        *location_conditions(query, place),
        *filter_conditions(session, query),
    ]
    if tsquery is None and query.q:
        tsquery = func.websearch_to_tsquery(literal_column("'dora_french'::regconfig"), query.q)
    if tsquery is not None:
        conditions.append(doc.tsv.bool_op("@@")(tsquery))
    if query.offre:
        conditions.append(text(offer_types.condition(query.offre, "search_document.service_id")))
    if query.opening_bits is not None:
        any_of, all_of = query.opening_bits
        conditions.append(
            and_(doc.opening_week.op("&")(any_of) != 0, doc.opening_week.op("&")(all_of) == all_of)
        )
    return select(
        doc.service_id,
        doc.structure_id,
        doc.location,
        doc.on_site,
        doc.remote,
        doc["keys"],
        doc.date_maj,
    ).where(and_(true(), *conditions))
