"""Expected waiting time, shown as a range: never false precision."""

from __future__ import annotations

import math
from typing import NamedTuple


class EstimateRange(NamedTuple):
    low: int
    high: int


def estimate_wait(ahead: int, mean_service_minutes: float, servers: int) -> EstimateRange:
    """Baseline: people ahead x mean service time / counters serving, widened to a range.

    The range is at most max(10 min, half the midpoint) wide so it stays useful.
    """
    if ahead <= 0:
        return EstimateRange(0, max(1, math.ceil(mean_service_minutes / max(1, servers))))
    mid = ahead * mean_service_minutes / max(1, servers)
    half = min(max(1.0, 0.25 * mid), max(5.0, 0.25 * mid))
    return EstimateRange(max(0, math.floor(mid - half)), math.ceil(mid + half))
