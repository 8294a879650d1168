"""Who may do what: the one place where authorisation rules live.

Every view that shows private data or changes data asks one of the `can_*` functions below
(they take the current user, possibly anonymous, and the object), or uses a decorator.

| function                          | allowed                                                   |
|-----------------------------------|-----------------------------------------------------------|
| `can_view_structure_private`      | members (any role), managers of its département, staff    |
| `can_edit_structure`              | structure admins, staff                                   |
| `can_edit_services`               | structure members and admins, staff                       |
| `can_manage_members`              | structure admins, staff; managers of its département when |
|                                   | the structure has no admin yet (imported structures)      |
| `can_moderate`                    | managers of the structure's département, staff            |
| `can_request_join`                | verified users who are not members yet                    |

Only verified users get any right: a user whose e-mail is not verified is treated like an
anonymous visitor by every `can_*` function.

Deny conventions for views (the authorisation matrix test checks them):
- anonymous visitor → redirect to the login page (`login_required`);
- logged in but the object is private to others (a structure they cannot see, an id that does
  not belong to the structure in the URL) → 404, so ids cannot be probed;
- logged in, the object is visible but the action is not theirs → 403.
Use `get_structure_or_404(structure_id, can_...)` to apply them in one call.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, flash, g, has_app_context, redirect, url_for
from flask_login import current_user
from flask_login import login_required as _flask_login_required
from sqlalchemy import exists, select

from dora.accounts.models import Membership, Role, User
from dora.catalogue.models import Structure
from dora.extensions import db
from dora.territories.models import Commune

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "can_edit_services",
    "can_edit_structure",
    "can_manage_members",
    "can_moderate",
    "can_request_join",
    "can_view_structure_private",
    "get_structure_or_404",
    "is_verified",
    "login_required",
    "staff_required",
    "structure_departement",
    "verified_required",
]


def _verified(user: Any) -> User | None:
    """The user when authenticated and verified, else None (anonymous, unverified)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user if user.is_verified else None


def is_verified(user: Any) -> bool:
    return _verified(user) is not None


def is_staff(user: Any) -> bool:
    verified = _verified(user)
    return verified is not None and verified.is_staff


def role_in(user: Any, structure: Structure) -> Role | None:
    verified = _verified(user)
    return verified.role_in(structure.id) if verified else None


def structure_departement(structure: Structure) -> str | None:
    """The département of the structure's commune (None when it has no known commune)."""
    if not structure.code_insee:
        return None
    # Per request: a page may ask several permissions about the same structure.
    cache = g.setdefault("_dora_structure_departement", {}) if has_app_context() else {}
    if structure.code_insee not in cache:
        cache[structure.code_insee] = db.session.scalar(
            select(Commune.departement_code).where(Commune.code == structure.code_insee)
        )
    return cache[structure.code_insee]


def manages(user: Any, structure: Structure) -> bool:
    verified = _verified(user)
    if verified is None or not verified.is_manager:
        return False
    departement = structure_departement(structure)
    return departement is not None and departement in verified.departement_codes


def has_admin(structure: Structure) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Membership.structure_id == structure.id, Membership.role == Role.ADMIN
                )
            )
        )
    )


def can_view_structure_private(user: Any, structure: Structure) -> bool:
    return is_staff(user) or role_in(user, structure) is not None or manages(user, structure)


def can_edit_structure(user: Any, structure: Structure) -> bool:
    return is_staff(user) or role_in(user, structure) == Role.ADMIN


def can_edit_services(user: Any, structure: Structure) -> bool:
    return is_staff(user) or role_in(user, structure) is not None


def can_manage_members(user: Any, structure: Structure) -> bool:
    if is_staff(user) or role_in(user, structure) == Role.ADMIN:
        return True
    # A structure imported from data·inclusion has nobody yet: its managers let the first
    # people in (the first accepted member becomes its admin).
    return manages(user, structure) and not has_admin(structure)


def can_moderate(user: Any, structure: Structure) -> bool:
    return is_staff(user) or manages(user, structure)


def can_request_join(user: Any, structure: Structure) -> bool:
    return is_verified(user) and role_in(user, structure) is None


# View helpers -----------------------------------------------------------------------------

login_required = _flask_login_required


def verified_required(view: F) -> F:
    """Logged in (else to the login page) with a verified e-mail (else to the dashboard)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            from dora.extensions import login_manager

            return login_manager.unauthorized()
        if not current_user.is_verified:
            flash(
                "Confirmez d’abord votre adresse e-mail : cliquez sur le lien que nous vous "
                "avons envoyé.",
                "warning",
            )
            return redirect(url_for("accounts.dashboard"))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def staff_required(view: F) -> F:
    """Logged in and staff; others get a 404 (the page is not advertised)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            from dora.extensions import login_manager

            return login_manager.unauthorized()
        if not is_staff(current_user):
            abort(404)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def get_structure_or_404(
    structure_id: str, permission: Callable[[Any, Structure], bool] = can_view_structure_private
) -> Structure:
    """The structure if the current user may use `permission` on it.

    404 when the structure does not exist or is private to others; 403 when the user sees it
    (member, manager, staff) but `permission` is not theirs.
    """
    structure = db.session.get(Structure, structure_id)
    if structure is None or not can_view_structure_private(current_user, structure):
        abort(404)
    if not permission(current_user, structure):
        abort(403)
    return structure
