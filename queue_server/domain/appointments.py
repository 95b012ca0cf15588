"""Appointments (janji temu): a service's bookable slots, their capacity, the share of the daily
quota held for bookings, and what a visitor's arrival at the kiosk does. Pure.

A booked visitor who checks in gets a ticket that enters the line at the slot's time ahead of
walk-ins (the ticket's `due_at`): early, it waits on hold until then; within the grace period
after the slot started, it goes straight to the front; later than that, the service's rule
decides: an ordinary walk-in ticket, or refused (counted as a no-show).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from . import calendar
from .errors import DomainError
from .model import BookingRules, LateRule, Office, Service


class BookingNotOffered(DomainError):
    code = "booking_not_offered"


class BookingDayOutOfRange(DomainError):
    code = "booking_day_out_of_range"


class SlotUnavailable(DomainError):
    code = "slot_unavailable"


class SlotFull(DomainError):
    code = "slot_full"


class BookingDayFull(DomainError):
    code = "booking_day_full"


class CheckInTooEarly(DomainError):
    code = "checkin_too_early"


class BookingLapsed(DomainError):
    code = "booking_lapsed"


@dataclass(frozen=True, order=True)
class Slot:
    start: time
    end: time
    capacity: int


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _at(minutes: int) -> time:
    return time(minutes // 60, minutes % 60) if minutes < 24 * 60 else time(23, 59)


def slots(office: Office, service: Service, rules: BookingRules, day: date) -> list[Slot]:
    """The bookable slots of `day`: from opening, every `slot_minutes`, starting no later than
    the last-ticket time, ending by closing, and none overlapping a break."""
    if not rules.enabled or not service.active:
        return []
    office_hours = calendar.hours_on(office, None, day)
    hours = calendar.hours_on(office, service, day)
    if office_hours is None or hours is None:
        return []
    opens = max(_minutes(office_hours.opens), _minutes(hours.opens))
    closes = min(24 * 60 if h.closes is None else _minutes(h.closes) for h in (office_hours, hours))
    last_start = min(
        [closes - rules.slot_minutes]
        + [_minutes(h.last_ticket) for h in (office_hours, hours) if h.last_ticket is not None]
    )
    breaks = [(_minutes(a), _minutes(b)) for h in (office_hours, hours) for a, b in h.breaks]
    found: list[Slot] = []
    start = opens
    while start <= last_start and start + rules.slot_minutes <= closes:
        end = start + rules.slot_minutes
        clash = next((b for a, b in breaks if start < b and a < end), None)
        if clash is not None:
            start = clash  # carry on right after the break
            continue
        found.append(Slot(_at(start), _at(end), rules.capacity))
        start = end
    return found


def reserved_for_bookings(service: Service, rules: BookingRules) -> int:
    """Tickets of the daily quota held for bookings (0 without a quota or a share)."""
    if not rules.enabled or service.daily_quota is None:
        return 0
    return service.daily_quota * rules.reserved_share // 100


def walk_in_quota(service: Service, rules: BookingRules) -> int | None:
    """How many walk-in tickets a day may bring (None: no quota)."""
    if service.daily_quota is None:
        return None
    return service.daily_quota - reserved_for_bookings(service, rules)


def day_capacity(service: Service, rules: BookingRules, day_slots: list[Slot]) -> int:
    """Bookings one day takes: every slot full, within the quota's reserved share if any."""
    total = sum(s.capacity for s in day_slots)
    if service.daily_quota is not None and rules.reserved_share > 0:
        return min(total, reserved_for_bookings(service, rules))
    return total


def slot_at(office: Office, day: date, start: time) -> datetime:
    """The slot's start as an aware moment in the office's zone."""
    return datetime.combine(day, start, tzinfo=calendar.zone(office.timezone))


def check_bookable(
    office: Office,
    service: Service,
    rules: BookingRules,
    now: datetime,
    day: date,
    start: time,
    taken_in_slot: int,
    taken_on_day: int,
) -> Slot:
    """Raise why `day` at `start` cannot be booked now, given the bookings already held;
    return the slot when it can."""
    if not rules.enabled or not service.active:
        raise BookingNotOffered(service=service.code)
    today = calendar.service_date(office, now)
    if not today <= day <= today + timedelta(days=rules.days_ahead):
        raise BookingDayOutOfRange(days=rules.days_ahead)
    day_slots = slots(office, service, rules, day)
    slot = next((s for s in day_slots if s.start == start), None)
    if slot is None or slot_at(office, day, start) <= now:
        raise SlotUnavailable(time=start.strftime("%H:%M"))
    if taken_in_slot >= slot.capacity:
        raise SlotFull(time=start.strftime("%H:%M"))
    if taken_on_day >= day_capacity(service, rules, day_slots):
        raise BookingDayFull(service=service.code)
    return slot


class Arrival(StrEnum):
    EARLY = "early"  # before the slot: on hold until its time, then ahead of walk-ins
    ON_TIME = "on_time"  # the slot has started, within grace: straight to the front
    WALK_IN = "walk_in"  # past grace, and the service lets late visitors queue as walk-ins


def on_arrival(rules: BookingRules, slot_start: datetime, now: datetime) -> Arrival:
    """What checking in at `now` does for a booking whose slot starts at `slot_start`."""
    if now < slot_start - timedelta(minutes=rules.early_minutes):
        opens = slot_start - timedelta(minutes=rules.early_minutes)
        raise CheckInTooEarly(time=opens.strftime("%H:%M"))
    if now < slot_start:
        return Arrival.EARLY
    if now <= slot_start + timedelta(minutes=rules.grace_minutes):
        return Arrival.ON_TIME
    if rules.late is LateRule.WALK_IN:
        return Arrival.WALK_IN
    raise BookingLapsed(time=slot_start.strftime("%H:%M"))


def lapsed(rules: BookingRules, slot_start: datetime, now: datetime) -> bool:
    """Whether a booking never checked in is a no-show by now (its grace period is over)."""
    return now > slot_start + timedelta(minutes=rules.grace_minutes)


class Reminder(StrEnum):
    DAY_BEFORE = "reminder_day"
    HOUR_BEFORE = "reminder_hour"


def reminders_due(slot_start: datetime, booked_at: datetime, now: datetime) -> list[Reminder]:
    """The reminders due now for a confirmed booking: the day before (24 hours ahead) and an
    hour before, each only when the booking was made before its moment and the slot is ahead."""
    due: list[Reminder] = []
    if now >= slot_start:
        return due
    for kind, ahead in ((Reminder.DAY_BEFORE, timedelta(hours=24)),
                        (Reminder.HOUR_BEFORE, timedelta(hours=1))):  # fmt: skip
        moment = slot_start - ahead
        if booked_at < moment <= now:
            due.append(kind)
    if Reminder.DAY_BEFORE in due and Reminder.HOUR_BEFORE in due:
        due.remove(Reminder.DAY_BEFORE)  # a late sweep sends only the nearer one
    return due
