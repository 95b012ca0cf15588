"""Print jobs: written in the same transaction as the ticket (an outbox), handed to the kiosk's
print agent over its live connection, confirmed or reported failed by the agent."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from queue_server.domain.disruptions import active_for
from queue_server.domain.model import Ticket
from queue_server.domain.queue import OfficeQueue
from queue_server.store import repository as repo
from queue_server.store.tables import DeviceRow, PrintJobRow

jobs = PrintJobRow.__table__  # type: ignore[attr-defined]
devices = DeviceRow.__table__  # type: ignore[attr-defined]
FAILURES = frozenset({"paper_out", "offline", "not_found", "error"})


def create_job(
    conn: Connection, office_id: int, ticket_id: str, kiosk_id: int, now: datetime, *,
    reprint: bool = False,
) -> str:  # fmt: skip
    """Queue a ticket for printing on a kiosk's printer; call inside the ticket's transaction."""
    job_id = uuid.uuid4().hex
    conn.execute(
        insert(jobs).values(
            id=job_id,
            office_id=office_id,
            ticket_id=ticket_id,
            kiosk_id=kiosk_id,
            status="pending",
            reprint=reprint,
            copies=0,
            created_at=now,
        )
    )
    return job_id


def agent_kiosk(conn: Connection, agent_id: int) -> int | None:
    """The kiosk an agent device prints for."""
    value = conn.execute(select(devices.c.kiosk_id).where(devices.c.id == agent_id)).scalar()
    return None if value is None else int(value)


def pending(conn: Connection, kiosk_id: int) -> list[tuple[str, bool, Ticket]]:
    """The kiosk's jobs still to print, oldest first: (job id, reprint, ticket)."""
    rows = conn.execute(
        select(jobs.c.id, jobs.c.reprint, jobs.c.ticket_id)
        .where(and_(jobs.c.kiosk_id == kiosk_id, jobs.c.status == "pending"))
        .order_by(jobs.c.created_at)
    ).all()
    result = []
    for job_id, reprint, ticket_id in rows:
        found = repo.find_ticket(conn, ticket_id=ticket_id)
        if found is not None:
            result.append((str(job_id), bool(reprint), found[1]))
    return result


# What a print agent understands, sent as `protocol` when it connects (none: 1).
# 1: the ticket's text fields. 2: also the office logo (base64) and a booked visitor's joins_at.
# An agent is sent only the fields of its protocol: older agents stop on a field they do not
# know (TicketData(**fields)), so a server upgrade never stops an office's printing.
AGENT_PROTOCOL = 2


def job_message(
    job_id: str, reprint: bool, stored: Ticket, state: OfficeQueue, base_url: str, now: datetime,
    protocol: int = AGENT_PROTOCOL,
) -> dict[str, Any]:  # fmt: skip
    """What the agent needs to lay the ticket out (printer.layout.TicketData's fields)."""
    ticket = state.tickets.get(stored.id, stored)
    service = state.services.get(ticket.service)
    ahead = state.ahead(ticket)
    estimate = state.estimate(ticket, ahead, now)
    # While its service is disrupted the line does not move: no wait is printed as a promise.
    down = active_for(state.office.disruptions, ticket.service) is not None
    english = ticket.language.value == "en"
    return {
        "type": "print",
        "job": {
            "id": job_id,
            "reprint": reprint,
            "ticket": {
                "office_name": state.office.name,
                "service_name": (service.name_en if english else service.name_id)
                if service
                else ticket.service,
                "number": ticket.number,
                "issued_at": ticket.issued_at.isoformat(),
                "timezone": state.office.timezone,
                "ahead": ahead,
                "estimate_low": None if down else estimate.low,
                "estimate_high": None if down else estimate.high,
                "documents": list(service.documents) if service else [],
                "tracking_url": f"{base_url}/t/{ticket.token}",
                "language": ticket.language.value,
                **(_since_protocol_2(ticket, state) if protocol >= 2 else {}),
            },
        },
    }


def _since_protocol_2(ticket: Ticket, state: OfficeQueue) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if state.office.logo:  # small: shrunk when uploaded
        fields["office_logo"] = base64.b64encode(state.office.logo).decode("ascii")
    if ticket.id in state.early and ticket.due_at is not None:  # checked in before the slot
        fields["joins_at"] = ticket.due_at.isoformat()
    return fields


def confirm(conn: Connection, job_id: str, kiosk_id: int, now: datetime) -> bool:
    """The agent printed the job; a repeated confirmation counts a duplicate copy."""
    done = conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.kiosk_id == kiosk_id)
        .values(status="printed", copies=jobs.c.copies + 1, done_at=now, error=None)
    )
    return bool(done.rowcount)


def fail(conn: Connection, job_id: str, kiosk_id: int, reason: str, now: datetime) -> bool:
    """The agent could not print; the kiosk shows the number on screen instead."""
    done = conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.kiosk_id == kiosk_id, jobs.c.status == "pending")
        .values(status="failed", error=reason[:200], done_at=now)
    )
    return bool(done.rowcount)


def latest_for_ticket(conn: Connection, ticket_id: str, kiosk_id: int) -> dict[str, Any] | None:
    """The newest print job of `ticket_id` on this kiosk: {"job", "status", "error"}."""
    row = conn.execute(
        select(jobs.c.id, jobs.c.status, jobs.c.error)
        .where(jobs.c.ticket_id == ticket_id, jobs.c.kiosk_id == kiosk_id)
        .order_by(jobs.c.created_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"job": str(row.id), "status": str(row.status), "error": row.error}


def give_up(conn: Connection, job_id: str, kiosk_id: int, now: datetime) -> bool:
    """The kiosk stopped waiting for its printer: the job must not print later by surprise."""
    return fail(conn, job_id, kiosk_id, "timeout", now)


def printers(conn: Connection, office_id: int) -> list[dict[str, Any]]:
    """The office's kiosks that have a print agent: where staff may (re)print a ticket."""
    agent = devices.alias("agent")
    rows = conn.execute(
        select(devices.c.id, devices.c.name)
        .where(
            devices.c.office_id == office_id,
            devices.c.kind == "kiosk",
            devices.c.revoked_at.is_(None),
            select(agent.c.id)
            .where(agent.c.kiosk_id == devices.c.id, agent.c.revoked_at.is_(None))
            .exists(),
        )
        .order_by(devices.c.name)
    ).all()
    return [{"id": int(r.id), "name": str(r.name)} for r in rows]
