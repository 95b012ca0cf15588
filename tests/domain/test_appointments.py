"""Appointments (janji temu): slots, capacity, the quota held for bookings, arrival rules,
reminders, and booked visitors joining the line at their slot's time ahead of walk-ins."""

from __future__ import annotations

from datetime import time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain import appointments as appt
from queue_server.domain.errors import QuotaReached
from queue_server.domain.model import (
    BookingRules,
    Channel,
    DayHours,
    LateRule,
    Schedule,
    TicketStatus,
)
from queue_server.domain.queue import call_next, finish, issue, open_counter, release_due
from tests.domain.builders import FRIDAY, MONDAY, local, make_office, make_state, run, service, take

WEEKDAYS = {d: DayHours(time(8), time(15), last_ticket=time(14)) for d in range(5)}
FRIDAY_HOURS = DayHours(time(8), time(15), last_ticket=time(14), breaks=((time(11, 30), time(13)),))
HOURS = {**WEEKDAYS, 4: FRIDAY_HOURS}
RULES = BookingRules(enabled=True, slot_minutes=30, capacity=3, days_ahead=7)


def test_slots_run_from_opening_to_last_ticket_and_skip_breaks() -> None:
    office = make_office(hours=HOURS)
    svc = service("K", booking=RULES)
    monday = appt.slots(office, svc, RULES, MONDAY)
    assert monday[0].start == time(8) and monday[-1].start == time(14)
    assert len(monday) == 13 and all(s.capacity == 3 for s in monday)
    friday = [s.start for s in appt.slots(office, svc, RULES, FRIDAY)]
    assert time(11) in friday and time(11, 30) not in friday and time(12, 30) not in friday
    assert time(13) in friday  # right after Friday prayer
    assert appt.slots(office, svc, RULES, MONDAY + timedelta(days=5)) == []  # Saturday: closed


def test_a_ramadan_schedule_and_holidays_change_the_slots() -> None:
    ramadan = Schedule("Ramadan", MONDAY, MONDAY + timedelta(days=29),
                       {d: DayHours(time(8), time(12)) for d in range(5)})  # fmt: skip
    office = make_office(hours=HOURS)
    office = type(office)(**{**office.__dict__, "schedules": (ramadan,)})
    svc = service("K", booking=RULES)
    assert appt.slots(office, svc, RULES, MONDAY)[-1].start == time(11, 30)
    closed = make_office(hours=HOURS, closed_dates=[MONDAY])
    assert appt.slots(closed, svc, RULES, MONDAY) == []


def test_bookings_off_or_service_inactive_offer_nothing() -> None:
    office = make_office(hours=HOURS)
    off = BookingRules()
    assert appt.slots(office, service("K", booking=off), off, MONDAY) == []
    with pytest.raises(appt.BookingNotOffered):
        appt.check_bookable(office, service("K", booking=off), off, local(MONDAY, 7), MONDAY,
                            time(9), 0, 0)  # fmt: skip


@pytest.mark.parametrize(
    ("day_offset", "start", "in_slot", "on_day", "error"),
    [
        (-1, time(9), 0, 0, appt.BookingDayOutOfRange),
        (8, time(9), 0, 0, appt.BookingDayOutOfRange),
        (1, time(9, 10), 0, 0, appt.SlotUnavailable),  # not a slot's start
        (1, time(14, 30), 0, 0, appt.SlotUnavailable),  # past the last-ticket time
        (0, time(7), 0, 0, appt.SlotUnavailable),  # before opening
        (0, time(9), 0, 0, appt.SlotUnavailable),  # already begun today (now is 10:00)
        (1, time(9), 3, 3, appt.SlotFull),
    ],
)
def test_what_cannot_be_booked(
    day_offset: int, start: time, in_slot: int, on_day: int, error: type[Exception]
) -> None:
    office = make_office(hours=HOURS)
    svc = service("K", booking=RULES)
    with pytest.raises(error):
        day = MONDAY + timedelta(days=day_offset)
        appt.check_bookable(office, svc, RULES, local(MONDAY, 10), day, start, in_slot, on_day)


def test_the_quota_share_caps_bookings_and_leaves_the_rest_to_walk_ins() -> None:
    rules = BookingRules(enabled=True, capacity=50, reserved_share=60)
    svc = service("K", booking=rules, daily_quota=400)
    office = make_office(hours=HOURS)
    assert appt.reserved_for_bookings(svc, rules) == 240
    assert appt.walk_in_quota(svc, rules) == 160
    assert appt.day_capacity(svc, rules, appt.slots(office, svc, rules, MONDAY)) == 240
    with pytest.raises(appt.BookingDayFull):
        appt.check_bookable(office, svc, rules, local(MONDAY, 7), MONDAY, time(9), 0, 240)
    # Walk-ins stop at 160 while booked check-ins still get their tickets.
    state = make_state([svc], office=office)
    state.last_seq["K"] = 160
    with pytest.raises(QuotaReached):
        take(state, "K", local(MONDAY, 9))
    events = run(state, issue, service="K", now=local(MONDAY, 9), ticket_id="b1", token="tb1",
                 channel=Channel.BOOKING, due_at=local(MONDAY, 9))  # fmt: skip
    assert events[0].ticket is not None and events[0].ticket.number == "K161"
    assert state.appointments == {"K": 1}


