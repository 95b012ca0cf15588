"""The consultation desk's rules: when a conversation must be answered by, how much time is left,
the inbox's order, and the figures (conversations per day, first-response time, share answered
within the target, per officer). Pure: no I/O.

A conversation's response target (default 24 hours, per office) counts calendar hours, or only
the office's working hours (its weekly hours, date-range schedules and closed dates, less its
breaks). The automatic acknowledgement is not a response: the first response is the first
message an officer sends.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from .calendar import hours_on, local_time, zone
from .model import DayHours, Office

DEFAULT_TARGET_HOURS = 24
MAX_TARGET_HOURS = 720
CALENDAR, WORKING = "calendar", "working"
SEARCH_DAYS = 800  # working hours are looked for this far ahead, then calendar hours count


@dataclass(frozen=True)
class Target:
    """An office's promise: answer within `hours`, counted in calendar or working hours."""

    hours: int = DEFAULT_TARGET_HOURS
    count: str = CALENDAR  # "calendar" | "working"

    @property
    def working(self) -> bool:
        return self.count == WORKING


def target_from_json(data: Mapping[str, Any] | None) -> Target:
    """The target from the office's message settings (`notify.consultation`)."""
    data = data or {}
    try:
        hours = int(data.get("target_hours", DEFAULT_TARGET_HOURS))
    except (TypeError, ValueError):
        hours = DEFAULT_TARGET_HOURS
    hours = min(max(hours, 1), MAX_TARGET_HOURS)
    return Target(hours, WORKING if data.get("count") == WORKING else CALENDAR)


def working_spans(office: Office, day: date) -> list[tuple[datetime, datetime]]:
    """The office's working time on `day` as aware (start, end) spans: opening to closing less
    the breaks; none on a closed day."""
    hours: DayHours | None = hours_on(office, None, day)
    if hours is None:
        return []
    tz = zone(office.timezone)
    start = datetime.combine(day, hours.opens, tzinfo=tz)
    end = (
        datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
        if hours.closes is None
        else datetime.combine(day, hours.closes, tzinfo=tz)
    )
    spans: list[tuple[datetime, datetime]] = []
    cursor = start
    for begin, finish in sorted(hours.breaks):
        b = min(max(datetime.combine(day, begin, tzinfo=tz), cursor), end)
        f = min(datetime.combine(day, finish, tzinfo=tz), end)
        if b > cursor:
            spans.append((cursor, b))
        cursor = max(cursor, f)
    if end > cursor:
        spans.append((cursor, end))
    return spans


def due_at(office: Office, opened: datetime, target: Target) -> datetime:
    """When a conversation opened at `opened` must have its first response."""
    calendar_due = opened + timedelta(hours=target.hours)
    if not target.working:
        return calendar_due
    left = timedelta(hours=target.hours)
    first = local_time(office, opened).date()
    for ahead in range(SEARCH_DAYS):
        for start, end in working_spans(office, first + timedelta(days=ahead)):
            start = max(start, opened)
            if end <= start:
                continue
            if end - start >= left:
                return start + left
            left -= end - start
    return calendar_due  # an office with no working hours at all: calendar hours


def open_time(office: Office, start: datetime, end: datetime, target: Target) -> timedelta:
    """The time between `start` and `end` that counts towards the target."""
    if end <= start:
        return timedelta(0)
    if not target.working:
        return end - start
    total = timedelta(0)
    day = local_time(office, start).date()
    last = local_time(office, end).date()
    while day <= last:
        for a, b in working_spans(office, day):
            a, b = max(a, start), min(b, end)
            if b > a:
                total += b - a
        day += timedelta(days=1)
    return total


def time_left(due: datetime, now: datetime) -> timedelta:
    """Time left to the due time (negative: overdue)."""
    return due - now


@dataclass(frozen=True)
class InboxItem:
    id: int
    status: str  # open | answered | closed
    due_at: datetime
    answered: bool  # has its first response
    waiting: bool  # the visitor wrote last (an answer is owed)
    last_message_at: datetime


def inbox_key(item: InboxItem) -> tuple[int, float]:
    """The inbox's order: unanswered conversations by least time left (overdue first), then
    answered ones the visitor wrote to again, oldest first, then the rest, newest first;
    closed ones last."""
    if item.status == "closed":
        return (3, -item.last_message_at.timestamp())
    if not item.answered:
        return (0, item.due_at.timestamp())
    if item.waiting:
        return (1, item.last_message_at.timestamp())
    return (2, -item.last_message_at.timestamp())


def inbox_order(items: Iterable[InboxItem]) -> list[InboxItem]:
    return sorted(items, key=lambda item: (inbox_key(item), item.id))


# ---- figures ----
@dataclass(frozen=True)
class Facts:
    """What the figures need of one conversation."""

    opened_at: datetime
    due_at: datetime
    first_response_at: datetime | None
    first_responder: str | None


@dataclass(frozen=True)
class ResponseFigures:
    conversations: int
    answered: int
    median_minutes: float | None  # first-response time (calendar minutes)
    p90_minutes: float | None  # nearest rank
    within_target: int
    judged: int  # answered, or unanswered past their due time
    within_target_pct: float | None


@dataclass(frozen=True)
class ConsultationFigures:
    total: ResponseFigures
    per_day: dict[date, int] = field(default_factory=dict)  # conversations opened (local day)
    per_officer: dict[str, ResponseFigures] = field(default_factory=dict)  # first responder


def nearest_rank(ordered: Sequence[float], q: float) -> float | None:
    """The value at or below which q% of the (sorted) values fall."""
    if not ordered:
        return None
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def response_figures(facts: Sequence[Facts], now: datetime) -> ResponseFigures:
    minutes = sorted(
        (f.first_response_at - f.opened_at).total_seconds() / 60
        for f in facts
        if f.first_response_at is not None
    )
    within = sum(
        1 for f in facts if f.first_response_at is not None and f.first_response_at <= f.due_at
    )
    judged = sum(1 for f in facts if f.first_response_at is not None or f.due_at < now)
    return ResponseFigures(
        conversations=len(facts),
        answered=len(minutes),
        median_minutes=statistics.median(minutes) if minutes else None,
        p90_minutes=nearest_rank(minutes, 90),
        within_target=within,
        judged=judged,
        within_target_pct=100 * within / judged if judged else None,
    )


def figures(facts: Iterable[Facts], timezone: str, now: datetime) -> ConsultationFigures:
    """The desk's figures over a set of conversations."""
    every = list(facts)
    tz = zone(timezone)
    per_day: dict[date, int] = defaultdict(int)
    by_officer: dict[str, list[Facts]] = defaultdict(list)
    for f in every:
        per_day[f.opened_at.astimezone(tz).date()] += 1
        if f.first_responder is not None:
            by_officer[f.first_responder].append(f)
    return ConsultationFigures(
        total=response_figures(every, now),
        per_day=dict(sorted(per_day.items())),
        per_officer={name: response_figures(by_officer[name], now) for name in sorted(by_officer)},
    )
