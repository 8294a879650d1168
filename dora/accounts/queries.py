"""Reads for account pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from dora.accounts.models import Invitation, JoinRequest, Membership, RequestStatus, User
from dora.catalogue.models import Moderation, Structure
from dora.territories.models import Commune


@dataclass(frozen=True)
class Dashboard:
    memberships: list[Membership]
    join_requests: list[JoinRequest]
    invitations: list[Invitation]
    moderation_pending: int | None  # None: the user moderates nothing


def dashboard(session: Session, user: User) -> Dashboard:
    memberships = list(
        session.scalars(
            select(Membership)
            .where(Membership.user_id == user.id)
            .options(joinedload(Membership.structure))
            .join(Structure, Structure.id == Membership.structure_id)
            .order_by(Structure.nom, Structure.id)
        )
    )
    join_requests = list(
        session.scalars(
            select(JoinRequest)
            .where(JoinRequest.user_id == user.id, JoinRequest.statut == RequestStatus.EN_ATTENTE)
            .options(joinedload(JoinRequest.structure))
            .order_by(JoinRequest.created_at)
        )
    )
    invitations = (
        list(
            session.scalars(
                select(Invitation)
                .where(
                    Invitation.email == user.email, Invitation.statut == RequestStatus.EN_ATTENTE
                )
                .options(joinedload(Invitation.structure))
                .order_by(Invitation.created_at)
            )
        )
        if user.is_verified
        else []
    )
    return Dashboard(
        memberships=memberships,
        join_requests=join_requests,
        invitations=invitations,
        moderation_pending=pending_moderation_count(session, user),
    )


def pending_moderation_count(session: Session, user: User) -> int | None:
    if not user.is_verified or not (user.is_staff or user.is_manager):
        return None
    statement = (
        select(func.count())
        .select_from(Structure)
        .where(Structure.moderation == Moderation.EN_ATTENTE)
    )
    if not user.is_staff:
        statement = statement.join(Commune, Commune.code == Structure.code_insee).where(
            Commune.departement_code.in_(user.departement_codes)
        )
    return session.scalar(statement) or 0
