"""Orientations (referrals): a person handed over by a prescriber to a service's structure.

An `Orientation` row keeps two kinds of columns:

- **personal data** (the person, their situation, the criteria met, the message, the
  prescriber's own contact details, the structure's answer texts, attachments, message
  contents): readable only by the two sides (see dora.orientation.access), every read logged
  in `OrientationAccess`, erased by `dora orientations purger` after the retention period;
- **facts without personal data** (service, structures, départements, status, timestamps,
  refusal reason code, eligibility result): kept after the purge, they feed the statistics.

No index covers a personal column.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dora.accounts.models import User
from dora.extensions import db


class Statut(enum.StrEnum):
    NOUVELLE = "nouvelle"  # not opened yet by the receiving structure
    EN_COURS = "en-cours"  # opened or answered with a message, no decision yet
    ACCEPTEE = "acceptee"
    REFUSEE = "refusee"
    EXPIREE = "expiree"  # no decision within the expiry period


STATUT_LABELS = {
    Statut.NOUVELLE: "Nouvelle",
    Statut.EN_COURS: "En cours",
    Statut.ACCEPTEE: "Acceptée",
    Statut.REFUSEE: "Refusée",
    Statut.EXPIREE: "Expirée",
}
OPEN_STATUTS = (Statut.NOUVELLE, Statut.EN_COURS)


class MotifRefus(enum.StrEnum):
    HORS_CRITERES = "hors-criteres"
    PLUS_DE_PLACES = "plus-de-places"
    INJOIGNABLE = "injoignable"
    NON_INTERESSEE = "non-interessee"
    DOUBLON = "doublon"
    AUTRE = "autre"


MOTIF_LABELS = {
    MotifRefus.HORS_CRITERES: "Hors critères",
    MotifRefus.PLUS_DE_PLACES: "Plus de places disponibles",
    MotifRefus.INJOIGNABLE: "Personne injoignable",
    MotifRefus.NON_INTERESSEE: "La personne n’est plus intéressée",
    MotifRefus.DOUBLON: "Orientation en double",
    MotifRefus.AUTRE: "Autre motif",
}


class ContactPreference(enum.StrEnum):
    TELEPHONE = "telephone"
    COURRIEL = "courriel"
    PRESCRIPTEUR = "prescripteur"


CONTACT_LABELS = {
    ContactPreference.TELEPHONE: "Par téléphone",
    ContactPreference.COURRIEL: "Par e-mail",
    ContactPreference.PRESCRIPTEUR: "Par l’intermédiaire du prescripteur",
}


class EventKind(enum.StrEnum):
    CREATION = "creation"
    OUVERTURE = "ouverture"
    ACCEPTATION = "acceptation"
    REFUS = "refus"
    MESSAGE = "message"
    RELANCE = "relance"
    EXPIRATION = "expiration"
    LIEN_RENOUVELE = "lien-renouvele"
    EFFACEMENT = "effacement"


EVENT_LABELS = {
    EventKind.CREATION: "Orientation envoyée",
    EventKind.OUVERTURE: "Orientation consultée par la structure",
    EventKind.ACCEPTATION: "Orientation acceptée",
    EventKind.REFUS: "Orientation refusée",
    EventKind.MESSAGE: "Message",
    EventKind.RELANCE: "Relance envoyée à la structure",
    EventKind.EXPIRATION: "Orientation expirée sans réponse",
    EventKind.LIEN_RENOUVELE: "Nouveau lien sécurisé envoyé",
    EventKind.EFFACEMENT: "Données personnelles effacées (durée de conservation)",
}


class Destinataire(enum.StrEnum):
    PRESCRIPTEUR = "prescripteur"
    PERSONNE = "personne"


class Via(enum.StrEnum):
    COMPTE = "compte"  # a logged-in user of one of the two sides
    LIEN = "lien"  # the holder of the secret link e-mailed to a structure without members


class Objet(enum.StrEnum):
    FICHE = "fiche"
    LISTE = "liste"
    PIECE_JOINTE = "piece-jointe"


def _sql_in(column: str, enum_class: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(member.value) for member in enum_class)})"


def _timestamp(nullable: bool = True) -> Mapped:
    if nullable:
        return mapped_column(DateTime(timezone=True))
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Orientation(db.Model):
    __tablename__ = "orientation"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # Drawn when the form is shown: a second submission of the same form finds the first.
    submission_key: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, unique=True)

    # The receiving side, with names kept as they were (a service may be renamed or deleted).
    service_id: Mapped[str | None] = mapped_column(
        Text, ForeignKey("service.id", ondelete="SET NULL")
    )
    structure_id: Mapped[str | None] = mapped_column(
        Text, ForeignKey("structure.id", ondelete="SET NULL")
    )
    service_nom: Mapped[str] = mapped_column(Text, nullable=False)
    structure_nom: Mapped[str] = mapped_column(Text, nullable=False)
    departement_code: Mapped[str | None] = mapped_column(String(3))

    # The sending side.
    prescriber_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")
    )
    prescriber_structure_id: Mapped[str | None] = mapped_column(
        Text, ForeignKey("structure.id", ondelete="SET NULL")
    )
    prescriber_departement_code: Mapped[str | None] = mapped_column(String(3))
    # Personal data of the prescriber as they typed it (purged).
    prescripteur_nom: Mapped[str | None] = mapped_column(Text)
    prescripteur_organisation: Mapped[str | None] = mapped_column(Text)
    prescripteur_telephone: Mapped[str | None] = mapped_column(Text)

    # The person (purged).
    personne_prenom: Mapped[str | None] = mapped_column(Text)
    personne_nom: Mapped[str | None] = mapped_column(Text)
    personne_email: Mapped[str | None] = mapped_column(Text)
    personne_telephone: Mapped[str | None] = mapped_column(Text)
    personne_contact: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    personne_disponibilites: Mapped[str | None] = mapped_column(Text)
    personne_commune_code: Mapped[str | None] = mapped_column(String(5))
    personne_commune_nom: Mapped[str | None] = mapped_column(Text)
    situation: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    situation_autre: Mapped[str | None] = mapped_column(Text)
    # [{"libelle": …, "rempli": bool}]: the service's conditions as shown, and the answers.
    criteres: Mapped[list | None] = mapped_column(JSONB)
    criteres_precisions: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)

    consentement_at: Mapped[datetime] = _timestamp(nullable=False)
    # The service's eligibility for the person's commune when sent (None: could not tell).
    eligible: Mapped[bool | None] = mapped_column(Boolean)

    statut: Mapped[str] = mapped_column(
        String(12), nullable=False, default=Statut.NOUVELLE, server_default=Statut.NOUVELLE
    )
    created_at: Mapped[datetime] = _timestamp(nullable=False)
    # The retention period runs from here.
    status_changed_at: Mapped[datetime] = _timestamp(nullable=False)
    # First decision or message of the receiving side (statistics: time to first answer).
    first_answer_at: Mapped[datetime | None] = _timestamp()
    decided_at: Mapped[datetime | None] = _timestamp()
    decided_by_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")
    )
    prochaine_etape: Mapped[str | None] = mapped_column(Text)  # purged
    date_rendez_vous: Mapped[date | None] = mapped_column(Date)  # purged
    motif_refus: Mapped[str | None] = mapped_column(String(20))
    motif_refus_precision: Mapped[str | None] = mapped_column(Text)  # purged

    # The no-account path: where links are sent, and the hash of the last one (never the
    # link itself).
    courriel_structure: Mapped[str | None] = mapped_column(Text)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = _timestamp()

    reminded_at: Mapped[datetime | None] = _timestamp()
    purged_at: Mapped[datetime | None] = _timestamp()

    prescriber: Mapped[User | None] = relationship(foreign_keys=[prescriber_id])
    attachments: Mapped[list[OrientationAttachment]] = relationship(
        back_populates="orientation",
        order_by="OrientationAttachment.id",
        cascade="all, delete-orphan",
        lazy="select",
    )
    events: Mapped[list[OrientationEvent]] = relationship(
        back_populates="orientation",
        order_by="OrientationEvent.id",
        cascade="all, delete-orphan",
        lazy="select",
    )

    __table_args__ = (
        CheckConstraint(_sql_in("statut", Statut), name="statut"),
        CheckConstraint(
            f"motif_refus IS NULL OR {_sql_in('motif_refus', MotifRefus)}", name="motif_refus"
        ),
        # Inboxes: a structure's referrals by status, newest first.
        Index("ix_orientation_structure_inbox", "structure_id", "statut", "created_at"),
        Index("ix_orientation_prescriber", "prescriber_id", "created_at"),
        Index("ix_orientation_service_id", "service_id"),
        Index("ix_orientation_prescriber_structure_id", "prescriber_structure_id"),
        Index("ix_orientation_departement_code", "departement_code"),
        Index("ix_orientation_prescriber_departement_code", "prescriber_departement_code"),
        # `dora orientations relancer`: the few referrals still waiting for an answer.
        Index(
            "ix_orientation_open",
            "created_at",
            postgresql_where=text("statut IN ('nouvelle', 'en-cours')"),
        ),
        # `dora orientations purger`: the referrals whose contents are still there.
        Index(
            "ix_orientation_not_purged",
            "status_changed_at",
            postgresql_where=text("purged_at IS NULL"),
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.statut in OPEN_STATUTS

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None

    @property
    def personne_nom_complet(self) -> str:
        return " ".join(p for p in (self.personne_prenom, self.personne_nom) if p)

    @property
    def personne_nom_court(self) -> str:
        """« Camille M. »: enough to tell referrals apart in a list."""
        if self.is_purged:
            return "—"
        initial = f" {self.personne_nom[0]}." if self.personne_nom else ""
        return f"{self.personne_prenom or ''}{initial}".strip()


class OrientationEvent(db.Model):
    """Each change of a referral, timestamped, with who made it."""

    __tablename__ = "orientation_event"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    orientation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orientation.id", ondelete="CASCADE"), nullable=False
    )
    at: Mapped[datetime] = _timestamp(nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_user_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Who, in words (a professional or « lien sécurisé envoyé à … », or « dora »): kept
    # when the account is deleted.
    actor_label: Mapped[str] = mapped_column(Text, nullable=False)
    statut: Mapped[str | None] = mapped_column(String(12))  # the status after this event
    destinataire: Mapped[str | None] = mapped_column(String(12))
    contenu: Mapped[str | None] = mapped_column(Text)  # a message's text (purged)

    orientation: Mapped[Orientation] = relationship(back_populates="events")

    __table_args__ = (
        CheckConstraint(_sql_in("kind", EventKind), name="kind"),
        CheckConstraint(
            f"destinataire IS NULL OR {_sql_in('destinataire', Destinataire)}",
            name="destinataire",
        ),
        Index("ix_orientation_event_orientation_id", "orientation_id", "id"),
    )


class OrientationAttachment(db.Model):
    """A file sent with a referral: type checked by content, stored under
    ORIENTATION_STORAGE_DIR by a random key, with its SHA-256."""

    __tablename__ = "orientation_attachment"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    orientation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orientation.id", ondelete="CASCADE"), nullable=False, index=True
    )
    nom_fichier: Mapped[str] = mapped_column(Text, nullable=False)
    content_type: Mapped[str] = mapped_column(String(40), nullable=False)
    taille: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    created_at: Mapped[datetime] = _timestamp(nullable=False)

    orientation: Mapped[Orientation] = relationship(back_populates="attachments")

    __table_args__ = (
        CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="content_type"
        ),
        CheckConstraint("taille > 0", name="taille"),
    )


class OrientationAccess(db.Model):
    """A read of a referral's personal data: who (account or link holder), when, what kind
    of page — never the data itself."""

    __tablename__ = "orientation_access"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    orientation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("orientation.id", ondelete="CASCADE"), nullable=False
    )
    at: Mapped[datetime] = _timestamp(nullable=False)
    user_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")
    )
    via: Mapped[str] = mapped_column(String(8), nullable=False)
    objet: Mapped[str] = mapped_column(String(15), nullable=False)

    __table_args__ = (
        CheckConstraint(_sql_in("via", Via), name="via"),
        CheckConstraint(_sql_in("objet", Objet), name="objet"),
        Index("ix_orientation_access_orientation_id", "orientation_id", "at"),
        Index("ix_orientation_access_at", "at"),
    )
