"""The office's service day and opening hours, in the office's own time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from .errors import OfficeClosed, PastLastTicket, ServiceClosed
from .model import DayHours, Office, Schedule, Service


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(office: Office, now: datetime) -> datetime:
    """Return `now` (aware, any zone) in the office's local time."""
    return now.astimezone(zone(office.timezone))


def clock_text(office: Office, at: datetime, today: date) -> str:
    """`at` on the office's clock: "10:30", with the date ("24-11 08:00") when not `today`."""
    local = local_time(office, at)
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%d-%m %H:%M")


def service_date(office: Office, now: datetime) -> date:
    """Return the office's service day at `now`: it turns at local midnight."""
    return local_time(office, now).date()


def day_start(office: Office, day: date) -> datetime:
    """Return local midnight of `day` as an aware datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=zone(office.timezone))


def next_midnight(office: Office, now: datetime) -> datetime:
    """Return the next local midnight after `now`."""
    return day_start(office, service_date(office, now) + timedelta(days=1))


def schedule_on(office: Office, day: date) -> Schedule | None:
    """Return the date-range schedule (Ramadan hours) running on `day`, if any."""
    return next((s for s in office.schedules if s.covers(day)), None)


def office_hours_table(office: Office, day: date) -> dict[int, DayHours]:
    """The office's weekly hours in force on `day`: a running schedule's, else its own."""
    running = schedule_on(office, day)
    return office.hours if running is None else running.hours


def hours_on(office: Office, service: Service | None, day: date) -> DayHours | None:
    """Return the hours that apply on `day`, or None when closed all day.

    Closed dates win; then a service's own hours; then the office's, from a date-range
    schedule when one runs on `day`. Issuing also checks the office's hours, so a schedule
    bounds services with hours of their own too.
    """
    if day in office.closed_dates:
        return None
    if service is not None and service.hours is not None:
        return service.hours.get(day.weekday())
    return office_hours_table(office, day).get(day.weekday())


def _within(hours: DayHours, at: time) -> bool:
    if at < hours.opens:
        return False
    return hours.closes is None or at < hours.closes


def check_can_issue(office: Office, service: Service, now: datetime) -> None:
    """Raise why a ticket for `service` cannot be taken at `now`, if it cannot."""
    local = local_time(office, now)
    day, at = local.date(), local.time()
    office_hours = hours_on(office, None, day)
    if office_hours is None or not _within(office_hours, at):
        raise OfficeClosed(opens=_opens_text(office_hours), closes=_closes_text(office_hours))
    hours = hours_on(office, service, day)
    if hours is None or not _within(hours, at):
        raise ServiceClosed(
            service=service.code, opens=_opens_text(hours), closes=_closes_text(hours)
        )
    for table in (office_hours, hours):
        if table.last_ticket is not None and at > table.last_ticket:
            last = table.last_ticket.strftime("%H:%M")
            raise PastLastTicket(service=service.code, last_ticket=last)


def open_state(office: Office, now: datetime) -> tuple[str, DayHours | None]:
    """Whether the office is "open", on a "break" or "closed" at `now`, with its hours today."""
    local = local_time(office, now)
    hours = hours_on(office, None, local.date())
    if hours is None or not _within(hours, local.time()):
        return "closed", hours
    return ("break" if on_break(hours, local.time()) else "open"), hours


def on_break(hours: DayHours | None, at: time) -> bool:
    """Say whether `at` falls in one of the day's breaks (e.g. Friday prayer)."""
    return hours is not None and any(start <= at < end for start, end in hours.breaks)


def _opens_text(hours: DayHours | None) -> str:
    return "" if hours is None else hours.opens.strftime("%H:%M")


def _closes_text(hours: DayHours | None) -> str:
    if hours is None:
        return ""
    return "24:00" if hours.closes is None else hours.closes.strftime("%H:%M")


def is_open(office: Office, now: datetime) -> bool:
    """Say whether the office is within its hours at `now`."""
    local = local_time(office, now)
    hours = hours_on(office, None, local.date())
    return hours is not None and _within(hours, local.time())


def next_opening(
    office: Office, service: Service | None, now: datetime, days: int = 31
) -> datetime | None:
    """When tickets for `service` (None: any) may next be taken after `now`, at the earliest:
    the opening later today, else of the next day with hours (None within `days`)."""
    local = local_time(office, now)
    for ahead in range(days + 1):
        day = local.date() + timedelta(days=ahead)
        office_hours = hours_on(office, None, day)
        hours = hours_on(office, service, day) if service is not None else office_hours
        if office_hours is None or hours is None:
            continue
        opens = max(office_hours.opens, hours.opens)
        at = datetime.combine(day, opens, tzinfo=zone(office.timezone))
        if at > local:
            return at
    return None
