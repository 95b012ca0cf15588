"""bookings (janji temu): booking rules per service, a ticket's due time, the bookings table

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import queue_server.store.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def UTC() -> queue_server.store.types.UTCDateTime:
    return queue_server.store.types.UTCDateTime()


def upgrade() -> None:
    op.add_column(
        "services",
        sa.Column("booking", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )
    op.add_column("tickets", sa.Column("due_at", UTC(), nullable=True))
    op.create_table(
        "bookings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("service", sa.String(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot", sa.String(5), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("language", sa.String(4), nullable=False),
        sa.Column("consent_text", sa.String(300), nullable=True),
        sa.Column("consent_at", UTC(), nullable=True),
        sa.Column("otp_hash", sa.String(64), nullable=True),
        sa.Column("otp_expires_at", UTC(), nullable=True),
        sa.Column("otp_attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("confirmed_at", UTC(), nullable=True),
        sa.Column("checked_in_at", UTC(), nullable=True),
        sa.Column("cancelled_at", UTC(), nullable=True),
        sa.Column("ticket_id", sa.String(32), nullable=True),
        sa.Column("reminded", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
        sa.UniqueConstraint("office_id", "service", "day", "slot", "seat"),
    )
    op.create_index("ix_bookings_office_day", "bookings", ["office_id", "day"])
    op.create_index("ix_bookings_token", "bookings", ["token"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_bookings_token", "bookings")
    op.drop_index("ix_bookings_office_day", "bookings")
    op.drop_table("bookings")
    op.drop_column("tickets", "due_at")
    op.drop_column("services", "booking")
