"""Immutable records returned by `geodata.reference` (files) and `geodata.resolve` (database)."""

from __future__ import annotations

from dataclasses import dataclass

# Precision of a commune point, best first (see geodata.matching for how each is obtained).
COMMUNE_PRECISIONS = ("commune", "code-postal", "epci", "departement")
# Arrondissements municipaux have their own point, or their commune's when GeoNames has none.
ARRONDISSEMENT_PRECISIONS = ("arrondissement", "commune-parente")


@dataclass(frozen=True)
class Region:
    code: str
    nom: str


@dataclass(frozen=True)
class Departement:
    code: str
    nom: str
    region: str
    chef_lieu: str


@dataclass(frozen=True)
class Epci:
    code: str
    nom: str
    type: str
    population: int
    membres: tuple[str, ...] = ()


@dataclass(frozen=True)
class Commune:
    code: str
    nom: str
    departement: str
    region: str
    epci: str | None
    codes_postaux: tuple[str, ...]
    population: int
    longitude: float
    latitude: float
    precision: str


@dataclass(frozen=True)
class ArrondissementMunicipal:
    code: str
    nom: str
    commune: str
    codes_postaux: tuple[str, ...]
    population: int
    longitude: float
    latitude: float
    precision: str


@dataclass(frozen=True)
class TerritoryCodes:
    """The territories a commune belongs to, for eligibility checks."""

    commune: str
    epci: str | None
    departement: str
    region: str


@dataclass(frozen=True)
class Location:
    """Best point found for a record without coordinates.

    `code_insee` is None when the commune could not be told apart (a postal code shared by
    several communes and no usable name): the point is then only as precise as `precision`.
    `arrondissement` is set in Paris, Lyon and Marseille when the arrondissement is known.
    `precision` is always one of COMMUNE_PRECISIONS, the vocabulary structures and services
    store (with "adresse" for geocoded addresses).
    """

    code_insee: str | None
    longitude: float
    latitude: float
    precision: str
    arrondissement: str | None = None
