"""Favourites, saved searches and the record of alerts sent (one per search and period)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from dora.extensions import db


class Frequence(enum.StrEnum):
    QUOTIDIENNE = "quotidienne"
    HEBDOMADAIRE = "hebdomadaire"


FREQUENCE_LABELS = {
    Frequence.QUOTIDIENNE: "Chaque jour",
    Frequence.HEBDOMADAIRE: "Chaque semaine",
}


class Favorite(db.Model):
    __tablename__ = "favorite"

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[str] = mapped_column(
        Text, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class SavedSearch(db.Model):
    """A search of /recherche kept by a user. `parametres` is the canonical query string
    (SearchQuery.to_args), re-read by `parse_search_args` at each alert: a search that the
    vocabulary no longer accepts is reported, never silently widened. `depuis`: services
    changed after this moment are new for the next alert."""

    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
    )
    nom: Mapped[str] = mapped_column(String(100), nullable=False)
    parametres: Mapped[str] = mapped_column(Text, nullable=False)
    frequence: Mapped[str] = mapped_column(String(12), nullable=False)
    actif: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    depuis: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    __table_args__ = (
        CheckConstraint("frequence IN ('quotidienne', 'hebdomadaire')", name="frequence_known"),
    )


class AlertDelivery(db.Model):
    """One alert run of a saved search for one period (`2026-12-07` daily, `2026-W50`
    weekly): `dora alertes envoyer` does each (search, period) once, sent or found empty."""

    __tablename__ = "alert_delivery"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("saved_search.id", ondelete="CASCADE"), nullable=False
    )
    periode: Mapped[str] = mapped_column(String(10), nullable=False)
    services_count: Mapped[int] = mapped_column(Integer, nullable=False)
    sent_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    __table_args__ = (UniqueConstraint("saved_search_id", "periode", name="uq_alert_delivery"),)
