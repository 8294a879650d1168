"""The national vocabularies, straight from the data·inclusion schema package.

Never copy these lists by hand: every list, label and category grouping below is derived
from `data_inclusion.schema.v1` so a new release of the schema flows through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from data_inclusion.schema import v1
from data_inclusion.schema.base import EnhancedEnum

# Field name -> enum, for every vocabulary-constrained field of Structure and Service.
SERVICE_VOCABULARIES: dict[str, type[EnhancedEnum]] = {
    "type": v1.TypeService,
    "thematiques": v1.Thematique,
    "frais": v1.Frais,
    "publics": v1.Public,
    "modes_accueil": v1.ModeAccueil,
    "modes_mobilisation": v1.ModeMobilisation,
    "mobilisable_par": v1.PersonneMobilisatrice,
}
STRUCTURE_VOCABULARIES: dict[str, type[EnhancedEnum]] = {
    "reseaux_porteurs": v1.ReseauPorteur,
}

TOUS_PUBLICS = v1.Public.TOUS_PUBLICS.value
EN_PRESENTIEL = v1.ModeAccueil.EN_PRESENTIEL.value
A_DISTANCE = v1.ModeAccueil.A_DISTANCE.value
THEMATIQUE_SEPARATOR = "--"
CATEGORIES: frozenset[str] = frozenset(c.value for c in v1.Categorie)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    description: str | None = None


@dataclass(frozen=True)
class CategoryChoices:
    """A thématique category with its sub-thèmes, for grouped pickers and facets."""

    value: str
    label: str
    thematiques: tuple[Choice, ...]


def values(enum: type[EnhancedEnum]) -> list[str]:
    return [member.value for member in enum]


def choices(enum: type[EnhancedEnum]) -> list[Choice]:
    return [Choice(m.value, m.label, m.description) for m in enum]


@cache
def labels() -> dict[str, str]:
    """Every vocabulary value -> its French label (values are unique across vocabularies
    except for a few shared words, whose labels agree)."""
    result: dict[str, str] = {}
    for enum in [*SERVICE_VOCABULARIES.values(), *STRUCTURE_VOCABULARIES.values(), v1.Categorie]:
        for member in enum:
            result.setdefault(member.value, member.label)
    return result


def label(value: str) -> str:
    return labels().get(value, value)


def category_of(thematique: str) -> str:
    return thematique.split(THEMATIQUE_SEPARATOR, 1)[0]


@cache
def thematiques_by_category() -> tuple[CategoryChoices, ...]:
    grouped: dict[str, list[Choice]] = {c.value: [] for c in v1.Categorie}
    for member in v1.Thematique:
        grouped[category_of(member.value)].append(Choice(member.value, member.label))
    return tuple(CategoryChoices(c.value, c.label, tuple(grouped[c.value])) for c in v1.Categorie)


def invalid_values(field: str, given: Iterable[str]) -> list[str]:
    """Values of `given` that the vocabulary of `field` does not know."""
    known = _known_values(field)
    return [value for value in given if value not in known]


@cache
def _known_values(field: str) -> frozenset[str]:
    return frozenset(values(SERVICE_VOCABULARIES.get(field) or STRUCTURE_VOCABULARIES[field]))
