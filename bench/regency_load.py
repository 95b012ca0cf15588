"""Regency load: many offices, each playing a busy day, against 2 workers behind nginx.

A regency (kabupaten) runs one Antrean for all its offices. This benchmark builds that set-up
on one machine and plays office days against it through the HTTP API:

* a fresh PostgreSQL database, migrated; offices seeded like the demo office
  (`queue_server/services/demo.py`: services A-D, 4 counters, 4 officers) with their own slugs,
  each with a kiosk and a lobby display device;
* `antrean serve --workers 2` on that database with Redis rate-limit storage (the per-kiosk
  limit raised: time runs many times faster than real), behind nginx with the shipped site
  file (`deploy/nginx/antrean.conf`, `queue_server.testing.NginxProcess`);
* each office driven by the simulator's HTTP driver (`queue_server/simulation/http.py`) with
  the busy day scaled to 2,000 tickets a day (`busy-day` with `arrivals = 2000`: a morning peak
  of 714 tickets an hour), seeds differing per office, officers signed in per counter; each
  step plays the first minutes of the day (the peak) at its speed for a fixed wall-clock
  window;
* every office's display follows it over a websocket through nginx.

First the baseline: 1 office at each speed; then `--offices` offices at each speed (fresh
offices per step, so each step starts at the same point of the day). Every request's latency
is from just before it is sent to its answer; push latency from the call's HTTP answer to the
display receiving its `ticket_called` event (also from the request, and the same for tickets:
answer -> `ticket_issued`). Each office's driver is sequential, so its k-th call (ticket) is
its display's k-th `ticket_called` (`ticket_issued`) event; call numbers are checked too.

The load generator (`--procs` processes: one thread per office driver, one asyncio loop for
the displays, keep-alive HTTP to nginx) runs on the same machine as nginx, the workers,
PostgreSQL and Redis. Its CPU, the server's, PostgreSQL's and the machine's are measured per
step, as is how far the drivers fell behind their schedule.

    python bench/regency_load.py [--offices 50] [--speeds 10,30,60] [--seconds 60]
        [--baseline-seconds 90] [--procs 4] [--write docs/benchmarks.md] [--json FILE]
    python bench/regency_load.py --quick      # 3 offices, 4 s steps: does it still work?

Targets: zero errors at every step; at 30x, the p99 of ticket issue, call and push within 2x
of the 1-office run at 30x. Exits 1 on a MISS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import http.client
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    ROOT,
    fresh_database,
    machine,
    machine_markdown,
    percentile,
    write_section,
)
from queue_server.simulation import http as sim
from queue_server.simulation.engine import Scenario
from queue_server.testing import NginxProcess, ServerProcess, nginx_path

SECTION = "regency_load"
PASSWORD = "sandi-bench-regency-1"
ARRIVALS = 2000  # tickets a day per office
TARGET_SPEED = 30.0
TARGET_RATIO = 2.0
# What the targets compare. Push: from the call's request to its display, as in
# bench/push_latency.py. From the call's answer it is about nothing or less than nothing in the
# 1-office run (the event leaves right after the commit, before the officer's own answer),
# which makes no base for a ratio; the table shows it too.
TARGETS = (("ticket issue", "issue_ms"), ("call", "call_ms"), ("push", "push_sent_ms"))
REDIS_URL = os.environ.get("ANTREAN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
API = "/api/v1"


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def scenario() -> Scenario:
    busy = Scenario.load("busy-day")
    return dataclasses.replace(busy, name=f"busy-day-{ARRIVALS}", arrivals=ARRIVALS)


@dataclass(frozen=True)
class OfficeSpec:
    slug: str
    seed: int
    kiosk: str  # device tokens
    display: str
    officers: dict[int, str] = field(default_factory=dict)  # counter -> session token


# ---- /proc ----
def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                if int(stat.rpartition(")")[2].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(_children(current))
    return out


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def _cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used by groups of processes whose members come and go (PostgreSQL backends
    open and close): sampled per process, new processes counted from their start."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups
        self.used = dict.fromkeys(groups, 0.0)
        self.last: dict[int, float] = {}
        for pids in groups.values():
            for pid in pids():
                self.last[pid] = _cpu_seconds([pid])

    def sample(self) -> None:
        for name, pids in self.groups.items():
            for pid in pids():
                now = _cpu_seconds([pid])
                self.used[name] += max(0.0, now - self.last.get(pid, 0.0))
                self.last[pid] = now


def _postgres_pids(database: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if cmdline.startswith("postgres:") and f" {database} " in cmdline:
                    found.append(int(entry.name))
    return found


def _machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies over all cores, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


# ---- the load generator's processes ----
class WindowOver(Exception):
    """The step's wall-clock window has ended: the driver stops where it is."""


