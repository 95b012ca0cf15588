"""inbound messages: gateway message ids already acted on, shared by every worker

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-23 09:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import queue_server.store.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), primary_key=True),
        sa.Column("message_id", sa.String(128), primary_key=True),
        sa.Column("received_at", queue_server.store.types.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_inbound_messages_received_at", "inbound_messages", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbound_messages_received_at", "inbound_messages")
    op.drop_table("inbound_messages")
