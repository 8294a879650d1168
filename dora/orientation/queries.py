"""Reads on referrals: look-ups, the two inboxes, and what the scheduled commands must do.

Reads that show personal data are logged by the views (operations.log_reads); nothing here
writes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dora.accounts.models import Membership, User
from dora.catalogue.models import Service, Structure
from dora.orientation.models import (
    OPEN_STATUTS,
    Orientation,
    OrientationAttachment,
    Statut,
)

PAGE_SIZE = 50
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def get(session: Session, orientation_id: int) -> Orientation | None:
    return session.get(Orientation, orientation_id)


def by_submission_key(session: Session, key: uuid.UUID) -> Orientation | None:
    return session.scalar(select(Orientation).where(Orientation.submission_key == key))


def by_token_hash(session: Session, token_hash: str) -> Orientation | None:
    return session.scalar(select(Orientation).where(Orientation.token_hash == token_hash))


def attachment_of(
    session: Session, orientation: Orientation, attachment_id: int
) -> OrientationAttachment | None:
    return session.scalar(
        select(OrientationAttachment).where(
            OrientationAttachment.id == attachment_id,
            OrientationAttachment.orientation_id == orientation.id,
        )
    )


def structure(session: Session, structure_id: str) -> Structure | None:
    return session.get(Structure, structure_id)


def service_of(session: Session, orientation: Orientation) -> Service | None:
    return session.get(Service, orientation.service_id) if orientation.service_id else None


def member_emails(session: Session, structure_id: str | None) -> list[str]:
    """Addresses of the structure's verified members (any role)."""
    if structure_id is None:
        return []
    return list(
        session.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.structure_id == structure_id, User.email_verified_at.is_not(None))
            .order_by(User.email)
        )
    )


def contact_address(service: Service) -> str | None:
    """Where a structure without members gets its secret links: the service's address, else
    its structure's."""
    for address in (service.courriel, service.structure.courriel):
        address = (address or "").strip()
        # Imported data: an address must be usable as an e-mail header as it is.
        if _ADDRESS.match(address):
            return address
    return None


def can_receive(session: Session, service: Service) -> bool:
    return (
        bool(member_emails(session, service.structure_id)) or contact_address(service) is not None
    )


def prescriber_email(orientation: Orientation) -> str | None:
    return orientation.prescriber.email if orientation.prescriber else None


def member_structures(user: User) -> list[Structure]:
    structures = [m.structure for m in user.memberships]
    return sorted(structures, key=lambda s: (s.nom.lower(), s.id))


# Inboxes -------------------------------------------------------------------------------------

# Tabs of the inboxes: key -> statuses.
FILTERS: dict[str, tuple[str, ...]] = {
    "a-traiter": tuple(OPEN_STATUTS),
    **{statut.value: (statut.value,) for statut in Statut},
    "toutes": tuple(s.value for s in Statut),
}


@dataclass(frozen=True)
class Inbox:
    items: list[Orientation]
    counts: dict[str, int]  # per status
    filtre: str
    page: int
    total: int  # in this filter

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    def count(self, filtre: str) -> int:
        return sum(self.counts.get(s, 0) for s in FILTERS[filtre])


def _inbox(session: Session, where, filtre: str, page: int) -> Inbox:
    statuts = FILTERS.get(filtre, FILTERS["toutes"])
    counts = dict(
        session.execute(
            select(Orientation.statut, func.count()).where(where).group_by(Orientation.statut)
        ).all()
    )
    total = sum(counts.get(s, 0) for s in statuts)
    items = list(
        session.scalars(
            select(Orientation)
            .where(where, Orientation.statut.in_(statuts))
            .order_by(Orientation.created_at.desc(), Orientation.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return Inbox(items=items, counts=counts, filtre=filtre, page=page, total=total)


def received(session: Session, structure_ids: Sequence[str], filtre: str, page: int = 1) -> Inbox:
    return _inbox(session, Orientation.structure_id.in_(list(structure_ids)), filtre, page)


def sent(session: Session, user: User, filtre: str, page: int = 1) -> Inbox:
    return _inbox(session, Orientation.prescriber_id == user.id, filtre, page)


def received_counts(session: Session, structure_ids: Sequence[str]) -> dict[str, int]:
    if not structure_ids:
        return {}
    return dict(
        session.execute(
            select(Orientation.statut, func.count())
            .where(Orientation.structure_id.in_(list(structure_ids)))
            .group_by(Orientation.statut)
        ).all()
    )


def sent_count(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Orientation)
            .where(Orientation.prescriber_id == user.id)
        )
        or 0
    )


# Scheduled commands ---------------------------------------------------------------------------


def due_reminders(session: Session, created_before: datetime) -> list[Orientation]:
    """Open referrals never reminded, sent before that moment (enough working days ago)."""
    return list(
        session.scalars(
            select(Orientation)
            .where(
                Orientation.statut.in_(OPEN_STATUTS),
                Orientation.reminded_at.is_(None),
                Orientation.created_at < created_before,
            )
            .order_by(Orientation.id)
        )
    )


def due_expiry(session: Session, created_before: datetime) -> list[Orientation]:
    return list(
        session.scalars(
            select(Orientation)
            .where(Orientation.statut.in_(OPEN_STATUTS), Orientation.created_at < created_before)
            .order_by(Orientation.id)
        )
    )


def due_purge(session: Session, changed_before: datetime, limit: int) -> list[Orientation]:
    return list(
        session.scalars(
            select(Orientation)
            .where(Orientation.purged_at.is_(None), Orientation.status_changed_at < changed_before)
            .order_by(Orientation.id)
            .limit(limit)
        )
    )
