"""Orientation: referrals from a prescriber to a service, their history, attachments and the
log of every read of their personal data.

Personal columns are never indexed. `token_hash` holds the SHA-256 of the last secret link
sent to a structure without members (never the link itself).

Revision ID: 0008_orientation
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_orientation"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orientation",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("submission_key", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Text(), nullable=True),
        sa.Column("structure_id", sa.Text(), nullable=True),
        sa.Column("service_nom", sa.Text(), nullable=False),
        sa.Column("structure_nom", sa.Text(), nullable=False),
        sa.Column("departement_code", sa.String(length=3), nullable=True),
        sa.Column("prescriber_id", sa.Integer(), nullable=True),
        sa.Column("prescriber_structure_id", sa.Text(), nullable=True),
        sa.Column("prescriber_departement_code", sa.String(length=3), nullable=True),
        sa.Column("prescripteur_nom", sa.Text(), nullable=True),
        sa.Column("prescripteur_organisation", sa.Text(), nullable=True),
        sa.Column("prescripteur_telephone", sa.Text(), nullable=True),
        sa.Column("personne_prenom", sa.Text(), nullable=True),
        sa.Column("personne_nom", sa.Text(), nullable=True),
        sa.Column("personne_email", sa.Text(), nullable=True),
        sa.Column("personne_telephone", sa.Text(), nullable=True),
        sa.Column("personne_contact", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("personne_disponibilites", sa.Text(), nullable=True),
        sa.Column("personne_commune_code", sa.String(length=5), nullable=True),
        sa.Column("personne_commune_nom", sa.Text(), nullable=True),
        sa.Column("situation", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("situation_autre", sa.Text(), nullable=True),
        sa.Column("criteres", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("criteres_precisions", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column(
            "consentement_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("eligible", sa.Boolean(), nullable=True),
        sa.Column("statut", sa.String(length=12), server_default="nouvelle", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "status_changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("first_answer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("prochaine_etape", sa.Text(), nullable=True),
        sa.Column("date_rendez_vous", sa.Date(), nullable=True),
        sa.Column("motif_refus", sa.String(length=20), nullable=True),
        sa.Column("motif_refus_precision", sa.Text(), nullable=True),
        sa.Column("courriel_structure", sa.Text(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "motif_refus IS NULL OR motif_refus IN ('hors-criteres', 'plus-de-places', "
            "'injoignable', 'non-interessee', 'doublon', 'autre')",
            name=op.f("ck_orientation_motif_refus"),
        ),
        sa.CheckConstraint(
            "statut IN ('nouvelle', 'en-cours', 'acceptee', 'refusee', 'expiree')",
            name=op.f("ck_orientation_statut"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_orientation_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_id"],
            ["user_account.id"],
            name=op.f("fk_orientation_prescriber_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_structure_id"],
            ["structure.id"],
            name=op.f("fk_orientation_prescriber_structure_id_structure"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_orientation_service_id_service"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_orientation_structure_id_structure"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orientation")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_orientation_submission_key")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_orientation_token_hash")),
    )
    op.create_index(
        "ix_orientation_departement_code", "orientation", ["departement_code"], unique=False
    )
    op.create_index(
        "ix_orientation_not_purged",
        "orientation",
        ["status_changed_at"],
        unique=False,
        postgresql_where=sa.text("purged_at IS NULL"),
    )
    op.create_index(
        "ix_orientation_open",
        "orientation",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("statut IN ('nouvelle', 'en-cours')"),
    )
    op.create_index(
        "ix_orientation_prescriber", "orientation", ["prescriber_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_orientation_prescriber_departement_code",
        "orientation",
        ["prescriber_departement_code"],
        unique=False,
    )
    op.create_index(
        "ix_orientation_prescriber_structure_id",
        "orientation",
        ["prescriber_structure_id"],
        unique=False,
    )
    op.create_index("ix_orientation_service_id", "orientation", ["service_id"], unique=False)
    op.create_index(
        "ix_orientation_structure_inbox",
        "orientation",
        ["structure_id", "statut", "created_at"],
        unique=False,
    )

    op.create_table(
        "orientation_access",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("orientation_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("objet", sa.String(length=15), nullable=False),
        sa.CheckConstraint(
            "objet IN ('fiche', 'liste', 'piece-jointe')", name=op.f("ck_orientation_access_objet")
        ),
        sa.CheckConstraint("via IN ('compte', 'lien')", name=op.f("ck_orientation_access_via")),
        sa.ForeignKeyConstraint(
            ["orientation_id"],
            ["orientation.id"],
            name=op.f("fk_orientation_access_orientation_id_orientation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_orientation_access_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orientation_access")),
    )
    op.create_index("ix_orientation_access_at", "orientation_access", ["at"], unique=False)
    op.create_index(
        "ix_orientation_access_orientation_id",
        "orientation_access",
        ["orientation_id", "at"],
        unique=False,
    )

    op.create_table(
        "orientation_attachment",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("orientation_id", sa.BigInteger(), nullable=False),
        sa.Column("nom_fichier", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("taille", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')",
            name=op.f("ck_orientation_attachment_content_type"),
        ),
        sa.CheckConstraint("taille > 0", name=op.f("ck_orientation_attachment_taille")),
        sa.ForeignKeyConstraint(
            ["orientation_id"],
            ["orientation.id"],
            name=op.f("fk_orientation_attachment_orientation_id_orientation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orientation_attachment")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_orientation_attachment_storage_key")),
    )
    op.create_index(
        op.f("ix_orientation_attachment_orientation_id"),
        "orientation_attachment",
        ["orientation_id"],
        unique=False,
    )

    op.create_table(
        "orientation_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("orientation_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.Text(), nullable=False),
        sa.Column("statut", sa.String(length=12), nullable=True),
        sa.Column("destinataire", sa.String(length=12), nullable=True),
        sa.Column("contenu", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "destinataire IS NULL OR destinataire IN ('prescripteur', 'personne')",
            name=op.f("ck_orientation_event_destinataire"),
        ),
        sa.CheckConstraint(
            "kind IN ('creation', 'ouverture', 'acceptation', 'refus', 'message', 'relance', "
            "'expiration', 'lien-renouvele', 'effacement')",
            name=op.f("ck_orientation_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["user_account.id"],
            name=op.f("fk_orientation_event_actor_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["orientation_id"],
            ["orientation.id"],
            name=op.f("fk_orientation_event_orientation_id_orientation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orientation_event")),
    )
    op.create_index(
        "ix_orientation_event_orientation_id",
        "orientation_event",
        ["orientation_id", "id"],
        unique=False,
    )


def downgrade():
    op.drop_table("orientation_event")
    op.drop_table("orientation_attachment")
    op.drop_table("orientation_access")
    op.drop_table("orientation")
