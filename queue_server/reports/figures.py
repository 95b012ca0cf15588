"""Figures from visits. Pure: no I/O.

A visit's waiting time runs from taking the ticket to its last call (a visitor called again
after missing a call is counted from that last call); its service time from the start of
service (or the last call, when the officer did not press "start") to the finish.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


@dataclass(slots=True)
class Visit:
    service: str
    service_date: date
    status: str  # the ticket's final status (done, no_show, cancelled, expired, or still open)
    priority: str
    channel: str
    issued_at: datetime
    called_at: datetime | None  # the last call
    started_at: datetime | None
    finished_at: datetime | None
    counter: int | None
    officer: str | None
    transferred: bool
    target_minutes: int
    wait_minutes: float | None = field(init=False)  # issue to last call
    service_minutes: float | None = field(init=False)  # start (or last call) to finish

    def __post_init__(self) -> None:
        called = self.called_at
        self.wait_minutes = (
            None if called is None else max(0.0, (called - self.issued_at).total_seconds() / 60)
        )
        begin = self.started_at or called
        finished = self.finished_at
        self.service_minutes = (
            max(0.0, (finished - begin).total_seconds() / 60)
            if self.status == "done" and begin is not None and finished is not None
            else None
        )


@dataclass(frozen=True)
class Figures:
    arrived: int
    served: int
    served_pct: float | None
    no_shows: int
    cancelled: int
    expired: int
    transfers: int
    wait_avg: float | None
    wait_median: float | None
    wait_p90: float | None
    wait_max: float | None
    above_target: int
    above_target_pct: float | None
    service_avg: float | None
    service_max: float | None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (the value at or below which q% of the values fall)."""
    return _nearest_rank(sorted(values), q)


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def figures(visits: Iterable[Visit]) -> Figures:
    arrived = served = no_shows = cancelled = expired = transfers = above = 0
    waits: list[float] = []
    services: list[float] = []
    for v in visits:  # one pass: reports read months of tickets
        arrived += 1
        status = v.status
        if status == "done":
            served += 1
        elif status == "no_show":
            no_shows += 1
        elif status == "cancelled":
            cancelled += 1
        elif status == "expired":
            expired += 1
        if v.transferred:
            transfers += 1
        wait = v.wait_minutes
        if wait is not None:
            waits.append(wait)
            if wait > v.target_minutes:
                above += 1
        if v.service_minutes is not None:
            services.append(v.service_minutes)
    waits.sort()
    return Figures(
        arrived=arrived,
        served=served,
        served_pct=100 * served / arrived if arrived else None,
        no_shows=no_shows,
        cancelled=cancelled,
        expired=expired,
        transfers=transfers,
        wait_avg=_mean(waits),
        wait_median=statistics.median(waits) if waits else None,
        wait_p90=_nearest_rank(waits, 90),
        wait_max=waits[-1] if waits else None,
        above_target=above,
        above_target_pct=100 * above / len(waits) if waits else None,
        service_avg=_mean(services),
        service_max=max(services) if services else None,
    )


def _nearest_rank(ordered: Sequence[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


GROUPINGS: dict[str, Callable[[Visit], object]] = {
    "day": lambda v: v.service_date.isoformat(),
    "week": lambda v: _week(v.service_date),
    "month": lambda v: v.service_date.strftime("%Y-%m"),
    "weekday": lambda v: v.service_date.weekday(),
    "service": lambda v: v.service,
    "counter": lambda v: v.counter,
    "officer": lambda v: v.officer,
    "priority": lambda v: v.priority,
}


def grouped(visits: Iterable[Visit], by: str) -> dict[object, Figures]:
    """Figures per day, week, month, weekday (0 = Monday), service, counter, officer or
    priority group. Visits never called have no counter or officer (key None)."""
    key = GROUPINGS[by]
    groups: dict[object, list[Visit]] = defaultdict(list)
    for visit in visits:
        groups[key(visit)].append(visit)
    return {
        k: figures(v) for k, v in sorted(groups.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
    }


def heatmap(visits: Iterable[Visit], timezone: str) -> list[list[int]]:
    """Arrivals per weekday (rows, Monday first) and local hour (24 columns)."""
    zone = ZoneInfo(timezone)
    cells = [[0] * 24 for _ in range(7)]
    for visit in visits:
        local = visit.issued_at.astimezone(zone)
        cells[local.weekday()][local.hour] += 1
    return cells


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
