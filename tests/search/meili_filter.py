"""A small evaluator of the Meilisearch filter expressions dora.search.meili writes, over the
documents it sends (`meili.document`), so that the translation of a search can be held to the
same answers as SQL without a Meilisearch server.

It understands what the translation produces — `AND`, `OR`, `NOT`, parentheses,
`attr IN [...]`, `attr = true`, `attr IS NULL`, `attr > n`, `attr < n` and
`_geoRadius(lat, lng, metres)` — with Meilisearch's semantics (a comparison with a missing or
null attribute is false; `IN` on an array matches when one element is listed). Distances use
PostGIS' sphere: this checks the translation's logic, not Meilisearch's own arithmetic.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

EARTH_RADIUS_M = 6371008.7714
_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<number>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_]+)'
    r"|(?P<symbol>[()\[\],=<>]))"
)

Document = Mapping[str, Any]
Predicate = Callable[[Document], bool]


def _tokens(expression: str) -> list[tuple[str, Any]]:
    tokens, position = [], 0
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if not match:
            raise ValueError(f"unexpected filter text: {expression[position : position + 30]!r}")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "string":
            value = json.loads(value)
        elif kind == "number":
            value = float(value)
        tokens.append((kind, value))
        position = match.end()
        while position < len(expression) and expression[position].isspace():
            position += 1
    return tokens


class _Parser:
    def __init__(self, expression: str) -> None:
        self.tokens = _tokens(expression)
        self.at = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: Any = None) -> tuple[str, Any]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ValueError(f"expected {value!r}, got {token!r}")
        self.at += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.either()
        if self.peek() is not None:
            raise ValueError(f"trailing filter text: {self.tokens[self.at :]}")
        return predicate

    def either(self) -> Predicate:
        parts = [self.both()]
        while self.peek() == ("word", "OR"):
            self.take()
            parts.append(self.both())
        return parts[0] if len(parts) == 1 else (lambda d: any(p(d) for p in parts))

    def both(self) -> Predicate:
        parts = [self.negation()]
        while self.peek() == ("word", "AND"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda d: all(p(d) for p in parts))

    def negation(self) -> Predicate:
        if self.peek() == ("word", "NOT"):
            self.take()
            inner = self.negation()
            return lambda d: not inner(d)
        return self.atom()

    def atom(self) -> Predicate:
        if self.peek() == ("symbol", "("):
            self.take()
            inner = self.either()
            self.take(")")
            return inner
        _, name = self.take()
        if name == "_geoRadius":
            self.take("(")
            lat = self.take()[1]
            self.take(",")
            lng = self.take()[1]
            self.take(",")
            radius = self.take()[1]
            self.take(")")
            return lambda d: _within(d.get("_geo"), lat, lng, radius)
        _, operator = self.take()
        if operator == "IN":
            self.take("[")
            values = []
            while self.peek() != ("symbol", "]"):
                values.append(self.take()[1])
                if self.peek() == ("symbol", ","):
                    self.take()
            self.take("]")
            listed = set(values)
            return lambda d: _values(d.get(name)) & listed != set()
        if operator == "IS":
            self.take("NULL")
            return lambda d: d.get(name) is None
        _, value = self.take()
        if operator == "=":
            expected = {"true": True, "false": False}.get(value, value)
            return lambda d: d.get(name) == expected
        if operator == ">":
            return lambda d: d.get(name) is not None and d[name] > value
        if operator == "<":
            return lambda d: d.get(name) is not None and d[name] < value
        raise ValueError(f"unknown operator {operator!r}")


def _values(value: Any) -> set:
    if value is None:
        return set()
    return set(value) if isinstance(value, list) else {value}


def _within(geo: Mapping[str, float] | None, lat: float, lng: float, radius: float) -> bool:
    if not geo:
        return False
    lat1, lat2 = math.radians(geo["lat"]), math.radians(lat)
    dlat, dlng = lat1 - lat2, math.radians(geo["lng"] - lng)
    a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(a, 1.0))) <= radius


def matches(expression: str) -> Predicate:
    """A predicate over Meilisearch documents for a filter expression."""
    return _Parser(expression).parse()
