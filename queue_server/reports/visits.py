"""Visits read from the tickets table (the projection of the ticket event log)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, String, select, type_coerce

from queue_server.store.repository import services, tickets

from .figures import Visit


def visits(conn: Connection, office_id: int, start: date, end: date) -> list[Visit]:
    """Every ticket of the office between `start` and `end` (service days, inclusive)."""
    targets = {
        code: minutes
        for code, minutes in conn.execute(
            select(services.c.code, services.c.target_minutes).where(
                services.c.office_id == office_id
            )
        )
    }
    c = tickets.c
    day, times = c.service_date, [c.issued_at, c.called_at, c.started_at, c.finished_at]
    parse: Callable[[Any], Any] = _same
    parse_day: Callable[[Any], Any] = _same
    if conn.dialect.name == "sqlite":  # read the stored text and parse it in C: much faster
        day = type_coerce(day, String()).label("service_date")
        times = [type_coerce(t, String()).label(t.name) for t in times]
        parse, parse_day = _from_text, date.fromisoformat
    rows = conn.execute(
        select(
            c.service,
            day,
            c.status,
            c.priority,
            c.channel,
            *times,
            c.counter,
            c.officer,
            c.transferred_from,
        ).where(c.office_id == office_id, c.service_date >= start, c.service_date <= end)
    ).all()
    return [
        Visit(
            service,
            parse_day(service_day),
            status,
            priority,
            channel,
            parse(issued),
            parse(called),
            parse(started),
            parse(finished),
            counter,
            officer,
            moved is not None,
            targets.get(service, 15),
        )
        for (
            service,
            service_day,
            status,
            priority,
            channel,
            issued,
            called,
            started,
            finished,
            counter,
            officer,
            moved,
        ) in rows
    ]


def _same(value: Any) -> Any:
    return value


def _from_text(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)
