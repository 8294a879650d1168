"""Reads of the observatory: precomputed rows only (coverage_* tables), a few per page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from dora import vocabulary
from dora.api.errors import ApiError
from dora.coverage.operations import (
    ALL_NEEDS,
    DEFAULT_DISTANCE_KM,
    DISTANCES_KM,
    FRANCE_CODE,
    LARGEST_PRECOMPUTED,
    LEVEL_COLUMNS,
)
from dora.offers.kinds import COVERAGE_NEEDS

LEVELS = ("france", "region", "departement", "epci", "commune")
LEVEL_LABELS = {
    "france": "France",
    "region": "Région",
    "departement": "Département",
    "epci": "Intercommunalité",
    "commune": "Commune",
}
_CODE_PATTERNS = {
    "france": re.compile(r"FR"),
    "region": re.compile(r"\d{2}"),
    "departement": re.compile(r"(?:\d{2}|2[AB]|97\d)"),
    "epci": re.compile(r"\d{9}"),
    "commune": re.compile(r"(?:\d{5}|2[AB]\d{3})"),
}
_EXAMPLES = "france:FR, region:84, departement:15, epci:200066660 ou commune:15014"
# Figures older than this are dated with a warning (the nightly rebuild was missed).
STALE_AFTER = timedelta(hours=26)
UNCOVERED_LIST_LIMIT = 50


# Parameters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TerritoryKey:
    level: str
    code: str

    @property
    def param(self) -> str:
        return f"{self.level}:{self.code}"


@dataclass(frozen=True)
class Territory:
    key: TerritoryKey
    nom: str
    population: int
    parent: TerritoryKey | None = None
    parent_nom: str | None = None

    @property
    def level(self) -> str:
        return self.key.level

    @property
    def code(self) -> str:
        return self.key.code

    @property
    def label(self) -> str:
        if self.level in ("france", "epci"):
            return self.nom
        return f"{self.nom} ({self.code})"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


def parse_territory(value: str | None, *, field_name: str = "territoire") -> TerritoryKey:
    raw = (value or "").strip()
    if not raw:
        raise ApiError(f"« {field_name} » est obligatoire ({_EXAMPLES}).", field=field_name)
    if raw.lower() == "france":
        return TerritoryKey("france", FRANCE_CODE)
    level, sep, code = raw.partition(":")
    level, code = level.strip().lower(), code.strip().upper()
    if not sep or level not in LEVELS:
        raise ApiError(
            f"« {field_name} » doit être de la forme {_EXAMPLES} (reçu « {raw[:40]} »).",
            field=field_name,
        )
    if not _CODE_PATTERNS[level].fullmatch(code):
        raise ApiError(
            f"« {field_name} » : « {code[:20]} » n’est pas un code de "
            f"{LEVEL_LABELS[level].lower()} valide ({_EXAMPLES}).",
            field=field_name,
        )
    return TerritoryKey(level, code)


def parse_need(value: str | None, *, field_name: str = "thematique") -> str:
    """A category, a sub-thème, or "" for all thématiques."""
    raw = (value or "").strip()
    if raw in ("", "toutes"):
        return ""
    if raw not in need_numbers_by_value():
        raise ApiError(
            f"« {field_name} » : thématique inconnue « {raw[:60]} » (une catégorie comme "
            "« mobilite », un sous-thème comme « mobilite--louer-un-vehicule », "
            "« offre:formations », « offre:employeurs » ou « toutes »).",
            field=field_name,
        )
    return raw


def parse_distance(value: str | None, *, field_name: str = "distance_km") -> int:
    raw = (value or "").strip()
    if not raw:
        return DEFAULT_DISTANCE_KM
    try:
        distance = int(raw)
    except ValueError:
        distance = None
    if distance not in DISTANCES_KM:
        raise ApiError(
            f"« {field_name} » vaut {', '.join(map(str, DISTANCES_KM))} (km), reçu « {raw[:20]} ».",
            field=field_name,
        )
    return distance


@dataclass(frozen=True)
class Selection:
    need: str = ""
    distance_km: int = DEFAULT_DISTANCE_KM


def parse_selection(args: MultiDict) -> Selection:
    return Selection(
        need=parse_need(args.get("thematique")),
        distance_km=parse_distance(args.get("distance_km")),
    )


# Needs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    value: str  # "" for all
    label: str
    category: str | None  # None for all and for categories

    @property
    def is_category(self) -> bool:
        return self.value in vocabulary.CATEGORIES


@cache
def needs() -> tuple[Need, ...]:
    """All thématiques, then each category followed by its sub-thèmes (the schema's order)."""
    result = [Need("", "Toutes les thématiques", None)]
    for category in vocabulary.thematiques_by_category():
        result.append(Need(category.value, category.label, None))
        result += [Need(c.value, c.label, category.value) for c in category.thematiques]
    # Training and inclusive employment as needs of their own (dora.offers.kinds).
    result += [Need(n.value, n.label, None) for n in COVERAGE_NEEDS]
    return tuple(result)


def need_label(value: str) -> str:
    return next((n.label for n in needs() if n.value == value), value)


@cache
def need_numbers_by_value() -> dict[str, int]:
    """Need number of every value, as the search numbers its facet keys (migration 0002:
    static keys, so that they can be cached per process)."""
    from dora.extensions import db

    rows = db.session.execute(
        text("SELECT value, k FROM search_facet_key WHERE dim = 'thematiques'")
    ).all()
    numbers = {row.value: row.k for row in rows}
    numbers[""] = ALL_NEEDS
    numbers.update({n.value: n.number for n in COVERAGE_NEEDS})
    return numbers


def need_number(value: str) -> int:
    return need_numbers_by_value()[value]


# Freshness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    finished_at: datetime
    duration_s: float
    services_on_site: int
    services_remote: int
    units: int
    cells: int


@dataclass(frozen=True)
class Freshness:
    run: Run | None
    warnings: tuple[str, ...] = ()

    @property
    def computed(self) -> bool:
        return self.run is not None


def freshness(session: Session, now: datetime | None = None) -> Freshness:
    """The last computation, and why its figures may be out of date: older than a night,
    or services changed since (the search index moved past the snapshot it read)."""
    row = session.execute(
        text(
            # max() reads the end of each xid index; an EXISTS correlated with the run's xid
            # was planned as a scan of the whole index table (0.8 s at a million services).
            """SELECT r.*,
                coalesce((SELECT max(changed_xid) FROM search_document) >= r.search_xid, false)
                OR coalesce((SELECT max(xid) FROM search_tombstone) >= r.search_xid, false)
                    AS changed
            FROM coverage_run AS r ORDER BY r.id DESC LIMIT 1"""
        )
    ).first()
    if row is None:
        return Freshness(None)
    run = Run(
        row.finished_at,
        row.duration_s,
        row.services_on_site,
        row.services_remote,
        row.units,
        row.cells,
    )
    warnings = []
    now = now or datetime.now(UTC)
    if now - row.finished_at > STALE_AFTER:
        warnings.append(
            "les chiffres datent de plus d’un jour (le calcul de la nuit n’a pas eu lieu) : "
            "les suspensions et mises à jour récentes n’y sont pas."
        )
    if row.changed:
        warnings.append(
            "des services ont été publiés, modifiés ou retirés depuis ce calcul : ils seront "
            "pris en compte au prochain (chaque nuit)."
        )
    return Freshness(run, tuple(warnings))


# Territories -----------------------------------------------------------------------------


def _precomputed_population(session: Session, key: TerritoryKey) -> int | None:
    """The territory's population as the last computation summed it (one indexed row)."""
    value = session.scalar(
        text(
            """SELECT population FROM coverage_territory
            WHERE level = :level AND code = :code AND need = 0 AND distance_km = :km"""
        ),
        {"level": key.level, "code": key.code, "km": DEFAULT_DISTANCE_KM},
    )
    return None if value is None else int(value)


def load_territory(session: Session, key: TerritoryKey) -> Territory | None:
    if key.level == "france":
        population = _precomputed_population(session, key)
        if population is None:
            population = session.scalar(text("SELECT coalesce(sum(population), 0) FROM commune"))
        return Territory(key, "France", int(population or 0))
    if key.level == "region":
        row = session.execute(
            text("SELECT r.nom FROM region AS r WHERE r.code = :code"), {"code": key.code}
        ).first()
        if row is None:
            return None
        population = _precomputed_population(session, key)
        if population is None:
            population = session.scalar(
                text(
                    """SELECT coalesce(sum(c.population), 0) FROM commune AS c
                    JOIN departement AS d ON d.code = c.departement_code
                    WHERE d.region_code = :code"""
                ),
                {"code": key.code},
            )
        return Territory(key, row.nom, int(population or 0))
    if key.level == "departement":
        row = session.execute(
            text(
                """SELECT d.nom, d.region_code, r.nom AS region_nom,
                    (SELECT coalesce(sum(population), 0) FROM commune
                     WHERE departement_code = d.code) AS population
                FROM departement AS d JOIN region AS r ON r.code = d.region_code
                WHERE d.code = :code"""
            ),
            {"code": key.code},
        ).first()
        if row is None:
            return None
        return Territory(
            key,
            row.nom,
            int(row.population),
            TerritoryKey("region", row.region_code),
            row.region_nom,
        )
    if key.level == "epci":
        row = session.execute(
            text(
                """SELECT e.nom, (SELECT coalesce(sum(population), 0) FROM commune
                                  WHERE epci_code = e.code) AS population,
                    (SELECT departement_code FROM commune WHERE epci_code = e.code
                     GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1) AS departement_code
                FROM epci AS e WHERE e.code = :code"""
            ),
            {"code": key.code},
        ).first()
        if row is None or row.departement_code is None:
            return None
        parent = TerritoryKey("departement", row.departement_code)
        return Territory(
            key,
            row.nom,
            int(row.population),
            parent,
            session.scalar(
                text("SELECT nom FROM departement WHERE code = :c"), {"c": row.departement_code}
            ),
        )
    row = session.execute(
        text(
            """SELECT c.code, c.nom, c.population, c.epci_code, e.nom AS epci_nom,
                c.departement_code, d.nom AS departement_nom
            FROM commune AS c JOIN departement AS d ON d.code = c.departement_code
            LEFT JOIN epci AS e ON e.code = c.epci_code
            WHERE c.code = :code
                OR c.code = (SELECT commune_code FROM arrondissement_municipal WHERE code = :code)
            ORDER BY c.code = :code DESC LIMIT 1"""
        ),
        {"code": key.code},
    ).first()
    if row is None:
        return None
    parent = (
        TerritoryKey("epci", row.epci_code)
        if row.epci_code
        else TerritoryKey("departement", row.departement_code)
    )
    return Territory(
        TerritoryKey("commune", row.code),
        row.nom,
        int(row.population),
        parent,
        row.epci_nom if row.epci_code else row.departement_nom,
    )


def require_territory(session: Session, value: str | None, field_name: str = "territoire"):
    key = parse_territory(value, field_name=field_name)
    territory = load_territory(session, key)
    if territory is None:
        raise ApiError(
            f"« {field_name} » : {LEVEL_LABELS[key.level].lower()} inconnu(e) « {key.code} ».",
            field=field_name,
            code="introuvable",
            status=404,
        )
    return territory


# Figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    code: str
    nom: str
    population: int

    @property
    def label(self) -> str:
        return f"{self.nom} ({self.code})"


@dataclass(frozen=True)
class NeedFigures:
    need: str
    label: str
    population: int
    population_covered: int
    population_remote: int
    units: int
    units_uncovered: int
    services: int
    services_fresh: int
    largest_uncovered: UnitRef | None
    # Commune pages count the eligible on-site services within the distance instead of
    # those located in the commune (a commune's own offer says little of its coverage).
    services_within: bool = False

    @property
    def share_covered(self) -> float:
        return self.population_covered / self.population if self.population else 0.0

    @property
    def share_remote(self) -> float:
        return self.population_remote / self.population if self.population else 0.0

    @property
    def share_fresh(self) -> float | None:
        return self.services_fresh / self.services if self.services else None

    def per_10000(self) -> float | None:
        return self.services * 10_000 / self.population if self.population else None

    def as_dict(self) -> dict:
        return {
            "thematique": self.need or None,
            "libelle": self.label,
            "population": self.population,
            "population_couverte": self.population_covered,
            "part_population_couverte": round(self.share_covered, 4),
            "population_avec_service_a_distance": self.population_remote,
            "communes": self.units,
            "communes_sans_offre": self.units_uncovered,
            "services": self.services,
            "services_comptes": "accessibles" if self.services_within else "situes",
            "services_pour_10000_habitants": (
                None if self.per_10000() is None else round(self.per_10000(), 2)
            ),
            "part_services_a_jour": (
                None if self.share_fresh is None else round(self.share_fresh, 4)
            ),
            "plus_grande_commune_non_couverte": (
                None
                if self.largest_uncovered is None
                else {
                    "code": self.largest_uncovered.code,
                    "nom": self.largest_uncovered.nom,
                    "population": self.largest_uncovered.population,
                }
            ),
        }


def _unit_filter(territory: Territory) -> tuple[str, dict]:
    """SQL condition on coverage_unit `u` selecting the territory's units."""
    if territory.level == "france":
        return "true", {}
    if territory.level == "commune":
        return "u.commune_code = :code", {"code": territory.code}
    return f"u.{LEVEL_COLUMNS[territory.level]} = :code", {"code": territory.code}


def figures(
    session: Session, territory: Territory, distance_km: int, wanted: list[str]
) -> list[NeedFigures]:
    """Figures of the `wanted` needs at this distance, in that order."""
    numbers = need_numbers_by_value()
    wanted_numbers = [numbers[value] for value in wanted]
    by_number = {numbers[value]: value for value in wanted}
    if territory.level == "commune":
        rows = _commune_figures(session, territory, distance_km, wanted_numbers)
    else:
        rows = session.execute(
            text(
                """SELECT t.*, u.code AS largest_code, u.nom AS largest_nom,
                    u.population AS largest_population
                FROM coverage_territory AS t
                LEFT JOIN coverage_unit AS u ON u.id = t.largest_uncovered
                WHERE t.level = :level AND t.code = :code AND t.distance_km = :km
                    AND t.need = ANY(:needs)"""
            ),
            {
                "level": territory.level,
                "code": territory.code,
                "km": distance_km,
                "needs": wanted_numbers,
            },
        ).all()
        if territory.level not in LARGEST_PRECOMPUTED:
            rows = _with_largest(session, territory, distance_km, rows)
    result = {}
    for row in rows:
        largest = (
            UnitRef(row.largest_code, row.largest_nom, row.largest_population)
            if row.largest_uncovered
            else None
        )
        value = by_number[row.need]
        result[value] = NeedFigures(
            need=value,
            label=need_label(value),
            population=int(row.population),
            population_covered=int(row.population_covered),
            population_remote=int(row.population_remote),
            units=row.units,
            units_uncovered=row.units_uncovered,
            services=row.services,
            services_fresh=row.services_fresh,
            largest_uncovered=largest,
            services_within=territory.level == "commune",
        )
    return [result[value] for value in wanted if value in result]


def _with_largest(session: Session, territory: Territory, distance_km: int, rows) -> list:
    """EPCI rows, with their largest uncovered unit read from the cells."""
    condition, params = _unit_filter(territory)
    largest = {
        row.need: row
        for row in session.execute(
            text(
                f"""SELECT DISTINCT ON (n.need) n.need, u.code, u.nom, u.population
                FROM coverage_unit AS u CROSS JOIN unnest(CAST(:needs AS smallint[])) AS n(need)
                LEFT JOIN coverage_cell AS c ON c.unit = u.id AND c.need = n.need
                WHERE {condition} AND (c.nearest_m IS NULL OR c.nearest_m > :metres)
                ORDER BY n.need, u.population DESC, u.code"""
            ),
            {**params, "needs": [r.need for r in rows], "metres": distance_km * 1000},
        )
    }
    merged = []
    for row in rows:
        found = largest.get(row.need)
        merged.append(
            _Row(
                **{k: getattr(row, k) for k in _ROW_FIELDS},
                largest_uncovered=found.code if found else None,
                largest_code=found.code if found else None,
                largest_nom=found.nom if found else None,
                largest_population=found.population if found else None,
            )
        )
    return merged


_ROW_FIELDS = (
    "need",
    "population",
    "population_covered",
    "population_remote",
    "units",
    "units_uncovered",
    "services",
    "services_fresh",
)


@dataclass(frozen=True)
class _Row:
    need: int
    population: int
    population_covered: int
    population_remote: int
    units: int
    units_uncovered: int
    services: int
    services_fresh: int
    largest_uncovered: str | None
    largest_code: str | None
    largest_nom: str | None
    largest_population: int | None


def _commune_figures(
    session: Session, territory: Territory, distance_km: int, needs_: list[int]
) -> list[_Row]:
    """A commune (its arrondissements for Paris, Lyon, Marseille) from its cells."""
    rows = session.execute(
        text(
            f"""SELECT n.need, u.code, u.nom, u.population, c.nearest_m,
                coalesce(c.n{distance_km}, 0) AS within,
                coalesce(c.remote, 0) + cn.remote_everywhere AS remote
            FROM coverage_unit AS u CROSS JOIN unnest(CAST(:needs AS smallint[])) AS n(need)
            JOIN coverage_need AS cn ON cn.need = n.need
            LEFT JOIN coverage_cell AS c ON c.unit = u.id AND c.need = n.need
            WHERE u.commune_code = :code
            ORDER BY n.need, u.population DESC, u.code"""
        ),
        {"code": territory.code, "needs": needs_},
    ).all()
    metres = distance_km * 1000
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.need, []).append(row)
    result = []
    for need, units in grouped.items():
        covered = [u for u in units if u.nearest_m is not None and u.nearest_m <= metres]
        uncovered = [u for u in units if u not in covered]
        largest = uncovered[0] if uncovered else None
        result.append(
            _Row(
                need=need,
                population=sum(u.population for u in units),
                population_covered=sum(u.population for u in covered),
                population_remote=sum(u.population for u in units if u.remote),
                units=len(units),
                units_uncovered=len(uncovered),
                # Services within the distance of the commune's most populated point.
                services=max((u.within for u in units), default=0),
                services_fresh=0,
                largest_uncovered=largest.code if largest else None,
                largest_code=largest.code if largest else None,
                largest_nom=largest.nom if largest else None,
                largest_population=largest.population if largest else None,
            )
        )
    return result


