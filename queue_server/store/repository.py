"""Queries behind the queue: load an office's day, append events, write ticket and counter rows.

Hot paths use SQLAlchemy Core statements (compiled once, cached) rather than the ORM.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, or_, select, update

from queue_server.domain import calendar
from queue_server.domain.disruptions import Disruption
from queue_server.domain.events import Event, EventType
from queue_server.domain.model import ACTIVE, Ticket
from queue_server.domain.queue import Call, OfficeQueue, record_service_time

from . import codec
from .history import load_history
from .tables import (
    CounterRow,
    DisruptionRow,
    OfficeRow,
    ServiceRow,
    TicketEventRow,
    TicketRow,
)

offices = OfficeRow.__table__  # type: ignore[attr-defined]
services = ServiceRow.__table__  # type: ignore[attr-defined]
counters = CounterRow.__table__  # type: ignore[attr-defined]
tickets = TicketRow.__table__  # type: ignore[attr-defined]
events = TicketEventRow.__table__  # type: ignore[attr-defined]
disruptions = DisruptionRow.__table__  # type: ignore[attr-defined]

_ACTIVE = [status.value for status in ACTIVE]

_BUMP = (
    update(offices)
    .where(offices.c.id == bindparam("office_id"))
    .values(version=offices.c.version + bindparam("n"))
    .returning(offices.c.version)
)
_INSERT_TICKET = insert(tickets)
_INSERT_EVENT = insert(events)


def bump_version(conn: Connection, office_id: int, n: int = 1) -> int:
    """Add `n` to the office's version and return it; holds the office's row lock until commit."""
    version = conn.execute(_BUMP, {"office_id": office_id, "n": n}).scalar_one_or_none()
    if version is None:
        raise LookupError(office_id)
    return int(version)


def office_version(conn: Connection, office_id: int) -> int:
    stmt = select(offices.c.version).where(offices.c.id == office_id)
    return int(conn.execute(stmt).scalar_one())


def office_id_by_slug(conn: Connection, slug: str) -> int | None:
    stmt = select(offices.c.id).where(offices.c.slug == slug)
    value = conn.execute(stmt).scalar_one_or_none()
    return None if value is None else int(value)


def load_config(conn: Connection, office_id: int) -> tuple[Any, dict[str, Any], dict[int, Any]]:
    office_row = conn.execute(select(offices).where(offices.c.id == office_id)).one()
    svc_rows = conn.execute(
        select(services).where(services.c.office_id == office_id).order_by(services.c.sort_order)
    ).all()
    ctr_rows = conn.execute(
        select(counters).where(counters.c.office_id == office_id).order_by(counters.c.number)
    ).all()
    return (
        office_row,
        {r.code: codec.service_from_row(r) for r in svc_rows},
        {r.number: codec.counter_from_row(r) for r in ctr_rows},
    )


def active_disruptions(conn: Connection, office_id: int) -> tuple[Disruption, ...]:
    """The office's disruptions not yet restored (part of its loaded configuration)."""
    rows = conn.execute(
        select(disruptions)
        .where(disruptions.c.office_id == office_id, disruptions.c.ended_at.is_(None))
        .order_by(disruptions.c.started_at, disruptions.c.id)
    ).all()
    return tuple(codec.disruption_from_row(r) for r in rows)


def load_queue(conn: Connection, office_id: int, now: datetime) -> OfficeQueue:
    """Build an office's live state from its tables (open tickets, today's numbering)."""
    office_row, svc, ctr = load_config(conn, office_id)
    office = replace(
        codec.office_from_row(office_row), disruptions=active_disruptions(conn, office_id)
    )
    service_date = office_row.service_date or calendar.service_date(office, now)
    state = OfficeQueue(
        office=office,
        services=svc,
        counters=ctr,
        service_date=service_date,
        version=int(office_row.version),
        history=load_history(conn, office, service_date),
    )
    state.service_minutes = dict(state.history.service_minutes)
    open_rows = conn.execute(
        select(tickets).where(tickets.c.office_id == office_id, tickets.c.status.in_(_ACTIVE))
    ).all()
    for row in open_rows:
        state.put(codec.ticket_from_row(row))
    today_rows = tickets.c.office_id == office_id, tickets.c.service_date == service_date
    for origin, last in conn.execute(
        select(tickets.c.origin_service, func.max(tickets.c.seq))
        .where(*today_rows)
        .group_by(tickets.c.origin_service)
    ):
        state.last_seq[origin] = int(last)
    for service, calls in conn.execute(
        select(tickets.c.service, func.sum(tickets.c.call_count))
        .where(*today_rows)
        .group_by(tickets.c.service)
    ):
        state.calls[service] = int(calls or 0)
    for person, taken in conn.execute(
        select(tickets.c.person_key, func.count())
        .where(*today_rows, tickets.c.person_key.is_not(None))
        .group_by(tickets.c.person_key)
    ):
        state.persons[person] = int(taken)
    for key, ticket_id in conn.execute(
        select(tickets.c.idempotency_key, tickets.c.id).where(
            *today_rows, tickets.c.idempotency_key.is_not(None)
        )
    ):
        state.keys[key] = ticket_id
    recent = conn.execute(
        select(tickets)
        .where(*today_rows, tickets.c.called_at.is_not(None), tickets.c.counter.is_not(None))
        .order_by(tickets.c.called_at.desc())
        .limit(10)
    ).all()
    state.recent_calls = [
        Call(row.id, row.number, row.service, int(row.counter), row.called_at) for row in recent
    ]
    finished = conn.execute(
        select(tickets.c.service, tickets.c.started_at, tickets.c.finished_at)
        .where(*today_rows, tickets.c.finished_at.is_not(None))
        .order_by(tickets.c.finished_at)
    ).all()
    for service, started, finished_at in finished:
        if started is not None:
            record_service_time(state, service, (finished_at - started).total_seconds() / 60)
    return state