@dataclass
class _Reply:
    status_code: int
    body: bytes
    headers: Mapping[str, str]

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class RecordingSession:
    """Keep-alive HTTP to nginx for one office's driver; records every request:
    (kind, status, sent, answered, called number), times from `time.monotonic()`."""

    def __init__(self, port: int, deadline: float, errors: Counter[str]) -> None:
        self.port = port
        self.deadline = deadline
        self.errors = errors
        self.conn: http.client.HTTPConnection | None = None
        self.records: list[tuple[str, int, float, float, str | None]] = []

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self.conn

    def _send(self, method: str, url: str, body: Any, headers: Mapping[str, str] | None) -> Any:
        data = b"" if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        kind = "issue" if url.endswith("/tickets") else url.rsplit("/", 1)[-1]
        for attempt in range(2):
            if time.monotonic() >= self.deadline:
                raise WindowOver
            t0 = time.monotonic()
            try:
                conn = self._connection()
                conn.request(method, url, body=data if method != "GET" else None, headers=sent)
                response = conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException) as failed:
                self.errors[f"transport {kind}: {type(failed).__name__}"] += 1
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            t1 = time.monotonic()
            number = None
            if kind == "call-next" and response.status == 200:
                number = str(json.loads(raw)["ticket"]["number"])
            self.records.append((kind, response.status, t0, t1, number))
            return _Reply(response.status, raw, {k: v for k, v in response.getheaders()})
        raise AssertionError("unreachable")

    def post(self, url: str, *, json: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        return self._send("POST", url, json, headers)

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Any:
        return self._send("GET", url, None, headers)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


@dataclass
class Screen:
    """One office's display: the events it received, (event, arrived, called number)."""

    spec: OfficeSpec
    events: list[tuple[str, float, str | None]] = field(default_factory=list)
    snapshots: list[float] = field(default_factory=list)  # when each snapshot arrived
    dropped: str | None = None
    closing: bool = False


async def _follow(url: str, screen: Screen, ready: asyncio.Future[bool]) -> None:
    from websockets.asyncio.client import connect

    try:
        async with connect(url, compression=None, open_timeout=30, max_queue=None) as ws:
            first = await asyncio.wait_for(ws.recv(), 30)
            if '"snapshot"' not in first:
                raise RuntimeError(f"expected a snapshot first: {str(first)[:80]}")
            screen.snapshots.append(time.monotonic())
            ready.set_result(True)
            async for message in ws:
                now = time.monotonic()
                data = json.loads(message)
                kind = data.get("type")
                if kind == "event":
                    event = data.get("event")
                    if event in ("ticket_issued", "ticket_called"):
                        call = data.get("call") or {}
                        screen.events.append((event, now, call.get("number")))
                elif kind == "ping":
                    await ws.send('{"type":"pong"}')
                elif kind == "snapshot":
                    screen.snapshots.append(now)  # the server started this screen afresh
    except asyncio.CancelledError:
        raise
    except Exception as failed:
        if not ready.done():
            ready.set_exception(failed)
        elif not screen.closing:
            screen.dropped = f"{type(failed).__name__}: {failed}"[:120]
        return
    if not screen.closing:
        screen.dropped = "closed by the server"


class Displays:
    """The displays of this process's offices, on an asyncio loop in a thread of its own."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.tasks: list[asyncio.Future[None]] = []

    def connect(self, port: int, specs: list[OfficeSpec]) -> tuple[list[Screen], list[str]]:
        async def connect_all() -> tuple[list[Screen], list[str]]:
            screens, failures = [], []
            for spec in specs:
                screen = Screen(spec)
                ready: asyncio.Future[bool] = self.loop.create_future()
                url = (
                    f"ws://127.0.0.1:{port}/ws/v1/offices/{spec.slug}"
                    f"?role=display&token={spec.display}"
                )
                self.tasks.append(asyncio.ensure_future(_follow(url, screen, ready)))
                try:
                    await asyncio.wait_for(ready, 30)
                    screens.append(screen)
                except Exception as failed:
                    failures.append(f"{spec.slug}: {type(failed).__name__}")
            return screens, failures

        return asyncio.run_coroutine_threadsafe(connect_all(), self.loop).result()

    def close(self, screens: list[Screen]) -> None:
        for screen in screens:
            screen.closing = True

        async def cancel() -> None:
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            self.tasks.clear()

        asyncio.run_coroutine_threadsafe(cancel(), self.loop).result()


def _drive(
    spec: OfficeSpec,
    port: int,
    speed: float,
    start_at: float,
    deadline: float,
    day: Scenario,
    out: dict[str, Any],
) -> None:
    errors: Counter[str] = Counter()
    session = RecordingSession(port, deadline, errors)

    def sleep(seconds: float) -> None:
        if time.monotonic() + seconds >= deadline:
            time.sleep(max(0.0, deadline - time.monotonic()))
            raise WindowOver
        time.sleep(seconds)

    kiosk = {"Authorization": f"Bearer {spec.kiosk}"}
    officers = {n: {"Authorization": f"Bearer {t}"} for n, t in spec.officers.items()}
    driver = sim.Driver(session, spec.slug, kiosk, officers, speed=speed, sleep=sleep)
    time.sleep(max(0.0, start_at - time.monotonic()))
    try:
        driver.run(day, spec.seed)
    except WindowOver:
        pass
    except Exception as failed:  # the driver met what an office would not accept
        errors[f"driver stopped: {type(failed).__name__}: {str(failed)[:100]}"] += 1
    finally:
        session.close()
    out.update(records=session.records, errors=errors, behind=driver.behind)


def _run_step(
    specs: list[OfficeSpec], screens: list[Screen], port: int, speed: float, start_at: float,
    seconds: float, grace: float,
) -> dict[str, Any]:  # fmt: skip
    day = scenario()
    deadline = start_at + seconds
    outs: list[dict[str, Any]] = [{} for _ in specs]
    threads = [
        threading.Thread(target=_drive, args=(spec, port, speed, start_at, deadline, day, out))
        for spec, out in zip(specs, outs, strict=True)
    ]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, start_at - time.monotonic()))
    began = resource.getrusage(resource.RUSAGE_SELF)
    for thread in threads:
        thread.join()
    ended = resource.getrusage(resource.RUSAGE_SELF)
    time.sleep(max(0.0, deadline + grace - time.monotonic()))
    offices = []
    for spec, out in zip(specs, outs, strict=True):
        screen = next((s for s in screens if s.spec.slug == spec.slug), None)
        offices.append(
            {
                "slug": spec.slug,
                "records": out.get("records", []),
                "errors": dict(out.get("errors", {})),
                "behind": out.get("behind", 0.0),
                "events": list(screen.events) if screen else None,
                "snapshots": list(screen.snapshots) if screen else [],
                "dropped": screen.dropped if screen else "never connected",
            }
        )
    cpu = (ended.ru_utime + ended.ru_stime) - (began.ru_utime + began.ru_stime)
    return {"offices": offices, "cpu": cpu}


def load_main(conn: Connection) -> None:
    """A load-generator process: commands from the parent over `conn`."""
    displays = Displays()
    specs: list[OfficeSpec] = []
    screens: list[Screen] = []
    while True:
        command, *rest = conn.recv()
        if command == "prepare":
            port, specs = rest
            screens, failures = displays.connect(port, specs)
            conn.send({"connected": len(screens), "failures": failures})
        elif command == "run":
            port, speed, start_at, seconds, grace = rest
            result = _run_step(specs, screens, port, speed, start_at, seconds, grace)
            displays.close(screens)
            conn.send(result)
        elif command == "quit":
            conn.send(None)
            return


class LoadGenerator:
    def __init__(self, procs: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs: list[Any] = []
        for _ in range(procs):
            parent, child = context.Pipe()
            proc = context.Process(target=load_main, args=(child,), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def prepare(self, port: int, specs: list[OfficeSpec]) -> tuple[int, list[str], int]:
        """Connect the displays, offices spread over the processes; returns (connected,
        failures, processes used)."""
        used = min(len(self.pipes), len(specs))
        for i in range(used):
            self.pipes[i].send(("prepare", port, specs[i::used]))
        replies = [self.pipes[i].recv() for i in range(used)]
        failures = [f for r in replies for f in r["failures"]]
        return sum(r["connected"] for r in replies), failures, used

    def run(
        self, used: int, port: int, speed: float, start_at: float, seconds: float, grace: float
    ) -> Any:
        for i in range(used):
            self.pipes[i].send(("run", port, speed, start_at, seconds, grace))
        return [self.pipes[i].recv() for i in range(used)]

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError, EOFError):
                pipe.send(("quit",))
                pipe.recv()
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()


# ---- set-up ----
def seed_offices(database_url: str, slugs: list[str]) -> list[OfficeSpec]:
    """Offices like the demo office, each with a kiosk and a display; officers' passwords are
    hashed with cheap argon2 parameters (a benchmark's sign-ins, not a deployment's)."""
    from queue_server.clock import SystemClock
    from queue_server.services import auth, demo
    from queue_server.services.admin import Admin
    from queue_server.services.queue import QueueService
    from queue_server.store.db import Database

    auth.use_fast_hashing_for_tests()
    database = Database(database_url)
    admin = Admin(QueueService(database, SystemClock()))
    specs = []
    try:
        for n, slug in enumerate(slugs, start=1):
            office_id, _ = demo.seed(
                admin, PASSWORD, slug=slug, name=f"Kantor {slug}", officer_prefix=f"{slug}-p"
            )
            _, kiosk = admin.create_device(office_id, kind=auth.DeviceKind.KIOSK, name="Kiosk")
            _, display = admin.create_device(office_id, kind=auth.DeviceKind.DISPLAY, name="Layar")
            specs.append(OfficeSpec(slug, n, kiosk, display))
    finally:
        database.dispose()
    return specs


def sign_in(base: str, spec: OfficeSpec) -> OfficeSpec:
    session = sim.UrllibSession(base)
    officers = {n: sim.sign_in(session, f"{spec.slug}-p{n}", PASSWORD) for n in range(1, 5)}
    tokens = {n: h["Authorization"].removeprefix("Bearer ") for n, h in officers.items()}
    numbers = sim.office_counters(session, spec.slug, officers[1])
    return dataclasses.replace(spec, officers=dict(zip(numbers, tokens.values(), strict=True)))


# ---- one step ----
@dataclass
class Step:
    label: str  # "baseline" | "regency"
    offices: int
    speed: float
    seconds: float
    connected: int = 0
    requests: int = 0
    issued: int = 0
    planned: int = 0  # tickets the offices' days hold within the window
    calls: int = 0
    issue_ms: list[float] = field(default_factory=list)
    call_ms: list[float] = field(default_factory=list)
    push_ms: list[float] = field(default_factory=list)  # call answer -> display
    push_sent_ms: list[float] = field(default_factory=list)  # call request -> display
    push_issue_ms: list[float] = field(default_factory=list)  # ticket answer -> display
    errors: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)  # expected domain answers (409)
    behind: float = 0.0
    rss_mb: float = 0.0  # workers + nginx, the most seen during the step
    pg_rss_mb: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # % of one core over the window
    machine_busy: float = 0.0  # % of all cores
    procs: int = 0
    early_snapshots: int = 0  # a second snapshot while connecting, before the step

    def p(self, values: list[float], q: float) -> float:
        return percentile(sorted(values), q)

    def row(self) -> dict[str, Any]:
        return {
            "label": self.label, "offices": self.offices, "speed": self.speed,
            "seconds": self.seconds, "connected": self.connected, "requests": self.requests,
            "rps": self.requests / self.seconds, "issued": self.issued, "planned": self.planned,
            "calls": self.calls,
            "issue_p50": self.p(self.issue_ms, 50), "issue_p99": self.p(self.issue_ms, 99),
            "call_p50": self.p(self.call_ms, 50), "call_p99": self.p(self.call_ms, 99),
            "push_p50": self.p(self.push_ms, 50), "push_p99": self.p(self.push_ms, 99),
            "push_sent_p50": self.p(self.push_sent_ms, 50),
            "push_sent_p99": self.p(self.push_sent_ms, 99),
            "push_issue_p99": self.p(self.push_issue_ms, 99),
            "errors": sum(self.errors.values()), "error_kinds": dict(self.errors),
            "refusals": dict(self.refusals), "behind": self.behind, "rss_mb": self.rss_mb,
            "pg_rss_mb": self.pg_rss_mb, "cpu": self.cpu, "machine_busy": self.machine_busy,
            "procs": self.procs,
            "early_snapshots": self.early_snapshots,
            "push_n": len(self.push_ms),
            "push_issue_n": len(self.push_issue_ms),
        }  # fmt: skip


def _planned(specs: list[OfficeSpec], speed: float, seconds: float) -> int:
    day = scenario()
    minutes = seconds * speed / 60
    return sum(sum(1 for v in sim.plan_day(day, s.seed) if v.at < minutes) for s in specs)


def _absorb(step: Step, office: dict[str, Any], start_at: float, deadline: float) -> None:
    step.errors.update(office["errors"])
    step.behind = max(step.behind, office["behind"])
    for kind, status, t0, t1, _number in office["records"]:
        if not start_at <= t0 < deadline:
            continue
        step.requests += 1
        if status == 409:
            step.refusals[f"409 {kind}"] += 1
        elif not 200 <= status < 300:
            step.errors[f"HTTP {status} {kind}"] += 1
        if kind == "issue" and status == 201:
            step.issued += 1
            step.issue_ms.append((t1 - t0) * 1000)
        elif kind == "call-next":
            step.call_ms.append((t1 - t0) * 1000)
            step.calls += status == 200
    if office["dropped"]:
        step.errors[f"websocket: {office['dropped']}"] += 1
    for at in office["snapshots"][1:]:
        if at >= start_at:
            step.errors["websocket: a fresh snapshot mid-step (fell behind)"] += 1
        else:
            step.early_snapshots += 1
    events = office["events"] or []
    called = [(at, n) for e, at, n in events if e == "ticket_called"]
    issued = [at for e, at, _n in events if e == "ticket_issued"]
    # The records include requests before the window's start (opening the counters) only;
    # every call and ticket of the office is in order, and so are its display's events.
    all_calls = [
        (t0, t1, n) for k, s, t0, t1, n in office["records"] if k == "call-next" and s == 200
    ]
    all_issues = [(t0, t1) for k, s, t0, t1, _n in office["records"] if k == "issue" and s == 201]
    for i, (t0, t1, number) in enumerate(all_calls):
        if i >= len(called):
            step.errors["push: a call never reached the display"] += 1
            continue
        at, shown = called[i]
        if shown != number:
            step.errors["push: the display showed another number"] += 1
        if start_at <= t0 < deadline:
            step.push_ms.append((at - t1) * 1000)
            step.push_sent_ms.append((at - t0) * 1000)
    for i, (t0, t1) in enumerate(all_issues):
        if i >= len(issued):
            step.errors["push: a ticket never reached the display"] += 1
        elif start_at <= t0 < deadline:
            step.push_issue_ms.append((issued[i] - t1) * 1000)


class Stack:
    """Server (workers), nginx and PostgreSQL processes, for /proc readings."""

    def __init__(self, server: ServerProcess, nginx: NginxProcess, database: str) -> None:
        self.server, self.nginx, self.database = server, nginx, database

    def pids(self) -> list[int]:
        assert self.server.proc is not None and self.nginx.proc is not None
        return _tree(self.server.proc.pid) + _tree(self.nginx.proc.pid)

    def pg(self) -> list[int]:
        return _postgres_pids(self.database)


def run_step(
    step: Step, specs: list[OfficeSpec], load: LoadGenerator, stack: Stack, port: int,
    grace: float,
) -> Step:  # fmt: skip
    _log(f"{step.label}: {len(specs)} office(s) at {step.speed:g}x for {step.seconds:g} s")
    step.connected, failures, step.procs = load.prepare(port, specs)
    for failure in failures:
        step.errors[f"websocket connect: {failure}"] += 1
    step.planned = _planned(specs, step.speed, step.seconds)
    start_at = time.monotonic() + 1.0
    deadline = start_at + step.seconds
    result: list[Any] = []
    worker = threading.Thread(
        target=lambda: result.extend(
            load.run(step.procs, port, step.speed, start_at, step.seconds, grace)
        )
    )
    worker.start()
    time.sleep(max(0.0, start_at - time.monotonic()))
    groups: dict[str, Callable[[], list[int]]] = {
        "server": stack.pids, "postgresql": stack.pg, "load": load.pids,
    }  # fmt: skip
    meter = CpuMeter(groups)
    busy0 = _machine_busy()
    wall0 = time.monotonic()
    while time.monotonic() < deadline:
        step.rss_mb = max(step.rss_mb, _rss_mb(stack.pids()))
        step.pg_rss_mb = max(step.pg_rss_mb, _rss_mb(stack.pg()))
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        meter.sample()
    wall = time.monotonic() - wall0
    busy1 = _machine_busy()
    step.cpu = {name: 100 * seconds / wall for name, seconds in meter.used.items()}
    step.machine_busy = 100 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
    worker.join()
    for reply in result:
        for office in reply["offices"]:
            _absorb(step, office, start_at, deadline)
    row = step.row()
    _log(
        f"  {row['rps']:.0f} req/s, tickets {row['issued']}/{row['planned']}, issue p99 "
        f"{row['issue_p99']:.0f} ms, call p99 {row['call_p99']:.0f} ms, push p99 "
        f"{row['push_p99']:.0f} ms, errors {row['errors']}, behind {row['behind']:.1f} s, "
        f"RSS {row['rss_mb']:.0f} MB, CPU {step.cpu}, machine {step.machine_busy:.0f}%"
    )
    return step


# ---- the report ----
def _ms(value: float) -> str:
    return "-" if value != value else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def table(steps: list[Step]) -> str:
    head = (
        "| run | offices | speed | req/s | tickets issued / due | issue p50 / p99 | "
        "call p50 / p99 | push p50 / p99 | push from answer p50 / p99 | ticket push p99 | errors | "
        "server RSS MB | CPU % server / PG / load gen | machine busy | behind s |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for s in steps:
        r = s.row()
        lines.append(
            f"| {'1 office (baseline)' if s.label == 'baseline' else f'{s.offices} offices'} "
            f"| {s.offices} | {s.speed:g}x | {r['rps']:.0f} | {s.issued:,} / {s.planned:,} | "
            f"{_ms(r['issue_p50'])} / {_ms(r['issue_p99'])} | "
            f"{_ms(r['call_p50'])} / {_ms(r['call_p99'])} ({s.calls}) | "
            f"{_ms(r['push_sent_p50'])} / {_ms(r['push_sent_p99'])} | "
            f"{_ms(r['push_p50'])} / {_ms(r['push_p99'])} | "
            f"{_ms(r['push_issue_p99'])} | {r['errors']} | {s.rss_mb:.0f} | "
            f"{s.cpu.get('server', 0):.0f} / {s.cpu.get('postgresql', 0):.0f} / "
            f"{s.cpu.get('load', 0):.0f} | {s.machine_busy:.0f}% | {s.behind:.1f} |"
        )
    return "\n".join(lines)


@dataclass
class Verdict:
    what: str
    value: str
    ok: bool


def verdicts(steps: list[Step]) -> list[Verdict]:
    out = []
    for s in steps:
        if s.label == "regency" or s.speed == TARGET_SPEED:
            kinds = ", ".join(f"{k}: {n}" for k, n in s.errors.most_common()) or "none"
            name = "1 office" if s.label == "baseline" else f"{s.offices} offices"
            out.append(Verdict(f"errors, {name} at {s.speed:g}x", kinds, not s.errors))
    base = next((s for s in steps if s.label == "baseline" and s.speed == TARGET_SPEED), None)
    load = next((s for s in steps if s.label == "regency" and s.speed == TARGET_SPEED), None)
    if base is not None and load is not None:
        for name, attr in TARGETS:
            ours, theirs = base.p(getattr(load, attr), 99), base.p(getattr(base, attr), 99)
            ratio = ours / theirs if theirs > 0 else float("inf")
            out.append(Verdict(
                f"p99 {name} at {TARGET_SPEED:g}x, {load.offices} offices / 1 office",
                f"{ratio:.2f} (<= {TARGET_RATIO:g}x; {ours:.1f} vs {theirs:.1f} ms)",
                ratio <= TARGET_RATIO,
            ))  # fmt: skip
    return out


def turn_up(steps: list[Step]) -> str:
    """Where latency turns up: each load step's p50 and p99 against the 1-office run at the
    same speed."""
    parts = []
    for s in steps:
        if s.label != "regency":
            continue
        base = next((b for b in steps if b.label == "baseline" and b.speed == s.speed), None)
        if base is None:
            continue
        ratios = []
        for name, attr in TARGETS:
            b50, b99 = base.p(getattr(base, attr), 50), base.p(getattr(base, attr), 99)
            l50, l99 = s.p(getattr(s, attr), 50), s.p(getattr(s, attr), 99)
            ratios.append(f"{name} p50 {l50 / b50:.1f}x, p99 {l99 / b99:.1f}x")
        parts.append(f"- {s.speed:g}x: " + "; ".join(ratios) + ".")
    return "\n".join(parts)


def analysis(steps: list[Step]) -> str:
    """Sentences from the figures: did each step keep its schedule, what did the load generator
    take, and the first step whose p99 went past the target ratio."""
    lines = []
    first_over = None
    for s in steps:
        if s.label != "regency":
            continue
        base = next((b for b in steps if b.label == "baseline" and b.speed == s.speed), None)
        kept = s.issued / s.planned if s.planned else 1.0
        rate = s.requests / s.seconds
        lines.append(
            f"- {s.speed:g}x: {rate:.0f} requests/s; {kept:.0%} of the tickets due were taken "
            f"(drivers at most {s.behind:.1f} s behind their schedule); the machine was "
            f"{s.machine_busy:.0f}% busy, the load generator took {s.cpu.get('load', 0):.0f}% of "
            f"a core, the server (workers + nginx) {s.cpu.get('server', 0):.0f}% and PostgreSQL "
            f"{s.cpu.get('postgresql', 0):.0f}%."
        )
        if base is not None and first_over is None:
            worst = max(
                s.p(getattr(s, a), 99) / max(1e-9, base.p(getattr(base, a), 99))
                for _name, a in TARGETS
            )
            if worst > TARGET_RATIO:
                first_over = (s.speed, worst)
    regency = [s for s in steps if s.label == "regency" and s.requests]
    if regency:
        best = max(regency, key=lambda s: s.requests / s.seconds)
        per = [10 * s.cpu.get("server", 0) / (s.requests / s.seconds) for s in regency]
        lines.append(
            f"- The most any step served: {best.requests / best.seconds:.0f} requests/s (at "
            f"{best.speed:g}x); server CPU per request {min(per):.1f}-{max(per):.1f} ms (workers "
            f"+ nginx; each write is also caught up by the other worker and pushed to the "
            f"displays on both)."
        )
    for b in steps:
        if b.label == "baseline":
            lines.append(
                f"- 1 office at {b.speed:g}x ({b.requests / b.seconds:.0f} requests/s): the "
                f"machine was {b.machine_busy:.0f}% busy meanwhile (this benchmark's share: "
                f"server {b.cpu.get('server', 0):.0f}% + PostgreSQL "
                f"{b.cpu.get('postgresql', 0):.0f}% of a core; the rest was other work on the "
                f"shared machine)."
            )
    if first_over is None:
        lines.append(f"- No step's p99 went past {TARGET_RATIO:g}x the 1-office run's.")
    else:
        lines.append(
            f"- The first step whose p99 went past {TARGET_RATIO:g}x the 1-office run's: "
            f"{first_over[0]:g}x (worst ratio {first_over[1]:.1f}x)."
        )
    return "\n".join(lines)


def markdown(steps: list[Step], args: argparse.Namespace, info: dict[str, str]) -> str:
    found = verdicts(steps)
    overall = "PASS" if all(v.ok for v in found) else "MISS"
    regency = [s for s in steps if s.label == "regency"]
    n = regency[0].offices if regency else args.offices
    errors = [
        f"- {s.offices} office(s) at {s.speed:g}x: "
        + ", ".join(f"{k} x{c}" for k, c in s.errors.most_common())
        for s in steps
        if s.errors
    ] or ["- none"]
    refusals = [
        f"- {s.offices} office(s) at {s.speed:g}x: "
        + ", ".join(f"{k} x{c}" for k, c in s.refusals.items())
        for s in steps
        if s.refusals
    ]
    refused = ""
    if refusals:
        refused = "\nDomain refusals (409, not errors):\n\n" + "\n".join(refusals) + "\n"
    return f"""## Regency load: {n} offices behind nginx (`bench/regency_load.py`)

{n} offices (each like the demo office: services A-D, 4 counters, 4 officers, a kiosk and a
lobby display) on one `antrean serve --workers 2` on PostgreSQL with Redis rate-limit storage,
behind nginx with the shipped site file (`deploy/nginx/antrean.conf`, 2 nginx workers). Each
office plays the busy day scaled to {ARRIVALS:,} tickets a day (`busy-day`, morning peak 2.5x
the mean: 714 tickets in the first hour) through the HTTP API with the simulator's driver
(`queue_server/simulation/http.py`: the kiosk takes tickets as visitors arrive, one signed-in
officer per counter opens, calls, starts, finishes or marks no-shows), each office with its own
seed, at 10x, 30x and 60x real time; each step plays the first minutes of the day (the peak)
on fresh offices for a fixed window ({args.seconds:g} s for {n} offices, {args.baseline_seconds:g} s
for the 1-office baseline, run first in the same invocation on the same server). Every office's
display follows it over a websocket through nginx during its step.

- Latencies in ms, from just before the request is sent to its answer; p50 / p99 over the
  window; call = `POST .../counters/N/call-next` (the number of calls in brackets).
- Push: from just before the call's request is sent to its display receiving the
  `ticket_called` event (as in `bench/push_latency.py`; the target). "From answer": from the
  call's HTTP answer to the display; often below zero, since the event leaves right after the
  commit, before the officer's own answer does. Ticket push: a ticket's answer to its display's
  `ticket_issued`.
- Errors: any non-2xx answer (409 domain refusals are listed apart), any transport failure, a
  driver stopped by an answer an office would not accept, a display dropped, a fresh snapshot
  mid-step (fell behind), a call or ticket that never reached the display or showed another
  number.
- Tickets issued / due: tickets the offices' days hold within the window against those taken;
  "behind": the furthest any office's driver fell behind its schedule (a driver is one thread
  that waits for each answer, so a slow server or a starved load generator shows here).
