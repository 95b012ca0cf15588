"""Visits read from the tickets table (the projection of the ticket event log)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select

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
    rows = conn.execute(
        select(tickets).where(
            tickets.c.office_id == office_id,
            tickets.c.service_date >= start,
            tickets.c.service_date <= end,
        )
    ).all()
    return [
        Visit(
            service=r.service,
            service_date=r.service_date,
            status=r.status,
            priority=r.priority,
            channel=r.channel,
            issued_at=r.issued_at,
            called_at=r.called_at,
            started_at=r.started_at,
            finished_at=r.finished_at,
            counter=r.counter,
            officer=r.officer,
            transferred=r.transferred_from is not None,
            target_minutes=int(targets.get(r.service, 15)),
        )
        for r in rows
    ]
