"""History of service changes, and the record of freshness reminders sent."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dora.extensions import db


class Action(enum.StrEnum):
    CREATION = "creation"
    MODIFICATION = "modification"
    PUBLICATION = "publication"
    DEPUBLICATION = "depublication"
    ARCHIVAGE = "archivage"
    DESARCHIVAGE = "desarchivage"
    SUSPENSION = "suspension"
    FIN_SUSPENSION = "fin-suspension"
    DUPLICATION = "duplication"
    CONFIRMATION = "confirmation"


ACTION_LABELS = {
    Action.CREATION: "Création",
    Action.MODIFICATION: "Modification",
    Action.PUBLICATION: "Publication",
    Action.DEPUBLICATION: "Retour en brouillon",
    Action.ARCHIVAGE: "Archivage",
    Action.DESARCHIVAGE: "Sortie des archives",
    Action.SUSPENSION: "Suspension",
    Action.FIN_SUSPENSION: "Fin de suspension",
    Action.DUPLICATION: "Création par duplication",
    Action.CONFIRMATION: "Confirmé à jour",
}


def _sql_in(column: str, enum_class: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(member.value) for member in enum_class)})"


class ServiceChange(db.Model):
    """One change of a service: who, when, what, and each field's value before and after."""

    __tablename__ = "service_change"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        Text, ForeignKey("service.id", ondelete="CASCADE"), nullable=False
    )
    # The author's account; the e-mail is kept too so the history still says who it was
    # after the account is deleted.
    user_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    author: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    # {field: {"avant": value, "apres": value}}, values in JSON form (see fields.snapshot).
    changes: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")
    # The service's version once this change was saved: the conflict screen asks "what
    # changed since version N" from it.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # For a duplicate: the service it was copied from.
    source_service_id: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_service_change_service_id_version", "service_id", "version"),
        CheckConstraint(_sql_in("action", Action), name="action"),
    )


class StaleNotification(db.Model):
    """A freshness reminder e-mailed to one admin of a structure for one period.

    `dora notify stale` sends at most one per (structure, admin, period), so running it again
    in the same period sends nothing new.
    """

    __tablename__ = "stale_notification"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    structure_id: Mapped[str] = mapped_column(
        Text, ForeignKey("structure.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False
    )
    periode: Mapped[str] = mapped_column(String(7), nullable=False)
    email: Mapped[str] = mapped_column(Text, nullable=False)
    services_count: Mapped[int] = mapped_column(Integer, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    __table_args__ = (
        UniqueConstraint("structure_id", "user_id", "periode", name="uq_stale_notification"),
        CheckConstraint("periode ~ '^[0-9]{4}-[0-9]{2}$'", name="periode"),
    )