- Server RSS: the uvicorn supervisor, both workers and nginx (master and workers), the most
  seen during the step (offices of earlier steps stay loaded). CPU: % of one core over the
  window: the workers + nginx, PostgreSQL's backends for this database, and the load generator
  ({args.procs} processes: a thread per office driver on keep-alive connections, an asyncio loop
  for the displays); machine busy: all cores.
- **Everything runs on one 2-core machine**: load generator, nginx, both workers, PostgreSQL
  and Redis share the same 2 cores, so the server gets what the load generator leaves it.
- Per-kiosk rate limit raised (`ANTREAN_LIMIT_TICKETS_DEVICE=1000000/minute`): at 60x one
  kiosk takes some 700 tickets a minute. Officers' passwords are hashed with cheap argon2
  parameters (the sign-ins happen before the steps anyway). Voice: the server's default
  ({args.voice_note}); access logs off in uvicorn and nginx.

{table(steps)}

| Target | Value | Result |
|---|---|---|
{chr(10).join(f"| {v.what} | {v.value} | **{'PASS' if v.ok else 'MISS'}** |" for v in found)}

Overall: **{overall}**.

Where latency turns up ({n} offices against 1 office at the same speed):

{turn_up(steps)}

{analysis(steps)}

Errors by kind:

{chr(10).join(errors)}
{refused}
Rerun: `./dev bench regency_load --write docs/benchmarks.md` (about {_minutes(args):.0f} minutes;
`--quick` for a 3-office smoke run).

