"""Offers beside services: training actions and their sessions (LHEO), inclusive employers'
positions (SIAE, GEIQ, EA), and the separate layer of companies hosting immersions.

Revision ID: 0011_offers
Revises: 0012_coverage
Create Date: 2026-12-07
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011_offers"
down_revision = "0012_coverage"
branch_labels = None
depends_on = None


def _point():
    return geoalchemy2.types.Geography(
        geometry_type="POINT",
        srid=4326,
        spatial_index=False,
        from_text="ST_GeogFromText",
        name="geography",
    )


def upgrade():
    op.create_table(
        "offer_service",
        sa.Column("service_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column(
            "imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('formation', 'emploi-inclusif')", name=op.f("ck_offer_service_kind")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_offer_service_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_offer_service")),
        sa.UniqueConstraint("source", "source_id", name="uq_offer_service_source_id"),
    )
    op.create_index("ix_offer_service_kind", "offer_service", ["kind"])
    op.create_table(
        "offer_structure",
        sa.Column("structure_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("employer_kind", sa.String(length=8), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column(
            "imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('organisme-formation', 'employeur-inclusif')",
            name=op.f("ck_offer_structure_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_offer_structure_structure_id_structure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("structure_id", name=op.f("pk_offer_structure")),
        sa.UniqueConstraint("source", "source_id", name="uq_offer_structure_source_id"),
    )
    op.create_table(
        "training_session",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("service_id", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("debut", sa.Date(), nullable=False),
        sa.Column("fin", sa.Date(), nullable=False),
        sa.Column("inscription_debut", sa.Date(), nullable=True),
        sa.Column("inscription_fin", sa.Date(), nullable=True),
        sa.Column("etat_recrutement", sa.SmallInteger(), nullable=True),
        sa.Column("adresse", sa.Text(), nullable=True),
        sa.Column("code_postal", sa.String(length=5), nullable=True),
        sa.Column("commune", sa.Text(), nullable=True),
        sa.Column("code_insee", sa.String(length=5), nullable=True),
        sa.Column("location", _point(), nullable=True),
        sa.CheckConstraint("fin >= debut", name=op.f("ck_training_session_periode")),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_training_session_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_session")),
        sa.UniqueConstraint("service_id", "source_id", name="uq_training_session_source_id"),
    )
    op.create_index(
        "ix_training_session_service_debut", "training_session", ["service_id", "debut"]
    )
    op.create_table(
        "immersion_company",
        sa.Column("siret", sa.String(length=14), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column(
            "imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("date_maj", sa.Date(), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("enseigne", sa.Text(), nullable=True),
        sa.Column("naf", sa.String(length=6), nullable=True),
        sa.Column("naf_libelle", sa.Text(), nullable=True),
        sa.Column("adresse", sa.Text(), nullable=True),
        sa.Column("code_postal", sa.String(length=5), nullable=True),
        sa.Column("commune", sa.Text(), nullable=True),
        sa.Column("code_insee", sa.String(length=5), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=True),
        sa.Column("location", _point(), nullable=False),
        sa.Column("volontaire", sa.Boolean(), nullable=False),
        sa.Column("accueil_handicap", sa.Boolean(), nullable=True),
        sa.Column("tranche_effectif", sa.Text(), nullable=True),
        sa.Column("mode_contact", sa.String(length=20), nullable=True),
        sa.Column("site_web", sa.Text(), nullable=True),
        sa.Column("informations", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "mode_contact IS NULL OR mode_contact IN ('EMAIL', 'PHONE', 'IN_PERSON')",
            name=op.f("ck_immersion_company_mode_contact"),
        ),
        sa.PrimaryKeyConstraint("siret", name=op.f("pk_immersion_company")),
    )
    op.create_index(
        "ix_immersion_company_location",
        "immersion_company",
        ["location"],
        postgresql_using="gist",
    )
    op.create_table(
        "immersion_metier",
        sa.Column("siret", sa.String(length=14), nullable=False),
        sa.Column("appellation_code", sa.String(length=8), nullable=False),
        sa.Column("appellation_libelle", sa.Text(), nullable=False),
        sa.Column("rome_code", sa.String(length=5), nullable=False),
        sa.Column("rome_libelle", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "rome_code ~ '^[A-N][0-9]{4}$'", name=op.f("ck_immersion_metier_rome_code")
        ),
        sa.ForeignKeyConstraint(
            ["siret"],
            ["immersion_company.siret"],
            name=op.f("fk_immersion_metier_siret_immersion_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("siret", "appellation_code", name=op.f("pk_immersion_metier")),
    )
    op.create_index("ix_immersion_metier_rome", "immersion_metier", ["rome_code"])


def downgrade():
    op.drop_index("ix_immersion_metier_rome", table_name="immersion_metier")
    op.drop_table("immersion_metier")
    op.drop_index(
        "ix_immersion_company_location", table_name="immersion_company", postgresql_using="gist"
    )
    op.drop_table("immersion_company")
    op.drop_index("ix_training_session_service_debut", table_name="training_session")
    op.drop_table("training_session")
    op.drop_table("offer_structure")
    op.drop_index("ix_offer_service_kind", table_name="offer_service")
    op.drop_table("offer_service")
