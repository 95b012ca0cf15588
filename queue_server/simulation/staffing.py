"""Checking the staffing advice by simulation: one line, `servers` counters, Poisson arrivals,
log-normal service times (not Erlang C's exponential ones)."""

from __future__ import annotations

import heapq
import math
import random


def simulated_p90(
    arrivals_per_hour: float, mean_minutes: float, servers: int, *, cv: float = 0.6,
    hours: float = 400, seed: int = 1,
) -> float:  # fmt: skip
    """The 90th-percentile wait (minutes) of a long stationary run."""
    rng = random.Random(seed)
    sigma = math.sqrt(math.log(1 + cv * cv))
    mu = math.log(mean_minutes) - sigma * sigma / 2
    free = [0.0] * servers  # when each counter is next free
    heapq.heapify(free)
    t, waits = 0.0, []
    rate = arrivals_per_hour / 60
    while t < hours * 60:
        t += rng.expovariate(rate)
        start = max(t, heapq.heappop(free))
        waits.append(start - t)
        heapq.heappush(free, start + rng.lognormvariate(mu, sigma))
    waits.sort()
    return waits[math.ceil(0.9 * len(waits)) - 1]
