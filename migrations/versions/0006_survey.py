"""SKM survey responses (Permenpan RB 14/2017), one per ticket

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 01:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import queue_server.store.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", S(length=32), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("service", S(length=8), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=True),
        sa.Column("officer", S(length=64), nullable=True),
        *(sa.Column(f"u{i}", sa.Integer(), nullable=False) for i in range(1, 10)),
        sa.Column("age_group", S(length=8), nullable=True),
        sa.Column("sex", S(length=1), nullable=True),
        sa.Column("education", S(length=8), nullable=True),
        sa.Column("occupation", S(length=24), nullable=True),
        sa.Column("channel", S(length=8), nullable=False),
        sa.Column(
            "created_at", queue_server.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(["office_id"], ["offices.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    op.create_index("ix_survey_office_day", "survey_responses", ["office_id", "service_date"])


def downgrade() -> None:
    op.drop_index("ix_survey_office_day", table_name="survey_responses")
    op.drop_table("survey_responses")
