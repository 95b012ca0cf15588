"""What each kind of screen receives: snapshots and events, narrowed to what it may see.

Message shapes are documented in docs/realtime.md; `schemas.py` declares each as a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from queue_server.domain import calendar, public
from queue_server.domain.model import TERMINAL, Ticket
from queue_server.domain.public import Change
from queue_server.domain.queue import OfficeQueue


@dataclass(frozen=True)
class Audience:
    """What one connection may see."""

    kind: str  # "public" | "staff" | "track" | "agent"
    services: frozenset[str] | None = None  # a display narrowed to some services
    counters: frozenset[int] | None = None  # ... or to some counters
    ticket_id: str | None = None  # track: the visitor's own ticket
    device_id: int | None = None  # agent: the print agent device

    def sees_service(self, code: str) -> bool:
        return self.services is None or code in self.services

    def sees_counter(self, number: int) -> bool:
        return self.counters is None or number in self.counters

    @property
    def shared(self) -> bool:
        """Whether every connection with this audience gets the very same bytes."""
        return self.kind != "track"


def snapshot(
    state: OfficeQueue, audience: Audience, track: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A fresh start for `audience` (call with the office lock held)."""
    snap = public.snapshot(state)
    snap["type"] = "snapshot"
    snap["services"] = [s for s in snap["services"] if audience.sees_service(s["code"])]
    snap["counters"] = [c for c in snap["counters"] if audience.sees_counter(c["number"])]
    snap["recent_calls"] = [c for c in snap["recent_calls"] if _sees_call(audience, c)]
    snap["disruptions"] = [
        d
        for d in snap["disruptions"]
        if d["service"] is None or audience.sees_service(d["service"])
    ]
    if audience.kind == "staff":
        snap["tickets"] = [
            public.staff_ticket(t)
            for t in sorted(state.tickets.values(), key=lambda t: (t.issued_at, t.seq))
        ]
    if audience.kind == "track":  # a visitor sees their own ticket and the public counts only
        del snap["counters"], snap["recent_calls"]
        snap["ticket"] = track
    return snap


def event(
    version: int, change: Change, audience: Audience, own: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One change as `audience` sees it; `hidden` when nothing of it is theirs to see."""
    message: dict[str, Any] = {"type": "event", "version": version, "at": change.at.isoformat()}
    visible = False
    services = [
        {"code": code, "waiting": n}
        for code, n in change.waiting.items()
        if audience.sees_service(code)
    ]
    if services:
        message["services"] = services
        visible = audience.kind != "track"
    counters = [face for face in change.counters if audience.sees_counter(face["number"])]
    if counters and audience.kind != "track":
        message["counters"] = counters
        visible = True
    if change.call is not None and audience.kind != "track":
        call = public.call_face(change.call)
        if _sees_call(audience, call):
            message["call"] = call
            visible = True
    if audience.kind == "staff" and change.ticket is not None:
        message["ticket"] = public.staff_ticket(change.ticket)
        visible = True
    if audience.kind == "track":
        if change.ticket is not None and change.ticket.id == audience.ticket_id:
            visible = True
        if own is not None:
            message["ticket"] = own
    message["event"] = change.type.value if visible else "hidden"
    return message


def _sees_call(audience: Audience, call: dict[str, Any]) -> bool:
    return audience.sees_counter(call["counter"]) and audience.sees_service(call["service"])


def track_face(state: OfficeQueue, ticket: Ticket, now: datetime) -> dict[str, Any]:
    """A visitor's own ticket: status, counter, people ahead and the expected wait."""
    current = state.tickets.get(ticket.id, ticket)
    ahead = 0 if current.status in TERMINAL else state.ahead(current)
    estimate = state.estimate(current, ahead, now)
    service = state.services.get(current.service)
    return {
        "number": current.number,
        "status": current.status.value,
        "service": current.service,
        "service_name": {"id": service.name_id, "en": service.name_en} if service else None,
        "counter": current.counter,
        "ahead": ahead,
        "estimate_minutes": {"low": estimate.low, "high": estimate.high},
        "called_at": current.called_at.isoformat() if current.called_at else None,
        "recall_count": current.recall_count,
        "due": due_time(state, current),
    }


def due_time(state: OfficeQueue, ticket: Ticket) -> str | None:
    """A booked visitor's slot as the office's clock shows it, while they wait for it."""
    if ticket.due_at is None:
        return None
    return calendar.local_time(state.office, ticket.due_at).strftime("%H:%M")
