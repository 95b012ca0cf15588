"""Service disruptions (gangguan layanan): a service, or the whole office, that cannot serve for
a while (the network is down, the national OSS system is in maintenance, a power cut), what
applies to a service now, and the figures the reports count. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum


class Reason(StrEnum):
    JARINGAN = "jaringan"  # the network or the internet
    SISTEM_PUSAT = "sistem_pusat"  # a national system (OSS, SIAK) is down or in maintenance
    LISTRIK = "listrik"  # a power cut
    LAINNYA = "lainnya"


class CallbackMode(StrEnum):
    """What the kiosk offers for a disrupted service."""

    BESIDES = "besides"  # "leave your number" next to taking a ticket (the default)
    INSTEAD = "instead"  # "leave your number" only: no ticket is given for that service


# A ticket still open in one of these statuses has not been served yet: told about a delay.
NOT_YET_SERVED = frozenset({"waiting", "on_hold", "missed"})


@dataclass(frozen=True)
class Disruption:
    id: str
    service: str | None  # None: the whole office (every service)
    reason: Reason
    started_at: datetime
    note: str = ""
    expected_end: datetime | None = None  # when the office expects it back (shown, not acted on)
    ended_at: datetime | None = None  # None while it lasts

    def __post_init__(self) -> None:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError("a disruption cannot end before it starts")

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def office_wide(self) -> bool:
        return self.service is None

    def covers(self, service: str) -> bool:
        """Whether this disruption stops `service` (office-wide ones stop every service)."""
        return self.service is None or self.service == service


def active_for(disruptions: Iterable[Disruption], service: str) -> Disruption | None:
    """The disruption that applies to `service` now, if any: its own before an office-wide one,
    the earliest started first."""
    found = [d for d in disruptions if d.active and d.covers(service)]
    found.sort(key=lambda d: (d.office_wide, d.started_at, d.id))
    return found[0] if found else None


def clashes(disruptions: Iterable[Disruption], service: str | None) -> Disruption | None:
    """An active disruption with the very same scope (one per service, one office-wide)."""
    return next((d for d in disruptions if d.active and d.service == service), None)


def overlap_minutes(disruption: Disruption, start: datetime, end: datetime, now: datetime) -> float:
    """Minutes of `disruption` within [start, end) (one still lasting counts up to `now`)."""
    until = disruption.ended_at if disruption.ended_at is not None else now
    first, last = max(disruption.started_at, start), min(until, end)
    return max(0.0, (last - first).total_seconds() / 60)


def down_minutes(
    disruptions: Iterable[Disruption], start: datetime, end: datetime, now: datetime
) -> float:
    """Minutes within [start, end) that any of `disruptions` lasted (overlaps counted once)."""
    spans = sorted(
        (max(d.started_at, start), min(d.ended_at if d.ended_at is not None else now, end))
        for d in disruptions
    )
    total, reach = 0.0, start
    for first, last in spans:
        first = max(first, reach)
        if last > first:
            total += (last - first).total_seconds() / 60
            reach = last
    return total


def affected(
    disruption: Disruption,
    service: str,
    issued_at: datetime,
    ended_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether a ticket of `service` was open during `disruption`: issued before it ended and
    not ended before it started."""
    if not disruption.covers(service):
        return False
    until = disruption.ended_at if disruption.ended_at is not None else now
    return issued_at < until and (ended_at is None or ended_at > disruption.started_at)


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s, in order."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def month_bounds(month: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The office's local month (its first day given) as a [start, end) pair of instants."""
    following = (month + timedelta(days=32)).replace(day=1)
    return (
        datetime(month.year, month.month, 1, tzinfo=zone),
        datetime(following.year, following.month, 1, tzinfo=zone),
    )


@dataclass(frozen=True)
class MonthFigures:
    """One service in one month: how many disruptions touched it and for how long."""

    service: str
    month: date  # the month's first day
    count: int
    minutes: float
    tickets: int  # tickets of the service open during a disruption

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class OpenTicket:
    """What the report needs to know of a ticket."""

    service: str
    issued_at: datetime
    ended_at: datetime | None


def month_figures(
    disruptions: Iterable[Disruption],
    services: Iterable[str],
    tickets: Iterable[OpenTicket],
    first: date,
    last: date,
    zone: tzinfo,
    now: datetime,
) -> list[MonthFigures]:
    """Disruption time, disruptions and tickets affected per service and month, for the months
    from `first` to `last` (the office's local months; office-wide ones count for every
    service; time when two overlap counts once, and so does a ticket open during both). Rows
    with nothing in them are left out."""
    disruptions, tickets = list(disruptions), list(tickets)
    rows = []
    for month in months_between(first, last):
        start, end = month_bounds(month, zone)
        for service in services:
            touching = [
                (d, minutes)
                for d in disruptions
                if d.covers(service) and (minutes := overlap_minutes(d, start, end, now)) > 0
            ]
            if not touching:
                continue
            hit = sum(
                1
                for t in tickets
                if t.service == service
                and any(
                    affected(d, service, t.issued_at, t.ended_at, now)
                    and start <= max(t.issued_at, d.started_at) < end
                    for d, _ in touching
                )
            )
            rows.append(
                MonthFigures(
                    service=service,
                    month=month,
                    count=len(touching),
                    minutes=down_minutes((d for d, _ in touching), start, end, now),
                    tickets=hit,
                )
            )
    return rows
