"""an office's announcement settings and the lobby display's running text

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 00:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "offices", sa.Column("voice", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
    )
    op.add_column(
        "offices",
        sa.Column(
            "ticker",
            sqlmodel.sql.sqltypes.AutoString(length=500),
            nullable=False,
            server_default="",
        ),
    )


def downgrade() -> None:
    op.drop_column("offices", "ticker")
    op.drop_column("offices", "voice")
