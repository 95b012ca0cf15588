"""The consultation desk's pure rules: due times in calendar or working hours, the inbox's
order, and the figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain import consultation as rules
from queue_server.domain.model import DayHours
from tests.domain.builders import FRIDAY, MONDAY, SATURDAY, WIB, local, make_office

WEEKDAYS = {
    d: DayHours(time(8, 0), time(16, 0), breaks=((time(12, 0), time(13, 0)),)) for d in range(5)
}  # seven working hours a day, Monday to Friday
CALENDAR = rules.Target(24, rules.CALENDAR)
WORKING = rules.Target(24, rules.WORKING)


def office(closed: tuple[date, ...] = ()) -> object:
    return make_office(WIB, hours=WEEKDAYS, closed_dates=closed)


def test_calendar_hours_are_plain_hours() -> None:
    opened = local(FRIDAY, 15, 30)
    assert rules.due_at(office(), opened, CALENDAR) == opened + timedelta(hours=24)


def test_working_hours_skip_nights_breaks_weekends_and_holidays() -> None:
    # Friday 15:30: half an hour left on Friday, then Monday 7 h, Tuesday 7 h, Wednesday 7 h,
    # and 2.5 h on Thursday: 08:00 + 2.5 h with no break before noon = 10:30
    opened = local(FRIDAY, 15, 30)
    assert rules.due_at(office(), opened, WORKING) == local(FRIDAY + timedelta(days=6), 10, 30)
    # a holiday on Tuesday pushes it one working day on
    holiday = (FRIDAY + timedelta(days=4),)
    assert rules.due_at(office(holiday), opened, WORKING) == local(
        FRIDAY + timedelta(days=7), 10, 30
    )
    # opened at night on a Saturday: counted from Monday 08:00; 4 h then the break, 3 h more
    short = rules.Target(5, rules.WORKING)
    assert rules.due_at(office(), local(SATURDAY, 22), short) == local(MONDAY + timedelta(7), 14)


def test_an_office_without_hours_counts_calendar_hours() -> None:
    closed = make_office(WIB, hours={})
    opened = local(MONDAY, 9)
    assert rules.due_at(closed, opened, WORKING) == opened + timedelta(hours=24)


def test_target_from_settings() -> None:
    assert rules.target_from_json(None) == rules.Target(24, "calendar")
    assert rules.target_from_json({"target_hours": 8, "count": "working"}) == rules.Target(
        8, "working"
    )
    assert rules.target_from_json({"target_hours": "x", "count": "odd"}) == CALENDAR
    assert rules.target_from_json({"target_hours": 99999}).hours == rules.MAX_TARGET_HOURS


instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)
hours = st.integers(min_value=1, max_value=120)
holidays = st.lists(st.dates(date(2024, 1, 1), date(2027, 3, 1)), max_size=5)


@settings(max_examples=150, deadline=None)
@given(opened=instants, target=hours, closed=holidays)
def test_working_due_is_never_earlier_than_calendar_due(
    opened: datetime, target: int, closed: list[date]
) -> None:
    place = office(tuple(closed))
    working = rules.due_at(place, opened, rules.Target(target, rules.WORKING))
    assert working >= rules.due_at(place, opened, rules.Target(target, rules.CALENDAR))


@settings(max_examples=150, deadline=None)
@given(opened=instants, target=hours, closed=holidays, extra=st.dates(date(2024, 1, 1)))
def test_a_holiday_never_makes_it_earlier(
    opened: datetime, target: int, closed: list[date], extra: date
) -> None:
    goal = rules.Target(target, rules.WORKING)
    before = rules.due_at(office(tuple(closed)), opened, goal)
    assert rules.due_at(office((*closed, extra)), opened, goal) >= before


@settings(max_examples=150, deadline=None)
@given(opened=instants, target=hours, closed=holidays, working=st.booleans())
def test_exactly_the_target_of_open_time_lies_between_open_and_due(
    opened: datetime, target: int, closed: list[date], working: bool
) -> None:
    place = office(tuple(closed))
    goal = rules.Target(target, rules.WORKING if working else rules.CALENDAR)
    due = rules.due_at(place, opened, goal)
    assert rules.open_time(place, opened, due, goal) == timedelta(hours=target)
    # and the due time is the first such instant: a second earlier, not enough yet
    assert rules.open_time(place, opened, due - timedelta(seconds=1), goal) < timedelta(
        hours=target
    )


@settings(max_examples=100, deadline=None)
@given(opened=instants, a=hours, b=hours)
def test_a_longer_target_is_never_due_sooner(opened: datetime, a: int, b: int) -> None:
    low, high = sorted((a, b))
    for count in (rules.CALENDAR, rules.WORKING):
        assert rules.due_at(office(), opened, rules.Target(low, count)) <= rules.due_at(
            office(), opened, rules.Target(high, count)
        )


def _item(id: int, due: int, answered: bool = False, waiting: bool = True, last: int = 0,
          status: str = "open") -> rules.InboxItem:  # fmt: skip
    base = datetime(2026, 11, 23, 2, tzinfo=UTC)
    return rules.InboxItem(id, status, base + timedelta(hours=due), answered, waiting,
                           base + timedelta(minutes=last))  # fmt: skip


def test_inbox_order_least_time_left_first() -> None:
    items = [
        _item(1, due=5),
        _item(2, due=-3),  # overdue: first
        _item(3, due=20, answered=True, waiting=True, last=10),
        _item(4, due=1, answered=True, waiting=False, last=50),
        _item(5, due=2),
        _item(6, due=-9, status="closed"),
        _item(7, due=30, answered=True, waiting=True, last=5),
    ]
    assert [i.id for i in rules.inbox_order(items)] == [2, 5, 1, 7, 3, 4, 6]


def test_figures_by_hand() -> None:
    base = datetime(2026, 11, 23, 1, tzinfo=UTC)  # 08:00 WIB
    due = base + timedelta(hours=24)
    facts = [
        rules.Facts(base, due, base + timedelta(minutes=10), "budi"),
        rules.Facts(base, due, base + timedelta(minutes=30), "siti"),
        rules.Facts(base, due, base + timedelta(hours=30), "budi"),  # late
        rules.Facts(base + timedelta(days=1), due + timedelta(days=1), None, None),  # not yet due
        rules.Facts(base - timedelta(days=3), due - timedelta(days=3), None, None),  # overdue
    ]
    found = rules.figures(facts, WIB, now=base + timedelta(days=1, hours=1))
    assert found.per_day == {date(2026, 11, 20): 1, date(2026, 11, 23): 3, date(2026, 11, 24): 1}
    assert found.total.conversations == 5 and found.total.answered == 3
    assert found.total.median_minutes == 30 and found.total.p90_minutes == 1800
    assert (found.total.within_target, found.total.judged) == (2, 4)
    assert found.total.within_target_pct == 50
    assert found.per_officer["budi"].answered == 2 and found.per_officer["budi"].judged == 2
    assert found.per_officer["siti"].within_target_pct == 100
    assert rules.figures([], WIB, base).total.median_minutes is None
