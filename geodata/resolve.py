"""Territory look-ups against the geodata tables (see geodata.load).

Every function takes a SQLAlchemy `Connection` or `Session` and returns immutable records.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session

from geodata import reference
from geodata.records import COMMUNE_PRECISIONS, Commune, Location, TerritoryCodes
from geodata.text import normalise_name

__all__ = [
    "Commune",
    "Location",
    "TerritoryCodes",
    "TypedCommune",
    "commune_labels",
    "communes_for_postal_code",
    "get_commune",
    "locate",
    "resolve_typed_commune",
    "search_communes",
    "territory_codes",
]

Executor = Connection | Session

_COMMUNE_COLUMNS = """c.code, c.nom, c.departement_code, c.region_code, c.epci_code,
    c.codes_postaux, c.population, ST_X(c.location::geometry) AS longitude,
    ST_Y(c.location::geometry) AS latitude, c.precision"""

_POSTAL_CODE = re.compile(r"\d{5}")
_POSTAL_PREFIX = re.compile(r"\d{1,5}")
# Prefixes long enough to enumerate every postal code they cover (100 codes at most) and use
# the GIN index on codes_postaux; shorter prefixes scan, which is still fast (35k rows).
_ENUMERABLE_PREFIX_LENGTH = 3
# A commune name given with a postal code is taken as that commune above this similarity
# (absorbs typos and decorations such as "CEDEX" or "Paris 10e").
_NAME_SIMILARITY = 0.8


def _commune(row: Row[Any]) -> Commune:
    return Commune(
        code=row.code,
        nom=row.nom,
        departement=row.departement_code,
        region=row.region_code,
        epci=row.epci_code,
        codes_postaux=tuple(row.codes_postaux),
        population=row.population,
        longitude=round(row.longitude, 6),
        latitude=round(row.latitude, 6),
        precision=row.precision,
    )


def _communes(conn: Executor, where: str, params: dict[str, Any], order: str) -> list[Commune]:
    rows = conn.execute(
        text(f"SELECT {_COMMUNE_COLUMNS} FROM commune AS c WHERE {where} ORDER BY {order}"),
        params,
    )
    return [_commune(row) for row in rows]


def get_commune(conn: Executor, code: str) -> Commune | None:
    """Commune by INSEE code.

    An arrondissement municipal code (75110) answers with its commune (75056), and so does the
    former code of a merged commune (93059, Pierrefitte-sur-Seine → 93066, Saint-Denis).
    """
    code = code.strip().upper()
    found = _communes(
        conn,
        """c.code = :code OR c.code = (
            SELECT a.commune_code FROM arrondissement_municipal AS a WHERE a.code = :code)""",
        {"code": code},
        "c.code",
    )
    if found:
        return found[0]
    current = reference.former_codes().get(code)
    return get_commune(conn, current) if current else None


def territory_codes(conn: Executor, code: str) -> TerritoryCodes | None:
    """The commune, EPCI, département and région codes of an INSEE code (see get_commune)."""
    commune = get_commune(conn, code)
    if commune is None:
        return None
    return TerritoryCodes(
        commune=commune.code,
        epci=commune.epci,
        departement=commune.departement,
        region=commune.region,
    )


def communes_for_postal_code(conn: Executor, code_postal: str) -> list[Commune]:
    """Communes served by a postal code, most populated first (93200 → [Saint-Denis])."""
    code_postal = code_postal.strip()
    if not _POSTAL_CODE.fullmatch(code_postal):
        return []
    return _communes(
        conn,
        "c.codes_postaux @> ARRAY[:code_postal]::text[]",
        {"code_postal": code_postal},
        "c.population DESC, c.code",
    )


def search_communes(conn: Executor, q: str, limit: int = 20) -> list[Commune]:
    """Autocomplete: communes by name, or by postal code prefix when `q` is made of digits.

    Names are compared in normalised form (accents, case, hyphens, st/saint do not matter) and
    `q` may be the start of any word of the name ("denis" finds Saint-Denis). Exact names come
    first, then names starting with `q`, then by population. If nothing matches, close spellings
    (trigram similarity) are offered instead.
    """
    q = q.strip()
    if _POSTAL_PREFIX.fullmatch(q):
        return _search_postal_codes(conn, q, limit)
    name = normalise_name(q)
    if not name:
        return []
    # Normalised names contain only [a-z0-9 ], so they need no LIKE escaping.
    found = _communes(
        conn,
        "(c.nom_recherche LIKE :starts OR c.nom_recherche LIKE :word_starts)",
        {"name": name, "starts": f"{name}%", "word_starts": f"% {name}%"},
        """c.nom_recherche = :name DESC, c.nom_recherche LIKE :starts DESC,
        c.population DESC, c.code LIMIT :limit""".replace(":limit", str(int(limit))),
    )
    if found or len(name) < 3:
        return found
    return _communes(
        conn,
        "c.nom_recherche % :name",
        {"name": name},
        f"similarity(c.nom_recherche, :name) DESC, c.population DESC, c.code LIMIT {int(limit)}",
    )


def _search_postal_codes(conn: Executor, prefix: str, limit: int) -> list[Commune]:
    order = f"c.population DESC, c.code LIMIT {int(limit)}"
    if len(prefix) >= _ENUMERABLE_PREFIX_LENGTH:
        # At most 100 codes: the GIN index on codes_postaux answers the overlap directly.
        width = 5 - len(prefix)
        codes = [f"{prefix}{suffix:0{width}d}" if width else prefix for suffix in range(10**width)]
        return _communes(conn, "c.codes_postaux && CAST(:codes AS text[])", {"codes": codes}, order)
    # Broader prefixes: restrict to the départements using them (index on departement_code);
    # an overlap with 1,000+ codes or a full scan would take tens of milliseconds.
    departements = list(reference.departements_for_postal_prefix(prefix))
    return _communes(
        conn,
        """c.departement_code = ANY(:departements)
        AND EXISTS (SELECT 1 FROM unnest(c.codes_postaux) AS cp WHERE cp LIKE :prefix)""",
        {"departements": departements, "prefix": f"{prefix}%"},
        order,
    )


# A commune typed by a person ------------------------------------------------------------------
#
# The one resolver behind every form and page that asks for a commune (search, territory pages,
# widget builder, service and structure editors, orientation form): what was typed — a name,
# possibly as a suggestion's label « Saint-Denis (93) », an INSEE code or a postal code — with
# the postal code and the INSEE code picked from the suggestions when the form has them.

# "Saint-Denis (93)", "Saint-Denis (974)", "Ajaccio (2A)", "Saint-Denis (93200)".
_LABELLED = re.compile(r"(?P<name>.*?)\s*\((?P<hint>\d[\dAB]\d{0,3})\)")
_CODE = re.compile(r"\d{5}|2[AB]\d{3}")
_MAX_CANDIDATES = 20


@dataclass(frozen=True)
class TypedCommune:
    """The commune a person meant, or the candidates to offer and a French message."""

    commune: Commune | None
    choices: tuple[Commune, ...] = ()
    message: str | None = None
    # The choices are close spellings (a typo?), not names matching what was typed.
    guessed: bool = False

    @property
    def likeliest(self) -> Commune | None:
        """The commune, else the first candidate (in the preferred territory, most
        populated): for pages that must show something rather than ask."""
        return self.commune or (self.choices[0] if self.choices else None)


def commune_labels(communes: Sequence[Commune]) -> list[str]:
    """Labels that tell every commune of a list apart: « Saint-Denis (93) », and with the
    postal code (or INSEE code) when the name and département are not enough."""
    base = [f"{c.nom} ({c.departement})" for c in communes]
    labels = []
    for commune, label in zip(communes, base, strict=True):
        if base.count(label) > 1:
            detail = commune.codes_postaux[0] if commune.codes_postaux else commune.code
            label = f"{commune.nom} ({commune.departement}, {detail})"
            if sum(1 for c in communes if c.nom == commune.nom and detail in c.codes_postaux) > 1:
                label = f"{commune.nom} ({commune.departement}, {commune.code})"
        labels.append(label)
    return labels


def _listed(communes: Sequence[Commune], count: int = 5) -> str:
    return ", ".join(commune_labels(communes[:count]))


def _preferred_first(communes: Sequence[Commune], prefer: Collection[str]) -> tuple[Commune, ...]:
    return tuple(sorted(communes, key=lambda c: c.code not in prefer))


def _one_of(candidates: Sequence[Commune], prefer: Collection[str], message: str) -> TypedCommune:
    """The single candidate, or the single one in the preferred territory, else a choice."""
    if len(candidates) == 1:
        return TypedCommune(candidates[0])
    preferred = [c for c in candidates if c.code in prefer]
    if len(preferred) == 1:
        return TypedCommune(preferred[0], _preferred_first(candidates, prefer))
    return TypedCommune(None, _preferred_first(candidates, prefer), message)


def resolve_typed_commune(
    conn: Executor,
    typed: str | None,
    *,
    code_postal: str | None = None,
    code_insee: str | None = None,
    prefer: Collection[str] = (),
) -> TypedCommune:
    """The commune meant by what a person typed.

    - `code_insee` (picked from suggestions) wins while the typed name still names it;
    - a five-character code is an INSEE code or a postal code (both are tried);
    - a name is compared in normalised form; an exact name beats names starting with it
      (« Saint-Denis » is not « Saint-Denis-en-Val »); a suggestion's label « Nom (93) »
      or « Nom (93200) » narrows to that département or postal code, and so does
      `code_postal`; a single name starting with what was typed is taken;
    - among homonyms, the only one whose code is in `prefer` (a territory's communes).
    Otherwise `commune` is None, `choices` lists candidates (preferred ones first) and
    `message` says in French what is wrong.
    """
    typed = " ".join((typed or "").split())[:150]
    code_postal = (code_postal or "").replace(" ", "")
    if code_insee and code_insee.strip():
        picked = get_commune(conn, code_insee)
        name = _LABELLED.fullmatch(typed).group("name") if _LABELLED.fullmatch(typed) else typed
        if picked is not None and (not name or normalise_name(picked.nom) == normalise_name(name)):
            return TypedCommune(picked)
    if not typed:
        if not code_postal:
            return TypedCommune(None, message="Indiquez la commune.")
        return _by_postal_code(conn, code_postal, prefer)
    if _CODE.fullmatch(typed.upper()):
        by_code = get_commune(conn, typed)
        candidates = [by_code] if by_code is not None else []
        candidates += [
            c for c in communes_for_postal_code(conn, typed) if by_code is None or c != by_code
        ]
        if not candidates:
            return TypedCommune(None, message=f"Aucune commune n’a le code « {typed} ».")
        return _one_of(
            candidates,
            prefer,
            f"Plusieurs communes ont le code « {typed} » : {_listed(candidates)}. "
            "Indiquez le nom de la commune.",
        )
    return _by_name(conn, typed, code_postal, prefer)


def _by_postal_code(conn: Executor, code_postal: str, prefer: Collection[str]) -> TypedCommune:
    if not _POSTAL_CODE.fullmatch(code_postal):
        return TypedCommune(None, message=f"Le code postal compte 5 chiffres (« {code_postal} »).")
    communes = communes_for_postal_code(conn, code_postal)
    if not communes:
        return TypedCommune(None, message=f"Aucune commune n’a le code postal {code_postal}.")
    return _one_of(
        communes,
        prefer,
        "Ce code postal couvre plusieurs communes : indiquez le nom de la commune.",
    )


def _by_name(conn: Executor, typed: str, code_postal: str, prefer: Collection[str]) -> TypedCommune:
    labelled = _LABELLED.fullmatch(typed)
    name, hint = (labelled.group("name"), labelled.group("hint")) if labelled else (typed, None)
    wanted = normalise_name(name)
    if not wanted:
        return TypedCommune(None, message=f"Commune introuvable : « {typed} ».")
    found = search_communes(conn, name, limit=_MAX_CANDIDATES)
    if hint:
        found = [
            c for c in found if hint.upper() in (c.departement, c.code) or hint in c.codes_postaux
        ]
    if code_postal:
        found = [c for c in found if code_postal in c.codes_postaux] or found
    exact = [c for c in found if normalise_name(c.nom) == wanted]
    if not exact and code_postal:
        # « Paris 10e », « Saint-Denis Cedex »: what imports do with an address.
        location = locate(conn, None, code_postal, name)
        located = (
            get_commune(conn, location.code_insee)
            if location is not None and location.code_insee
            else None
        )
        if located is not None and _names_alike(located.nom, wanted):
            return TypedCommune(located)
    starting = [c for c in found if wanted in normalise_name(c.nom)]
    if exact:
        return _one_of(
            exact,
            prefer,
            f"Plusieurs communes s’appellent « {name} » : {_listed(exact)}. "
            "Indiquez le code postal ou le département.",
        )
    if starting:
        return _one_of(
            starting,
            prefer,
            f"Plusieurs communes correspondent à « {name} » : {_listed(starting)}. "
            "Choisissez-en une ou indiquez le code postal.",
        )
    message = f"Commune introuvable : « {name} »."
    if found:  # close spellings, from the trigram fallback
        return TypedCommune(
            None, tuple(found), f"{message} Vouliez-vous dire : {_listed(found, 3)} ?", True
        )
    advice = " Vérifiez l’orthographe et le code postal." if code_postal else ""
    return TypedCommune(None, message=message + advice)


def _names_alike(nom: str, wanted: str) -> bool:
    candidate = normalise_name(nom)
    return (
        candidate == wanted
        or wanted.startswith(candidate + " ")
        or candidate.startswith(wanted + " ")
        or SequenceMatcher(None, candidate, wanted).ratio() >= _NAME_SIMILARITY
    )


def locate(
    conn: Executor,
    code_insee: str | None = None,
    code_postal: str | None = None,
    commune: str | None = None,
) -> Location | None:
    """Best point for a record without coordinates.

    In order: the INSEE code (arrondissement and former codes included); the postal code with
    the commune name; the name alone, within the département the postal code points to (CEDEX
    and outdated postal codes) or in France when it is unique; the postal code alone; the
    département of the postal code. None when nothing is usable.
    """
    if code_insee and code_insee.strip():
        found = _locate_by_code(conn, code_insee)
        if found is not None:
            return found
    code_postal = (code_postal or "").replace(" ", "")
    name = _clean_commune_name(commune)
    by_postal_code = (
        communes_for_postal_code(conn, code_postal) if _POSTAL_CODE.fullmatch(code_postal) else []
    )
    if by_postal_code and name:
        chosen = _pick_by_name(by_postal_code, name)
        if chosen is not None:
            return _arrondissement_of(conn, chosen, code_postal) or _location(chosen)
    if name:
        departement = _departement_of_postal_code(conn, code_postal) if code_postal else None
        named = _communes_named(conn, name, departement)
        if len(named) == 1:
            return _location(named[0])
    if by_postal_code:
        return _locate_postal_area(conn, by_postal_code, code_postal)
    if code_postal:
        return _locate_departement(conn, code_postal)
    return None


_CEDEX = re.compile(r"( cedex( \d+)?)+$")


def _clean_commune_name(commune: str | None) -> str:
    """Normalised name without the CEDEX suffix of business addresses."""
    return _CEDEX.sub("", normalise_name(commune))


def _location(commune: Commune, precision: str | None = None) -> Location:
    return Location(
        code_insee=commune.code,
        longitude=commune.longitude,
        latitude=commune.latitude,
        precision=precision or commune.precision,
    )


def _coarsest(*precisions: str) -> str:
    return max(precisions, key=COMMUNE_PRECISIONS.index)


def _locate_by_code(conn: Executor, code_insee: str) -> Location | None:
    code = code_insee.strip().upper()
    arrondissement = conn.execute(
        text(
            """SELECT a.code, a.commune_code, ST_X(a.location::geometry) AS longitude,
                ST_Y(a.location::geometry) AS latitude, a.precision
            FROM arrondissement_municipal AS a WHERE a.code = :code"""
        ),
        {"code": code},
    ).one_or_none()
    if arrondissement is not None:
        return _arrondissement_location(arrondissement)
    found = get_commune(conn, code)
    return _location(found) if found else None


def _arrondissement_location(row: Row[Any]) -> Location:
    # Location.precision keeps to the commune vocabulary that structures and services store:
    # an arrondissement's own point, or its commune's, is a commune-level point.
    return Location(
        code_insee=row.commune_code,
        longitude=round(row.longitude, 6),
        latitude=round(row.latitude, 6),
        precision="commune",
        arrondissement=row.code,
    )


def _locate_postal_area(
    conn: Executor, candidates: Sequence[Commune], code_postal: str
) -> Location:
    if len(candidates) == 1:
        only = candidates[0]
        return _arrondissement_of(conn, only, code_postal) or _location(only)
    # Several communes and no usable name: the most populated one stands for the postal area.
    largest = candidates[0]
    return Location(
        code_insee=None,
        longitude=largest.longitude,
        latitude=largest.latitude,
        precision=_coarsest("code-postal", largest.precision),
    )


def _pick_by_name(candidates: Sequence[Commune], name: str) -> Commune | None:
    def closeness(candidate: Commune) -> float:
        candidate_name = normalise_name(candidate.nom)
        if name == candidate_name or name.startswith(candidate_name + " "):
            return 1.0
        return SequenceMatcher(None, name, candidate_name).ratio()

    best = max(candidates, key=closeness)
    return best if closeness(best) >= _NAME_SIMILARITY else None


def _arrondissement_of(conn: Executor, commune: Commune, code_postal: str) -> Location | None:
    """In Paris, Lyon and Marseille the postal code tells the arrondissement."""
    row = conn.execute(
        text(
            """SELECT a.code, a.commune_code, ST_X(a.location::geometry) AS longitude,
                ST_Y(a.location::geometry) AS latitude, a.precision
            FROM arrondissement_municipal AS a
            WHERE a.commune_code = :commune AND a.codes_postaux @> ARRAY[:code_postal]::text[]
            ORDER BY a.code LIMIT 1"""
        ),
        {"commune": commune.code, "code_postal": code_postal},
    ).one_or_none()
    return _arrondissement_location(row) if row is not None else None


def _departement_of_postal_code(conn: Executor, code_postal: str) -> str | None:
    """The département whose communes most use postal codes starting like this one.

    Postal codes are not INSEE codes (Corsica is 20xxx, CEDEX codes are not in the COG), so
    the answer comes from the data: same 3-digit prefix, else same 2-digit prefix.
    """
    prefix = code_postal[:3]
    if len(prefix) == 3 and prefix.isdigit():
        codes = [f"{prefix}{suffix:02d}" for suffix in range(100)]
        row = conn.execute(
            text(
                """SELECT c.departement_code FROM commune AS c
                WHERE c.codes_postaux && CAST(:codes AS text[])
                GROUP BY c.departement_code ORDER BY count(*) DESC, c.departement_code LIMIT 1"""
            ),
            {"codes": codes},
        ).one_or_none()
        if row is not None:
            return str(row.departement_code)
    departements = reference.departements_for_postal_prefix(code_postal[:2])
    return departements[0] if departements else None


def _communes_named(conn: Executor, name: str, departement: str | None) -> list[Commune]:
    where = "c.nom_recherche = :name"
    if departement:
        where += " AND c.departement_code = :departement"
    return _communes(
        conn, where, {"name": name, "departement": departement}, "c.population DESC, c.code"
    )


def _locate_departement(conn: Executor, code_postal: str) -> Location | None:
    """The chef-lieu's point (a real town), else a point inside the département polygon."""
    departement = _departement_of_postal_code(conn, code_postal)
    if departement is None:
        return None
    chef_lieu = {item.code: item.chef_lieu for item in reference.departements()}.get(departement)
    seat = get_commune(conn, chef_lieu) if chef_lieu else None
    if seat is not None:
        return Location(None, seat.longitude, seat.latitude, "departement")
    row = conn.execute(
        text(
            """SELECT ST_X(p) AS longitude, ST_Y(p) AS latitude
            FROM (SELECT ST_PointOnSurface(geom) AS p FROM departement WHERE code = :code) AS d"""
        ),
        {"code": departement},
    ).one_or_none()
    if row is None or row.longitude is None:
        return None
    return Location(None, round(row.longitude, 6), round(row.latitude, 6), "departement")
