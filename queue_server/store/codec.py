"""Convert between domain objects and rows / JSON payloads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import date, datetime, time
from typing import Any

from queue_server.domain.disruptions import CallbackMode, Disruption, Reason
from queue_server.domain.events import Event, EventType
from queue_server.domain.model import (
    PHONE_DAILY_CAP,
    BookingRules,
    Channel,
    Counter,
    CounterState,
    DayHours,
    Language,
    LateRule,
    NormalOrder,
    Office,
    PriorityGroup,
    QueuePolicy,
    Schedule,
    Service,
    Ticket,
    TicketStatus,
)
from queue_server.domain.speech import CounterWords, NumberStyle, VoiceSettings


# ---- hours and policy ----
def _t(text: str | None) -> time | None:
    return None if text in (None, "", "24:00") else time.fromisoformat(str(text))


def _s(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def hours_from_json(data: Mapping[str, Any] | None) -> dict[int, DayHours]:
    result: dict[int, DayHours] = {}
    for weekday, day in (data or {}).items():
        opens = _t(day.get("opens")) or time(0, 0)
        result[int(weekday)] = DayHours(
            opens=opens,
            closes=_t(day.get("closes")),
            last_ticket=_t(day.get("last_ticket")),
            breaks=tuple(
                (time.fromisoformat(a), time.fromisoformat(b)) for a, b in day.get("breaks", ())
            ),
        )
    return result


def hours_to_json(hours: Mapping[int, DayHours]) -> dict[str, Any]:
    return {
        str(weekday): {
            "opens": _s(day.opens),
            "closes": _s(day.closes) or "24:00",
            "last_ticket": _s(day.last_ticket),
            "breaks": [[_s(a), _s(b)] for a, b in day.breaks],
        }
        for weekday, day in sorted(hours.items())
    }


def schedules_from_json(data: Any) -> tuple[Schedule, ...]:
    """Date-range schedules as stored; raises ValueError (or TypeError, KeyError) on bad data."""
    return tuple(
        Schedule(
            name=str(item["name"]),
            start=date.fromisoformat(item["start"]),
            end=date.fromisoformat(item["end"]),
            hours=hours_from_json(item.get("hours") or {}),
        )
        for item in data or ()
    )


def schedules_to_json(schedules: tuple[Schedule, ...]) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "start": s.start.isoformat(),
            "end": s.end.isoformat(),
            "hours": hours_to_json(s.hours),
        }
        for s in sorted(schedules, key=lambda s: s.start)
    ]


def policy_from_json(data: Mapping[str, Any] | None) -> QueuePolicy:
    data = data or {}
    default = QueuePolicy()
    return QueuePolicy(
        fairness_after=int(data.get("fairness_after", default.fairness_after)),
        reenter_after_calls=int(data.get("reenter_after_calls", default.reenter_after_calls)),
        max_reentries=int(data.get("max_reentries", default.max_reentries)),
        normal_order=NormalOrder(data.get("normal_order", default.normal_order.value)),
        person_daily_cap=data.get("person_daily_cap"),
    )


def policy_to_json(policy: QueuePolicy) -> dict[str, Any]:
    return {
        "fairness_after": policy.fairness_after,
        "reenter_after_calls": policy.reenter_after_calls,
        "max_reentries": policy.max_reentries,
        "normal_order": policy.normal_order.value,
        "person_daily_cap": policy.person_daily_cap,
    }


def voice_from_json(data: Mapping[str, Any] | None) -> VoiceSettings:
    data = data or {}
    default = VoiceSettings()
    return VoiceSettings(
        style=NumberStyle(data.get("style", default.style.value)),
        counter_words=CounterWords(data.get("counter_words", default.counter_words.value)),
        template_id=str(data.get("template_id") or default.template_id),
        template_en=str(data.get("template_en") or default.template_en),
        english=bool(data.get("english", default.english)),
    )


def voice_to_json(voice: VoiceSettings) -> dict[str, Any]:
    return {
        "style": voice.style.value,
        "counter_words": voice.counter_words.value,
        "template_id": voice.template_id,
        "template_en": voice.template_en,
        "english": voice.english,
    }


# ---- config rows ----
def office_from_row(row: Any) -> Office:
    return Office(
        id=row.id,
        slug=row.slug,
        name=row.name,
        timezone=row.timezone,
        hours=hours_from_json(row.hours),
        closed_dates=frozenset(date.fromisoformat(d) for d in row.closed_dates or ()),
        policy=policy_from_json(row.policy),
        voice=voice_from_json(getattr(row, "voice", None)),
        ticker=getattr(row, "ticker", "") or "",
        schedules=schedules_from_json(getattr(row, "schedules", None)),
        number_digits=int(getattr(row, "number_digits", None) or 3),
        limits=dict(getattr(row, "limits", None) or {}),
        logo=getattr(row, "logo", None),
        phone_daily_cap=int(
            (getattr(row, "notify", None) or {}).get("phone_daily_cap") or PHONE_DAILY_CAP
        ),
        callback_mode=CallbackMode(getattr(row, "disruption_callback", None) or "besides"),
    )


def disruption_from_row(row: Any) -> Disruption:
    return Disruption(
        id=row.id,
        service=row.service,
        reason=Reason(row.reason),
        started_at=row.started_at,
        note=row.note or "",
        expected_end=row.expected_end,
        ended_at=row.ended_at,
    )


def service_from_row(row: Any) -> Service:
    return Service(
        code=row.code,
        prefix=row.prefix,
        name_id=row.name_id,
        name_en=row.name_en,
        description_id=row.description_id,
        description_en=row.description_en,
        documents=tuple(row.documents or ()),
        fee=row.fee,
        fee_note=row.fee_note,
        target_minutes=row.target_minutes,
        daily_quota=row.daily_quota,
        hours=hours_from_json(row.hours) if row.hours is not None else None,
        remote_allowed=row.remote_allowed,
        active=row.active,
        sort_order=row.sort_order,
        booking=booking_from_json(getattr(row, "booking", None)),
    )


def booking_from_json(data: Mapping[str, Any] | None) -> BookingRules:
    """A service's booking rules as stored ({} or missing: bookings off)."""
    data = dict(data or {})
    if "late" in data:
        data["late"] = LateRule(data["late"])
    known = {f.name for f in fields(BookingRules)}
    return BookingRules(**{k: v for k, v in data.items() if k in known})


