"""What an office learned from its past days, read from its tickets, for today's forecasts."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from sqlalchemy import Connection, select

from queue_server.domain import calendar
from queue_server.domain.forecast import ArrivalProfile, Calibration, History, Sample
from queue_server.domain.model import Office, PriorityGroup

from .tables import TicketRow

tickets = TicketRow.__table__  # type: ignore[attr-defined]

DAYS = 28  # how far back the office looks
SAME_WEEKDAY_DAYS = 2  # past days of today's weekday needed to use only those for arrivals


def load_history(conn: Connection, office: Office, today: date) -> History:
    """Arrivals by hour (from days of today's weekday when there are enough of them), how
    far past forecasts fell from the waits that followed, and each service's mean time."""
    rows = conn.execute(
        select(
            tickets.c.service_date,
            tickets.c.origin_service,
            tickets.c.service,
            tickets.c.priority,
            tickets.c.issued_at,
            tickets.c.called_at,
            tickets.c.started_at,
            tickets.c.finished_at,
            tickets.c.forecast_minutes,
        ).where(
            tickets.c.office_id == office.id,
            tickets.c.service_date >= today - timedelta(days=DAYS),
            tickets.c.service_date < today,
        )
    ).all()
    if not rows:
        return History(learned_for=today)
    same_weekday = {r.service_date for r in rows if r.service_date.weekday() == today.weekday()}
    use_days = same_weekday if len(same_weekday) >= SAME_WEEKDAY_DAYS else None
    arrivals: list[tuple[int, str, bool]] = []
    samples: list[Sample] = []
    times: dict[str, list[float]] = {}
    for r in rows:
        hour = calendar.local_time(office, r.issued_at).hour
        priority = r.priority != PriorityGroup.NONE.value
        if use_days is None or r.service_date in use_days:
            arrivals.append((hour, r.origin_service, priority))
        if r.forecast_minutes is not None and r.called_at is not None:
            waited = (r.called_at - r.issued_at).total_seconds() / 60
            samples.append(Sample(r.forecast_minutes, waited, priority, hour))
        if r.started_at is not None and r.finished_at is not None:
            minutes = (r.finished_at - r.started_at).total_seconds() / 60
            times.setdefault(r.service, []).append(minutes)
    days = len(use_days) if use_days is not None else len({r.service_date for r in rows})
    return History(
        ArrivalProfile.learn(arrivals, days),
        Calibration.learn(samples),
        {service: statistics.fmean(xs) for service, xs in times.items()},
        learned_for=today,
    )
