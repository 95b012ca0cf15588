"""What happened: every command returns these; applying them is the only way state changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from .model import Counter, Ticket


class EventType(StrEnum):
    TICKET_ISSUED = "ticket_issued"
    TICKET_CALLED = "ticket_called"
    TICKET_RECALLED = "ticket_recalled"
    TICKET_STARTED = "ticket_started"
    TICKET_FINISHED = "ticket_finished"
    TICKET_MISSED = "ticket_missed"
    TICKET_NO_SHOW = "ticket_no_show"
    TICKET_TRANSFERRED = "ticket_transferred"
    TICKET_HELD = "ticket_held"
    TICKET_RESUMED = "ticket_resumed"
    TICKET_CANCELLED = "ticket_cancelled"
    TICKET_EXPIRED = "ticket_expired"
    TICKET_DUE = "ticket_due"  # a booked visitor's slot started: into the line, ahead
    COUNTER_OPENED = "counter_opened"
    COUNTER_PAUSED = "counter_paused"
    COUNTER_CLOSED = "counter_closed"
    DAY_STARTED = "day_started"
    CONFIG_CHANGED = "config_changed"


CALLING = frozenset({EventType.TICKET_CALLED, EventType.TICKET_RECALLED, EventType.TICKET_RESUMED})


@dataclass(frozen=True)
class Event:
    """One change, carrying the full new state of the ticket and/or counter it touched."""

    type: EventType
    at: datetime
    ticket: Ticket | None = None
    counter: Counter | None = None
    service_date: date | None = None  # DAY_STARTED: the new day
    key: str | None = None  # TICKET_ISSUED: the idempotency key it answered