@dataclass(frozen=True)
class UnitFigures:
    code: str
    nom: str
    population: int
    longitude: float
    latitude: float
    nearest_m: int | None
    within: int
    remote: int
    covered: bool

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "nom": self.nom,
            "population": self.population,
            "couverte": self.covered,
            "services_sur_place_dans_la_distance": self.within,
            "distance_service_le_plus_proche_m": self.nearest_m,
            "services_a_distance": self.remote,
            "longitude": self.longitude,
            "latitude": self.latitude,
        }


def _unit_figures(row, *, covered: bool) -> UnitFigures:
    return UnitFigures(
        code=row.code,
        nom=row.nom,
        population=row.population,
        longitude=row.longitude,
        latitude=row.latitude,
        nearest_m=row.nearest_m,
        within=row.within,
        remote=row.remote,
        covered=covered,
    )


def units(
    session: Session,
    territory: Territory,
    need: str,
    distance_km: int,
    *,
    uncovered_only: bool = False,
    limit: int | None = None,
) -> list[UnitFigures]:
    """The territory's units with their coverage for one need, most populated first."""
    condition, params = _unit_filter(territory)
    metres = distance_km * 1000
    extra = " AND (c.nearest_m IS NULL OR c.nearest_m > :metres)" if uncovered_only else ""
    rows = session.execute(
        text(
            f"""SELECT u.code, u.nom, u.population, u.longitude, u.latitude, c.nearest_m,
                coalesce(c.n{distance_km}, 0) AS within,
                coalesce(c.remote, 0)
                    + (SELECT remote_everywhere FROM coverage_need WHERE need = :need) AS remote
            FROM coverage_unit AS u
            LEFT JOIN coverage_cell AS c ON c.unit = u.id AND c.need = :need
            WHERE {condition}{extra}
            ORDER BY u.population DESC, u.code
            {"LIMIT :limit" if limit else ""}"""
        ),
        {**params, "need": need_number(need), "metres": metres, "limit": limit},
    ).all()
    return [
        _unit_figures(row, covered=row.nearest_m is not None and row.nearest_m <= metres)
        for row in rows
    ]


