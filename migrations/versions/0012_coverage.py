"""Coverage observatory: precomputed coverage of every commune (arrondissement in Paris, Lyon,
Marseille) × need by eligible on-site services, and its aggregates per territory.

The tables are derived data, rewritten as a whole by `dora observatoire calculer`
(dora/coverage/operations.py); no trigger writes them.

Revision ID: 0012_coverage
Revises: 0009_search_rules
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_coverage"
down_revision = "0009_search_rules"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "coverage_unit",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("commune_code", sa.Text(), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("epci_code", sa.Text(), nullable=True),
        sa.Column("departement_code", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("longitude", sa.Float(precision=53), nullable=False),
        sa.Column("latitude", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_coverage_unit_code")),
    )
    op.create_index(
        "ix_coverage_unit_departement", "coverage_unit", ["departement_code", "population"]
    )
    op.create_index("ix_coverage_unit_epci", "coverage_unit", ["epci_code", "population"])
    op.create_index("ix_coverage_unit_region", "coverage_unit", ["region_code", "population"])
    op.create_index("ix_coverage_unit_population", "coverage_unit", ["population"])
    op.create_index("ix_coverage_unit_commune", "coverage_unit", ["commune_code"])
    op.create_table(
        "coverage_need",
        sa.Column("need", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("thematique", sa.Text(), nullable=False),
        sa.Column("remote_everywhere", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("need", name=op.f("pk_coverage_need")),
        sa.UniqueConstraint("thematique", name=op.f("uq_coverage_need_thematique")),
    )
    op.create_table(
        "coverage_cell",
        sa.Column("unit", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("need", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("nearest_m", sa.Integer(), nullable=True),
        sa.Column("n5", sa.Integer(), nullable=False),
        sa.Column("n10", sa.Integer(), nullable=False),
        sa.Column("n15", sa.Integer(), nullable=False),
        sa.Column("n20", sa.Integer(), nullable=False),
        sa.Column("n30", sa.Integer(), nullable=False),
        sa.Column("remote", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit", "need", name=op.f("pk_coverage_cell")),
    )
    op.create_table(
        "coverage_territory",
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("need", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("distance_km", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("population", sa.BigInteger(), nullable=False),
        sa.Column("population_covered", sa.BigInteger(), nullable=False),
        sa.Column("population_remote", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("units_uncovered", sa.Integer(), nullable=False),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.Column("services_fresh", sa.Integer(), nullable=False),
        sa.Column("largest_uncovered", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint(
            "level", "code", "need", "distance_km", name=op.f("pk_coverage_territory")
        ),
    )
    op.create_table(
        "coverage_run",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_s", sa.Float(precision=53), nullable=False),
        sa.Column("services_on_site", sa.Integer(), nullable=False),
        sa.Column("services_remote", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("search_xid", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_run")),
    )


def downgrade():
    op.drop_table("coverage_run")
    op.drop_table("coverage_territory")
    op.drop_table("coverage_cell")
    op.drop_table("coverage_need")
    op.drop_index("ix_coverage_unit_commune", table_name="coverage_unit")
    op.drop_index("ix_coverage_unit_population", table_name="coverage_unit")
    op.drop_index("ix_coverage_unit_region", table_name="coverage_unit")
    op.drop_index("ix_coverage_unit_epci", table_name="coverage_unit")
    op.drop_index("ix_coverage_unit_departement", table_name="coverage_unit")
    op.drop_table("coverage_unit")
