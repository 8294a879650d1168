"""Structures and services: every field of the data·inclusion schema v1, plus ours."""

from __future__ import annotations

import enum
from datetime import date, datetime

from geoalchemy2 import Geography
from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    func,
)
from sqlalchemy.orm import (
    Mapped,
    Session,
    declared_attr,
    mapped_column,
    relationship,
    validates,
)

from dora import vocabulary
from dora.extensions import db


class Statut(enum.StrEnum):
    BROUILLON = "brouillon"
    PUBLIE = "publie"
    ARCHIVE = "archive"


class LocationPrecision(enum.StrEnum):
    """How precise `location` is: the record's own coordinates, or a fallback point."""

    ADRESSE = "adresse"  # coordinates given by the producer
    COMMUNE = "commune"  # the commune's reference point
    CODE_POSTAL = "code-postal"
    EPCI = "epci"
    DEPARTEMENT = "departement"


class Moderation(enum.StrEnum):
    """A structure created on dora waits for a territory manager before going public."""

    EN_ATTENTE = "en-attente"
    VALIDEE = "validee"
    REFUSEE = "refusee"


class FrequenceMaj(enum.StrEnum):
    """How often a structure commits to checking a service (freshness reminders)."""

    MENSUELLE = "mensuelle"
    TRIMESTRIELLE = "trimestrielle"
    SEMESTRIELLE = "semestrielle"
    ANNUELLE = "annuelle"


FREQUENCE_MAJ_DAYS = {
    FrequenceMaj.MENSUELLE: 31,
    FrequenceMaj.TRIMESTRIELLE: 92,
    FrequenceMaj.SEMESTRIELLE: 183,
    FrequenceMaj.ANNUELLE: 365,
}

STATUT_LABELS = {
    Statut.BROUILLON: "Brouillon",
    Statut.PUBLIE: "Publié",
    Statut.ARCHIVE: "Archivé",
}


def _text_array() -> ARRAY:
    return ARRAY(Text)


def _check_vocabulary(field: str, value, *, array: bool):
    if value is None:
        return None
    given = list(value) if array else [value]
    unknown = vocabulary.invalid_values(field, given)
    if unknown:
        raise ValueError(f"{field} : valeur(s) inconnue(s) du référentiel : {', '.join(unknown)}")
    # Sets in the schema; stored sorted so exports and diffs are stable.
    return sorted(set(given)) if array else value


class TimestampedVersioned:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
    # Optimistic locking: SQLAlchemy adds `AND version = :old` to every UPDATE.
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class AddressFields:
    commune: Mapped[str | None] = mapped_column(Text)
    code_postal: Mapped[str | None] = mapped_column(String(5))
    code_insee: Mapped[str | None] = mapped_column(String(5), index=True)
    adresse: Mapped[str | None] = mapped_column(Text)
    complement_adresse: Mapped[str | None] = mapped_column(Text)
    # The producer's own coordinates, kept as given; `location` is the point we use.
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    location = mapped_column(Geography("POINT", srid=4326, spatial_index=False))
    location_precision: Mapped[str | None] = mapped_column(String(20))
    telephone: Mapped[str | None] = mapped_column(Text)
    courriel: Mapped[str | None] = mapped_column(Text)
    horaires_accueil: Mapped[str | None] = mapped_column(Text)


