"""text messages to visitors (an outbox) and each office's notification settings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 01:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import queue_server.store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString
T = queue_server.store.types.UTCDateTime


def upgrade() -> None:
    op.add_column(
        "offices", sa.Column("notify", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
    )
    op.create_table(
        "messages",
        sa.Column("id", S(length=32), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", S(length=32), nullable=True),
        sa.Column("kind", S(length=16), nullable=False),
        sa.Column("dedupe_key", S(length=80), nullable=False),
        sa.Column("phone", S(length=20), nullable=False),
        sa.Column("language", S(length=4), nullable=False),
        sa.Column("body", S(length=1000), nullable=False),
        sa.Column("status", S(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", T(timezone=True), nullable=False),
        sa.Column("last_error", S(length=300), nullable=True),
        sa.Column("created_at", T(timezone=True), nullable=False),
        sa.Column("sent_at", T(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_messages_due", "messages", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_messages_office_id"), "messages", ["office_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_messages_office_id"), table_name="messages")
    op.drop_index("ix_messages_due", table_name="messages")
    op.drop_table("messages")
    op.drop_column("offices", "notify")
