"""Professionals' tools: favourites, saved searches and the record of their e-mail alerts.

Revision ID: 0010_pro_tools
Revises: 0011_offers
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_pro_tools"
down_revision = "0011_offers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "favorite",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name="fk_favorite_service_id_service",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name="fk_favorite_user_id_user_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "service_id", name="pk_favorite"),
    )
    op.create_index("ix_favorite_service_id", "favorite", ["service_id"])
    op.create_table(
        "saved_search",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nom", sa.String(length=100), nullable=False),
        sa.Column("parametres", sa.Text(), nullable=False),
        sa.Column("frequence", sa.String(length=12), nullable=False),
        sa.Column("actif", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "depuis", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "frequence IN ('quotidienne', 'hebdomadaire')", name="ck_saved_search_frequence_known"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name="fk_saved_search_user_id_user_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_saved_search"),
    )
    op.create_index("ix_saved_search_user_id", "saved_search", ["user_id"])
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("saved_search_id", sa.BigInteger(), nullable=False),
        sa.Column("periode", sa.String(length=10), nullable=False),
        sa.Column("services_count", sa.Integer(), nullable=False),
        sa.Column(
            "sent_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["saved_search_id"],
            ["saved_search.id"],
            name="fk_alert_delivery_saved_search_id_saved_search",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alert_delivery"),
        sa.UniqueConstraint("saved_search_id", "periode", name="uq_alert_delivery"),
    )


def downgrade():
    op.drop_table("alert_delivery")
    op.drop_index("ix_saved_search_user_id", table_name="saved_search")
    op.drop_table("saved_search")
    op.drop_index("ix_favorite_service_id", table_name="favorite")
    op.drop_table("favorite")
