"""Sections other features add to a structure's private dashboard (/mon-espace/structures/<id>).

    from dora.structures.dashboard import Section, register_section

    register_section(Section(
        key="services",
        template="publishing/_dashboard_services.html",   # reads `section` and `structure`
        context=lambda structure, user: {"stale": stale_services(structure)},
        order=10,
    ))

Call it from the feature's `init_app(app)`. The template is included with `structure`,
`current_user` and `section` (the dict returned by `context`) in scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dora.accounts.models import User
from dora.catalogue.models import Structure


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Callable[[Structure, User], dict[str, Any]] = field(default=lambda s, u: {})
    order: int = 100


SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add (or replace, by key) a section; idempotent so create_app can run twice."""
    SECTIONS[section.key] = section


def sections_for(structure: Structure, user: User) -> list[tuple[Section, dict[str, Any]]]:
    ordered = sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))
    return [(section, section.context(structure, user)) for section in ordered]
