"""Date-range schedules (Ramadan hours) and four-digit ticket numbers."""

from __future__ import annotations

import dataclasses
from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain import calendar, errors
from queue_server.domain.model import DayHours, Office, Schedule, overlapping
from queue_server.domain.numbering import format_number, parse_number

from .builders import FRIDAY, MONDAY, SATURDAY, local, make_office, make_state, service, take

WEEKDAYS = {d: DayHours(opens=time(8, 0), closes=time(15, 0)) for d in range(5)}
RAMADAN_HOURS = {d: DayHours(opens=time(8, 0), closes=time(13, 0)) for d in range(4)}
# Monday 1 July .. Thursday 4 July; Friday is missing from the schedule: closed.
RAMADAN = Schedule("Ramadan", MONDAY, MONDAY + timedelta(days=3), RAMADAN_HOURS)


def ramadan_office(**kwargs: object) -> Office:
    return dataclasses.replace(make_office(hours=WEEKDAYS), schedules=(RAMADAN,), **kwargs)


def test_a_schedule_replaces_the_office_hours_on_its_dates_both_ends_included() -> None:
    office = ramadan_office()
    assert calendar.hours_on(office, None, MONDAY) == RAMADAN_HOURS[0]
    assert calendar.hours_on(office, None, MONDAY + timedelta(days=3)) == RAMADAN_HOURS[3]
    before = MONDAY - timedelta(days=7)
    assert calendar.hours_on(office, None, before) == WEEKDAYS[0]
    assert calendar.hours_on(office, None, MONDAY + timedelta(days=7)) == WEEKDAYS[0]


def test_a_weekday_missing_from_the_schedule_is_closed_and_closed_dates_still_win() -> None:
    office = dataclasses.replace(
        make_office(hours=WEEKDAYS),
        schedules=(Schedule("Ramadan", MONDAY, SATURDAY, RAMADAN_HOURS),),
        closed_dates=frozenset({MONDAY}),
    )
    assert calendar.hours_on(office, None, FRIDAY) is None  # open on Fridays otherwise
    assert calendar.hours_on(office, None, MONDAY) is None


def test_schedule_hours_bound_every_service_even_with_hours_of_its_own() -> None:
    own = service("A", hours={d: DayHours(opens=time(7, 0), closes=time(16, 0)) for d in range(7)})
    office = ramadan_office()
    state = make_state([own], office=office)
    calendar.check_can_issue(office, own, local(MONDAY, 12, 59))
    with pytest.raises(errors.OfficeClosed) as closed:
        calendar.check_can_issue(office, own, local(MONDAY, 14, 0))  # open till 15 otherwise
    assert closed.value.params["closes"] == "13:00"
    assert take(state, "A", local(MONDAY, 9, 0)).number == "A001"
    # The week after, the office's own hours again.
    calendar.check_can_issue(office, own, local(MONDAY + timedelta(days=7), 14, 0))


def test_schedules_refuse_bad_dates_and_weekdays_and_overlaps_are_found() -> None:
    with pytest.raises(ValueError):
        Schedule("x", MONDAY, MONDAY - timedelta(days=1))
    with pytest.raises(ValueError):
        Schedule("x", MONDAY, MONDAY, {7: RAMADAN_HOURS[0]})
    later = Schedule("Idul Fitri", MONDAY + timedelta(days=4), MONDAY + timedelta(days=10))
    assert overlapping((RAMADAN, later)) is None
    touching = Schedule("y", MONDAY + timedelta(days=3), MONDAY + timedelta(days=5))
    assert overlapping((later, RAMADAN, touching)) is not None


def test_offices_number_with_three_or_four_digits() -> None:
    four = make_state([service("A")], office=dataclasses.replace(make_office(), number_digits=4))
    assert take(four, "A", local(MONDAY, 9)).number == "A0001"
    three = make_state([service("A")])
    assert take(three, "A", local(MONDAY, 9)).number == "A001"
    with pytest.raises(ValueError):
        dataclasses.replace(make_office(), number_digits=5)


@given(
    prefix=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2),
    digits=st.sampled_from((3, 4)),
    seqs=st.lists(st.integers(min_value=1, max_value=9999), min_size=1, max_size=30),
)
def test_numbers_parse_back_and_sort_like_their_sequence(
    prefix: str, digits: int, seqs: list[int]
) -> None:
    numbers = [format_number(prefix, seq, digits) for seq in seqs]
    assert [parse_number(n) for n in numbers] == [(prefix, seq) for seq in seqs]
    assert all(len(n) >= len(prefix) + digits for n in numbers)
    # Within the digits the office chose, the text sorts as the sequence does.
    within = [seq for seq in seqs if seq < 10**digits]
    as_text = sorted(format_number(prefix, seq, digits) for seq in within)
    assert as_text == [format_number(prefix, seq, digits) for seq in sorted(within)]


@given(
    starts=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=6),
    lengths=st.lists(st.integers(min_value=0, max_value=10), min_size=6, max_size=6),
    offset=st.integers(min_value=-5, max_value=80),
)
def test_a_day_takes_the_hours_of_the_schedule_covering_it(
    starts: list[int], lengths: list[int], offset: int
) -> None:
    base = date(2025, 2, 24)
    schedules = tuple(
        Schedule(f"s{i}", base + timedelta(days=s), base + timedelta(days=s + n),
                 {d: DayHours(opens=time(7, i), closes=time(12, 0)) for d in range(7)})
        for i, (s, n) in enumerate(zip(starts, lengths, strict=False))
    )  # fmt: skip
    if overlapping(schedules) is not None:
        return  # the API refuses overlapping schedules
    office = dataclasses.replace(make_office(hours=WEEKDAYS), schedules=schedules)
    day = base + timedelta(days=offset)
    covering = [s for s in schedules if s.start <= day <= s.end]
    found = calendar.hours_on(office, None, day)
    if covering:
        assert found == covering[0].hours[day.weekday()]
    else:
        assert found == WEEKDAYS.get(day.weekday())
