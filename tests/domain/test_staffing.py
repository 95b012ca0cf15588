"""Staffing advice: Erlang C against known values, checked by simulation, merged into advice."""

from __future__ import annotations

import math

import pytest

from queue_server.domain.staffing import Advice, advise, counters_needed, erlang_c, p90_wait
from queue_server.simulation.staffing import simulated_p90


def test_erlang_c_known_values() -> None:
    # textbook values: 2 servers at 1 erlang: C = 1/3; 5 servers at 4 erlangs: C ~ 0.5541
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(5, 4.0) == pytest.approx(0.5541, abs=1e-4)
    assert erlang_c(3, 3.0) == 1.0 and erlang_c(3, 0) == 0.0
    assert p90_wait(60, 2, 2) == math.inf  # 2 erlangs on 2 counters never settles


@pytest.mark.parametrize(
    ("per_hour", "mean", "target"), [(30, 8, 15), (60, 6, 10), (90, 12, 20), (20, 10, 5)]
)
def test_the_advice_holds_when_simulated(per_hour: float, mean: float, target: float) -> None:
    needed = counters_needed(per_hour, mean, target)
    assert simulated_p90(per_hour, mean, needed) <= target  # enough counters really are enough
    if needed > math.ceil(per_hour * mean / 60):  # one fewer, yet still able to keep up:
        assert simulated_p90(per_hour, mean, needed - 1) > 0.5 * target  # clearly worse


def test_advice_merges_hours() -> None:
    needed = [[2, 4, 4, 3, 0], [0, 0, 1, 1, 1]] + [[0] * 5] * 5
    hours = [8, 9, 10, 11, 12]
    assert advise(needed, hours) == [
        Advice(0, 8, 9, 2), Advice(0, 9, 11, 4), Advice(0, 11, 12, 3), Advice(1, 10, 13, 1),
    ]  # fmt: skip