def booking_to_json(rules: BookingRules) -> dict[str, Any]:
    return {**asdict(rules), "late": rules.late.value}


def counter_from_row(row: Any) -> Counter:
    return Counter(
        number=row.number,
        name=row.name,
        services=tuple(row.services or ()),
        state=CounterState(row.state),
        officer=row.officer,
        current_ticket=row.current_ticket,
        priority_streak=row.priority_streak,
    )


def counter_values(counter: Counter) -> dict[str, Any]:
    return {
        "state": counter.state.value,
        "officer": counter.officer,
        "current_ticket": counter.current_ticket,
        "priority_streak": counter.priority_streak,
    }


# ---- tickets ----
_TICKET_TIMES = ("issued_at", "front_at", "called_at", "started_at", "finished_at", "ended_at",
                 "consent_at", "due_at")  # fmt: skip
_TICKET_PLAIN = (
    "id", "token", "service", "origin_service", "seq", "number", "notify_consent", "counter",
    "officer", "recall_count", "call_count", "missed_count", "reenter_at_call",
    "transferred_from",
)  # fmt: skip


def ticket_from_row(row: Any) -> Ticket:
    m = row._mapping if hasattr(row, "_mapping") else row
    return Ticket(
        **{name: m[name] for name in _TICKET_PLAIN},
        **{name: m.get(name) for name in _TICKET_TIMES},  # older events lack newer times
        service_date=m["service_date"],
        status=TicketStatus(m["status"]),
        priority=PriorityGroup(m["priority"]),
        channel=Channel(m["channel"]),
        language=Language(m["language"]),
        phone=m.get("phone"),
        person_key=m.get("person_key"),
        forecast_minutes=m.get("forecast_minutes"),
        consent_text=m.get("consent_text"),
    )


def ticket_values(ticket: Ticket) -> dict[str, Any]:
    """Every column of a ticket row except office_id and idempotency_key."""
    values: dict[str, Any] = {name: getattr(ticket, name) for name in _TICKET_PLAIN}
    values.update({name: getattr(ticket, name) for name in _TICKET_TIMES})
    values.update(
        service_date=ticket.service_date,
        status=ticket.status.value,
        priority=ticket.priority.value,
        channel=ticket.channel.value,
        language=ticket.language.value,
        phone=ticket.phone,
        person_key=ticket.person_key,
        forecast_minutes=ticket.forecast_minutes,
        consent_text=ticket.consent_text,
    )
    return values


# ---- event payloads (no personal data: the log is kept longer than phone numbers) ----
# A ticket's person_key stays in: other workers need it to count tickets per person, and it is
# matchable to a NIK only with that day's office key, which is replaced the next day.
def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    data = ticket_values(ticket)
    data.pop("phone")
    data["has_phone"] = ticket.phone is not None
    data["service_date"] = ticket.service_date.isoformat()
    for name in _TICKET_TIMES:
        data[name] = _iso(getattr(ticket, name))
    return data


def ticket_from_json(data: Mapping[str, Any]) -> Ticket:
    values = dict(data)
    values.pop("has_phone", None)
    for name in _TICKET_TIMES:
        values[name] = _dt(values.get(name))
    values["service_date"] = date.fromisoformat(values["service_date"])
    values["phone"] = None
    return ticket_from_row(values)


def counter_json(counter: Counter) -> dict[str, Any]:
    return {
        "number": counter.number,
        "name": counter.name,
        "services": list(counter.services),
        **counter_values(counter),
    }


def event_payload(event: Event) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if event.ticket is not None:
        payload["ticket"] = ticket_json(event.ticket)
    if event.counter is not None:
        payload["counter"] = counter_json(event.counter)
    if event.service_date is not None:
        payload["service_date"] = event.service_date.isoformat()
    if event.key is not None:
        payload["key"] = event.key
    return payload


def event_from_payload(type_: str, at: datetime, payload: Mapping[str, Any]) -> Event:
    counter = payload.get("counter")
    return Event(
        type=EventType(type_),
        at=at,
        ticket=ticket_from_json(payload["ticket"]) if "ticket" in payload else None,
        counter=counter_from_row(_Obj(counter)) if counter is not None else None,
        service_date=date.fromisoformat(payload["service_date"])
        if "service_date" in payload
        else None,
        key=payload.get("key"),
    )


class _Obj:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.__dict__.update(data)
