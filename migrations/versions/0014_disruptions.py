"""disruptions (gangguan layanan): their history, the callback list, the kiosk's callback mode

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import queue_server.store.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def UTC() -> queue_server.store.types.UTCDateTime:
    return queue_server.store.types.UTCDateTime()


def upgrade() -> None:
    op.add_column(
        "offices",
        sa.Column(
            "disruption_callback",
            sa.String(16),
            nullable=False,
            server_default=sa.text("'besides'"),
        ),
    )
    op.create_table(
        "disruptions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("service", sa.String(8), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("note", sa.String(300), nullable=False, server_default=sa.text("''")),
        sa.Column("started_at", UTC(), nullable=False),
        sa.Column("started_by", sa.String(120), nullable=False),
        sa.Column("expected_end", UTC(), nullable=True),
        sa.Column("ended_at", UTC(), nullable=True),
        sa.Column("ended_by", sa.String(120), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_index("ix_disruptions_office_started", "disruptions", ["office_id", "started_at"])
    op.create_table(
        "disruption_callbacks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("disruption_id", sa.String(32), sa.ForeignKey("disruptions.id"), nullable=False),
        sa.Column("service", sa.String(8), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("language", sa.String(4), nullable=False),
        sa.Column("consent_text", sa.String(300), nullable=True),
        sa.Column("consent_at", UTC(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("told_at", UTC(), nullable=True),
        sa.Column("message_id", sa.String(32), nullable=True),
        sa.UniqueConstraint("disruption_id", "phone"),
    )
    op.create_index("ix_disruption_callbacks_office_id", "disruption_callbacks", ["office_id"])
    op.create_index(
        "ix_disruption_callbacks_disruption_id", "disruption_callbacks", ["disruption_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_disruption_callbacks_disruption_id", "disruption_callbacks")
    op.drop_index("ix_disruption_callbacks_office_id", "disruption_callbacks")
    op.drop_table("disruption_callbacks")
    op.drop_index("ix_disruptions_office_started", "disruptions")
    op.drop_table("disruptions")
    op.drop_column("offices", "disruption_callback")
