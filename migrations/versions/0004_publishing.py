"""Publishing: history of service changes, record of freshness reminders sent.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACTIONS = (
    "creation",
    "modification",
    "publication",
    "depublication",
    "archivage",
    "desarchivage",
    "suspension",
    "fin-suspension",
    "duplication",
    "confirmation",
)


def upgrade():
    op.create_table(
        "service_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("service_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column(
            "changes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source_service_id", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "action IN (" + ", ".join(f"'{a}'" for a in ACTIONS) + ")",
            name=op.f("ck_service_change_action"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_change_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_service_change_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_change")),
    )
    op.create_index(
        "ix_service_change_service_id_version",
        "service_change",
        ["service_id", "version"],
        unique=False,
    )
    op.create_index(op.f("ix_service_change_user_id"), "service_change", ["user_id"], unique=False)
    op.create_table(
        "stale_notification",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("structure_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("periode", sa.String(length=7), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("services_count", sa.Integer(), nullable=False),
        sa.Column(
            "sent_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "periode ~ '^[0-9]{4}-[0-9]{2}$'", name=op.f("ck_stale_notification_periode")
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_stale_notification_structure_id_structure"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_stale_notification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stale_notification")),
        sa.UniqueConstraint("structure_id", "user_id", "periode", name="uq_stale_notification"),
    )


def downgrade():
    op.drop_table("stale_notification")
    op.drop_index(op.f("ix_service_change_user_id"), table_name="service_change")
    op.drop_index("ix_service_change_service_id_version", table_name="service_change")
    op.drop_table("service_change")
