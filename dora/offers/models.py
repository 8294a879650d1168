"""The other insertion offers: training actions (LHEO), inclusive employers (SIAE, GEIQ, EA)
and companies that host immersions.

Trainings and open positions are services of the catalogue (data·inclusion v1 shape: they are
searched, mapped, exported like any service); `offer_service` says which kind of offer each
one is and keeps its source's identifier and details, `offer_structure` does the same for the
organisations behind them, `training_session` holds a training's sessions.

Companies open to immersions are not services (they are employers, not a service to a
person): they live in their own tables, `immersion_company` and `immersion_metier`, and are
shown as their own layer, never mixed into the services' results.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from geoalchemy2 import Geography
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from dora.extensions import db


class OfferKind(enum.StrEnum):
    """What a catalogue service is, beside an ordinary service."""

    FORMATION = "formation"
    EMPLOI = "emploi-inclusif"


class StructureKind(enum.StrEnum):
    ORGANISME_FORMATION = "organisme-formation"
    EMPLOYEUR_INCLUSIF = "employeur-inclusif"


class OfferService(db.Model):
    __tablename__ = "offer_service"

    service_id: Mapped[str] = mapped_column(
        Text, ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # The source system and its own identifier (LHEO action number, fiche de poste id).
    source: Mapped[str] = mapped_column(Text, nullable=False)
    source_id: Mapped[str] = mapped_column(Text, nullable=False)
    imported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    details: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")

    __table_args__ = (
        CheckConstraint("kind IN ('formation', 'emploi-inclusif')", name="kind"),
        UniqueConstraint("source", "source_id", name="uq_offer_service_source_id"),
        Index("ix_offer_service_kind", "kind"),
    )


class OfferStructure(db.Model):
    __tablename__ = "offer_structure"

    structure_id: Mapped[str] = mapped_column(
        Text, ForeignKey("structure.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # ACI, EI, AI, ETTI, EITI, GEIQ, EA, EATT for employers; NULL for training bodies.
    employer_kind: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(Text, nullable=False)
    source_id: Mapped[str] = mapped_column(Text, nullable=False)
    imported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    details: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")

    __table_args__ = (
        CheckConstraint("kind IN ('organisme-formation', 'employeur-inclusif')", name="kind"),
        UniqueConstraint("source", "source_id", name="uq_offer_structure_source_id"),
    )


class TrainingSession(db.Model):
    """One session of a training action: only upcoming sessions are imported."""

    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(Integer, Identity(always=False), primary_key=True)
    service_id: Mapped[str] = mapped_column(
        Text, ForeignKey("service.id", ondelete="CASCADE"), nullable=False
    )
    source_id: Mapped[str] = mapped_column(Text, nullable=False)
    debut: Mapped[date] = mapped_column(Date, nullable=False)
    fin: Mapped[date] = mapped_column(Date, nullable=False)
    inscription_debut: Mapped[date | None] = mapped_column(Date)
    inscription_fin: Mapped[date | None] = mapped_column(Date)
    # LHEO etat-recrutement: 1 ouvert, 2 fermé, 3 suspendu.
    etat_recrutement: Mapped[int | None] = mapped_column(SmallInteger)
    adresse: Mapped[str | None] = mapped_column(Text)
    code_postal: Mapped[str | None] = mapped_column(String(5))
    commune: Mapped[str | None] = mapped_column(Text)
    code_insee: Mapped[str | None] = mapped_column(String(5))
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=False))

    __table_args__ = (
        UniqueConstraint("service_id", "source_id", name="uq_training_session_source_id"),
        CheckConstraint("fin >= debut", name="periode"),
        Index("ix_training_session_service_debut", "service_id", "debut"),
    )


class ImmersionCompany(db.Model):
    """An establishment open to immersions (PMSMP), by SIRET."""

    __tablename__ = "immersion_company"

    siret: Mapped[str] = mapped_column(String(14), primary_key=True)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    imported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    date_maj: Mapped[date] = mapped_column(Date, nullable=False)
    nom: Mapped[str] = mapped_column(Text, nullable=False)
    enseigne: Mapped[str | None] = mapped_column(Text)
    naf: Mapped[str | None] = mapped_column(String(6))
    naf_libelle: Mapped[str | None] = mapped_column(Text)
    adresse: Mapped[str | None] = mapped_column(Text)
    code_postal: Mapped[str | None] = mapped_column(String(5))
    commune: Mapped[str | None] = mapped_column(Text)
    code_insee: Mapped[str | None] = mapped_column(String(5))
    departement: Mapped[str | None] = mapped_column(String(3))
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=False), nullable=False)
    volontaire: Mapped[bool] = mapped_column(Boolean, nullable=False)
    accueil_handicap: Mapped[bool | None] = mapped_column(Boolean)
    tranche_effectif: Mapped[str | None] = mapped_column(Text)
    mode_contact: Mapped[str | None] = mapped_column(String(20))
    site_web: Mapped[str | None] = mapped_column(Text)
    informations: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_immersion_company_location", "location", postgresql_using="gist"),
        CheckConstraint(
            "mode_contact IS NULL OR mode_contact IN ('EMAIL', 'PHONE', 'IN_PERSON')",
            name="mode_contact",
        ),
    )


class ImmersionMetier(db.Model):
    """A métier (ROME appellation) a company hosts immersions in."""

    __tablename__ = "immersion_metier"

    siret: Mapped[str] = mapped_column(
        String(14), ForeignKey("immersion_company.siret", ondelete="CASCADE"), primary_key=True
    )
    appellation_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    appellation_libelle: Mapped[str] = mapped_column(Text, nullable=False)
    rome_code: Mapped[str] = mapped_column(String(5), nullable=False)
    rome_libelle: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (
        Index("ix_immersion_metier_rome", "rome_code"),
        CheckConstraint("rome_code ~ '^[A-N][0-9]{4}$'", name="rome_code"),
    )
