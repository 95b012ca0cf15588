"""Every office at once: the regency dashboard's figures and the public list of offices.

What changes by the minute (waiting, counters open, open now) is read from the queue state the
server holds for each office (`QueueService.inspect`: a version check, no reload, per office).
Today's served count and average wait come from one grouped query over today's tickets; the IKM
from one grouped query over the last 30 days' survey answers. So the cost is two queries plus
one small read per office, whatever the number of tickets (docs/benchmarks.md: 50 offices).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Float, case, cast, extract, func, select

from queue_server.domain import calendar, skm
from queue_server.domain.model import CounterState
from queue_server.domain.queue import OfficeQueue
from queue_server.domain.regency import Load, visiting_order
from queue_server.store.repository import offices, tickets
from queue_server.store.tables import SurveyResponseRow

from .queue import QueueService

responses = SurveyResponseRow.__table__  # type: ignore[attr-defined]
IKM_DAYS = 30  # the dashboard's IKM: the last 30 service days, today included
REMOTE_PAGE = "/ambil/{office}"  # where a visitor takes a number from their phone


def _office_list(conn: Connection) -> list[tuple[int, str, str]]:
    rows = conn.execute(
        select(offices.c.id, offices.c.slug, offices.c.name).order_by(offices.c.name)
    )
    return [(int(r.id), str(r.slug), str(r.name)) for r in rows]


def _wait_seconds(conn: Connection) -> ColumnElement[Any]:
    """Seconds from issue to the last call (never below zero), in the database's own terms."""
    c = tickets.c
    if conn.dialect.name == "sqlite":
        seconds: ColumnElement[Any] = (
            func.julianday(c.called_at) - func.julianday(c.issued_at)
        ) * 86400
    else:
        seconds = cast(extract("epoch", c.called_at - c.issued_at), Float)
    return case((seconds > 0, seconds), else_=0.0)


def today_figures(conn: Connection, days: dict[int, date]) -> dict[int, tuple[int, int, float]]:
    """Per office, on its own service day: (served, called, seconds waited by those called)."""
    if not days:
        return {}
    c = tickets.c
    called = c.called_at.is_not(None)
    rows = conn.execute(
        select(
            c.office_id,
            c.service_date,
            func.sum(case((c.status == "done", 1), else_=0)).label("served"),
            func.count(c.called_at).label("called"),
            func.sum(case((called, _wait_seconds(conn)), else_=0.0)).label("waited"),
        )
        .where(c.service_date >= min(days.values()), c.service_date <= max(days.values()))
        .group_by(c.office_id, c.service_date)
    )
    return {
        int(r.office_id): (int(r.served or 0), int(r.called or 0), float(r.waited or 0.0))
        for r in rows
        if days.get(int(r.office_id)) == r.service_date
    }


def ikm_figures(conn: Connection, days: dict[int, date]) -> dict[int, skm.Index]:
    """Per office, the IKM of its last `IKM_DAYS` service days (none for an office without)."""
    if not days:
        return {}
    r = responses.c
    sums = [func.sum(getattr(r, key)) for key in skm.KEYS]
    since = min(days.values()) - timedelta(days=IKM_DAYS - 1)
    rows = conn.execute(
        select(r.office_id, r.service_date, func.count(), *sums)
        .where(r.service_date >= since, r.service_date <= max(days.values()))
        .group_by(r.office_id, r.service_date)
    ).all()
    totals: dict[int, list[int]] = {}
    for office_id, day, count, *scores in rows:
        today = days.get(int(office_id))
        if today is None or not today - timedelta(days=IKM_DAYS - 1) <= day <= today:
            continue
        found = totals.setdefault(int(office_id), [0] * (1 + len(skm.KEYS)))
        for i, value in enumerate((count, *scores)):
            found[i] += int(value or 0)
    return {office_id: skm.index_of_totals(t[0], t[1:]) for office_id, t in totals.items()}


def _live(state: OfficeQueue) -> dict[str, Any]:
    counters = state.counters.values()
    return {
        "waiting": state.waiting(),
        "counters_open": sum(1 for c in counters if c.state is CounterState.OPEN),
        "counters": len(state.counters),
        "service_date": state.service_date,
    }


def summary(queue: QueueService) -> dict[str, Any]:
    """The regency dashboard: one row per office, by name."""
    with queue.db.read() as conn:
        listed = _office_list(conn)
    live = {office_id: queue.inspect(office_id, _live) for office_id, _, _ in listed}
    days = {office_id: figures["service_date"] for office_id, figures in live.items()}
    with queue.db.read() as conn:
        today = today_figures(conn, days)
        ikm = ikm_figures(conn, days)
    rows = []
    for office_id, slug, name in listed:
        served, called, waited = today.get(office_id, (0, 0, 0.0))
        index = ikm.get(office_id)
        rows.append({
            "slug": slug,
            "name": name,
            "waiting": live[office_id]["waiting"],
            "wait_avg_minutes": round(waited / called / 60, 1) if called else None,
            "counters_open": live[office_id]["counters_open"],
            "counters": live[office_id]["counters"],
            "served": served,
            "ikm": str(index.ikm) if index is not None and index.ikm is not None else None,
            "ikm_grade": index.grade if index is not None else None,
            "respondents": index.respondents if index is not None else 0,
            "service_date": days[office_id].isoformat(),
            "report_url": f"/laporan?office={slug}",
        })  # fmt: skip
    return {"at": queue.clock.now().isoformat(), "ikm_days": IKM_DAYS, "offices": rows}


def _public_face(state: OfficeQueue, now: datetime) -> dict[str, Any]:
    """What anyone may see of an office now: counts, hours and names; nothing personal."""
    office = state.office
    status, hours = calendar.open_state(office, now)
    active = sorted((s for s in state.services.values() if s.active),
                    key=lambda s: (s.sort_order, s.code))  # fmt: skip
    counters_open = sum(1 for c in state.counters.values() if c.state is CounterState.OPEN)
    return {
        "slug": office.slug,
        "name": office.name,
        "status": status,  # open | break | closed
        "hours": None if hours is None else {
            "opens": hours.opens.strftime("%H:%M"),
            "closes": "24:00" if hours.closes is None else hours.closes.strftime("%H:%M"),
        },
        "waiting": state.waiting(),
        "services": [
            {"code": s.code, "name": {"id": s.name_id, "en": s.name_en},
             "waiting": state.waiting(s.code)}
            for s in active
        ],
        "counters_open": counters_open,
        "remote_url": REMOTE_PAGE.format(office=office.slug)
        if any(s.remote_allowed for s in active) else None,
    }  # fmt: skip


def public_offices(queue: QueueService) -> list[dict[str, Any]]:
    """Every office as the public sees it, least busy open office first."""
    with queue.db.read() as conn:
        listed = _office_list(conn)
    now = queue.clock.now()
    faces = [queue.inspect(office_id, lambda s: _public_face(s, now)) for office_id, _, _ in listed]
    return sorted(faces, key=lambda f: visiting_order(
        Load(f["name"], f["status"] != "closed", f["waiting"], f["counters_open"])))  # fmt: skip


class Board:
    """The public list, computed at most once every `ttl` seconds however many phones ask."""

    def __init__(
        self, queue: QueueService, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.queue = queue
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, list[dict[str, Any]]] | None = None

    def public(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._cached is not None and self._clock() - self._cached[0] < self.ttl:
                return self._cached[1]
            faces = public_offices(self.queue)
            self._cached = (self._clock(), faces)
            return faces

    def forget(self) -> None:
        """Drop the cached list (tests; an office added or renamed shows within `ttl` anyway)."""
        with self._lock:
            self._cached = None
