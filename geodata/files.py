"""Names of the committed data files and their content-based version."""

from __future__ import annotations

import hashlib
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

REGIONS_FILE = "regions.csv"
DEPARTEMENTS_FILE = "departements.csv"
DEPARTEMENTS_GEOJSON_FILE = "departements.geojson"
EPCI_FILE = "epci.csv"
COMMUNES_FILE = "communes.csv"
ARRONDISSEMENTS_FILE = "arrondissements_municipaux.csv"
FORMER_CODES_FILE = "communes_anciens_codes.csv"
SOURCES_FILE = "SOURCES.json"

DATA_FILES = (
    REGIONS_FILE,
    DEPARTEMENTS_FILE,
    DEPARTEMENTS_GEOJSON_FILE,
    EPCI_FILE,
    COMMUNES_FILE,
    ARRONDISSEMENTS_FILE,
    FORMER_CODES_FILE,
)


def file_digests(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """SHA-256 of every data file (SOURCES.json excluded: it records these digests)."""
    return {name: hashlib.sha256((data_dir / name).read_bytes()).hexdigest() for name in DATA_FILES}


def data_version(digests: dict[str, str]) -> str:
    """A short identifier of the data content: equal files give an equal version."""
    summary = "".join(f"{name}:{digests[name]}\n" for name in sorted(digests))
    return hashlib.sha256(summary.encode()).hexdigest()[:16]
