"""Parsing of query-string parameters into typed values, with API errors that name the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from werkzeug.datastructures import MultiDict

from dora import vocabulary
from dora.api.errors import ApiError

MAX_PAGE = 100_000


@dataclass(frozen=True)
class Page:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def get_int(
    args: MultiDict, name: str, *, default: int | None, minimum: int, maximum: int
) -> int | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(f"« {name} » doit être un nombre entier.", field=name) from None
    if not minimum <= value <= maximum:
        raise ApiError(f"« {name} » doit être compris entre {minimum} et {maximum}.", field=name)
    return value


def get_float(args: MultiDict, name: str, *, minimum: float, maximum: float) -> float | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(f"« {name} » doit être un nombre.", field=name) from None
    if not minimum <= value <= maximum:  # also rejects nan
        raise ApiError(f"« {name} » doit être compris entre {minimum} et {maximum}.", field=name)
    return value


def get_page(args: MultiDict, *, default_size: int, max_size: int) -> Page:
    page = get_int(args, "page", default=1, minimum=1, maximum=MAX_PAGE)
    size = get_int(args, "size", default=default_size, minimum=1, maximum=max_size)
    assert page is not None and size is not None
    return Page(page=page, size=size)


def get_list(args: MultiDict, name: str) -> list[str]:
    """Repeatable or comma-separated: `?x=a&x=b` and `?x=a,b` are the same."""
    values: list[str] = []
    for raw in args.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def get_vocabulary_list(
    args: MultiDict, name: str, field: str | None = None, extra: frozenset[str] = frozenset()
) -> list[str]:
    values = get_list(args, name)
    unknown = [v for v in vocabulary.invalid_values(field or name, values) if v not in extra]
    if unknown:
        raise ApiError(f"Valeur(s) inconnue(s) pour « {name} » : {', '.join(unknown)}.", field=name)
    return values


def get_date(args: MultiDict, name: str) -> date | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(f"« {name} » doit être une date AAAA-MM-JJ.", field=name) from None


def envelope(items: list, *, total: int, page: Page, **extra) -> dict:
    return {"total": total, "page": page.page, "size": page.size, **extra, "items": items}
