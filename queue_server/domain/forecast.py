"""Wait forecasts that learn from the office's history. Pure.

Three parts, each learned from past service days:

1. **The replay** (`forecast_calls`): each staffed counter, when it frees up, calls whom the
   office's own rules would give it (priority lane, fairness, preference order), taking each
   service's recent mean time and the time left on the visitor it serves now.
2. **Who is still to come** (`ArrivalProfile`): visitors who arrive later can still be called
   first — the priority lane by law, and a counter's preferred service before its others — so
   the replay lets the arrivals history expects at this hour join the lines as it runs.
3. **How far forecasts fell from what happened** (`Calibration`): breaks, missed calls and
   slow hours the replay does not see show up as the gap between past forecasts and the waits
   that followed. Its quantiles, per lane, forecast size and hour of day, turn a forecast into
   the range shown.

With too little history the office shows the simple rule (`estimate.estimate_wait`).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter as Tally
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from .estimate import EstimateRange
from .model import Channel, CounterState, Language, PriorityGroup, Ticket, TicketStatus
from .ordering import Lines, next_streak, staffed

if TYPE_CHECKING:
    from .queue import OfficeQueue

PAUSE_LEFT_MINUTES = 15.0  # a counter on a break is assumed back in this long
MIN_SAMPLES = 200  # past forecasts needed before the calibrated range replaces the simple rule
MIN_BUCKET = 40  # samples a calibration bucket needs before it speaks for itself
SIZES = (2.0, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0)  # forecast-size buckets (minutes)
LOW_QUANTILE, HIGH_QUANTILE = 0.05, 0.95


class Arrival(NamedTuple):
    """A visitor expected to arrive `at` minutes from now (`ticket` stands for them in the
    replay: never shown, never stored)."""

    at: float
    ticket: Ticket


@dataclass(frozen=True)
class ArrivalProfile:
    """Visitors per hour of the (local) day, per service and lane, averaged over past days."""

    rates: Mapping[int, Mapping[tuple[str, bool], float]] = field(default_factory=dict)
    days: int = 0

    @classmethod
    def learn(cls, arrivals: Iterable[tuple[int, str, bool]], days: int) -> ArrivalProfile:
        """From (local hour, service, priority) of every ticket taken on `days` past days."""
        if days <= 0:
            return cls()
        tally = Tally(arrivals)
        rates: dict[int, dict[tuple[str, bool], float]] = {}
        for (hour, service, priority), count in tally.items():
            rates.setdefault(hour, {})[(service, priority)] = count / days
        return cls(rates, days)

    def expected(self) -> list[tuple[float, str, bool]]:
        """A day's expected arrivals as (minute of the local day, service, priority), evenly
        spread: one where each (service, lane)'s expected count passes k + 1/2."""
        out: list[tuple[float, str, bool]] = []
        counted: dict[tuple[str, bool], float] = {}
        for hour in range(24):
            for key, per_hour in self.rates.get(hour, {}).items():
                before = counted.get(key, 0.0)
                after = before + per_hour
                k = math.floor(before + 0.5)
                while per_hour > 0 and k + 0.5 <= after:
                    if k + 0.5 > before:
                        out.append((hour * 60 + (k + 0.5 - before) * 60 / per_hour, *key))
                    k += 1
                counted[key] = after
        out.sort()
        return out


def stand_ins(
    profile: ArrivalProfile, midnight: datetime, service_date: date
) -> tuple[list[float], list[Ticket]]:
    """The day's expected arrivals as tickets for the replay, with their minute of the day."""
    minutes: list[float] = []
    tickets: list[Ticket] = []
    for number, (minute, service, priority) in enumerate(profile.expected()):
        minutes.append(minute)
        tickets.append(
            Ticket(
                id=f"~{number}",
                token="",
                service=service,
                origin_service=service,
                service_date=service_date,
                seq=1_000_000 + number,
                number="",
                status=TicketStatus.WAITING,
                priority=PriorityGroup.LANSIA if priority else PriorityGroup.NONE,
                channel=Channel.KIOSK,
                language=Language.ID,
                issued_at=midnight + timedelta(minutes=minute),
            )
        )
    return minutes, tickets


class Sample(NamedTuple):
    """One past ticket: the forecast when it was taken against the wait that followed."""

    forecast: float
    actual: float
    priority: bool
    hour: int  # local hour it was taken


def _size(minutes: float) -> int:
    return next((i for i, edge in enumerate(SIZES) if minutes < edge), len(SIZES))


def _scale(minutes: float) -> float:
    return max(minutes, 5.0)  # errors grow with the forecast; short waits err in minutes


def _quantile(values: Sequence[float], q: float) -> float:
    k = (len(values) - 1) * q
    f = math.floor(k)
    c = min(f + 1, len(values) - 1)
    return values[f] + (values[c] - values[f]) * (k - f)


BucketKey = tuple[object, ...]


def _buckets(priority: bool, size: int, hour: int) -> tuple[BucketKey, ...]:
    """From the narrowest bucket to the widest: lane, forecast size and hour; lane and size;
    size; everything."""
    return ((priority, size, hour), (priority, size), (size,), ())


