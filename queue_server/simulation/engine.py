"""A discrete-event simulation of one office day on the domain's own rules.

Events on a heap: arrivals (a non-homogeneous Poisson process, hour by hour), the end of each
service, the end of a no-show's grace, breaks. Counters call the next visitor the moment they are
free, exactly as an officer pressing "Panggil berikutnya" would.
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.domain import queue as domain
from queue_server.domain.events import Event
from queue_server.domain.forecast import ArrivalProfile, Calibration, History, Sample
from queue_server.domain.model import (
    ALL_DAY,
    Channel,
    Counter,
    Office,
    PriorityGroup,
    Service,
    TicketStatus,
)
from queue_server.domain.queue import OfficeQueue, apply_all

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
GRACE_MINUTES = 3.0  # how long an officer waits for a called visitor before "Tidak hadir"
BREAK_MINUTES = 30.0
ZONE = "Asia/Jakarta"


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    mean: float  # minutes
    cv: float
    share: float


@dataclass(frozen=True)
class CounterSpec:
    number: int
    services: tuple[str, ...]
    break_at: time | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    opens: time
    hours: int
    arrivals: int
    hourly: tuple[float, ...]
    services: tuple[ServiceSpec, ...]
    counters: tuple[CounterSpec, ...]
    no_show: float = 0.05
    priority: float = 0.10

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        """A scenario file, or the name of one in `scenarios/` ("busy-day")."""
        file = Path(path)
        if not file.suffix:
            file = SCENARIOS / f"{path}.toml"
        data: dict[str, Any] = tomllib.loads(file.read_text(encoding="utf-8"))
        return cls(
            name=str(data.get("name", file.stem)),
            opens=time.fromisoformat(data.get("opens", "08:00")),
            hours=int(data.get("hours", 7)),
            arrivals=int(data["arrivals"]),
            hourly=tuple(float(x) for x in data.get("hourly", [1.0] * int(data.get("hours", 7)))),
            services=tuple(
                ServiceSpec(
                    s["code"], float(s["mean"]), float(s.get("cv", 0.6)), float(s.get("share", 1.0))
                )
                for s in data["services"]
            ),
            counters=tuple(
                CounterSpec(
                    int(c["number"]),
                    tuple(c["services"]),
                    time.fromisoformat(c["break_at"]) if c.get("break_at") else None,
                )
                for c in data["counters"]
            ),
            no_show=float(data.get("no_show", 0.05)),
            priority=float(data.get("priority", 0.10)),
        )


@dataclass
class Visit:
    """One simulated visitor, with what the office told them when they took the ticket."""

    number: str
    service: str
    priority: bool
    issued: float  # minutes after opening
    estimate: tuple[int, int]  # the simple rule's range at issue
    forecast: tuple[int, int] = (0, 0)  # the range the office shows at issue (learned forecast)
    predicted: float = 0.0  # the replay's minutes, before history turns them into a range
    hour: int = 0  # local hour the ticket was taken
    called: float | None = None
    finished: float | None = None
    status: str = "waiting"
    missed: int = 0  # times called and not there

    @property
    def wait(self) -> float | None:
        return None if self.called is None else self.called - self.issued


@dataclass
class Day:
    scenario: str
    visits: list[Visit] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        waits = sorted(w for v in self.visits if (w := v.wait) is not None)
        by_service: dict[str, list[float]] = {}
        for v in self.visits:
            if v.wait is not None:
                by_service.setdefault(v.service, []).append(v.wait)
        return {
            "arrived": len(self.visits),
            "served": sum(1 for v in self.visits if v.status == "done"),
            "no_shows": sum(1 for v in self.visits if v.status == "no_show"),
            "missed_once": sum(1 for v in self.visits if v.missed),
            "expired": sum(1 for v in self.visits if v.status == "expired"),
            "wait_avg": statistics.fmean(waits) if waits else 0.0,
            "wait_p90": waits[max(0, math.ceil(0.9 * len(waits)) - 1)] if waits else 0.0,
            "wait_max": waits[-1] if waits else 0.0,
            "by_service": {k: statistics.fmean(v) for k, v in sorted(by_service.items())},
        }


def _lognormal(rng: random.Random, mean: float, cv: float) -> float:
    sigma = math.sqrt(math.log(1 + cv * cv))
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


def learn(days: list[Day]) -> History:
    """What an office would learn from these past days: arrivals by hour, and how far the
    forecasts made at the door fell from the waits that followed."""
    visits = [v for d in days for v in d.visits]
    profile = ArrivalProfile.learn(((v.hour, v.service, v.priority) for v in visits), len(days))
    calibration = Calibration.learn(
        Sample(v.predicted, w, v.priority, v.hour) for v in visits if (w := v.wait) is not None
    )
    times: dict[str, list[float]] = {}
    for v in visits:
        if v.status == "done" and v.called is not None and v.finished is not None:
            times.setdefault(v.service, []).append(v.finished - v.called)
    means = {code: statistics.fmean(xs) for code, xs in times.items()}
    return History(profile, calibration, means)


def simulate_day(
    scenario: Scenario, seed: int, day: date = date(2026, 11, 23), history: History | None = None
) -> Day:
    """Run one office day of `scenario`; the same seed gives the same day (whatever the
    `history` the office's forecasts learned from). Without a history no forecasts are made
    (the simple rule is what an office without history shows), which keeps plain runs fast."""
    rng = random.Random(seed)
    zone = ZoneInfo(ZONE)
    start = datetime.combine(day, scenario.opens, tzinfo=zone).astimezone(UTC)

    def at(minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    office = Office(id=1, slug="sim", name=scenario.name, timezone=ZONE,
                    hours={d: ALL_DAY for d in range(7)})  # fmt: skip
    state = OfficeQueue(
        office=office,
        services={
            s.code: Service(
                code=s.code, prefix=s.code, name_id=s.code, name_en=s.code, target_minutes=15
            )
            for s in scenario.services
        },
        counters={
            c.number: Counter(c.number, f"Loket {c.number}", c.services) for c in scenario.counters
        },
        service_date=day,
        history=history or History(),
        forecasting=history is not None,
    )
    for spec in scenario.services:  # without history, start from the scenario's own means
        state.service_minutes[spec.code] = state.history.service_minutes.get(spec.code, spec.mean)
    result = Day(scenario.name)
    visits: dict[str, Visit] = {}
    specs = {s.code: s for s in scenario.services}
    heap: list[tuple[float, int, str, Any]] = []
    order = 0

    def push(minutes: float, kind: str, payload: Any = None) -> None:
        nonlocal order
        order += 1
        heapq.heappush(heap, (minutes, order, kind, payload))

    def run(command: Callable[..., list[Event]], *args: Any, **kwargs: Any) -> list[Event]:
        events = command(state, *args, **kwargs)
        apply_all(state, events)
        return events

    # arrivals, hour by hour
    weights = scenario.hourly[: scenario.hours] or (1.0,)
    total = sum(weights)
    for hour, weight in enumerate(weights):
        rate = scenario.arrivals * weight / total / 60  # per minute
        t = float(hour * 60)
        while rate > 0:
            t += rng.expovariate(rate)
            if t >= (hour + 1) * 60:
                break
            push(t, "arrive")
    on_break: set[int] = set()
    opening = datetime.combine(day, scenario.opens)
    break_due = {
        c.number: (datetime.combine(day, c.break_at) - opening).total_seconds() / 60
        for c in scenario.counters
        if c.break_at
    }
    for c in scenario.counters:
        run(domain.open_counter, c.number, f"sim{c.number}", at(0))
    busy: set[int] = set()

    def call(counter: int, now: float) -> None:
        if counter in busy or counter in on_break:
            return
        if break_due.get(counter, math.inf) <= now:  # time for the break: take it now
            break_due.pop(counter)
            run(domain.pause_counter, counter, None, at(now))
            on_break.add(counter)
            push(now + BREAK_MINUTES, "back", counter)
            return
        events = run(domain.call_next, counter, None, at(now))
        called = next((e.ticket for e in reversed(events) if e.ticket and
                       e.ticket.status is TicketStatus.CALLED), None)  # fmt: skip
        if called is None:
            return
        busy.add(counter)
        visits[called.id].called = now
        if rng.random() < scenario.no_show:
            push(now + GRACE_MINUTES, "no_show", (counter, called.id))
        else:
            run(domain.start, called.id, None, at(now))
            spec = specs[called.service]
            push(now + _lognormal(rng, spec.mean, spec.cv), "finish", (counter, called.id))

    seq = 0
    while heap:
        now, _order, kind, payload = heapq.heappop(heap)
        if kind == "arrive":
            seq += 1
            spec = rng.choices(scenario.services, weights=[s.share for s in scenario.services])[0]
            priority = rng.random() < scenario.priority
            events = run(
                domain.issue, service=spec.code, now=at(now), ticket_id=f"t{seq}", token=f"k{seq}",
                channel=Channel.KIOSK,
                priority=PriorityGroup.LANSIA if priority else PriorityGroup.NONE,
            )  # fmt: skip
            ticket = events[0].ticket
            assert ticket is not None
            ahead = state.ahead(ticket)
            simple = state.simple_estimate(ticket, ahead)
            shown = state.estimate(ticket, ahead, at(now))
            visits[ticket.id] = Visit(
                ticket.number, spec.code, priority, now, (simple.low, simple.high),
                (shown.low, shown.high), ticket.forecast_minutes or 0.0,
                (scenario.opens.hour * 60 + scenario.opens.minute + int(now)) // 60,
            )  # fmt: skip
            for counter in sorted(state.counters):
                call(counter, now)
        elif kind == "finish":
            counter, ticket_id = payload
            run(domain.finish, ticket_id, None, at(now))
            visits[ticket_id].status, visits[ticket_id].finished = "done", now
            busy.discard(counter)
            call(counter, now)
        elif kind == "no_show":
            counter, ticket_id = payload
            events = run(domain.no_show, ticket_id, None, at(now))
            final = events[-1].ticket
            visits[ticket_id].missed += 1
            if final is not None and final.status is TicketStatus.NO_SHOW:
                visits[ticket_id].status = "no_show"
            busy.discard(counter)
            call(counter, now)
        elif kind == "back":
            run(domain.open_counter, payload, f"sim{payload}", at(now))
            on_break.discard(payload)
            call(payload, now)
    for ticket in state.tickets.values():  # never served by the end of the day
        visits[ticket.id].status = "expired"
    result.visits = list(visits.values())
    return result