Machine:

{machine_markdown(info)}
- Load average at the end: {" / ".join(f"{x:.2f}" for x in os.getloadavg())}
"""


def _minutes(args: argparse.Namespace) -> float:
    steps = len(args.speeds) * float(args.seconds)
    return (steps + len(args.baseline_speeds) * float(args.baseline_seconds)) / 60 + 2


# ---- main ----
def _speeds(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--offices", type=int, default=50)
    parser.add_argument("--speeds", type=_speeds, default=[10.0, 30.0, 60.0])
    parser.add_argument("--seconds", type=float, default=60.0, help="window of each load step")
    parser.add_argument("--baseline-seconds", type=float, default=90.0)
    parser.add_argument("--baseline-speeds", type=_speeds, default=None)
    parser.add_argument("--procs", type=int, default=4, help="load generator processes")
    parser.add_argument("--nginx-workers", type=int, default=2)
    parser.add_argument("--grace", type=float, default=3.0, help="wait for late pushes")
    parser.add_argument("--quick", action="store_true", help="3 offices, 4 s steps")
    parser.add_argument("--write", type=Path)
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    parser.add_argument("--keep-logs", type=Path, help="server and nginx logs go here")
    args = parser.parse_args(argv)
    if args.quick:
        args.offices, args.seconds, args.baseline_seconds, args.procs = 3, 4.0, 4.0, 2
        args.grace = 1.0
        args.baseline_speeds = args.baseline_speeds or [TARGET_SPEED]
    if args.baseline_speeds is None:
        args.baseline_speeds = list(args.speeds)
    return args


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if nginx_path() is None:
        _log("nginx is not installed (apt-get install nginx)")
        return 2
    if not _redis_up():
        _log(f"no Redis at {REDIS_URL}")
        return 2
    import shutil

    voice = "pyttsx3 on eSpeak NG" if shutil.which("espeak-ng") else "a tone: no eSpeak NG here"
    args.voice_note = voice
    info = machine(("postgresql",))
    info["Open files limit (ulimit -n)"] = str(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    slots = [("baseline", 1, s, args.baseline_seconds) for s in args.baseline_speeds]
    slots += [("regency", args.offices, s, args.seconds) for s in args.speeds]
    steps: list[Step] = []
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="antrean-regency-")))
        logs = args.keep_logs or tmp
        logs.mkdir(parents=True, exist_ok=True)
        url = stack.enter_context(fresh_database("postgresql", "regency"))
        from migrations import upgrade

        _log("migrating and seeding")
        upgrade(url)
        slugs = [f"{label[0]}{int(speed)}-{i:02d}" for label, count, speed, _ in slots
                 for i in range(1, count + 1)]  # fmt: skip
        specs = {s.slug: s for s in seed_offices(url, slugs)}
        env = {
            "ANTREAN_RATE_LIMIT_STORAGE": REDIS_URL,
            "ANTREAN_LIMIT_TICKETS_DEVICE": "1000000/minute",
            "ANTREAN_SEED_DEMO": "false",
            "ANTREAN_FORWARDED_ALLOW_IPS": "127.0.0.1",
        }
        server = ServerProcess(url, env=env, workers=2, log_path=logs / "server.log")
        stack.enter_context(server)
        nginx = NginxProcess(f"127.0.0.1:{server.port}", tmp / "nginx", workers=args.nginx_workers)
        stack.enter_context(nginx)
        env_url = nginx.url
        _log(f"server on {server.url} (2 workers), nginx on {env_url}; signing officers in")
        specs = {slug: sign_in(env_url, spec) for slug, spec in specs.items()}
        dbname = url.rsplit("/", 1)[1]
        load = LoadGenerator(args.procs)
        stack.callback(load.close)
        proc_stack = Stack(server, nginx, dbname)
        _log(f"idle: server + nginx RSS {_rss_mb(proc_stack.pids()):.0f} MB")
        for label, count, speed, seconds in slots:
            step_specs = [specs[f"{label[0]}{int(speed)}-{i:02d}"] for i in range(1, count + 1)]
            step = Step(label, count, speed, seconds)
            steps.append(run_step(step, step_specs, load, proc_stack, nginx.port, args.grace))
        if nginx.errors().strip():
            _log("nginx error log:\n" + nginx.errors())
    text = markdown(steps, args, info)
    print(text)
    if args.json:
        args.json.write_text(json.dumps([s.row() for s in steps], indent=1))
    if args.write:
        write_section(args.write if args.write.is_absolute() else ROOT / args.write, SECTION, text)
    return 0 if all(v.ok for v in verdicts(steps)) else 1


if __name__ == "__main__":
    sys.exit(main())
