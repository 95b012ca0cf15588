"""consultation desk: conversations, their message log, attachments, saved replies

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import queue_server.store.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def UTC() -> queue_server.store.types.UTCDateTime:
    return queue_server.store.types.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("language", sa.String(4), nullable=False),
        sa.Column("opened_at", UTC(), nullable=False),
        sa.Column("due_at", UTC(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assigned_to", sa.String(64), nullable=True),
        sa.Column("first_response_at", UTC(), nullable=True),
        sa.Column("first_responder", sa.String(64), nullable=True),
        sa.Column("last_message_at", UTC(), nullable=False),
        sa.Column("waiting", sa.Boolean(), nullable=False),
        sa.Column("closed_at", UTC(), nullable=True),
        sa.Column("open_key", sa.String(40), nullable=True, unique=True),
    )
    op.create_index("ix_conversations_office_status", "conversations", ["office_id", "status"])
    op.create_table(
        "conversation_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.String(2000), nullable=False),
        sa.Column("author", sa.String(64), nullable=True),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("outbox_id", sa.String(32), nullable=True),
    )
    op.create_index(
        "ix_conversation_messages_conv", "conversation_messages", ["conversation_id", "at"]
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "message_id",
            sa.Integer(),
            sa.ForeignKey("conversation_messages.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(120), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("review", sa.String(16), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("reviewed_at", UTC(), nullable=True),
    )
    op.create_index("ix_attachments_conversation_id", "attachments", ["conversation_id"])
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("body", sa.String(1000), nullable=False),
    )
    op.create_index("ix_saved_replies_office_id", "saved_replies", ["office_id"])


def downgrade() -> None:
    op.drop_index("ix_saved_replies_office_id", "saved_replies")
    op.drop_table("saved_replies")
    op.drop_index("ix_attachments_conversation_id", "attachments")
    op.drop_table("attachments")
    op.drop_index("ix_conversation_messages_conv", "conversation_messages")
    op.drop_table("conversation_messages")
    op.drop_index("ix_conversations_office_status", "conversations")
    op.drop_table("conversations")
