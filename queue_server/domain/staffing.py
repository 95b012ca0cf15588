"""How many counters an hour needs so that 90% of visitors wait no longer than the target.

Erlang C (M/M/c): with arrival rate λ, mean service time s and c counters (load a = λs, c > a),
the chance to wait at all is C(c, a), and P(wait > t) = C(c, a) · exp(-(c/s - λ) t). The 90th
percentile wait is the t where that falls to 10%. Pure; `queue_server.simulation.staffing`
checks the answers by simulation, with log-normal service times.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def erlang_c(servers: int, load: float) -> float:
    """The chance an arrival waits, for `servers` counters and offered `load` (erlangs)."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    term = 1.0  # a^k / k!, built up to keep large k stable
    total = 1.0
    for k in range(1, servers):
        term *= load / k
        total += term
    top = term * load / servers * servers / (servers - load)
    return top / (total + top)


def p90_wait(arrivals_per_hour: float, mean_service_minutes: float, servers: int) -> float:
    """Minutes within which 90% of visitors are called (inf when the counters cannot keep up)."""
    rate = arrivals_per_hour / 60
    load = rate * mean_service_minutes
    if servers <= load:
        return math.inf
    waiting = erlang_c(servers, load)
    if waiting <= 0.1:
        return 0.0
    return math.log(waiting / 0.1) / (servers / mean_service_minutes - rate)


def counters_needed(
    arrivals_per_hour: float, mean_service_minutes: float, target_minutes: float, limit: int = 50
) -> int:
    """The fewest counters keeping the 90th-percentile wait within `target_minutes`."""
    if arrivals_per_hour <= 0:
        return 0
    for servers in range(1, limit + 1):
        if p90_wait(arrivals_per_hour, mean_service_minutes, servers) <= target_minutes:
            return servers
    return limit


@dataclass(frozen=True)
class Advice:
    weekday: int  # 0 = Monday
    start_hour: int
    end_hour: int  # exclusive
    counters: int


def advise(needed: Sequence[Sequence[int]], hours: Sequence[int]) -> list[Advice]:
    """Consecutive hours needing the same number of counters, per weekday, merged:
    "Senin 08:00-10:00: buka 4 loket"."""
    advice: list[Advice] = []
    for weekday, row in enumerate(needed):
        run_start: int | None = None
        for i, hour in enumerate(hours):
            count = row[i]
            if run_start is not None and (count != row[i - 1] or hours[i - 1] != hour - 1):
                advice.append(Advice(weekday, run_start, hours[i - 1] + 1, row[i - 1]))
                run_start = None
            if count > 0 and run_start is None:
                run_start = hour
            if count == 0:
                run_start = None
        if run_start is not None and hours:
            advice.append(Advice(weekday, run_start, hours[-1] + 1, row[len(hours) - 1]))
    return advice