@dataclass(frozen=True)
class Calibration:
    """Quantiles (low, middle, high) of past forecasts' relative error, by bucket."""

    table: Mapping[BucketKey, tuple[float, float, float]] = field(default_factory=dict)
    samples: int = 0

    @classmethod
    def learn(cls, samples: Iterable[Sample]) -> Calibration:
        groups: dict[BucketKey, list[float]] = {}
        count = 0
        for s in samples:
            count += 1
            error = (s.actual - s.forecast) / _scale(s.forecast)
            size = _size(s.forecast)
            for key in _buckets(s.priority, size, s.hour):
                groups.setdefault(key, []).append(error)
        table: dict[BucketKey, tuple[float, float, float]] = {}
        for key, errors in groups.items():
            if len(errors) >= MIN_BUCKET or key == ():
                errors.sort()
                table[key] = (
                    _quantile(errors, LOW_QUANTILE),
                    _quantile(errors, 0.5),
                    _quantile(errors, HIGH_QUANTILE),
                )
        return cls(table, count)

    @property
    def ready(self) -> bool:
        return self.samples >= MIN_SAMPLES

    def range(self, minutes: float, priority: bool, hour: int) -> EstimateRange:
        """The range to show for a forecast of `minutes`, as past forecasts like it turned out:
        centred on their median, as wide as the farther of their 5th and 95th percentiles."""
        for key in _buckets(priority, _size(minutes), hour):
            if key in self.table:
                low_q, mid_q, high_q = self.table[key]
                break
        else:
            return as_range(minutes)
        scale = _scale(minutes)
        mid = max(0.0, minutes + scale * mid_q)  # the middle shown is where most turned out
        half = max(scale * (mid_q - low_q), scale * (high_q - mid_q), 0.5)
        return useful(max(0.0, mid - half), mid, mid + half)


def useful(low: float, mid: float, high: float) -> EstimateRange:
    """Whole minutes no wider than max(10, half the midpoint), shrunk toward `mid`."""
    below, above = mid - low, high - mid
    if below + above > 0:
        width_cap = 10 / (below + above)  # a range 10 minutes wide is always allowed
        # half the midpoint: a (below + above) <= 0.25 (2 mid + a (above - below))
        half_cap = 0.5 * mid / max(1e-9, below + above - 0.25 * (above - below))
        a = min(1.0, max(width_cap, half_cap))
        low, high = mid - a * below, mid + a * above
    lo, hi = math.floor(low + 0.5), max(math.floor(high + 0.5), 1)
    while hi - lo > max(10.0, 0.5 * (lo + hi) / 2):
        if hi - mid > mid - lo:
            hi -= 1
        else:
            lo += 1
    return EstimateRange(lo, max(lo, hi))


@dataclass(frozen=True)
class History:
    """What the office learned from past days, for today's forecasts."""

    profile: ArrivalProfile = field(default_factory=ArrivalProfile)
    calibration: Calibration = field(default_factory=Calibration)
    service_minutes: Mapping[str, float] = field(default_factory=dict)  # mean per service
    learned_for: date | None = None  # the service day it was learned for


def forecast_calls(
    state: OfficeQueue,
    now: datetime,
    arrivals: Sequence[Arrival] = (),
    extra: Ticket | None = None,
) -> dict[str, float]:
    """Minutes from `now` until each waiting ticket (and `extra`, a ticket being taken) is
    expected to be called, with `arrivals` joining the lines as the replay reaches them."""

    def service_time(code: str) -> float:
        svc = state.services.get(code)
        return state.service_minutes.get(code, float(svc.target_minutes) if svc else 15.0)

    tickets = list(state.tickets.values())
    if extra is not None:
        tickets.append(extra)
    lines = Lines.build(tickets, state.calls)
    pool = staffed(state.counters.values())
    served = {code for counter in pool for code in counter.services}
    to_call = sum(
        1
        for t in tickets
        if t.status in (TicketStatus.WAITING, TicketStatus.MISSED) and t.service in served
    )
    upcoming = [a for a in arrivals if a.ticket.service in state.services]
    next_arrival = 0

    def admit(until: float) -> None:
        nonlocal next_arrival
        while next_arrival < len(upcoming) and upcoming[next_arrival].at <= until:
            lines.add(upcoming[next_arrival].ticket)
            next_arrival += 1

    heap: list[tuple[float, int]] = []
    streaks: dict[int, int] = {}
    for counter in pool:
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
    while heap and len(called) < to_call:
        at, number = heapq.heappop(heap)
        admit(at)
        counter = state.counters[number]
        picked = lines.pick(counter, streaks[number], state.office.policy)
        if picked is None:
            if next_arrival < len(upcoming):  # idle until the next expected visitor
                heapq.heappush(heap, (max(at, upcoming[next_arrival].at), number))
            continue
        streaks[number] = next_streak(streaks[number], picked)
        if not picked.id.startswith("~"):
            called[picked.id] = at
        heapq.heappush(heap, (at + service_time(picked.service), number))
    return called


def as_range(minutes: float) -> EstimateRange:
    """A forecast as a range before any history says how forecasts turn out: leaning late
    (waiting longer than told angers a lobby), never wider than max(10 min, half the midpoint)."""
    if minutes <= 0.5:
        return EstimateRange(0, 2)
    low = math.floor(max(0.0, minutes * 0.8 - 1))
    high = math.ceil(minutes * 1.25 + 2)
    while high - low > max(10.0, 0.5 * (low + high) / 2):  # keep it useful, leaning late
        low += 1
    return EstimateRange(low, high)
