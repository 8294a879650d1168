"""Who reads a referral: its two sides, and nobody else.

- the **prescriber** (the verified account that sent it);
- the **receiving structure**: its verified members (any role), or, when it had no member,
  the holder of the secret link e-mailed to its address. The link's token is drawn with 256
  bits of randomness and kept only as its SHA-256; it is valid 8 days and can be renewed (a
  new link goes to the same address, the old one dies). Opening the link puts a grant in the
  signed session cookie (the hash, which is useless without the database), so the following
  pages carry no token in their URLs.

Staff and territory managers do not read referrals: they see counts (dora.orientation.stats).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import session as cookie

from dora.accounts.models import User
from dora.accounts.permissions import is_verified
from dora.orientation.models import Orientation, Via

LINK_VALIDITY = timedelta(days=8)
GRANTS_KEY = "orientation_liens"
MAX_GRANTS = 20


class Side(enum.StrEnum):
    PRESCRIPTEUR = "prescripteur"
    STRUCTURE = "structure"


@dataclass(frozen=True)
class Reader:
    """Someone allowed to read a referral, and as what."""

    side: Side
    via: Via
    user: User | None  # None for the link holder

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None


def now() -> datetime:
    return datetime.now(UTC)


def new_token() -> tuple[str, str]:
    """(token for the link, its hash for the database)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_valid(orientation: Orientation, at: datetime | None = None) -> bool:
    return (
        orientation.token_hash is not None
        and orientation.token_expires_at is not None
        and orientation.token_expires_at > (at or now())
    )


def is_member(user: Any, orientation: Orientation) -> bool:
    return (
        is_verified(user)
        and orientation.structure_id is not None
        and user.role_in(orientation.structure_id) is not None
    )


def is_prescriber(user: Any, orientation: Orientation) -> bool:
    return (
        is_verified(user)
        and orientation.prescriber_id is not None
        and user.id == orientation.prescriber_id
    )


def has_grant(orientation: Orientation) -> bool:
    grants = cookie.get(GRANTS_KEY) or {}
    granted = grants.get(str(orientation.id))
    return (
        granted is not None
        and granted == orientation.token_hash
        and link_valid(orientation)
        and not orientation.is_purged
    )


def grant(orientation: Orientation) -> None:
    grants = dict(cookie.get(GRANTS_KEY) or {})
    grants.pop(str(orientation.id), None)
    grants[str(orientation.id)] = orientation.token_hash
    # Oldest first (dicts keep insertion order): the cookie stays small.
    cookie[GRANTS_KEY] = dict(list(grants.items())[-MAX_GRANTS:])


def reader_of(user: Any, orientation: Orientation) -> Reader | None:
    """How `user` (or this browser's link grant) may read `orientation`; None: not at all.

    Someone on both sides (a member orienting to their own structure) acts as the structure.
    """
    if is_member(user, orientation):
        return Reader(Side.STRUCTURE, Via.COMPTE, user)
    if has_grant(orientation):
        return Reader(Side.STRUCTURE, Via.LIEN, None)
    if is_prescriber(user, orientation):
        return Reader(Side.PRESCRIPTEUR, Via.COMPTE, user)
    return None
