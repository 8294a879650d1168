"""What each field of the data·inclusion schema is, read from the schema package's models.

Nothing here is typed by hand: a field added to `v1.Service` or `v1.Structure` shows up in
the import, the export and the CSV reader on the next release of the package.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Literal

import annotated_types
import pydantic
from data_inclusion.schema import v1

Kind = Literal["structures", "services"]


@dataclass(frozen=True)
class FieldSpec:
    model: type[pydantic.BaseModel]
    names: tuple[str, ...]
    required: tuple[str, ...]
    lists: frozenset[str]  # list or set in the schema
    sets: frozenset[str]  # sets: stored sorted, compared as sets
    floats: frozenset[str]
    ints: frozenset[str]
    # URL and e-mail fields: pydantic normalises them (trailing slash, lower-case domain);
    # we keep the producer's spelling, which validated.
    verbatim: frozenset[str]
    # Lists that the schema wants non-empty when present.
    non_empty_lists: frozenset[str]


def _members(annotation: object) -> list[object]:
    """The alternatives of `X | None` / Optional[X], with None removed."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    return [annotation]


def _strip_annotated(annotation: object) -> object:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _spec(model: type[pydantic.BaseModel]) -> FieldSpec:
    lists, sets, floats, ints, verbatim, non_empty = set(), set(), set(), set(), set(), set()
    for name, info in model.model_fields.items():
        for member in map(_strip_annotated, _members(info.annotation)):
            origin = typing.get_origin(member)
            if origin in (list, set, frozenset):
                lists.add(name)
                if origin is not list:
                    sets.add(name)
            elif member is float:
                floats.add(name)
            elif member is int:
                ints.add(name)
            elif member in (pydantic.HttpUrl, pydantic.EmailStr):
                verbatim.add(name)
        if (
            any(
                isinstance(item, annotated_types.MinLen) and item.min_length >= 1
                for item in info.metadata
            )
            and name in lists
        ):
            non_empty.add(name)
    return FieldSpec(
        model=model,
        names=tuple(model.model_fields),
        required=tuple(name for name, info in model.model_fields.items() if info.is_required()),
        lists=frozenset(lists),
        sets=frozenset(sets),
        floats=frozenset(floats),
        ints=frozenset(ints),
        verbatim=frozenset(verbatim),
        non_empty_lists=frozenset(non_empty),
    )


@cache
def spec_of(kind: Kind) -> FieldSpec:
    return _spec(v1.Structure if kind == "structures" else v1.Service)
