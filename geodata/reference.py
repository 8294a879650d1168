"""Pure-Python, cached readers of the committed geodata files (no database needed).

Used by the demo-data generator and by `geodata.resolve` for the few facts that have no table
(former commune codes). Every function returns the same immutable objects on each call.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from typing import Any

from geodata.files import (
    ARRONDISSEMENTS_FILE,
    COMMUNES_FILE,
    DATA_DIR,
    DEPARTEMENTS_FILE,
    DEPARTEMENTS_GEOJSON_FILE,
    EPCI_FILE,
    FORMER_CODES_FILE,
    REGIONS_FILE,
    SOURCES_FILE,
)
from geodata.records import (
    ArrondissementMunicipal,
    Commune,
    Departement,
    Epci,
    Region,
)


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _postal_codes(value: str) -> tuple[str, ...]:
    return tuple(value.split())


@cache
def regions() -> tuple[Region, ...]:
    return tuple(Region(code=row["code"], nom=row["nom"]) for row in _rows(REGIONS_FILE))


@cache
def departements() -> tuple[Departement, ...]:
    return tuple(
        Departement(
            code=row["code"], nom=row["nom"], region=row["region_code"], chef_lieu=row["chef_lieu"]
        )
        for row in _rows(DEPARTEMENTS_FILE)
    )


@cache
def departement_geometries() -> dict[str, dict[str, Any]]:
    """GeoJSON MultiPolygon geometry of every département, by code (WGS 84)."""
    collection = json.loads((DATA_DIR / DEPARTEMENTS_GEOJSON_FILE).read_text("utf-8"))
    return {
        feature["properties"]["code"]: feature["geometry"] for feature in collection["features"]
    }


@cache
def communes() -> tuple[Commune, ...]:
    return tuple(
        Commune(
            code=row["code"],
            nom=row["nom"],
            departement=row["departement_code"],
            region=row["region_code"],
            epci=row["epci_code"] or None,
            codes_postaux=_postal_codes(row["codes_postaux"]),
            population=int(row["population"]),
            longitude=float(row["longitude"]),
            latitude=float(row["latitude"]),
            precision=row["precision"],
        )
        for row in _rows(COMMUNES_FILE)
    )


@cache
def epcis() -> tuple[Epci, ...]:
    members: dict[str, list[str]] = defaultdict(list)
    for commune in communes():
        if commune.epci:
            members[commune.epci].append(commune.code)
    return tuple(
        Epci(
            code=row["code"],
            nom=row["nom"],
            type=row["type"],
            population=int(row["population"]),
            membres=tuple(sorted(members[row["code"]])),
        )
        for row in _rows(EPCI_FILE)
    )


@cache
def arrondissements_municipaux() -> tuple[ArrondissementMunicipal, ...]:
    return tuple(
        ArrondissementMunicipal(
            code=row["code"],
            nom=row["nom"],
            commune=row["commune_code"],
            codes_postaux=_postal_codes(row["codes_postaux"]),
            population=int(row["population"]),
            longitude=float(row["longitude"]),
            latitude=float(row["latitude"]),
            precision=row["precision"],
        )
        for row in _rows(ARRONDISSEMENTS_FILE)
    )


@cache
def former_codes() -> dict[str, str]:
    """Former INSEE codes of merged communes → current code (93059 Pierrefitte → 93066)."""
    return {row["ancien_code"]: row["code"] for row in _rows(FORMER_CODES_FILE)}


@cache
def _communes_by_code() -> dict[str, Commune]:
    return {commune.code: commune for commune in communes()}


@cache
def _arrondissements_by_code() -> dict[str, ArrondissementMunicipal]:
    return {item.code: item for item in arrondissements_municipaux()}


def current_commune_code(code: str) -> str | None:
    """The current commune for a commune, arrondissement municipal or former commune code."""
    code = code.strip().upper()
    if code in _communes_by_code():
        return code
    if code in _arrondissements_by_code():
        return _arrondissements_by_code()[code].commune
    return former_codes().get(code)


def commune(code: str) -> Commune | None:
    """Commune by INSEE code; arrondissement and former codes answer with the current commune."""
    current = current_commune_code(code)
    return _communes_by_code().get(current) if current else None


@cache
def _postal_prefix_departements() -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in communes():
        for postal_code in item.codes_postaux:
            for length in (1, 2, 3):
                counts[postal_code[:length]][item.departement] += 1
    return {prefix: dict(by_departement) for prefix, by_departement in counts.items()}


def departements_for_postal_prefix(prefix: str) -> tuple[str, ...]:
    """Départements having communes whose postal codes start with `prefix` (1 to 3 digits),
    the most frequent first: "94" → ("94", "91") since Paray-Vieille-Poste (91) is 94390."""
    by_departement = _postal_prefix_departements().get(prefix, {})
    return tuple(sorted(by_departement, key=lambda code: (-by_departement[code], code)))


@cache
def sources() -> dict[str, Any]:
    """Provenance, licences, counts and precision statistics (SOURCES.json)."""
    value: dict[str, Any] = json.loads((DATA_DIR / SOURCES_FILE).read_text("utf-8"))
    return value
