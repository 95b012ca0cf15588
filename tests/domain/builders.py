"""Plain helpers to build small offices and drive commands in the domain tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.domain.events import Event
from queue_server.domain.model import (
    ALL_DAY,
    Channel,
    Counter,
    DayHours,
    Office,
    PriorityGroup,
    QueuePolicy,
    Service,
    Ticket,
)
from queue_server.domain.queue import OfficeQueue, apply_all, issue

WIB = "Asia/Jakarta"  # UTC+7
WITA = "Asia/Makassar"  # UTC+8

# 2024-07-01 is a Monday; 2024-07-05 a Friday; 2024-07-06 a Saturday.
MONDAY = date(2024, 7, 1)
FRIDAY = date(2024, 7, 5)
SATURDAY = date(2024, 7, 6)

EVERY_DAY = {weekday: ALL_DAY for weekday in range(7)}


def local(day: date, hh: int, mm: int = 0, ss: int = 0, tz: str = WIB) -> datetime:
    """An aware instant given in the office's local time, returned in UTC."""
    return datetime.combine(day, time(hh, mm, ss), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def service(code: str, **kwargs: Any) -> Service:
    kwargs.setdefault("prefix", code)
    kwargs.setdefault("name_id", f"Layanan {code}")
    kwargs.setdefault("name_en", f"Service {code}")
    return Service(code=code, **kwargs)


def make_office(
    tz: str = WIB,
    *,
    hours: dict[int, DayHours] | None = None,
    closed_dates: Iterable[date] = (),
    policy: QueuePolicy | None = None,
) -> Office:
    return Office(
        id=1,
        slug="kantor-uji",
        name="Kantor Uji",
        timezone=tz,
        hours=dict(EVERY_DAY) if hours is None else hours,
        closed_dates=frozenset(closed_dates),
        policy=policy or QueuePolicy(),
    )


def make_state(
    services: Iterable[Service] = (),
    counters: dict[int, tuple[str, ...]] | None = None,
    *,
    office: Office | None = None,
    day: date = MONDAY,
    policy: QueuePolicy | None = None,
) -> OfficeQueue:
    """An office at the start of `day` with the given services and (closed) counters."""
    svcs = list(services) or [service("A"), service("B")]
    counters = counters if counters is not None else {1: tuple(s.code for s in svcs)}
    return OfficeQueue(
        office=office or make_office(policy=policy),
        services={s.code: s for s in svcs},
        counters={
            n: Counter(number=n, name=f"Loket {n}", services=codes) for n, codes in counters.items()
        },
        service_date=day,
    )


def run(
    state: OfficeQueue, command: Callable[..., list[Event]], *args: Any, **kw: Any
) -> list[Event]:
    """Decide with `command`, then apply its events: the usual command cycle."""
    events = command(state, *args, **kw)
    apply_all(state, events)
    return events


_ids = count(1)


def take(
    state: OfficeQueue,
    code: str,
    now: datetime,
    *,
    priority: PriorityGroup = PriorityGroup.NONE,
    channel: Channel = Channel.KIOSK,
    phone: str | None = None,
) -> Ticket:
    """Issue one ticket and apply it; return the new ticket (with `phone`, the visitor agreed
    to messages)."""
    n = next(_ids)
    events = run(
        state,
        issue,
        service=code,
        now=now,
        ticket_id=f"t{n}",
        token=f"tok{n}",
        channel=channel,
        priority=priority,
        phone=phone,
        notify_consent=phone is not None,
    )
    ticket = events[0].ticket
    assert ticket is not None
    return ticket


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
