"""Reference territories and the catalogue (structures, services).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from data_inclusion.schema import v1
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

EXTENSIONS = ("postgis", "pg_trgm", "unaccent")
LOCATION_PRECISION_CHECK = (
    "location_precision IS NULL OR location_precision IN "
    "('adresse', 'commune', 'code-postal', 'epci', 'departement')"
)


def _sql_list(enum) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


def vocabulary_checks(table: str, arrays: dict, scalars: dict) -> None:
    """CHECK constraints from the data·inclusion enums (cheap: a few dozen values)."""
    for column, enum in arrays.items():
        op.create_check_constraint(
            f"{column}_vocabulaire", table, f"{column} <@ ARRAY[{_sql_list(enum)}]::text[]"
        )
    for column, enum in scalars.items():
        op.create_check_constraint(
            f"{column}_vocabulaire", table, f"{column} IN ({_sql_list(enum)})"
        )


def upgrade():
    for extension in EXTENSIONS:
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    op.create_table(
        "epci",
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("population", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_epci")),
    )
    op.create_table(
        "geodata_meta",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_geodata_meta")),
    )
    op.create_table(
        "region",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_region")),
    )
    op.create_table(
        "structure",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("nom", sa.String(length=150), nullable=False),
        sa.Column("date_maj", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("lien_source", sa.Text(), nullable=True),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("site_web", sa.Text(), nullable=True),
        sa.Column("accessibilite_lieu", sa.Text(), nullable=True),
        sa.Column("reseaux_porteurs", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("moderation", sa.String(length=20), server_default="validee", nullable=False),
        sa.Column("moderation_motif", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("commune", sa.Text(), nullable=True),
        sa.Column("code_postal", sa.String(length=5), nullable=True),
        sa.Column("code_insee", sa.String(length=5), nullable=True),
        sa.Column("adresse", sa.Text(), nullable=True),
        sa.Column("complement_adresse", sa.Text(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column(
            "location",
            geoalchemy2.types.Geography(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeogFromText",
                name="geography",
            ),
            nullable=True,
        ),
        sa.Column("location_precision", sa.String(length=20), nullable=True),
        sa.Column("telephone", sa.Text(), nullable=True),
        sa.Column("courriel", sa.Text(), nullable=True),
        sa.Column("horaires_accueil", sa.Text(), nullable=True),
        sa.CheckConstraint(
            LOCATION_PRECISION_CHECK,
            name=op.f("ck_structure_location_precision"),
        ),
        sa.CheckConstraint(
            "moderation IN ('en-attente', 'validee', 'refusee')",
            name=op.f("ck_structure_moderation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_structure")),
    )
    op.create_index(op.f("ix_structure_code_insee"), "structure", ["code_insee"], unique=False)
    op.create_index(
        "ix_structure_location", "structure", ["location"], unique=False, postgresql_using="gist"
    )
    op.create_index(op.f("ix_structure_siret"), "structure", ["siret"], unique=False)

    op.create_table(
        "departement",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("region_code", sa.String(length=3), nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("geom_source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_departement_region_code_region")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_departement")),
    )
    op.create_index(
        "ix_departement_geom", "departement", ["geom"], unique=False, postgresql_using="gist"
    )

    op.create_table(
        "service",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("structure_id", sa.Text(), nullable=False),
        sa.Column("nom", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lien_source", sa.Text(), nullable=True),
        sa.Column("date_maj", sa.Date(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=True),
        sa.Column("thematiques", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("frais", sa.String(length=20), nullable=True),
        sa.Column("frais_precisions", sa.Text(), nullable=True),
        sa.Column("publics", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("publics_precisions", sa.Text(), nullable=True),
        sa.Column("conditions_acces", sa.Text(), nullable=True),
        sa.Column("modes_accueil", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("zone_eligibilite", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("contact_nom_prenom", sa.Text(), nullable=True),
        sa.Column("lien_mobilisation", sa.Text(), nullable=True),
        sa.Column("modes_mobilisation", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("mobilisable_par", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("mobilisation_precisions", sa.Text(), nullable=True),
        sa.Column("volume_horaire_hebdomadaire", sa.Float(), nullable=True),
        sa.Column("nombre_semaines", sa.Integer(), nullable=True),
        sa.Column("statut", sa.String(length=20), server_default="brouillon", nullable=False),
        sa.Column("suspendu_du", sa.Date(), nullable=True),
        sa.Column("suspendu_au", sa.Date(), nullable=True),
        sa.Column("frequence_maj", sa.String(length=20), server_default="annuelle", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("commune", sa.Text(), nullable=True),
        sa.Column("code_postal", sa.String(length=5), nullable=True),
        sa.Column("code_insee", sa.String(length=5), nullable=True),
        sa.Column("adresse", sa.Text(), nullable=True),
        sa.Column("complement_adresse", sa.Text(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column(
            "location",
            geoalchemy2.types.Geography(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeogFromText",
                name="geography",
            ),
            nullable=True,
        ),
        sa.Column("location_precision", sa.String(length=20), nullable=True),
        sa.Column("telephone", sa.Text(), nullable=True),
        sa.Column("courriel", sa.Text(), nullable=True),
        sa.Column("horaires_accueil", sa.Text(), nullable=True),
        sa.CheckConstraint(
            LOCATION_PRECISION_CHECK,
            name=op.f("ck_service_location_precision"),
        ),
        sa.CheckConstraint(
            "frequence_maj IN ('mensuelle', 'trimestrielle', 'semestrielle', 'annuelle')",
            name=op.f("ck_service_frequence_maj"),
        ),
        sa.CheckConstraint(
            "suspendu_au IS NULL OR suspendu_du IS NULL OR suspendu_au >= suspendu_du",
            name=op.f("ck_service_suspension"),
        ),
        sa.CheckConstraint(
            "statut IN ('brouillon', 'publie', 'archive')", name=op.f("ck_service_statut")
        ),
        sa.CheckConstraint(
            "nombre_semaines IS NULL OR nombre_semaines >= 1",
            name=op.f("ck_service_nombre_semaines"),
        ),
        sa.CheckConstraint(
            "volume_horaire_hebdomadaire IS NULL OR volume_horaire_hebdomadaire >= 0",
            name=op.f("ck_service_volume_horaire_hebdomadaire"),
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_service_structure_id_structure"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
    )
    op.create_index(op.f("ix_service_code_insee"), "service", ["code_insee"], unique=False)
    op.create_index(op.f("ix_service_date_maj"), "service", ["date_maj"], unique=False)
    op.create_index(
        "ix_service_location", "service", ["location"], unique=False, postgresql_using="gist"
    )
    op.create_index(
        "ix_service_modes_accueil",
        "service",
        ["modes_accueil"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_service_publics", "service", ["publics"], unique=False, postgresql_using="gin"
    )
    op.create_index(op.f("ix_service_structure_id"), "service", ["structure_id"], unique=False)
    op.create_index(
        "ix_service_thematiques", "service", ["thematiques"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_service_zone_eligibilite",
        "service",
        ["zone_eligibilite"],
        unique=False,
        postgresql_using="gin",
    )

    op.create_table(
        "commune",
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("nom_recherche", sa.Text(), nullable=False),
        sa.Column("departement_code", sa.String(length=3), nullable=False),
        sa.Column("region_code", sa.String(length=3), nullable=False),
        sa.Column("epci_code", sa.String(length=9), nullable=True),
        sa.Column("codes_postaux", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("population", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "location",
            geoalchemy2.types.Geography(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeogFromText",
                name="geography",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("precision", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["departement_code"],
            ["departement.code"],
            name=op.f("fk_commune_departement_code_departement"),
        ),
        sa.ForeignKeyConstraint(
            ["epci_code"], ["epci.code"], name=op.f("fk_commune_epci_code_epci")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_commune_region_code_region")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_commune")),
    )
    op.create_index(
        "ix_commune_codes_postaux",
        "commune",
        ["codes_postaux"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        op.f("ix_commune_departement_code"), "commune", ["departement_code"], unique=False
    )
    op.create_index(op.f("ix_commune_epci_code"), "commune", ["epci_code"], unique=False)
    op.create_index(
        "ix_commune_location", "commune", ["location"], unique=False, postgresql_using="gist"
    )
    op.create_index(
        "ix_commune_nom_recherche",
        "commune",
        ["nom_recherche"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"nom_recherche": "gin_trgm_ops"},
    )

    op.create_table(
        "arrondissement_municipal",
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("codes_postaux", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("population", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "location",
            geoalchemy2.types.Geography(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeogFromText",
                name="geography",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("precision", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["commune.code"],
            name=op.f("fk_arrondissement_municipal_commune_code_commune"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_arrondissement_municipal")),
    )
    vocabulary_checks(
        "service",
        arrays={
            "thematiques": v1.Thematique,
            "publics": v1.Public,
            "modes_accueil": v1.ModeAccueil,
            "modes_mobilisation": v1.ModeMobilisation,
            "mobilisable_par": v1.PersonneMobilisatrice,
        },
        scalars={"type": v1.TypeService, "frais": v1.Frais},
    )
    vocabulary_checks("structure", arrays={"reseaux_porteurs": v1.ReseauPorteur}, scalars={})


def downgrade():
    # Dropping a table drops its indexes and constraints; extensions stay (shared).
    for table in (
        "arrondissement_municipal",
        "commune",
        "service",
        "departement",
        "structure",
        "region",
        "geodata_meta",
        "epci",
    ):
        op.drop_table(table)
