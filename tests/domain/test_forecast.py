"""The replay forecast: counters free up in turn and call whom the rules give them."""

from __future__ import annotations

from datetime import timedelta

from queue_server.domain import queue as domain
from queue_server.domain.forecast import as_range, forecast_calls
from queue_server.domain.queue import apply_all

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
