"""Territories shown on maps: a département, an EPCI or a commune, with the best outline we
have (honestly labelled) and the commune codes its services are attached to."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import literal, select, text
from sqlalchemy.orm import Session

from dora import rules
from dora.api.errors import ApiError
from dora.core.template_helpers import format_distance
from dora.maps.grid import BBox
from geodata import reference, resolve

KINDS = ("departement", "epci", "commune")
KIND_LABELS = {
    "departement": "Département",
    "epci": "Intercommunalité",
    "commune": "Commune",
}
FRANCE_CODES = ("france", "99100")
# BANATIC / COG nature juridique of EPCI.
EPCI_TYPE_LABELS = {
    "METRO": "Métropole",
    "MET69": "Métropole",
    "CU": "Communauté urbaine",
    "CA": "Communauté d’agglomération",
    "CC": "Communauté de communes",
}

_CODE_PATTERNS = {
    "departement": re.compile(r"(?:\d{2}|2[AB]|97\d)"),
    "epci": re.compile(r"\d{9}"),
    "commune": re.compile(r"(?:\d{5}|2[AB]\d{3})"),
}
_EXAMPLES = "departement:93, epci:200054781 ou commune:93066"

# Outlines: Natural Earth polygons are light already; simplify a little more for pages.
DEPARTEMENT_SIMPLIFY_DEGREES = 0.003
# EPCI: a concave hull of its communes' reference points, widened so that communes at the
# edge sit inside; a single-commune EPCI is a circle.
EPCI_HULL_TARGET = 0.6
EPCI_MARGIN_M = 2500
# Commune: a circle around its point, larger for more populated communes (a rough stand-in
# for its area, which we do not have).
COMMUNE_RADIUS_MIN_M = 1500
COMMUNE_RADIUS_MAX_M = 6000
COMMUNE_RADIUS_PER_SQRT_INHABITANT_M = 20


@dataclass(frozen=True)
class TerritoryRef:
    kind: str
    code: str

    @property
    def param(self) -> str:
        return f"{self.kind}:{self.code}"


@dataclass(frozen=True)
class Territory:
    kind: str
    code: str
    nom: str
    population: int
    bounds: BBox
    # GeoJSON geometry of the outline and what it really is (shown on the page).
    outline: dict[str, Any]
    outline_note: str
    # Codes a service's code_insee may carry to belong here (arrondissements included).
    commune_codes: tuple[str, ...]
    # Zones of eligibility that cover the whole territory (itself and what contains it).
    covering_codes: tuple[str, ...]
    # A commune standing for the territory in the search page (which needs a commune).
    search_commune: tuple[str, str] | None
    departement: tuple[str, str] | None = None
    region: str | None = None
    commune_count: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> TerritoryRef:
        return TerritoryRef(self.kind, self.code)

    @property
    def kind_label(self) -> str:
        if self.kind == "epci":
            return EPCI_TYPE_LABELS.get(self.extra.get("type") or "", KIND_LABELS["epci"])
        return KIND_LABELS[self.kind]

    @property
    def label(self) -> str:
        if self.kind == "epci":
            return self.nom
        return f"{self.nom} ({self.code})"

    @property
    def uses_polygon(self) -> bool:
        """Services without a commune code are placed by their point (départements only)."""
        return self.kind == "departement"


def parse_territory(value: str | None, *, field_name: str = "territoire") -> TerritoryRef | None:
    """`departement:93` → TerritoryRef; None for an empty value; ApiError when malformed."""
    if value is None or not value.strip():
        return None
    kind, sep, code = value.strip().partition(":")
    kind = kind.strip().lower()
    code = code.strip().upper()
    if not sep or kind not in KINDS:
        raise ApiError(
            f"« {field_name} » doit être de la forme {_EXAMPLES} (reçu « {value} »).",
            field=field_name,
        )
    if not _CODE_PATTERNS[kind].fullmatch(code):
        raise ApiError(
            f"« {field_name} » : « {code} » n’est pas un code de {KIND_LABELS[kind].lower()} "
            f"valide ({_EXAMPLES}).",
            field=field_name,
        )
    return TerritoryRef(kind, code)


def load_territory(session: Session, ref: TerritoryRef) -> Territory | None:
    loader = {"departement": _departement, "epci": _epci, "commune": _commune}[ref.kind]
    return loader(session, ref.code)


def require_territory(
    session: Session, value: str | None, *, field_name: str = "territoire"
) -> Territory | None:
    """Parse and load, or ApiError naming the field (unknown codes included)."""
    ref = parse_territory(value, field_name=field_name)
    if ref is None:
        return None
    territory = load_territory(session, ref)
    if territory is None:
        raise ApiError(
            f"« {field_name} » : {KIND_LABELS[ref.kind].lower()} inconnu(e) « {ref.code} ».",
            field=field_name,
        )
    return territory


def _bbox(row: Any) -> BBox:
    return BBox(row.west, row.south, row.east, row.north)


def _arrondissements(session: Session, commune_codes: list[str]) -> list[str]:
    return list(
        session.scalars(
            text("SELECT code FROM arrondissement_municipal WHERE commune_code = ANY(:codes)"),
            {"codes": commune_codes},
        )
    )


def _departement(session: Session, code: str) -> Territory | None:
    row = session.execute(
        text(
            """SELECT d.code, d.nom, d.region_code, r.nom AS region_nom, d.geom_source,
                ST_AsGeoJSON(ST_SimplifyPreserveTopology(d.geom, :tolerance), 5) AS outline,
                ST_XMin(d.geom) AS west, ST_YMin(d.geom) AS south,
                ST_XMax(d.geom) AS east, ST_YMax(d.geom) AS north
            FROM departement AS d JOIN region AS r ON r.code = d.region_code
            WHERE d.code = :code AND d.geom IS NOT NULL"""
        ),
        {"code": code, "tolerance": DEPARTEMENT_SIMPLIFY_DEGREES},
    ).one_or_none()
    if row is None:
        return None
    communes = session.execute(
        text("SELECT code, population FROM commune WHERE departement_code = :code ORDER BY code"),
        {"code": code},
    ).all()
    codes = [c.code for c in communes]
    chef_lieu = {d.code: d.chef_lieu for d in reference.departements()}.get(code)
    seat = resolve.get_commune(session, chef_lieu) if chef_lieu else None
    return Territory(
        kind="departement",
        code=row.code,
        nom=row.nom,
        population=sum(c.population for c in communes),
        bounds=_bbox(row),
        outline=json.loads(row.outline),
        outline_note=(
            "Contour simplifié du département (Natural Earth, échelle 1:10 000 000) : il est "
            "indicatif près des limites. Les services sont rattachés au département par le "
            "code de leur commune ; seuls ceux qui n’en ont pas le sont par leur position."
        ),
        commune_codes=tuple(codes + _arrondissements(session, codes)),
        covering_codes=(row.code, *FRANCE_CODES),
        search_commune=(seat.code, seat.nom) if seat else None,
        departement=(row.code, row.nom),
        region=row.region_nom,
        commune_count=len(codes),
    )


def _epci(session: Session, code: str) -> Territory | None:
    row = session.execute(
        text(
            """WITH members AS (
                SELECT c.code, c.nom, c.population, c.departement_code, c.location::geometry AS g
                FROM commune AS c WHERE c.epci_code = :code
            ), hull AS (
                SELECT ST_Buffer(
                    ST_ConcaveHull(ST_Collect(g), :target)::geography, :margin
                )::geometry AS geom
                FROM members
            )
            SELECT e.code, e.nom, e.type,
                (SELECT count(*) FROM members) AS commune_count,
                (SELECT coalesce(sum(population), 0) FROM members) AS population,
                (SELECT array_agg(code ORDER BY code) FROM members) AS codes,
                (SELECT code FROM members ORDER BY population DESC, code LIMIT 1) AS main_code,
                (SELECT nom FROM members ORDER BY population DESC, code LIMIT 1) AS main_nom,
                (SELECT departement_code FROM members
                 GROUP BY departement_code ORDER BY count(*) DESC LIMIT 1) AS departement_code,
                (SELECT array_agg(DISTINCT departement_code) FROM members) AS departement_codes,
                ST_AsGeoJSON(h.geom, 5) AS outline,
                ST_XMin(h.geom) AS west, ST_YMin(h.geom) AS south,
                ST_XMax(h.geom) AS east, ST_YMax(h.geom) AS north
            FROM epci AS e, hull AS h
            WHERE e.code = :code"""
        ),
        {"code": code, "target": EPCI_HULL_TARGET, "margin": EPCI_MARGIN_M},
    ).one_or_none()
    if row is None or not row.codes:
        return None
    # An intercommunalité over several départements (Métropole du Grand Paris: 75, 92, 93,
    # 94 and a few communes of 91 and 95) is not « in » the one that has most of its members.
    spans = sorted(row.departement_codes or [])
    departement = _departement_names(session).get(row.departement_code) if len(spans) == 1 else None
    codes = list(row.codes)
    return Territory(
        kind="epci",
        code=row.code,
        nom=row.nom,
        population=row.population,
        bounds=_bbox(row),
        outline=json.loads(row.outline),
        outline_note=(
            f"Contour approximatif : enveloppe des points de référence de ses "
            f"{row.commune_count} commune{'s' if row.commune_count > 1 else ''}, élargie de "
            f"{format_distance(EPCI_MARGIN_M)} — ce n’est pas le contour officiel. Les services "
            "sont rattachés à l’intercommunalité par le code de leur commune."
        ),
        commune_codes=tuple(codes + _arrondissements(session, codes)),
        covering_codes=(row.code, *_parents_of(session, codes), *FRANCE_CODES),
        search_commune=(row.main_code, row.main_nom),
        departement=(row.departement_code, departement) if departement else None,
        commune_count=row.commune_count,
        extra={"type": row.type, "departements": spans},
    )


def _commune(session: Session, code: str) -> Territory | None:
    commune = resolve.get_commune(session, code)
    if commune is None:
        return None
    radius = max(
        COMMUNE_RADIUS_MIN_M,
        min(
            COMMUNE_RADIUS_MAX_M,
            COMMUNE_RADIUS_PER_SQRT_INHABITANT_M * commune.population**0.5,
        ),
    )
    row = session.execute(
        text(
            """WITH circle AS (
                SELECT ST_Buffer(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography,
                                 :radius, 24)::geometry AS geom)
            SELECT ST_AsGeoJSON(geom, 5) AS outline,
                ST_XMin(geom) AS west, ST_YMin(geom) AS south,
                ST_XMax(geom) AS east, ST_YMax(geom) AS north
            FROM circle"""
        ),
        {"lon": commune.longitude, "lat": commune.latitude, "radius": radius},
    ).one()
    precision_note = (
        ""
        if commune.precision == "commune"
        else " Le point de référence de cette commune est lui-même approximatif "
        f"({resolve_precision_label(commune.precision)})."
    )
    departement = _departement_names(session).get(commune.departement)
    codes = [commune.code]
    return Territory(
        kind="commune",
        code=commune.code,
        nom=commune.nom,
        population=commune.population,
        bounds=_bbox(row),
        outline=json.loads(row.outline),
        outline_note=(
            f"Cercle indicatif de {format_distance(radius)} autour du point de référence de la "
            "commune : nous n’avons pas son contour officiel. Les services sont rattachés à la "
            "commune par leur code commune, pas par ce cercle." + precision_note
        ),
        commune_codes=tuple(codes + _arrondissements(session, codes)),
        # The search's eligibility codes of the commune (dora.rules: `dora_place_codes`).
        covering_codes=(
            *(session.scalar(select(rules.place_codes(literal(commune.code)))) or [commune.code]),
            *FRANCE_CODES,
        ),
        search_commune=(commune.code, commune.nom),
        departement=(commune.departement, departement) if departement else None,
        commune_count=1,
        extra={"precision": commune.precision, "epci": commune.epci},
    )


def resolve_precision_label(precision: str) -> str:
    return {
        "code-postal": "point d’une commune voisine partageant son code postal",
        "epci": "point de son intercommunalité",
        "departement": "point de son département",
    }.get(precision, precision)


def _departement_names(session: Session) -> dict[str, str]:
    return {row.code: row.nom for row in session.execute(text("SELECT code, nom FROM departement"))}


def _parents_of(session: Session, commune_codes: list[str]) -> list[str]:
    """The département that contains *all* of these communes (if one does)."""
    rows = session.execute(
        text(
            """SELECT array_agg(DISTINCT departement_code) AS deps
            FROM commune WHERE code = ANY(:codes)"""
        ),
        {"codes": commune_codes},
    ).one()
    # A région code is never a zone of eligibility (dora.rules: `dora_place_codes`): a
    # two-digit code is a département.
    return [rows.deps[0]] if rows.deps and len(rows.deps) == 1 else []


@cache
def _named_departements() -> tuple[tuple[str, Any], ...]:
    from geodata.text import normalise_name

    return tuple((normalise_name(d.nom), d) for d in reference.departements())


@cache
def _named_epcis() -> tuple[tuple[str, Any], ...]:
    from geodata.text import normalise_name

    return tuple((normalise_name(e.nom), e) for e in reference.epcis())


@dataclass(frozen=True)
class TerritoryMatch:
    ref: TerritoryRef
    label: str
    detail: str


def find_territories(session: Session, query: str, *, limit: int = 10) -> list[TerritoryMatch]:
    """Départements, EPCI and communes matching a name or a code (for the index page)."""
    from geodata.text import normalise_name

    query = query.strip()
    if not query:
        return []
    matches: list[TerritoryMatch] = []
    name = normalise_name(query)
    for normalised, departement in _named_departements():
        if query.upper() == departement.code or (name and name in normalised):
            matches.append(
                TerritoryMatch(
                    TerritoryRef("departement", departement.code),
                    f"{departement.nom} ({departement.code})",
                    "Département",
                )
            )
    if name:
        for normalised, epci in _named_epcis():
            if query == epci.code or name in normalised:
                matches.append(
                    TerritoryMatch(
                        TerritoryRef("epci", epci.code),
                        epci.nom,
                        f"Intercommunalité, {len(epci.membres)} communes",
                    )
                )
            if len(matches) >= limit:
                break
    for commune in resolve.search_communes(session, query, limit=limit):
        matches.append(
            TerritoryMatch(
                TerritoryRef("commune", commune.code),
                f"{commune.nom} ({commune.code})",
                f"Commune, {commune.departement}",
            )
        )
    return matches[: limit * 2]
