"""devices: when each was last seen connected (for the health board)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import queue_server.store.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "devices", sa.Column("last_seen_at", queue_server.store.types.UTCDateTime(), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("devices", "last_seen_at")