@dataclass(frozen=True)
class DepartementShare:
    code: str
    nom: str
    population: int
    population_covered: int
    units_uncovered: int

    @property
    def share(self) -> float:
        return self.population_covered / self.population if self.population else 0.0


def departement_shares(
    session: Session, territory: Territory, need: str, distance_km: int
) -> list[DepartementShare]:
    """Départements of France (or of a région) with their share of population covered."""
    where = "" if territory.level == "france" else "AND d.region_code = :code"
    rows = session.execute(
        text(
            f"""SELECT d.code, d.nom, t.population, t.population_covered, t.units_uncovered
            FROM coverage_territory AS t JOIN departement AS d ON d.code = t.code
            WHERE t.level = 'departement' AND t.need = :need AND t.distance_km = :km {where}
            ORDER BY d.code"""
        ),
        {"need": need_number(need), "km": distance_km, "code": territory.code},
    ).all()
    return [
        DepartementShare(r.code, r.nom, r.population, r.population_covered, r.units_uncovered)
        for r in rows
    ]


def largest_uncovered_by_departement(
    session: Session, territory: Territory, need: str, distance_km: int
) -> list[UnitFigures]:
    """For France or a région: each département's most populated uncovered commune."""
    where = "" if territory.level == "france" else "AND u.region_code = :code"
    rows = session.execute(
        text(
            f"""SELECT u.code, u.nom, u.population, u.longitude, u.latitude, c.nearest_m,
                coalesce(c.n{distance_km}, 0) AS within,
                coalesce(c.remote, 0) + n.remote_everywhere AS remote
            FROM coverage_territory AS t
            JOIN coverage_unit AS u ON u.id = t.largest_uncovered
            JOIN coverage_need AS n ON n.need = t.need
            LEFT JOIN coverage_cell AS c ON c.unit = u.id AND c.need = t.need
            WHERE t.level = 'departement' AND t.need = :need AND t.distance_km = :km {where}
            ORDER BY u.population DESC, u.code
            LIMIT :limit"""
        ),
        {
            "need": need_number(need),
            "km": distance_km,
            "code": territory.code,
            "limit": UNCOVERED_LIST_LIMIT,
        },
    ).all()
    return [_unit_figures(row, covered=False) for row in rows]


