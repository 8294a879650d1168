"""Hardening: server-side sessions (revoked at logout), the per-address login throttle for
unknown browsers, and web addresses stored before as typed made valid URIs (a quote or a space
percent-encoded) so that exports satisfy their `format: uri`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from urllib.parse import quote

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


URL_COLUMNS = {
    "structure": ("site_web", "lien_source"),
    "service": ("lien_source", "lien_mobilisation"),
}
# What an RFC 3986 URI holds as is; anything else is percent-encoded (UTF-8).
URI_SAFE = "-._~:/?#[]@!$&'()*+,;=%"


def _encode_urls():
    connection = op.get_bind()
    for table, columns in URL_COLUMNS.items():
        for column in columns:
            rows = connection.execute(
                sa.text(
                    f"SELECT id, {column} AS url FROM {table} "
                    f"WHERE {column} ~ '[^A-Za-z0-9._~:/?#\\[\\]@!$&''()*+,;=%-]'"
                )
            ).all()
            for row in rows:
                connection.execute(
                    sa.text(f"UPDATE {table} SET {column} = :url WHERE id = :id"),
                    {"id": row.id, "url": quote(row.url.strip(), safe=URI_SAFE)},
                )


def upgrade():
    _encode_urls()
    op.create_table(
        "user_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )


def downgrade():
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_user_session_user_id"), table_name="user_session")
    op.drop_table("user_session")
