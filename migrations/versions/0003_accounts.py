"""Accounts: users, structure memberships, join requests, invitations, territory managers,
moderation history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUT_CHECK = "statut IN ('en-attente', 'acceptee', 'refusee', 'annulee')"
ROLE_CHECK = "role IN ('membre', 'admin')"
# unaccent() is only STABLE (its dictionary could change): an index needs an IMMUTABLE
# wrapper naming the dictionary explicitly.
SEARCH_NAME_FUNCTION = """
CREATE FUNCTION dora_search_name(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$
"""


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade():
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("nom_complet", sa.Text(), nullable=True),
        sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_staff", sa.Boolean(), server_default="false", nullable=False),
        _created_at(),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_user_account_email_lowercase")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "structure_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        _created_at(),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_structure_membership_role")),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_structure_membership_structure_id_structure"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_structure_membership_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_structure_membership")),
        sa.UniqueConstraint(
            "user_id", "structure_id", name="uq_structure_membership_user_structure"
        ),
    )
    op.create_index(
        op.f("ix_structure_membership_structure_id"), "structure_membership", ["structure_id"]
    )
    op.create_index(op.f("ix_structure_membership_user_id"), "structure_membership", ["user_id"])

    op.create_table(
        "structure_join_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("statut", sa.String(length=12), nullable=False),
        _created_at(),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(STATUT_CHECK, name=op.f("ck_structure_join_request_statut")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_structure_join_request_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_structure_join_request_structure_id_structure"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_structure_join_request_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_structure_join_request")),
    )
    op.create_index(
        op.f("ix_structure_join_request_structure_id"), "structure_join_request", ["structure_id"]
    )
    op.create_index(
        op.f("ix_structure_join_request_user_id"), "structure_join_request", ["user_id"]
    )
    op.create_index(
        "uq_structure_join_request_open",
        "structure_join_request",
        ["user_id", "structure_id"],
        unique=True,
        postgresql_where=sa.text("statut = 'en-attente'"),
    )

    op.create_table(
        "structure_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("statut", sa.String(length=12), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        _created_at(),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(STATUT_CHECK, name=op.f("ck_structure_invitation_statut")),
        sa.CheckConstraint(ROLE_CHECK, name=op.f("ck_structure_invitation_role")),
        sa.CheckConstraint(
            "email = lower(email)", name=op.f("ck_structure_invitation_email_lowercase")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["user_account.id"],
            name=op.f("fk_structure_invitation_invited_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_structure_invitation_structure_id_structure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_structure_invitation")),
    )
    op.create_index(op.f("ix_structure_invitation_email"), "structure_invitation", ["email"])
    op.create_index(
        op.f("ix_structure_invitation_structure_id"), "structure_invitation", ["structure_id"]
    )
    op.create_index(
        "uq_structure_invitation_open",
        "structure_invitation",
        ["structure_id", "email"],
        unique=True,
        postgresql_where=sa.text("statut = 'en-attente'"),
    )

    op.create_table(
        "territory_manager",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("departement_code", sa.String(length=3), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["departement_code"],
            ["departement.code"],
            name=op.f("fk_territory_manager_departement_code_departement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_territory_manager_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "departement_code", name=op.f("pk_territory_manager")),
    )
    op.create_index(
        op.f("ix_territory_manager_departement_code"), "territory_manager", ["departement_code"]
    )

    op.create_table(
        "structure_moderation_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("motif", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        _created_at(),
        sa.CheckConstraint(
            "decision IN ('en-attente', 'validee', 'refusee')",
            name=op.f("ck_structure_moderation_event_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_structure_moderation_event_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_structure_moderation_event_structure_id_structure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_structure_moderation_event")),
    )
    op.create_index(
        op.f("ix_structure_moderation_event_structure_id"),
        "structure_moderation_event",
        ["structure_id"],
    )
    # Join search by name: accent- and case-insensitive substring match on a trigram index.
    op.execute(SEARCH_NAME_FUNCTION)
    op.execute(
        "CREATE INDEX ix_structure_nom_recherche ON structure "
        "USING gin (dora_search_name(nom) gin_trgm_ops)"
    )
    # The moderation queue lists the structures waiting, oldest first; few rows match.
    op.create_index(
        "ix_structure_moderation_pending",
        "structure",
        ["created_at"],
        postgresql_where=sa.text("moderation = 'en-attente'"),
    )


def downgrade():
    op.drop_index("ix_structure_moderation_pending", table_name="structure")
    op.execute("DROP INDEX ix_structure_nom_recherche")
    op.execute("DROP FUNCTION dora_search_name(text)")
    op.drop_table("structure_moderation_event")
    op.drop_table("territory_manager")
    op.drop_table("structure_invitation")
    op.drop_table("structure_join_request")
    op.drop_table("structure_membership")
    op.drop_table("user_account")
