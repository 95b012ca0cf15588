"""each ticket keeps the wait forecast made when it was taken (to learn how right forecasts are)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 02:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("forecast_minutes", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("tickets", "forecast_minutes")
