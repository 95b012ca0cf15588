"""offices: date-range schedules (Ramadan hours), number digits, retention, rate limits, logo

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "offices",
        sa.Column("schedules", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.add_column(
        "offices",
        sa.Column("number_digits", sa.Integer(), nullable=False, server_default=sa.text("3")),
    )
    op.add_column("offices", sa.Column("retention_days", sa.Integer(), nullable=True))
    op.add_column(
        "offices", sa.Column("limits", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
    )
    op.add_column("offices", sa.Column("logo", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("offices", "logo")
    op.drop_column("offices", "limits")
    op.drop_column("offices", "retention_days")
    op.drop_column("offices", "number_digits")
    op.drop_column("offices", "schedules")
