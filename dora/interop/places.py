"""Territory codes and points for a whole import, read once from the geodata tables.

An import checks every `code_insee` and `zone_eligibilite` code and places every record
without coordinates. Asking `geodata.resolve.locate()` record by record would cost a few
queries each (100,000 records, minutes); the 35,000 communes fit in memory in a fraction of a
second. For codes, `Places.locate` answers exactly what `locate()` answers (a test checks
it); records without a usable code fall back to `locate()` itself, once per distinct
(postal code, commune name).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import text
from sqlalchemy.engine import Connection

from geodata import reference, resolve
from geodata.load import loaded_version
from geodata.records import Location

FRANCE = "france"
_COUNTRY_PREFIX = "99"


class GeodataMissing(Exception):
    """The territory tables are empty: nothing can be checked or placed."""


@dataclass(frozen=True)
class _Point:
    longitude: float
    latitude: float
    precision: str


@cache
def _former_codes() -> dict[str, str]:
    return reference.former_codes()


@dataclass(frozen=True)
class _Territories:
    communes: dict[str, _Point]
    arrondissements: dict[str, tuple[str, _Point]]  # code -> (commune, point)
    departements: frozenset[str]
    epcis: frozenset[str]


# Read once per loaded geodata version (the tables change only with `dora geodata load`).
_territories_cache: dict[str, _Territories] = {}


def _read_territories(connection: Connection) -> _Territories:
    communes: dict[str, _Point] = {}
    for code, longitude, latitude, precision in connection.execute(
        text(
            "SELECT code, ST_X(location::geometry), ST_Y(location::geometry), precision "
            "FROM commune"
        )
    ):
        communes[code] = _Point(round(longitude, 6), round(latitude, 6), precision)
    if not communes:
        raise GeodataMissing(
            "les territoires ne sont pas chargés dans la base : lancez `dora geodata load`."
        )
    arrondissements: dict[str, tuple[str, _Point]] = {}
    for code, commune, longitude, latitude in connection.execute(
        text(
            "SELECT code, commune_code, ST_X(location::geometry), ST_Y(location::geometry) "
            "FROM arrondissement_municipal"
        )
    ):
        # An arrondissement's point is a commune-level point (as in geodata.resolve).
        arrondissements[code] = (
            commune,
            _Point(round(longitude, 6), round(latitude, 6), "commune"),
        )
    return _Territories(
        communes=communes,
        arrondissements=arrondissements,
        departements=frozenset(connection.execute(text("SELECT code FROM departement")).scalars()),
        epcis=frozenset(connection.execute(text("SELECT code FROM epci")).scalars()),
    )


def _territories(connection: Connection) -> _Territories:
    version = loaded_version(connection)
    if version is None:
        return _read_territories(connection)  # raises GeodataMissing when empty
    if version not in _territories_cache:
        _territories_cache.clear()
        _territories_cache[version] = _read_territories(connection)
    return _territories_cache[version]


class Places:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        territories = _territories(connection)
        self.communes = territories.communes
        self.arrondissements = territories.arrondissements
        self.departements = territories.departements
        self.epcis = territories.epcis
        self._fallbacks: dict[tuple[str, str], Location | None] = {}

    def former_code(self, code: str) -> str | None:
        """The current commune of a former (merged) commune code, when it is one."""
        current = _former_codes().get(code)
        return current if current in self.communes else None

    def is_commune(self, code: str) -> bool:
        return code in self.communes or code in self.arrondissements

    def zone_code_problem(self, code: str) -> str | None:
        """Why a `zone_eligibilite` code is not usable, or None when it is."""
        if code == FRANCE:
            return None
        if code.startswith(_COUNTRY_PREFIX) and len(code) == 5:
            return None  # a country code (99100 is France); the schema checked its shape
        if len(code) == 5:
            if self.is_commune(code) or self.former_code(code):
                return None
            return f"code commune inconnu : « {code} »"
        if len(code) == 9:
            return None if code in self.epcis else f"code EPCI (SIREN) inconnu : « {code} »"
        if code in self.departements:
            return None
        return f"code département inconnu : « {code} »"

    def point_of_code(self, code: str) -> _Point | None:
        """The point `geodata.resolve.locate(code_insee=code)` gives, from memory."""
        if code in self.arrondissements:
            return self.arrondissements[code][1]
        if code in self.communes:
            return self.communes[code]
        current = self.former_code(code)
        return self.communes[current] if current else None

    def locate(
        self, code_insee: str | None, code_postal: str | None, commune: str | None
    ) -> tuple[float, float, str] | None:
        """(longitude, latitude, precision) for a record without coordinates."""
        if code_insee:
            point = self.point_of_code(code_insee.strip().upper())
            if point is not None:
                return point.longitude, point.latitude, point.precision
        if not (code_postal or commune):
            return None
        key = (code_postal or "", commune or "")
        if key not in self._fallbacks:
            self._fallbacks[key] = resolve.locate(
                self._connection, code_postal=code_postal, commune=commune
            )
        found = self._fallbacks[key]
        return (found.longitude, found.latitude, found.precision) if found else None
