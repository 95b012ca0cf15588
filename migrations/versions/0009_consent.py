"""each ticket keeps the words its visitor agreed to before being texted, and when

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 03:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import queue_server.store.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tickets",
        sa.Column("consent_text", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    )
    op.add_column(
        "tickets", sa.Column("consent_at", queue_server.store.types.UTCDateTime(), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("tickets", "consent_at")
    op.drop_column("tickets", "consent_text")