@dataclass(frozen=True)
class Outline:
    code: str
    geojson: str


def departement_outlines(session: Session, codes: list[str]) -> dict[str, str]:
    """Simplified outlines (GeoJSON text) of départements, cached per process: reference data
    that only `dora geodata load` changes."""
    cached = _outline_cache(_geodata_version(session))
    missing = [c for c in codes if c not in cached]
    if missing:
        for row in session.execute(
            text(
                """SELECT code, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.01), 3) AS g
                FROM departement WHERE code = ANY(:codes) AND geom IS NOT NULL"""
            ),
            {"codes": missing},
        ):
            cached[row.code] = row.g
    return {c: cached[c] for c in codes if c in cached}


@cache
def _outline_cache(version: str) -> dict[str, str]:
    return {}


def _geodata_version(session: Session) -> str:
    value = session.scalar(text("SELECT value::text FROM geodata_meta WHERE key = 'version'"))
    return value or ""


@dataclass
class Overview:
    """What a coverage page shows, read in a handful of queries."""

    territory: Territory
    selection: Selection
    freshness: Freshness
    table: list[NeedFigures] = field(default_factory=list)
    selected: NeedFigures | None = None
    units: list[UnitFigures] = field(default_factory=list)
    uncovered: list[UnitFigures] = field(default_factory=list)
    departements: list[DepartementShare] = field(default_factory=list)
    absent: list[NeedFigures] = field(default_factory=list)

    @property
    def absent_categories(self) -> list[NeedFigures]:
        # Categories, and the other offers (training, inclusive employment).
        return [f for f in self.absent if vocabulary.THEMATIQUE_SEPARATOR not in f.need]

    @property
    def absent_subthemes(self) -> list[NeedFigures]:
        return [f for f in self.absent if vocabulary.THEMATIQUE_SEPARATOR in f.need]

    @property
    def map_of_departements(self) -> bool:
        return self.territory.level in ("france", "region")


