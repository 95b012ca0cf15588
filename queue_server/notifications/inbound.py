"""Messages received, by the gateway's id: each is acted on once, whichever worker gets it.

WhatsApp re-sends a webhook it thinks failed (for up to seven days), and a generic gateway may
do the same; behind a load balancer the retry can reach another worker than the first try, so
the record is a row in the database (one per office and id), not a worker's memory. The row is
written before the message is acted on and taken back if acting on it fails, so a retry of a
message that was not handled is handled then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite

from queue_server.store.db import Database
from queue_server.store.tables import InboundMessageRow

inbound = InboundMessageRow.__table__  # type: ignore[attr-defined]
KEEP = timedelta(days=8)  # longer than WhatsApp retries a webhook
MAX_ID = 128


def first_time(db: Database, office_id: int, message_id: str, now: datetime) -> bool:
    """Record `message_id` as received; False when it was already (a gateway's retry). A
    message without an id cannot be recognised again: always True."""
    if not message_id:
        return True
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(inbound)
        .values(office_id=office_id, message_id=message_id[:MAX_ID], received_at=now)
        .on_conflict_do_nothing(index_elements=["office_id", "message_id"])
        .returning(inbound.c.message_id)  # a row back only when this call wrote it
    )
    with db.write() as conn:
        return conn.execute(statement).first() is not None


def forget(db: Database, office_id: int, message_id: str) -> None:
    """Acting on the message failed: let the gateway's retry be handled."""
    if message_id:
        with db.write() as conn:
            conn.execute(
                delete(inbound).where(
                    inbound.c.office_id == office_id, inbound.c.message_id == message_id[:MAX_ID]
                )
            )


def forget_older_than(conn: Connection, now: datetime) -> int:
    """Drop the ids of messages received longer ago than any gateway retries."""
    return int(conn.execute(delete(inbound).where(inbound.c.received_at < now - KEEP)).rowcount)
