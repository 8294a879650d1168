"""Reads for structure management and moderation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, joinedload

from dora.accounts.models import (
    Invitation,
    JoinRequest,
    Membership,
    RequestStatus,
    Role,
    StructureModerationEvent,
    TerritoryManager,
    User,
)
from dora.catalogue.models import Moderation, Service, Statut, Structure
from dora.territories.models import Commune, Departement

JOIN_SEARCH_LIMIT = 20


def structure_by_siret(session: Session, siret: str) -> Structure | None:
    return session.scalar(
        select(Structure).where(Structure.siret == siret).order_by(Structure.created_at).limit(1)
    )


def search_joinable(session: Session, q: str, limit: int = JOIN_SEARCH_LIMIT) -> list[Structure]:
    """Structures to ask to join: by SIRET (14 digits) or SIREN (9), else by name.

    A name search only finds validated structures; a SIRET also finds one waiting for
    moderation (a colleague who created it gave it to you).
    """
    q = (q or "").strip()
    digits = q.replace(" ", "")
    if digits.isdigit() and len(digits) == 14:
        statement = select(Structure).where(Structure.siret == digits)
    elif digits.isdigit() and len(digits) == 9:
        # A range on the b-tree index: every SIRET of this SIREN.
        statement = select(Structure).where(
            Structure.siret >= digits, Structure.siret < digits + ":"
        )
    elif len(q) >= 3:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # dora_search_name (unaccent + lower, migration 0003) has a trigram index.
        statement = select(Structure).where(
            func.dora_search_name(Structure.nom).like(func.dora_search_name(pattern)),
            Structure.moderation == Moderation.VALIDEE,
        )
    else:
        return []
    statement = statement.where(Structure.moderation != Moderation.REFUSEE)
    return list(session.scalars(statement.order_by(Structure.nom, Structure.id).limit(limit)))


def memberships(session: Session, structure_id: str) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership)
            .where(Membership.structure_id == structure_id)
            .join(User, User.id == Membership.user_id)
            .options(joinedload(Membership.user))
            .order_by(Membership.role, User.email)
        )
    )


def admin_memberships(session: Session, structure_id: str) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership).where(
                Membership.structure_id == structure_id, Membership.role == Role.ADMIN
            )
        )
    )


def admin_emails(session: Session, structure_id: str) -> list[str]:
    return list(
        session.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.structure_id == structure_id, Membership.role == Role.ADMIN)
            .order_by(User.email)
        )
    )


def member_emails(session: Session, structure_id: str) -> set[str]:
    return set(
        session.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.structure_id == structure_id)
        )
    )


def moderator_emails(session: Session, structure: Structure) -> list[str]:
    """Managers of the structure's département, or staff when it has none."""
    departement = session.scalar(
        select(Commune.departement_code).where(Commune.code == structure.code_insee)
    )
    managers = list(
        session.scalars(
            select(User.email)
            .join(TerritoryManager, TerritoryManager.user_id == User.id)
            .where(
                TerritoryManager.departement_code == departement,
                User.email_verified_at.is_not(None),
            )
            .order_by(User.email)
        )
    )
    if managers:
        return managers
    return list(
        session.scalars(
            select(User.email)
            .where(User.is_staff, User.email_verified_at.is_not(None))
            .order_by(User.email)
        )
    )


def open_join_request(session: Session, user_id: int, structure_id: str) -> JoinRequest | None:
    return session.scalar(
        select(JoinRequest).where(
            JoinRequest.user_id == user_id,
            JoinRequest.structure_id == structure_id,
            JoinRequest.statut == RequestStatus.EN_ATTENTE,
        )
    )


def open_join_requests(session: Session, structure_id: str) -> list[JoinRequest]:
    return list(
        session.scalars(
            select(JoinRequest)
            .where(
                JoinRequest.structure_id == structure_id,
                JoinRequest.statut == RequestStatus.EN_ATTENTE,
            )
            .options(joinedload(JoinRequest.user))
            .order_by(JoinRequest.created_at)
        )
    )


def open_invitation(session: Session, structure_id: str, email: str) -> Invitation | None:
    return session.scalar(
        select(Invitation).where(
            Invitation.structure_id == structure_id,
            Invitation.email == email,
            Invitation.statut == RequestStatus.EN_ATTENTE,
        )
    )


def open_invitations(session: Session, structure_id: str) -> list[Invitation]:
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.structure_id == structure_id,
                Invitation.statut == RequestStatus.EN_ATTENTE,
            )
            .order_by(Invitation.created_at)
        )
    )