def table_needs(selection: Selection) -> list[str]:
    """Rows of the thématiques table: all, the categories, and the sub-thèmes of the chosen
    category (or of the chosen sub-thème's category)."""
    chosen_category = vocabulary.category_of(selection.need) if selection.need else None
    rows = [""]
    for need in needs()[1:]:
        if need.category is None or need.category == chosen_category:
            rows.append(need.value)
    return rows


def overview(session: Session, territory: Territory, selection: Selection) -> Overview:
    state = freshness(session)
    result = Overview(territory, selection, state)
    if not state.computed:
        return result
    every = [n.value for n in needs()]
    all_figures = figures(session, territory, selection.distance_km, every)
    by_need = {f.need: f for f in all_figures}
    shown = set(table_needs(selection))
    result.table = [f for f in all_figures if f.need in shown]
    result.selected = by_need.get(selection.need)
    # Needs with no on-site service in reach nor any remote one: nothing at all.
    result.absent = [
        f
        for f in all_figures
        if f.need and f.population_covered == 0 and f.population_remote == 0 and (f.services == 0)
    ]
    if result.map_of_departements:
        result.departements = departement_shares(
            session, territory, selection.need, selection.distance_km
        )
        # The largest uncovered commune of each département (precomputed): reading the
        # national list of uncovered communes would scan thousands of cells.
        result.uncovered = largest_uncovered_by_departement(
            session, territory, selection.need, selection.distance_km
        )
    else:
        result.units = units(session, territory, selection.need, selection.distance_km)
        result.uncovered = [u for u in result.units if not u.covered]
    return result
