"""Wait forecasts by replaying the line forward in time. Pure.

The simple rule (people ahead x mean service time / open counters) treats every visitor and
counter alike. This forecast instead lets each staffed counter, when it frees up, call whom the
office's own rules would give it (priority lane, fairness, preference order), using the learned
mean service time of each service, and counting the time left on the visitor it serves now.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from datetime import datetime

from .estimate import EstimateRange
from .model import CounterState, TicketStatus
from .ordering import Lines, next_streak, staffed
from .queue import OfficeQueue

PAUSE_LEFT_MINUTES = 15.0  # a counter on a break is assumed back in this long


def forecast_calls(
    state: OfficeQueue, now: datetime, means: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Minutes from `now` until each waiting ticket is expected to be called."""
    mean = dict(state.service_minutes)
    if means:
        mean.update(means)

    def service_time(code: str) -> float:
        svc = state.services.get(code)
        return mean.get(code, float(svc.target_minutes) if svc else 15.0)

    lines = Lines.build(state.tickets.values(), state.calls)
    heap: list[tuple[float, int]] = []
    streaks: dict[int, int] = {}
    for counter in staffed(state.counters.values()):
        free_in = 0.0
        if counter.state is CounterState.PAUSED:
            free_in = PAUSE_LEFT_MINUTES
        current = state.tickets.get(counter.current_ticket) if counter.current_ticket else None
        if current is not None and current.status in (TicketStatus.CALLED, TicketStatus.SERVING):
            begun = current.started_at or current.called_at or now
            elapsed = (now - begun).total_seconds() / 60
            free_in = max(free_in, service_time(current.service) - elapsed, 1.0)
        heapq.heappush(heap, (free_in, counter.number))
        streaks[counter.number] = counter.priority_streak
    called: dict[str, float] = {}
    while heap:
        at, number = heapq.heappop(heap)
        counter = state.counters[number]
        picked = lines.pick(counter, streaks[number], state.office.policy)
        if picked is None:
            continue  # nothing more for this counter
        streaks[number] = next_streak(streaks[number], picked)
        called[picked.id] = at
        heapq.heappush(heap, (at + service_time(picked.service), number))
    return called


def as_range(minutes: float) -> EstimateRange:
    """A forecast as the range shown: leaning late (waiting longer than told angers a lobby),
    never wider than max(10 min, half the midpoint)."""
    if minutes <= 0.5:
        return EstimateRange(0, 2)
    low = math.floor(max(0.0, minutes * 0.8 - 1))
    high = math.ceil(minutes * 1.25 + 2)
    while high - low > max(10.0, 0.5 * (low + high) / 2):  # keep it useful, leaning late
        low += 1
    return EstimateRange(low, high)