def join_request_of(session: Session, structure_id: str, request_id: int) -> JoinRequest | None:
    """The request only if it belongs to this structure (ids from the URL are not trusted)."""
    return session.scalar(
        select(JoinRequest).where(
            JoinRequest.id == request_id, JoinRequest.structure_id == structure_id
        )
    )


def invitation_of(session: Session, structure_id: str, invitation_id: int) -> Invitation | None:
    return session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.structure_id == structure_id
        )
    )


def membership_of(session: Session, structure_id: str, membership_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(
            Membership.id == membership_id, Membership.structure_id == structure_id
        )
    )


def user_membership(session: Session, user_id: int, structure_id: str) -> Membership | None:
    return session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.structure_id == structure_id
        )
    )


def moderation_history(session: Session, structure_id: str) -> list[StructureModerationEvent]:
    return list(
        session.scalars(
            select(StructureModerationEvent)
            .where(StructureModerationEvent.structure_id == structure_id)
            .options(joinedload(StructureModerationEvent.decided_by))
            .order_by(StructureModerationEvent.created_at, StructureModerationEvent.id)
        )
    )


@dataclass(frozen=True)
class ServiceCounts:
    total: int
    publies: int
    brouillons: int


def service_counts(session: Session, structure_id: str) -> ServiceCounts:
    row = session.execute(
        select(
            func.count(),
            func.count().filter(Service.statut == Statut.PUBLIE),
            func.count().filter(Service.statut == Statut.BROUILLON),
        ).where(Service.structure_id == structure_id)
    ).one()
    return ServiceCounts(total=row[0], publies=row[1], brouillons=row[2])


# Moderation queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    structure: Structure
    departement_code: str | None
    departement_nom: str | None
    admins: list[str]


def _in_departements(statement, departements: frozenset[str] | None):
    """Restrict to structures whose commune is in `departements` (None: everywhere, staff)."""
    if departements is None:
        return statement
    return statement.where(
        Structure.code_insee.in_(
            select(Commune.code).where(Commune.departement_code.in_(sorted(departements)))
        )
    )


def moderation_queue(
    session: Session, departements: frozenset[str] | None, limit: int = 200
) -> list[QueueItem]:
    """Structures waiting for validation, oldest first, with their département and admins."""
    statement = (
        select(Structure, Commune.departement_code, Departement.nom)
        .outerjoin(Commune, Commune.code == Structure.code_insee)
        .outerjoin(Departement, Departement.code == Commune.departement_code)
        .where(Structure.moderation == Moderation.EN_ATTENTE)
        .order_by(Structure.created_at, Structure.id)
        .limit(limit)
    )
    rows = session.execute(_in_departements(statement, departements)).all()
    ids = [row[0].id for row in rows]
    admins: dict[str, list[str]] = {}
    if ids:
        for structure_id, email in session.execute(
            select(Membership.structure_id, User.email)
            .join(User, User.id == Membership.user_id)
            .where(Membership.structure_id.in_(ids), Membership.role == Role.ADMIN)
            .order_by(User.email)
        ):
            admins.setdefault(structure_id, []).append(email)
    return [
        QueueItem(
            structure=s, departement_code=code, departement_nom=nom, admins=admins.get(s.id, [])
        )
        for s, code, nom in rows
    ]


def orphan_join_requests(
    session: Session, departements: frozenset[str] | None, limit: int = 200
) -> list[JoinRequest]:
    """Open requests to join structures that have no admin: their moderators decide."""
    has_admin = exists().where(
        and_(Membership.structure_id == Structure.id, Membership.role == Role.ADMIN)
    )
    statement = (
        select(JoinRequest)
        .join(Structure, Structure.id == JoinRequest.structure_id)
        .where(JoinRequest.statut == RequestStatus.EN_ATTENTE, ~has_admin)
        .options(joinedload(JoinRequest.user), joinedload(JoinRequest.structure))
        .order_by(JoinRequest.created_at)
        .limit(limit)
    )
    return list(session.scalars(_in_departements(statement, departements)))


def managers(session: Session) -> list[tuple[User, list[str]]]:
    rows = session.execute(
        select(User, func.array_agg(TerritoryManager.departement_code))
        .join(TerritoryManager, TerritoryManager.user_id == User.id)
        .group_by(User.id)
        .order_by(User.email)
    ).all()
    return [(user, sorted(codes)) for user, codes in rows]
