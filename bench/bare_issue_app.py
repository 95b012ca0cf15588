"""The floor for issuing a ticket: the least any design pays per ticket on this stack.

A minimal FastAPI app with the same threadpool model (a sync `def` endpoint) and the same
connection discipline (`queue_server.store.db.Database`: same engine settings; on SQLite WAL,
synchronous=FULL, the process write lock and BEGIN IMMEDIATE) as Antrean. Per request, in one
transaction: one upsert that hands out the next number of the (service, day) counter, and one
INSERT of the ticket row. No auth, no idempotency, no waiting line, no events.

Serve with `uvicorn bench.bare_issue_app:app`; the database comes from ANTREAN_DATABASE_URL and
the two tables are created at start-up.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    text,
)

from queue_server.store.db import Database

metadata = MetaData()
bare_counters = Table(
    "bare_counters",
    metadata,
    Column("service", String(8), nullable=False),
    Column("day", Date, nullable=False),
    Column("last", Integer, nullable=False),
    UniqueConstraint("service", "day"),
)
bare_tickets = Table(
    "bare_tickets",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("service", String(8), nullable=False),
    Column("day", Date, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(16), nullable=False),
    Column("token", String(32), nullable=False, unique=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)

# Plain SQL both SQLite (3.35+) and PostgreSQL accept.
_NEXT = text(
    "INSERT INTO bare_counters (service, day, last) VALUES (:service, :day, 1) "
    "ON CONFLICT (service, day) DO UPDATE SET last = bare_counters.last + 1 "
    "RETURNING last"
).bindparams(bindparam("service", type_=String), bindparam("day", type_=Date))
_INSERT = bare_tickets.insert()

db = Database(os.environ["ANTREAN_DATABASE_URL"])


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    metadata.create_all(db.engine)
    try:
        yield
    finally:
        db.dispose()


app = FastAPI(title="bare issue", lifespan=lifespan)


class TicketIn(BaseModel):
    service: str = Field(min_length=1, max_length=8)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/tickets", status_code=201)
def issue(body: TicketIn) -> dict[str, Any]:
    day, now = date.today(), datetime.now(UTC)
    ticket_id, token = uuid.uuid4().hex, secrets.token_urlsafe(16)
    with db.write() as conn:
        seq = int(conn.execute(_NEXT, {"service": body.service, "day": day}).scalar_one())
        number = f"{body.service}{seq:03d}"
        conn.execute(
            _INSERT,
            {
                "id": ticket_id,
                "service": body.service,
                "day": day,
                "seq": seq,
                "number": number,
                "token": token,
                "issued_at": now,
            },
        )
    return {"number": number, "token": token, "service": body.service, "issued_at": now}
