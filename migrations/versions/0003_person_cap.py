"""tickets per person (NIK) per day: a daily key per office, a keyed hash per ticket

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tickets",
        sa.Column("person_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column(
        "offices",
        sa.Column("person_salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column("offices", sa.Column("person_salt_date", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("offices", "person_salt_date")
    op.drop_column("offices", "person_salt")
    op.drop_column("tickets", "person_key")
