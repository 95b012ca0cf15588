"""What the lobby may see: the office's public snapshot, and what one event changed in it.

No personal data: numbers, services, counters and counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import calendar
from .disruptions import Disruption
from .estimate import EstimateRange
from .events import CALLING, Event, EventType
from .model import Channel, Language, PriorityGroup, Ticket, TicketStatus
from .ordering import Lines, ahead_of
from .queue import Call, OfficeQueue, refusal

RESETS = frozenset({EventType.DAY_STARTED, EventType.CONFIG_CHANGED})


@dataclass(frozen=True)
class Change:
    """One event as the public sees it, taken right after the event was applied."""

    type: EventType
    at: datetime
    waiting: dict[str, int]  # services whose waiting count may have changed -> new count
    counters: tuple[dict[str, Any], ...]  # counters whose public face may have changed
    call: Call | None  # calls, recalls and resumes: shown on the lobby display
    ticket: Ticket | None  # the ticket touched (for staff screens and that ticket's own page)

    @property
    def reset(self) -> bool:
        """The day or the configuration changed: screens start again from a snapshot."""
        return self.type in RESETS


def change_after(state: OfficeQueue, event: Event) -> Change:
    """Describe `event`'s public effect; call right after applying it to `state`."""
    ticket = event.ticket
    services: set[str] = set()
    numbers: set[int] = set()
    if ticket is not None:
        services.add(ticket.service)
        if ticket.transferred_from:
            services.add(ticket.transferred_from)
        if ticket.counter is not None:
            numbers.add(ticket.counter)
    if event.counter is not None:
        numbers.add(event.counter.number)
    call = state.recent_calls[0] if event.type in CALLING and state.recent_calls else None
    return Change(
        type=event.type,
        at=event.at,
        waiting={code: state.waiting(code) for code in sorted(services)},
        counters=tuple(counter_face(state, n) for n in sorted(numbers) if n in state.counters),
        call=call,
        ticket=ticket,
    )


def counter_face(state: OfficeQueue, number: int) -> dict[str, Any]:
    counter = state.counters[number]
    serving = None
    current = state.tickets.get(counter.current_ticket) if counter.current_ticket else None
    if current is not None:
        serving = {"number": current.number, "service": current.service,
                   "status": current.status.value}  # fmt: skip
    return {
        "number": counter.number,
        "name": counter.name,
        "state": counter.state.value,
        "services": list(counter.services),
        "serving": serving,
    }


def call_face(call: Call) -> dict[str, Any]:
    return {
        "number": call.number,
        "service": call.service,
        "counter": call.counter,
        "at": call.at.isoformat(),
    }


def snapshot(state: OfficeQueue) -> dict[str, Any]:
    """The office as the lobby sees it now."""
    services = sorted(state.services.values(), key=lambda s: (s.sort_order, s.code))
    return {
        "version": state.version,
        "office": {
            "slug": state.office.slug,
            "name": state.office.name,
            "timezone": state.office.timezone,
            "service_date": state.service_date.isoformat(),
        },
        "services": [
            {
                "code": s.code,
                "prefix": s.prefix,
                "name": {"id": s.name_id, "en": s.name_en},
                "active": s.active,
                "waiting": state.waiting(s.code),
            }
            for s in services
        ],
        "counters": [counter_face(state, n) for n in sorted(state.counters)],
        "recent_calls": [call_face(call) for call in state.recent_calls],
        "disruptions": [disruption_face(state, d) for d in state.office.disruptions],
        "disruption_callback": state.office.callback_mode.value,
    }


def disruption_face(state: OfficeQueue, disruption: Disruption) -> dict[str, Any]:
    """A disruption as the lobby, the kiosk and visitors' phones see it (who marked it stays
    out)."""
    end = disruption.expected_end
    return {
        "id": disruption.id,
        "service": disruption.service,
        "reason": disruption.reason.value,
        "note": disruption.note,
        "started_at": disruption.started_at.isoformat(),
        "expected_end": end.isoformat() if end else None,
        "until": calendar.clock_text(state.office, end, state.service_date) if end else None,
    }


def staff_ticket(ticket: Ticket) -> dict[str, Any]:
    """A ticket as counter staff see it in the live list (phone numbers stay out)."""
    return {
        "id": ticket.id,
        "token": ticket.token,
        "number": ticket.number,
        "service": ticket.service,
        "status": ticket.status.value,
        "priority_group": ticket.priority.value,
        "channel": ticket.channel.value,
        "issued_at": ticket.issued_at.isoformat(),
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "counter": ticket.counter,
        "officer": ticket.officer,
        "missed_count": ticket.missed_count,
        "transferred_from": ticket.transferred_from,
    }


def reset(at: datetime) -> Change:
    """A change that tells screens to start again from a fresh snapshot."""
    return Change(EventType.CONFIG_CHANGED, at, {}, (), None, None)


def kiosk_services(state: OfficeQueue, now: datetime) -> list[dict[str, Any]]:
    """The kiosk's menu: each active service with its standard, its line and, when a ticket
    cannot be taken now (closed, past the last-ticket time, quota used up), why not."""
    return _menu(state, now, Channel.KIOSK)


def _menu(state: OfficeQueue, now: datetime, channel: Channel) -> list[dict[str, Any]]:
    services = sorted(state.services.values(), key=lambda s: (s.sort_order, s.code))
    menu = []
    for s in services:
        if not s.active:
            continue
        refused = refusal(state, s, now, channel)
        menu.append(
            {
                "code": s.code,
                "prefix": s.prefix,
                "name": {"id": s.name_id, "en": s.name_en},
                "description": {"id": s.description_id, "en": s.description_en},
                "documents": list(s.documents),
                "fee": s.fee,
                "fee_note": s.fee_note,
                "target_minutes": s.target_minutes,
                "waiting": state.waiting(s.code),
                "refusal": None
                if refused is None
                else {"code": refused.code, "params": dict(refused.params)},
            }
        )
    return menu


def remote_services(state: OfficeQueue, now: datetime) -> list[dict[str, Any]]:
    """The services as a phone sees them before taking a number from afar: the kiosk's menu
    (refused as the web channel is), each with where a new ticket would stand now and, when it
    cannot be taken, when it next may be (`next_opening`, None if not within a month)."""
    menu = []
    for item in _menu(state, now, Channel.WEB):
        svc = state.services[item["code"]]
        item["remote"] = svc.remote_allowed
        item["ahead"], estimate = _new_ticket_wait(state, svc.code, now)
        item["estimate"] = {"low": estimate.low, "high": estimate.high}
        opening = None
        if item["refusal"] is not None and svc.remote_allowed:
            opening = calendar.next_opening(state.office, svc, now)
        item["next_opening"] = opening
        menu.append(item)
    return menu


def _new_ticket_wait(state: OfficeQueue, service: str, now: datetime) -> tuple[int, EstimateRange]:
    """People ahead of, and the simple wait of, a normal ticket taken in `service` now."""
    last = max(state.last_seq.values(), default=0) + 1  # behind everyone already in line
    new = Ticket(
        id="\uffff", token="", service=service, origin_service=service,
        service_date=state.service_date, seq=last, number="", status=TicketStatus.WAITING,
        priority=PriorityGroup.NONE, channel=Channel.WEB, language=Language.ID, issued_at=now,
    )  # fmt: skip
    everyone = [*state.tickets.values(), new]
    ahead = ahead_of(new, everyone, state.counters.values(), state.calls, state.office.policy,
                     lines=Lines.build(everyone, state.calls))  # fmt: skip
    return ahead, state.simple_estimate(new, ahead)
