"""Accounts and who may do what: users, structure memberships, territory managers, staff.

Roles, from the least to the most powerful (see `dora.accounts.permissions` for the rules):

- **user** (`User`): anyone with an account. Until the e-mail address is verified
  (`email_verified_at`), a user can only log in, ask for a new verification e-mail and log out.
- **verified user** (professional, `User.is_verified`): can search, create a structure or ask to
  join one, accept invitations.
- **structure member** (`Membership`, role `membre`): works on the structure's services.
- **structure admin** (`Membership`, role `admin`): also edits the structure, accepts or refuses
  join requests (`JoinRequest`), invites by e-mail (`Invitation`), changes roles, removes
  members. A structure always keeps at least one admin once it has one.
- **territory manager** (`TerritoryManager`, one row per département): moderates the structures
  of their départements (`StructureModerationEvent` keeps each decision).
- **staff** (`User.is_staff`): everything, everywhere (`dora users create-staff EMAIL`).

Structures and services themselves are catalogue models (`dora.catalogue.models`); the tables
here only point at them, so deleting a structure deletes its memberships, requests and
invitations.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dora.catalogue.models import Structure
from dora.extensions import db


class Role(enum.StrEnum):
    """A member's role in a structure."""

    MEMBRE = "membre"
    ADMIN = "admin"


ROLE_LABELS = {Role.MEMBRE: "Membre", Role.ADMIN: "Administrateur·rice"}


class RequestStatus(enum.StrEnum):
    """Life of a join request or an invitation."""

    EN_ATTENTE = "en-attente"
    ACCEPTEE = "acceptee"
    REFUSEE = "refusee"
    ANNULEE = "annulee"


def _now_column(nullable: bool = False) -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=nullable)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored normalised (see dora.accounts.operations.normalise_email): unique as stored.
    email: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    nom_complet: Mapped[str | None] = mapped_column(Text)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_staff: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default="false"
    )
    created_at: Mapped[datetime] = _now_column()
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="select"
    )
    managed_departements: Mapped[list[TerritoryManager]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="select"
    )

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def display_name(self) -> str:
        return self.nom_complet or self.email

    @property
    def password_fingerprint(self) -> str:
        """Changes with the password: signed links and sessions carrying it die with it."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    # The token of the server-side session this object was loaded for (or opened by):
    # dora.accounts.sessions. Not a column.
    session_token = None

    def get_id(self) -> str:
        # Flask-Login stores this in the session cookie: a password change, a logout or
        # « déconnexion de tous les appareils » ends the sessions (dora.accounts.sessions).
        return f"{self.id}:{self.password_fingerprint}:{self.session_token or ''}"

    def role_in(self, structure_id: str) -> Role | None:
        for membership in self.memberships:
            if membership.structure_id == structure_id:
                return Role(membership.role)
        return None

    @property
    def departement_codes(self) -> frozenset[str]:
        return frozenset(m.departement_code for m in self.managed_departements)

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_departements)


class Membership(db.Model):
    """A user in a structure, with a role."""

    __tablename__ = "structure_membership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
    )
    structure_id: Mapped[str] = mapped_column(
        ForeignKey("structure.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(10), nullable=False, default=Role.MEMBRE)
    created_at: Mapped[datetime] = _now_column()

    user: Mapped[User] = relationship(back_populates="memberships")
    structure: Mapped[Structure] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "structure_id", name="uq_structure_membership_user_structure"),
        CheckConstraint("role IN ('membre', 'admin')", name="role"),
    )

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class JoinRequest(db.Model):
    """A verified user asks to join a structure; its admins (or moderators) decide."""

    __tablename__ = "structure_join_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
    )
    structure_id: Mapped[str] = mapped_column(
        ForeignKey("structure.id", ondelete="CASCADE"), nullable=False, index=True
    )
    message: Mapped[str | None] = mapped_column(Text)
    statut: Mapped[str] = mapped_column(
        String(12), nullable=False, default=RequestStatus.EN_ATTENTE
    )
    created_at: Mapped[datetime] = _now_column()
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    structure: Mapped[Structure] = relationship()

    __table_args__ = (
        CheckConstraint(
            "statut IN ('en-attente', 'acceptee', 'refusee', 'annulee')", name="statut"
        ),
        # One open request per user and structure.
        Index(
            "uq_structure_join_request_open",
            "user_id",
            "structure_id",
            unique=True,
            postgresql_where=text("statut = 'en-attente'"),
        ),
    )


class Invitation(db.Model):
    """An admin invites an e-mail address (with or without an account) into a structure."""

    __tablename__ = "structure_invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    structure_id: Mapped[str] = mapped_column(
        ForeignKey("structure.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(10), nullable=False, default=Role.MEMBRE)
    statut: Mapped[str] = mapped_column(
        String(12), nullable=False, default=RequestStatus.EN_ATTENTE
    )
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = _now_column()
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    structure: Mapped[Structure] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    __table_args__ = (
        CheckConstraint(
            "statut IN ('en-attente', 'acceptee', 'refusee', 'annulee')", name="statut"
        ),
        CheckConstraint("role IN ('membre', 'admin')", name="role"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        Index(
            "uq_structure_invitation_open",
            "structure_id",
            "email",
            unique=True,
            postgresql_where=text("statut = 'en-attente'"),
        ),
    )


class TerritoryManager(db.Model):
    """A user who moderates the structures of a département (one row per département)."""

    __tablename__ = "territory_manager"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    departement_code: Mapped[str] = mapped_column(
        ForeignKey("departement.code", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = _now_column()

    user: Mapped[User] = relationship(back_populates="managed_departements")


class StructureModerationEvent(db.Model):
    """Each moderation decision (or resubmission), kept for the structure's history."""

    __tablename__ = "structure_moderation_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    structure_id: Mapped[str] = mapped_column(
        ForeignKey("structure.id", ondelete="CASCADE"), nullable=False, index=True
    )
    decision: Mapped[str] = mapped_column(String(20), nullable=False)
    motif: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = _now_column()

    decided_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("decision IN ('en-attente', 'validee', 'refusee')", name="decision"),
    )


# The moderation queue lists the structures waiting, oldest first: few rows match. Declared
# here, beside the queue that needs it, on the catalogue's table.
Index(
    "ix_structure_moderation_pending",
    Structure.__table__.c.created_at,
    postgresql_where=text("moderation = 'en-attente'"),
)

# Join search by name (dora.structures.queries.search_joinable): the function is created by
# migration 0003 (an IMMUTABLE wrapper of unaccent + lower).
Index(
    "ix_structure_nom_recherche",
    func.dora_search_name(Structure.__table__.c.nom),
    postgresql_using="gin",
    postgresql_ops={"dora_search_name": "gin_trgm_ops"},
)


class UserSession(db.Model):
    """A logged-in browser. The cookie carries a random token; only its SHA-256 is stored.
    Logging out revokes the row, so a copy of the cookie made before is worth nothing."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token), hex
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = _now_column()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginThrottle(db.Model):
    """Failed logins against one address from browsers it does not know (dora.accounts.throttle).

    Keyed by a keyed hash of the address typed (known or not, so that the answer does not tell
    whether an account exists); no address is stored."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
