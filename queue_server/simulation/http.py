"""Drive a running Antrean server through its HTTP API with a scenario's office day.

A realistic load rather than a fast one: visitors take tickets at the kiosk endpoint as the
scenario's arrivals come, and one officer per counter opens it, calls the next visitor, starts,
finishes (or marks a no-show after the grace time) and takes a break, exactly as the counter
screen does, over HTTP with their own sign-in. Time runs `speed` times faster than the office's
(60: a simulated minute each real second). The office's counters are the server's own; the
scenario gives arrivals, services, service times, no-shows and breaks.

    antrean simulate busy-day --server http://localhost:8000 --office winongan \\
        --officer petugas1 --officer petugas2 --password ... --kiosk-token ... --speed 60
"""

from __future__ import annotations

import heapq
import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .engine import BREAK_MINUTES, GRACE_MINUTES, Day, Scenario, Visit, _lognormal

API = "/api/v1"


class Reply(Protocol):
    status_code: int

    def json(self) -> Any: ...


class Session(Protocol):
    """What the driver needs of an HTTP client (urllib below; a test client in tests)."""

    def post(
        self, url: str, *, json: Any = None, headers: Mapping[str, str] | None = None
    ) -> Any: ...

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Any: ...


@dataclass
class _Reply:
    status_code: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class UrllibSession:
    """A minimal JSON client on the standard library, for a server at `base_url`."""

    base_url: str
    timeout: float = 10.0

    def _send(self, method: str, url: str, body: Any, headers: Mapping[str, str] | None) -> _Reply:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url.rstrip("/") + url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return _Reply(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as refused:
            return _Reply(refused.code, refused.read(), dict(refused.headers))

    def post(self, url: str, *, json: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        return self._send("POST", url, json, headers)

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Any:
        return self._send("GET", url, None, headers)

    def patch(self, url: str, *, json: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        return self._send("PATCH", url, json, headers)


class DriveError(RuntimeError):
    """The server refused what an office would do (wrong password, unknown service...)."""


@dataclass(frozen=True)
class Planned:
    """One visitor of the day, drawn before the day starts."""

    at: float  # minutes after opening
    service: str
    priority: bool
    no_show: bool
    minutes: float  # how long serving them takes


def plan_day(scenario: Scenario, seed: int) -> list[Planned]:
    """The day's visitors: arrivals hour by hour (Poisson), service, lane, no-show, time."""
    rng = random.Random(seed)
    weights = scenario.hourly[: scenario.hours] or (1.0,)
    total = sum(weights)
    out: list[Planned] = []
    for hour, weight in enumerate(weights):
        rate = scenario.arrivals * weight / total / 60
        t = float(hour * 60)
        while rate > 0:
            t += rng.expovariate(rate)
            if t >= (hour + 1) * 60:
                break
            spec = rng.choices(scenario.services, weights=[s.share for s in scenario.services])[0]
            out.append(
                Planned(t, spec.code, rng.random() < scenario.priority,
                        rng.random() < scenario.no_show, _lognormal(rng, spec.mean, spec.cv))
            )  # fmt: skip
    return out


@dataclass
class _Counter:
    number: int
    headers: dict[str, str]
    break_at: float | None
    busy: bool = False
    on_break: bool = False


@dataclass
class Driver:
    """One office day played against a server."""

    session: Session
    office: str
    kiosk_headers: dict[str, str]
    officers: dict[int, dict[str, str]]  # counter -> that officer's headers
    speed: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests: int = 0
    slowest: float = 0.0  # seconds, the slowest answer
    behind: float = 0.0  # seconds, the furthest the day fell behind its schedule
    _heap: list[tuple[float, int, str, Any]] = field(default_factory=list)
    _order: int = 0

    def _post(self, path: str, headers: Mapping[str, str], body: Any = None) -> Any:
        started = self.clock()
        reply = self.session.post(f"{API}/offices/{self.office}{path}", json=body, headers=headers)
        self.requests += 1
        self.slowest = max(self.slowest, self.clock() - started)
        return reply

    def _push(self, at: float, kind: str, payload: Any = None) -> None:
        self._order += 1
        heapq.heappush(self._heap, (at, self._order, kind, payload))

    def run(self, scenario: Scenario, seed: int) -> Day:
        plan = plan_day(scenario, seed)
        breaks = {c.number: c.break_at for c in scenario.counters}
        opening = scenario.opens.hour * 60 + scenario.opens.minute
        counters: dict[int, _Counter] = {}
        for number, headers in sorted(self.officers.items()):
            due = breaks.get(number)
            offset = None if due is None else due.hour * 60 + due.minute - opening
            counters[number] = _Counter(number, headers, offset)
            reply = self._post(f"/counters/{number}/open", headers)
            if reply.status_code != 200:
                raise DriveError(
                    f"counter {number} did not open: {reply.status_code} {reply.json()}"
                )
        for i, visitor in enumerate(plan):
            self._push(visitor.at, "arrive", i)
        visits: dict[str, Visit] = {}
        planned: dict[str, Planned] = {}
        start = self.clock()

        def call(counter: _Counter, now: float) -> None:
            if counter.busy or counter.on_break:
                return
            if counter.break_at is not None and counter.break_at <= now:
                counter.break_at = None
                self._post(f"/counters/{counter.number}/pause", counter.headers)
                counter.on_break = True
                self._push(now + BREAK_MINUTES, "back", counter.number)
                return
            reply = self._post(f"/counters/{counter.number}/call-next", counter.headers)
            if reply.status_code == 204:
                return
            if reply.status_code != 200:
                raise DriveError(
                    f"call-next at {counter.number}: {reply.status_code} {reply.json()}"
                )
            token = reply.json()["ticket"]["token"]
            counter.busy = True
            visits[token].called = now
            if planned[token].no_show:
                self._push(now + GRACE_MINUTES, "no_show", (counter.number, token))
            else:
                self._post(f"/tickets/{token}/start", counter.headers)
                self._push(now + planned[token].minutes, "finish", (counter.number, token))

        while self._heap:
            at, _order, kind, payload = heapq.heappop(self._heap)
            wait = start + at * 60 / self.speed - self.clock()
            if wait > 0:
                self.sleep(wait)
            else:
                self.behind = max(self.behind, -wait)
            if kind == "arrive":
                visitor = plan[payload]
                body = {"service": visitor.service,
                        "priority_group": "lansia" if visitor.priority else "none"}  # fmt: skip
                headers = {**self.kiosk_headers, "Idempotency-Key": f"sim-{seed}-{payload}"}
                reply = self._post("/tickets", headers, body)
                for _ in range(5):  # the kiosk's limit: wait as told, as a visitor would
                    if reply.status_code != 429:
                        break
                    self.sleep(float(reply.headers.get("Retry-After", "1")))
                    reply = self._post("/tickets", headers, body)
                if reply.status_code not in (200, 201):
                    raise DriveError(f"ticket for {visitor.service}: {reply.status_code} "
                                     f"{reply.json()}")  # fmt: skip
                ticket = reply.json()
                token = ticket["token"]
                estimate = ticket.get("estimate_minutes") or {"low": 0, "high": 0}
                planned[token] = visitor
                visits[token] = Visit(ticket["number"], visitor.service, visitor.priority, at,
                                      (estimate["low"], estimate["high"]))  # fmt: skip
                visits[token].forecast = visits[token].estimate
                for counter in counters.values():
                    call(counter, at)
            elif kind == "finish":
                number, token = payload
                self._post(f"/tickets/{token}/finish", counters[number].headers)
                visits[token].status, visits[token].finished = "done", at
                counters[number].busy = False
                call(counters[number], at)
            elif kind == "no_show":
                number, token = payload
                reply = self._post(f"/tickets/{token}/no-show", counters[number].headers)
                visits[token].missed += 1
                status = (reply.json() or {}).get("ticket", {}).get("status")
                if status == "no_show":
                    visits[token].status = "no_show"
                counters[number].busy = False
                call(counters[number], at)
            elif kind == "back":
                counter = counters[payload]
                self._post(f"/counters/{payload}/open", counter.headers)
                counter.on_break = False
                call(counter, at)
        for visit in visits.values():
            if visit.status == "waiting":  # never served by the end of the day
                visit.status = "expired"
        return Day(scenario.name, list(visits.values()))


def sign_in(session: Session, username: str, password: str) -> dict[str, str]:
    """An officer's Authorization header."""
    reply = session.post(f"{API}/auth/login", json={"username": username, "password": password})
    if reply.status_code != 200:
        raise DriveError(f"{username} could not sign in: {reply.status_code}")
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def office_counters(session: Session, office: str, headers: Mapping[str, str]) -> list[int]:
    """The server office's counter numbers, in order."""
    reply = session.get(f"{API}/offices/{office}/snapshot", headers=headers)
    if reply.status_code != 200:
        raise DriveError(f"office {office}: {reply.status_code}")
    return sorted(int(c["number"]) for c in reply.json()["counters"])