def events_after(
    conn: Connection, office_id: int, version: int, upto: int | None = None
) -> list[tuple[int, Event]]:
    """Return the office's events with a version above `version` (up to `upto`), in order."""
    stmt = (
        select(events.c.version, events.c.type, events.c.at, events.c.payload, tickets.c.phone)
        .select_from(events.outerjoin(tickets, tickets.c.id == events.c.ticket_id))
        .where(events.c.office_id == office_id, events.c.version > version)
    )
    if upto is not None:
        stmt = stmt.where(events.c.version <= upto)
    found = []
    for r in conn.execute(stmt.order_by(events.c.version)):
        event = codec.event_from_payload(r.type, r.at, r.payload)
        if r.phone is not None and event.ticket is not None:
            # the log keeps no phone numbers; the ticket's row does, and the per-phone cap of
            # tickets taken from afar counts them in the live state of every worker
            event = replace(event, ticket=replace(event.ticket, phone=r.phone))
        found.append((int(r.version), event))
    return found


def person_salt(conn: Connection, office_id: int, service_date: date) -> str:
    """The office's key for turning NIKs into person keys on `service_date` (call in a write
    transaction). A new day gets a new random key; concurrent callers all get the winner's."""
    conn.execute(
        update(offices)
        .where(
            offices.c.id == office_id,
            or_(offices.c.person_salt_date.is_(None), offices.c.person_salt_date != service_date),
        )
        .values(person_salt=secrets.token_hex(32), person_salt_date=service_date)
    )
    salt = conn.execute(select(offices.c.person_salt).where(offices.c.id == office_id)).scalar()
    return str(salt)


def forget_persons(conn: Connection, office_id: int, today: date) -> None:
    """Erase person keys of days before `today`: they were only needed for that day's cap."""
    conn.execute(
        update(tickets)
        .where(
            tickets.c.office_id == office_id,
            tickets.c.service_date < today,
            tickets.c.person_key.is_not(None),
        )
        .values(person_key=None)
    )


def find_ticket(conn: Connection, *, token: str | None = None, ticket_id: str | None = None) -> Any:
    """Return (office_id, Ticket) for a token or id, or None."""
    clause = tickets.c.token == token if token is not None else tickets.c.id == ticket_id
    row = conn.execute(select(tickets).where(clause)).one_or_none()
    if row is None:
        return None
    return int(row.office_id), codec.ticket_from_row(row)


def save_events(
    conn: Connection,
    office_id: int,
    first_version: int,
    new_events: Sequence[Event],
    actors: str | Sequence[str | None] | None,
) -> None:
    """Write the rows the events changed and append the events themselves, numbered from
    `first_version`; `actors` names who caused each event (or one name for all)."""
    if actors is None or isinstance(actors, str):
        actors = [actors] * len(new_events)
    ticket_inserts: list[dict[str, Any]] = []
    ticket_updates: dict[str, Ticket] = {}
    counter_updates: dict[int, dict[str, Any]] = {}
    log: list[dict[str, Any]] = []
    for offset, event in enumerate(new_events):
        ticket = event.ticket
        if ticket is not None:
            if event.type is EventType.TICKET_ISSUED:
                values = codec.ticket_values(ticket)
                values.update(office_id=office_id, idempotency_key=event.key)
                ticket_inserts.append(values)
            else:
                ticket_updates[ticket.id] = ticket
        if event.counter is not None:
            counter_updates[event.counter.number] = codec.counter_values(event.counter)
        if event.type is EventType.DAY_STARTED:
            conn.execute(
                update(offices)
                .where(offices.c.id == office_id)
                .values(service_date=event.service_date)
            )
            assert event.service_date is not None
            forget_persons(conn, office_id, event.service_date)
        log.append(
            {
                "office_id": office_id,
                "version": first_version + offset,
                "type": event.type.value,
                "ticket_id": ticket.id if ticket is not None else None,
                "at": event.at,
                "actor": actors[offset],
                "payload": codec.event_payload(event),
            }
        )
    if ticket_inserts:
        conn.execute(_INSERT_TICKET, ticket_inserts)
    for ticket_id, ticket in ticket_updates.items():
        values = codec.ticket_values(ticket)
        # phone and consent change only by the visitor's own request; person_key never changes
        del values["id"], values["phone"], values["notify_consent"], values["person_key"]
        del values["consent_text"], values["consent_at"]
        conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(**values))
    for number, values in counter_updates.items():
        conn.execute(
            update(counters)
            .where(counters.c.office_id == office_id, counters.c.number == number)
            .values(**values)
        )
    conn.execute(_INSERT_EVENT, log)