@pytest.mark.parametrize(
    ("minutes", "late", "expected"),
    [
        (-61, LateRule.WALK_IN, appt.CheckInTooEarly),
        (-60, LateRule.WALK_IN, appt.Arrival.EARLY),
        (0, LateRule.WALK_IN, appt.Arrival.ON_TIME),
        (15, LateRule.WALK_IN, appt.Arrival.ON_TIME),
        (16, LateRule.WALK_IN, appt.Arrival.WALK_IN),
        (16, LateRule.NO_SHOW, appt.BookingLapsed),
    ],
)
def test_arrival_by_the_clock(minutes: int, late: LateRule, expected: object) -> None:
    rules = BookingRules(enabled=True, grace_minutes=15, early_minutes=60, late=late)
    start = local(MONDAY, 10)
    now = start + timedelta(minutes=minutes)
    if isinstance(expected, type) and issubclass(expected, Exception):
        with pytest.raises(expected):
            appt.on_arrival(rules, start, now)
    else:
        assert appt.on_arrival(rules, start, now) is expected
    assert appt.lapsed(rules, start, now) == (minutes > 15)


def test_reminders_the_day_before_and_an_hour_before_once_each() -> None:
    start = local(MONDAY, 10)
    booked = start - timedelta(days=3)
    assert appt.reminders_due(start, booked, start - timedelta(hours=25)) == []
    assert appt.reminders_due(start, booked, start - timedelta(hours=23)) == [
        appt.Reminder.DAY_BEFORE
    ]
    assert appt.reminders_due(start, booked, start - timedelta(minutes=30)) == [
        appt.Reminder.HOUR_BEFORE
    ]
    late_booking = start - timedelta(hours=3)  # booked today: no "tomorrow" reminder
    assert appt.reminders_due(start, late_booking, start - timedelta(minutes=30)) == [
        appt.Reminder.HOUR_BEFORE
    ]
    assert appt.reminders_due(start, booked, start + timedelta(minutes=1)) == []


def test_a_booked_visitor_waits_on_hold_until_the_slot_then_goes_ahead_of_walk_ins() -> None:
    svc = service("K", booking=RULES)
    state = make_state([svc], {1: ("K",)}, office=make_office(hours=HOURS))
    run(state, open_counter, 1, "budi", local(MONDAY, 8))
    walk_in = take(state, "K", local(MONDAY, 8, 5))
    slot = local(MONDAY, 9)
    events = run(state, issue, service="K", now=local(MONDAY, 8, 30), ticket_id="b1",
                 token="tb1", channel=Channel.BOOKING, due_at=slot)  # fmt: skip
    early = events[0].ticket
    assert early is not None and early.status is TicketStatus.ON_HOLD and early.due_at == slot
    assert release_due(state, local(MONDAY, 8, 59)) == []
    first = run(state, call_next, 1, "budi", local(MONDAY, 8, 40))[0].ticket
    assert first is not None and first.id == walk_in.id  # before the slot: walk-ins go on
    later_walk_in = take(state, "K", local(MONDAY, 8, 45))
    due = run(state, release_due, local(MONDAY, 9))
    assert [e.ticket.id for e in due if e.ticket] == ["b1"]
    assert state.tickets["b1"].status is TicketStatus.WAITING
    run(state, finish, first.id, "budi", local(MONDAY, 9, 1))
    called = run(state, call_next, 1, "budi", local(MONDAY, 9, 2))[0].ticket
    assert called is not None and called.id == "b1"  # the booked visitor, ahead of the walk-in
    assert state.tickets[later_walk_in.id].status is TicketStatus.WAITING


def test_only_booked_tickets_carry_a_due_time() -> None:
    state = make_state([service("K", booking=RULES)], office=make_office(hours=HOURS))
    with pytest.raises(ValueError):
        issue(state, service="K", now=local(MONDAY, 9), ticket_id="x", token="y",
              channel=Channel.KIOSK, due_at=local(MONDAY, 9))  # fmt: skip


@given(
    slot_minutes=st.sampled_from([10, 15, 20, 30, 45, 60]),
    opens=st.integers(6 * 60, 10 * 60),
    length=st.integers(60, 9 * 60),
    breaks=st.lists(st.tuples(st.integers(0, 9 * 60), st.integers(5, 120)), max_size=3),
)
def test_slots_never_overlap_each_other_or_a_break_and_stay_within_hours(
    slot_minutes: int, opens: int, length: int, breaks: list[tuple[int, int]]
) -> None:
    def t(m: int) -> time:
        return time(min(m, 23 * 60 + 59) // 60, min(m, 23 * 60 + 59) % 60)

    closes = min(opens + length, 23 * 60 + 59)
    pauses = tuple((t(opens + a), t(min(opens + a + b, closes))) for a, b in breaks)
    hours = DayHours(t(opens), t(closes), breaks=tuple(p for p in pauses if p[0] < p[1]))
    office = make_office(hours=dict.fromkeys(range(7), hours))
    rules = BookingRules(enabled=True, slot_minutes=slot_minutes)
    found = appt.slots(office, service("K", booking=rules), rules, MONDAY)
    for slot in found:
        assert hours.opens <= slot.start < slot.end <= t(closes)
        for a, b in hours.breaks:
            assert not (slot.start < b and a < slot.end)
    for before, after in pairwise(found):
        assert before.end <= after.start
