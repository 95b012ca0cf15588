"""The message outbox: rows written in the committing transaction, claimed and settled by the
delivery worker. At most one message per ticket and kind (a unique key); each keeps one id for
every attempt, so a gateway that deduplicates shows it once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from queue_server.domain.events import Event, EventType
from queue_server.domain.model import Ticket
from queue_server.domain.queue import OfficeQueue
from queue_server.store.repository import offices, tickets
from queue_server.store.tables import MessageRow

from .rules import BY_EVENT, Kind, NotifySettings, dedupe_key, is_near, render

messages = MessageRow.__table__  # type: ignore[attr-defined]
# Events after which someone may have come nearer the front of a line.
MOVES = frozenset({
    EventType.TICKET_CALLED, EventType.TICKET_CANCELLED, EventType.TICKET_TRANSFERRED,
    EventType.TICKET_NO_SHOW, EventType.TICKET_HELD, EventType.TICKET_FINISHED,
    EventType.COUNTER_OPENED, EventType.TICKET_MISSED, EventType.TICKET_EXPIRED,
})  # fmt: skip
LEASE = timedelta(seconds=60)  # a claimed message not settled by then is tried again


def settings_from_json(data: Mapping[str, Any] | None) -> NotifySettings:
    data = data or {}
    default = NotifySettings()
    near_minutes = data.get("near_minutes")
    return NotifySettings(
        near_people=int(data.get("near_people", default.near_people)),
        near_minutes=int(near_minutes) if near_minutes is not None else None,
        max_attempts=int(data.get("max_attempts", default.max_attempts)),
        phone_daily_cap=int(data.get("phone_daily_cap", default.phone_daily_cap)),
        gateway=dict(data.get("gateway") or default.gateway),
        templates={str(k): dict(v) for k, v in (data.get("templates") or {}).items()},
    )


def settings_for(conn: Connection, office_id: int) -> NotifySettings:
    data = conn.execute(select(offices.c.notify).where(offices.c.id == office_id)).scalar()
    return settings_from_json(data)


def _values(
    state: OfficeQueue, ticket: Ticket, lang: str, base_url: str, now: datetime
) -> dict[str, Any]:
    service = state.services.get(ticket.service)
    ahead = state.ahead(ticket) if ticket.id in state.tickets else 0
    estimate = state.estimate(ticket, ahead, now)
    return {
        "office": state.office.name,
        "number": ticket.number,
        "service": (service.name_en if lang == "en" else service.name_id) if service else "",
        "counter": ticket.counter or "",
        "ahead": ahead,
        "wait": f"{estimate.low}-{estimate.high}",
        "link": f"{base_url}/t/{ticket.token}",
        "survey": f"{base_url}/s/{ticket.token}",
    }


def _front_of_lines(state: OfficeQueue, settings: NotifySettings) -> set[str]:
    """Tickets that may be near the front: nobody further back in their own line can have
    `near_people` or fewer ahead (everyone before them in that line is ahead of them too)."""
    depth = settings.near_people + 1 if settings.near_minutes is None else 100
    front: set[str] = set()
    for lanes in (state.index.priority, state.index.normal):
        for items in lanes.values():
            front.update(ticket.id for _key, ticket in items[:depth])
    for missed in state.index.missed.values():
        front.update(missed)
    return front


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(messages).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows
    )


def queue_for_commit(
    conn: Connection,
    office_id: int,
    state: OfficeQueue,
    events: Sequence[Event],
    now: datetime,
    base_url: str,
) -> int:
    """Write the messages this commit calls for (inside its transaction); return how many."""
    mentioned = {e.ticket.id for e in events if e.ticket is not None and e.type in BY_EVENT}
    moved = any(e.type in MOVES for e in events)
    if not mentioned and not moved:
        return 0
    settings = settings_for(conn, office_id)
    consenting = and_(tickets.c.notify_consent.is_(True), tickets.c.phone.is_not(None))
    rows: list[dict[str, Any]] = []

    def add(kind: Kind, ticket: Ticket, phone: str, lang: str, status: str = "pending") -> None:
        values = _values(state, ticket, lang, base_url, now)
        rows.append({
            "id": uuid.uuid4().hex, "office_id": office_id, "ticket_id": ticket.id,
            "kind": kind.value, "phone": phone,
            "dedupe_key": dedupe_key(kind, ticket.id, ticket.missed_count),
            "language": lang, "body": render(kind, lang, values, settings), "status": status,
            "attempts": 0, "next_attempt_at": now, "created_at": now,
            "last_error": "joined near the front" if status == "dropped" else None,
        })  # fmt: skip
        if kind is Kind.JOINED and ticket.id in state.tickets:
            estimate = state.estimate(ticket, values["ahead"], now)
            if is_near(values["ahead"], estimate.high, settings):  # "joined" said it already
                add(Kind.NEAR, ticket, phone, lang, status="dropped")

    if mentioned:
        contacts = {
            row.id: row
            for row in conn.execute(
                select(tickets.c.id, tickets.c.phone, tickets.c.language).where(
                    tickets.c.id.in_(mentioned), consenting
                )
            )
        }
        for event in events:
            kind = BY_EVENT.get(event.type)
            if kind is not None and event.ticket is not None and event.ticket.id in contacts:
                contact = contacts[event.ticket.id]
                add(kind, event.ticket, contact.phone, contact.language)
    front = _front_of_lines(state, settings) if moved else set()
    if front:
        already = exists().where(messages.c.dedupe_key == tickets.c.id + f":{Kind.NEAR.value}")
        for row in conn.execute(
            select(tickets.c.id, tickets.c.phone, tickets.c.language).where(
                tickets.c.id.in_(front), consenting, ~already
            )
        ):
            ticket = state.tickets.get(row.id)
            if ticket is None:
                continue
            ahead = state.ahead(ticket)
            if is_near(ahead, state.estimate(ticket, ahead, now).high, settings):
                add(Kind.NEAR, ticket, row.phone, row.language)
    _insert(conn, rows)
    return len(rows)


@dataclass(frozen=True)
class Claimed:
    id: str
    office_id: int
    ticket_id: str | None
    kind: str
    phone: str
    language: str
    body: str
    attempts: int
    ticket_status: str | None  # the ticket's status now (for the stale rule)


def claim_due(conn: Connection, now: datetime, limit: int = 50) -> list[Claimed]:
    """Take up to `limit` messages due now (call in a write transaction)."""
    due = or_(messages.c.status == "pending", messages.c.status == "sending")
    stmt = (
        select(messages.c.id)
        .where(due, messages.c.next_attempt_at <= now)
        .order_by(messages.c.next_attempt_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    ids = [str(i) for i in conn.execute(stmt).scalars()]
    if not ids:
        return []
    conn.execute(
        update(messages)
        .where(messages.c.id.in_(ids))
        .values(status="sending", next_attempt_at=now + LEASE)
    )
    rows = conn.execute(
        select(messages, tickets.c.status.label("ticket_status"))
        .select_from(messages.outerjoin(tickets, tickets.c.id == messages.c.ticket_id))
        .where(messages.c.id.in_(ids))
        .order_by(messages.c.created_at)
    ).all()
    return [
        Claimed(
            id=r.id,
            office_id=r.office_id,
            ticket_id=r.ticket_id,
            kind=r.kind,
            phone=r.phone,
            language=r.language,
            body=r.body,
            attempts=r.attempts,
            ticket_status=r.ticket_status,
        )
        for r in rows
    ]


def settle(
    conn: Connection, message_id: str, status: str, now: datetime, *,
    attempts: int, error: str | None = None, retry_at: datetime | None = None,
) -> None:  # fmt: skip
    """Record one attempt: sent, dropped (stale), failed (given up), or pending again."""
    values: dict[str, Any] = {"status": status, "attempts": attempts, "last_error": error}
    if status == "sent":
        values["sent_at"] = now
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    conn.execute(update(messages).where(messages.c.id == message_id).values(**values))


def queue_reply(
    conn: Connection, office_id: int, phone: str, lang: str, body: str, now: datetime,
    kind: Kind = Kind.REPLY,
) -> str:  # fmt: skip
    """A reply to a chat message (no ticket, never deduplicated with another)."""
    message_id = uuid.uuid4().hex
    _insert(conn, [{
        "id": message_id, "office_id": office_id, "ticket_id": None, "kind": kind.value,
        "dedupe_key": f"reply:{message_id}", "phone": phone, "language": lang, "body": body,
        "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now,
    }])  # fmt: skip
    return message_id


def queue_booking(
    conn: Connection, office_id: int, booking_id: str, kind: Kind, phone: str, lang: str,
    body: str, now: datetime, once: str = "",
) -> None:  # fmt: skip
    """A message about a booking (no ticket yet): at most once per booking, kind and `once`."""
    _insert(conn, [{
        "id": uuid.uuid4().hex, "office_id": office_id, "ticket_id": None, "kind": kind.value,
        "dedupe_key": f"booking:{booking_id}:{kind.value}{once}", "phone": phone,
        "language": lang, "body": body, "status": "pending", "attempts": 0,
        "next_attempt_at": now, "created_at": now,
    }])  # fmt: skip


def queue_once(
    conn: Connection, office_id: int, ticket_id: str | None, kind: Kind, dedupe_key: str,
    phone: str, lang: str, body: str, now: datetime,
) -> str:  # fmt: skip
    """A message sent at most once for `dedupe_key` (a delay text, a callback); return its id,
    or the id of the one already queued with that key."""
    message_id = uuid.uuid4().hex
    _insert(conn, [{
        "id": message_id, "office_id": office_id, "ticket_id": ticket_id, "kind": kind.value,
        "dedupe_key": dedupe_key, "phone": phone, "language": lang, "body": body,
        "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now,
    }])  # fmt: skip
    found = conn.execute(select(messages.c.id).where(messages.c.dedupe_key == dedupe_key))
    return str(found.scalar_one())
