"""Offices side by side: the public list's order, whether an office is open now, and the IKM
from per-element totals (as the dashboard's grouped query returns them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain import skm
from queue_server.domain.calendar import open_state
from queue_server.domain.model import DayHours
from queue_server.domain.regency import Load, visiting_order
from tests.domain.builders import make_office


def test_least_busy_open_office_first() -> None:
    offices = [
        Load("Grati", open=False, waiting=0, counters_open=0),  # closed: last, however empty
        Load("Sukorejo", open=True, waiting=12, counters_open=4),  # 3 per counter
        Load("Winongan", open=True, waiting=5, counters_open=1),  # 5 per counter
        Load("Bangil", open=True, waiting=3, counters_open=1),  # 3 per counter, fewer waiting
        Load("Lekok", open=True, waiting=0, counters_open=0),
    ]
    names = [o.name for o in sorted(offices, key=visiting_order)]
    assert names == ["Lekok", "Bangil", "Sukorejo", "Winongan", "Grati"]


def test_no_counter_open_counts_everyone_waiting() -> None:
    assert Load("A", True, 4, 0).per_counter == 4
    assert Load("A", True, 4, 2).per_counter == 2


def test_open_state_in_the_office_time_zone() -> None:
    office = make_office(hours={0: DayHours(time(8), time(15), breaks=((time(12), time(13)),))})
    monday = date(2026, 11, 23)

    def at(hour: int, minute: int = 0) -> datetime:  # WIB = UTC+7
        return datetime(2026, 11, 23, hour - 7, minute, tzinfo=UTC)

    assert open_state(office, at(7, 59))[0] == "closed"
    assert open_state(office, at(8))[0] == "open"
    assert open_state(office, at(12, 30))[0] == "break"
    assert open_state(office, at(15))[0] == "closed"
    status, hours = open_state(office, at(9))
    assert status == "open" and hours is not None and hours.closes == time(15)
    tuesday = datetime(2026, 11, 24, 2, tzinfo=UTC)
    assert open_state(office, tuesday) == ("closed", None)  # no hours on Tuesdays
    holiday = make_office(hours=office.hours, closed_dates=[monday])
    assert open_state(holiday, at(9)) == ("closed", None)


scores = st.lists(st.lists(st.integers(1, 4), min_size=9, max_size=9), max_size=30)


@given(scores)
def test_index_of_totals_is_the_index_of_the_answers(answers: list[list[int]]) -> None:
    totals = [sum(a[i] for a in answers) for i in range(9)]
    assert skm.index_of_totals(len(answers), totals) == skm.index(answers)
