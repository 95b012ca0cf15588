"""The replay forecast: counters free up in turn and call whom the rules give them."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain import queue as domain
from queue_server.domain.forecast import (
    ArrivalProfile,
    Calibration,
    History,
    Sample,
    as_range,
    forecast_calls,
    useful,
)
from queue_server.domain.queue import PRIOR_WEIGHT, apply_all, record_service_time

from .builders import MONDAY, local, make_state, service, take

T0 = local(MONDAY, 9)


def test_each_counter_calls_in_turn_with_each_services_own_time() -> None:
    state = make_state([service("A"), service("B")], counters={1: ("A",), 2: ("B",)})
    state.service_minutes.update({"A": 10.0, "B": 4.0})
    for n in (1, 2):
        apply_all(state, domain.open_counter(state, n, f"p{n}", T0))
    a = [take(state, "A", T0) for _ in range(3)]
    b = [take(state, "B", T0) for _ in range(3)]
    calls = forecast_calls(state, T0)
    assert [calls[t.id] for t in a] == [0, 10, 20]  # counter 1 alone serves A, 10 min each
    assert [calls[t.id] for t in b] == [0, 4, 8]  # counter 2 serves B, 4 min each


def test_time_left_on_the_visitor_being_served() -> None:
    state = make_state([service("A")], counters={1: ("A",)})
    state.service_minutes["A"] = 10.0
    apply_all(state, domain.open_counter(state, 1, "p1", T0))
    first = take(state, "A", T0)
    nxt = take(state, "A", T0)
    apply_all(state, domain.call_next(state, 1, "p1", T0))
    apply_all(state, domain.start(state, first.id, "p1", T0))
    assert forecast_calls(state, T0 + timedelta(minutes=4))[nxt.id] == 6  # 10 - 4 minutes left


def test_ranges_lean_late_and_stay_useful() -> None:
    assert as_range(0) == (0, 2)
    for minutes in (1, 5, 12, 30, 75, 240):
        low, high = as_range(minutes)
        assert low <= minutes <= high
        assert high - low <= max(10, 0.5 * (low + high) / 2)
        assert high - minutes >= minutes - low  # later rather than sooner


# ---- learning from history ----
def test_expected_arrivals_are_spread_where_the_count_passes_each_half() -> None:
    profile = ArrivalProfile.learn([(8, "A", False)] * 4 + [(8, "B", True)], days=2)
    assert profile.rates[8] == {("A", False): 2.0, ("B", True): 0.5}
    assert profile.expected() == [(8 * 60 + 15, "A", False), (8 * 60 + 45, "A", False),
                                  (9 * 60, "B", True)]  # fmt: skip


def test_expected_arrivals_overtake_at_a_counter_preferring_their_service() -> None:
    # counter 1 calls B before A (preference order): a B visitor history expects before the
    # counter frees up is served before the A ticket already waiting
    state = make_state([service("A"), service("B")], counters={1: ("B", "A")})
    state.service_minutes.update({"A": 10.0, "B": 10.0})
    state.history = History(ArrivalProfile({9: {("B", False): 1.0}}, days=1))
    apply_all(state, domain.open_counter(state, 1, "p1", T0))
    first = take(state, "A", T0)
    waiting = take(state, "A", T0)
    apply_all(state, domain.call_next(state, 1, "p1", T0))
    apply_all(state, domain.start(state, first.id, "p1", T0))
    assert forecast_calls(state, T0)[waiting.id] == 10  # nobody new: after the first visitor
    expected = state.expected_arrivals(T0)
    assert [round(a.at) for a in expected] == [30]  # 09:30, the middle of the hour
    # four an hour: 09:07:30 (before the counter frees at 09:10), then 09:22:30 (after the B)
    state.history = History(ArrivalProfile({9: {("B", False): 4.0}}, days=1))
    assert forecast_calls(state, T0, arrivals=state.expected_arrivals(T0))[waiting.id] == 20


def test_expected_priority_arrivals_go_first() -> None:
    state = make_state([service("A")], counters={1: ("A",)})
    state.service_minutes["A"] = 10.0
    state.history = History(ArrivalProfile({9: {("A", True): 6.0}}, days=1))  # 09:05, 09:15 ...
    apply_all(state, domain.open_counter(state, 1, "p1", T0))
    tickets = [take(state, "A", T0) for _ in range(3)]
    calls = forecast_calls(state, T0, arrivals=state.expected_arrivals(T0))
    # 09:00 first; at 09:10 the 09:05 priority visitor; 09:20 the 09:15 one; and so on
    assert calls[tickets[0].id] == 0
    assert calls[tickets[1].id] > 10


def test_calibration_learns_how_forecasts_turned_out() -> None:
    samples = [Sample(forecast=f, actual=f * 1.2, priority=False, hour=9)
               for f in (30.0, 35.0, 38.0) * 100]  # fmt: skip
    calibration = Calibration.learn(samples)
    assert calibration.ready
    low, high = calibration.range(30.0, priority=False, hour=9)
    assert low <= 36 <= high  # the forecasts were 20% short: the range says so
    assert not Calibration.learn(samples[:10]).ready
    assert Calibration().range(30.0, False, 9) == as_range(30.0)  # nothing learned yet


def test_the_range_shown_comes_from_history_once_there_is_enough() -> None:
    state = make_state([service("A")], counters={1: ("A",)})
    state.service_minutes["A"] = 10.0
    apply_all(state, domain.open_counter(state, 1, "p1", T0))
    for _ in range(4):
        take(state, "A", T0)
    last = take(state, "A", T0)
    assert last.forecast_minutes == 40  # kept on the ticket, to learn from later
    ahead = state.ahead(last)
    assert state.estimate(last, ahead, T0) == state.simple_estimate(last, ahead)  # no history
    late = [Sample(f, f * 1.5, False, 9) for f in (20.0, 30.0, 40.0, 50.0, 60.0) * 50]
    state.history = History(calibration=Calibration.learn(late))
    low, high = state.estimate(last, ahead, T0)
    assert low <= 60 <= high  # forecasts like this one ran 50% over


def test_service_times_lean_on_past_days_while_today_has_few() -> None:
    state = make_state([service("A")])
    state.history = History(service_minutes={"A": 10.0})
    record_service_time(state, "A", 25.0)
    assert state.service_minutes["A"] == (25 + PRIOR_WEIGHT * 10) / (1 + PRIOR_WEIGHT)
    for _ in range(100):
        record_service_time(state, "A", 4.0)
    assert state.service_minutes["A"] == (30 * 4 + PRIOR_WEIGHT * 10) / (30 + PRIOR_WEIGHT)


@given(
    st.floats(0, 600), st.floats(0, 300), st.floats(0, 300),
)  # fmt: skip
def test_shown_ranges_always_stay_useful(mid: float, below: float, above: float) -> None:
    low, high = useful(max(0.0, mid - below), mid, mid + above)
    assert 0 <= low <= high
    assert high - low <= max(10, 0.5 * (low + high) / 2)