class Structure(TimestampedVersioned, AddressFields, db.Model):
    __tablename__ = "structure"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    nom: Mapped[str] = mapped_column(String(150), nullable=False)
    date_maj: Mapped[date] = mapped_column(Date, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    lien_source: Mapped[str | None] = mapped_column(Text)
    siret: Mapped[str | None] = mapped_column(String(14), index=True)
    site_web: Mapped[str | None] = mapped_column(Text)
    accessibilite_lieu: Mapped[str | None] = mapped_column(Text)
    reseaux_porteurs: Mapped[list[str] | None] = mapped_column(_text_array())

    # Imported structures are trusted; those created on dora start `en-attente`.
    moderation: Mapped[str] = mapped_column(
        String(20), nullable=False, default=Moderation.VALIDEE, server_default=Moderation.VALIDEE
    )
    moderation_motif: Mapped[str | None] = mapped_column(Text)

    services: Mapped[list[Service]] = relationship(
        back_populates="structure", order_by="Service.nom", lazy="select"
    )

    __table_args__ = (
        Index("ix_structure_location", "location", postgresql_using="gist"),
        CheckConstraint(
            "location_precision IS NULL OR location_precision IN "
            "('adresse', 'commune', 'code-postal', 'epci', 'departement')",
            name="location_precision",
        ),
        CheckConstraint("moderation IN ('en-attente', 'validee', 'refusee')", name="moderation"),
    )

    @validates("reseaux_porteurs")
    def _validate_reseaux(self, key, value):
        return _check_vocabulary(key, value, array=True)


class Service(TimestampedVersioned, AddressFields, db.Model):
    __tablename__ = "service"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    structure_id: Mapped[str] = mapped_column(
        Text, ForeignKey("structure.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    nom: Mapped[str] = mapped_column(String(150), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    lien_source: Mapped[str | None] = mapped_column(Text)
    date_maj: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    type: Mapped[str | None] = mapped_column(String(40))
    thematiques: Mapped[list[str] | None] = mapped_column(_text_array())
    frais: Mapped[str | None] = mapped_column(String(20))
    frais_precisions: Mapped[str | None] = mapped_column(Text)
    publics: Mapped[list[str] | None] = mapped_column(_text_array())
    publics_precisions: Mapped[str | None] = mapped_column(Text)
    conditions_acces: Mapped[str | None] = mapped_column(Text)
    modes_accueil: Mapped[list[str] | None] = mapped_column(_text_array())
    zone_eligibilite: Mapped[list[str] | None] = mapped_column(_text_array())
    contact_nom_prenom: Mapped[str | None] = mapped_column(Text)
    lien_mobilisation: Mapped[str | None] = mapped_column(Text)
    modes_mobilisation: Mapped[list[str] | None] = mapped_column(_text_array())
    mobilisable_par: Mapped[list[str] | None] = mapped_column(_text_array())
    mobilisation_precisions: Mapped[str | None] = mapped_column(Text)
    volume_horaire_hebdomadaire: Mapped[float | None] = mapped_column(Float)
    nombre_semaines: Mapped[int | None] = mapped_column(Integer)

    statut: Mapped[str] = mapped_column(
        String(20), nullable=False, default=Statut.BROUILLON, server_default=Statut.BROUILLON
    )
    # Temporary suspension of a published service: hidden from the public in [du, au]
    # (an open end means until further notice).
    suspendu_du: Mapped[date | None] = mapped_column(Date)
    suspendu_au: Mapped[date | None] = mapped_column(Date)
    frequence_maj: Mapped[str] = mapped_column(
        String(20),
        nullable=False,
        default=FrequenceMaj.ANNUELLE,
        server_default=FrequenceMaj.ANNUELLE,
    )

    # When it opens in a typical week (dora.core.opening_week), from `horaires_accueil`:
    # kept in step by `_opening_week_before_flush` and the bulk writers; NULL without hours.
    opening_week: Mapped[int | None] = mapped_column(Integer)

    structure: Mapped[Structure] = relationship(back_populates="services", lazy="joined")

    __table_args__ = (
        Index("ix_service_location", "location", postgresql_using="gist"),
        Index("ix_service_thematiques", "thematiques", postgresql_using="gin"),
        Index("ix_service_publics", "publics", postgresql_using="gin"),
        Index("ix_service_zone_eligibilite", "zone_eligibilite", postgresql_using="gin"),
        Index("ix_service_modes_accueil", "modes_accueil", postgresql_using="gin"),
        CheckConstraint("statut IN ('brouillon', 'publie', 'archive')", name="statut"),
        CheckConstraint(
            "frequence_maj IN ('mensuelle', 'trimestrielle', 'semestrielle', 'annuelle')",
            name="frequence_maj",
        ),
        CheckConstraint(
            "suspendu_au IS NULL OR suspendu_du IS NULL OR suspendu_au >= suspendu_du",
            name="suspension",
        ),
        CheckConstraint(
            "location_precision IS NULL OR location_precision IN "
            "('adresse', 'commune', 'code-postal', 'epci', 'departement')",
            name="location_precision",
        ),
        CheckConstraint("nombre_semaines IS NULL OR nombre_semaines >= 1", name="nombre_semaines"),
        CheckConstraint(
            "volume_horaire_hebdomadaire IS NULL OR volume_horaire_hebdomadaire >= 0",
            name="volume_horaire_hebdomadaire",
        ),
    )

    @validates("type", "frais")
    def _validate_scalar_vocabulary(self, key, value):
        return _check_vocabulary(key, value, array=False)

    @validates("thematiques", "publics", "modes_accueil", "modes_mobilisation", "mobilisable_par")
    def _validate_array_vocabulary(self, key, value):
        return _check_vocabulary(key, value, array=True)

    @validates("statut")
    def _validate_statut(self, key, value):
        return Statut(value).value

    def is_suspended(self, today: date | None = None) -> bool:
        today = today or date.today()
        if self.suspendu_du is None or today < self.suspendu_du:
            return False
        return self.suspendu_au is None or today <= self.suspendu_au

    def is_public(self, today: date | None = None) -> bool:
        """What every public listing shows: published, not suspended, structure validated."""
        return (
            self.statut == Statut.PUBLIE
            and not self.is_suspended(today)
            and self.structure.moderation == Moderation.VALIDEE
        )

    @property
    def is_remote(self) -> bool:
        return vocabulary.A_DISTANCE in (self.modes_accueil or [])

    @property
    def is_on_site(self) -> bool:
        return vocabulary.EN_PRESENTIEL in (self.modes_accueil or [])


@event.listens_for(Session, "before_flush")
def _opening_week_before_flush(session: Session, _context, _instances) -> None:
    """Services written through the ORM (forms, operations) keep their week mask in step."""
    from dora.core.opening_week import week_mask

    for instance in (*session.new, *session.dirty):
        if isinstance(instance, Service):
            mask = week_mask(instance.horaires_accueil)
            if instance.opening_week != mask:
                instance.opening_week = mask
