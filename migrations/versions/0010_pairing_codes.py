"""pairing a screen with a one-time 6-digit code instead of typing a token

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import queue_server.store.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "pairing_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", S(length=6), nullable=False),
        sa.Column("claim_hash", S(length=64), nullable=False),
        sa.Column("kind", S(length=16), nullable=False),
        sa.Column("created_at", queue_server.store.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", queue_server.store.types.UTCDateTime(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("token", S(length=64), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("claim_hash"),
    )
    op.create_index("ix_pairing_codes_code", "pairing_codes", ["code"])


def downgrade() -> None:
    op.drop_index("ix_pairing_codes_code", table_name="pairing_codes")
    op.drop_table("pairing_codes")
