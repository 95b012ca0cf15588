"""Live push latency: one officer's call reaching N lobby screens, against the floor.

For each N (default 100, 1,000 and 5,000) N display clients follow

* real: `antrean serve`, one worker (SQLite by default, `--backend postgresql` for
  PostgreSQL), on `/ws/v1/offices/winongan?role=display` with a display device token; each
  measured call is `POST /api/v1/offices/winongan/counters/1/call-next` by officer petugas1
  (which finishes the previous visitor and calls the next: a `ticket_finished` then a
  `ticket_called` event; the `ticket_called` is measured);
* bare: `bench/bare_broadcast_app.py`, a minimal FastAPI app with a per-connection queue and
  writer task, where `POST /call` json-dumps one event once and enqueues it to every socket,
* bare, 2 messages per call (`--diagnose`, on by default; not a target): the same app sending a
  `ticket_finished`-shaped message before each call, as call-next does,

and, with `--two-workers N` (default 3,000), N clients on `antrean serve --workers 2` on
PostgreSQL (the kernel spreads the sockets over both workers; calls from one worker reach the
other worker's screens through LISTEN/NOTIFY) against the bare app (one worker) with N clients.

Every server starts fresh per N and runs with per-message compression off. All endpoints' N
clients stay connected at once, spread over `--procs` client processes (uvloop; by default a
minimal websocket protocol that stamps each message as its bytes arrive and costs next to no
CPU, `--client websockets` for the library's client), connecting at `--connect-rate` per
second like screens switched on at different times. Calls alternate between the endpoints
(bare, real, real, bare, ...), each waiting until every client has the call and then
`--spacing` seconds, so all see the same noise. Latency is from just before the HTTP request is
sent to the client's arrival of the `ticket_called` event (`time.time_ns()`, one clock for all
processes), pooled over the calls; "call -> all" is the latency of the last client of each
call. Server RSS (VmRSS, summed over the workers) is read idle, with the clients connected, and
after the calls; server and client CPU time is summed per call; the servers' full garbage
collections are logged (`--gc-log`, a `gc.callbacks` hook loaded as `sitecustomize`). The
largest N holds its connections for `--hold` seconds (the clients answer the server's pings)
before its calls.

    python bench/push_latency.py [--sizes 100,1000,5000] [--calls 15] [--hold 60]
        [--two-workers 3000] [--procs 4] [--write docs/benchmarks.md] [--profile DIR]

Targets, in the same run: real p99 at N = 1,000 <= 1.5x bare; 2-worker PostgreSQL p99 at
N = 3,000 <= 2x bare (1 worker) at 3,000; the 5,000 clients held by one worker all get the
call, with server RSS < 450 MB. Every call must reach every client. Exits 1 on a MISS.
`--profile DIR` (py-spy) records each real server during a few extra, unmeasured calls and
prints where it spent its time.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import http.client
import json
import multiprocessing
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

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
from queue_server.testing import ServerProcess

SECTION = "push_latency"
OFFICE = "winongan"
ADMIN_PASSWORD = os.environ.get("ANTREAN_ADMIN_PASSWORD", "kunci-kantor-1")
DEMO_PASSWORD = os.environ.get("ANTREAN_DEMO_PASSWORD", "rahasia-demo-1")
TARGET_P99 = 1.5  # real p99 at TARGET_N <= this x bare
TARGET_N = 1000
TARGET_FANOUT_P99 = 2.0  # 2-worker PostgreSQL p99 <= this x bare (1 worker), same N
TARGET_RSS_MB = 450.0  # one worker holding RSS_N clients
RSS_N = 5000
CALLED = '"ticket_called"'
WAIT_SECONDS = 60.0  # longest wait for one call to reach everybody
CONNECT_SECONDS = 600.0  # longest wait for one endpoint's N clients to connect


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _raise_fd_limit(want: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, want) if hard == resource.RLIM_INFINITY else min(hard, max(soft, want))
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---- client processes ----
@dataclass(eq=False)
class _Fleet:
    """One process's clients of one endpoint."""

    clients: list[Any] = field(default_factory=list)  # _Client | _RawClient
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    goal: int = 0
    reached: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    open: int = 0

    def arrived(self, client: Any, now: int, message: str | bytes) -> None:
        client.arrivals.append((now, message))
        client.called += 1
        if client.called == self.goal:
            self.reached += 1
            if self.reached >= len(self.clients):
                self.done.set()

    def dropped(self, client: Any) -> None:
        self.open -= 1
        self.clients.remove(client)  # a dropped client no longer holds up the waits
        if self.goal and client.called >= self.goal:
            self.reached -= 1
        if self.reached >= len(self.clients):
            self.done.set()


@dataclass(eq=False)
class _Client:
    """A `websockets` asyncio client."""

    called: int = 0  # ticket_called events received
    arrivals: list[tuple[int, str | bytes]] = field(default_factory=list)  # (time_ns, message)
    ws: Any = None

    def abort(self) -> None:
        self.ws.transport.abort()


async def _follow(url: str, fleet: _Fleet, ready: asyncio.Queue[bool]) -> None:
    from websockets.asyncio.client import connect

    client = _Client()
    try:
        async with connect(
            url, compression=None, ping_interval=None, open_timeout=120, close_timeout=1,
            max_size=None, max_queue=None,
        ) as ws:  # fmt: skip
            first = await asyncio.wait_for(ws.recv(), 120)
            if '"snapshot"' not in first:
                raise RuntimeError(f"expected a snapshot first, got {str(first)[:80]}")
            client.ws = ws
            fleet.clients.append(client)
            fleet.open += 1
            ready.put_nowait(True)
            try:
                async for message in ws:
                    now = time.time_ns()
                    if not isinstance(message, str):
                        continue
                    if CALLED in message:
                        fleet.arrived(client, now, message)
                    elif '"ping"' in message:
                        await ws.send('{"type":"pong"}')
            finally:
                fleet.dropped(client)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if client.ws is None:
            fleet.failures[type(exc).__name__] += 1
            ready.put_nowait(False)
        else:
            fleet.failures[f"dropped:{type(exc).__name__}"] += 1


def _frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (RFC 6455 5.2); payloads here are small."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + mask + masked


_CALLED_B = CALLED.encode()
_PONG = _frame(0x1, b'{"type":"pong"}')


class _RawClient(asyncio.Protocol):
    """A minimal websocket client: the upgrade, then unmasked server frames parsed in place.

    Stamps each message with the time its bytes reached the process (`data_received`), and
    spends next to no CPU, so the clients take as little as possible from the servers' cores.
    """

    def __init__(self, fleet: _Fleet, host: str, target: str, ready: asyncio.Future[bool]):
        self.fleet = fleet
        self.request = (
            f"GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n\r\n"
        ).encode()
        self.ready = ready
        self.buffer = bytearray()
        self.upgraded = False
        self.following = False  # snapshot received
        self.transport: asyncio.Transport | None = None
        self.called = 0
        self.arrivals: list[tuple[int, str | bytes]] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport.write(self.request)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def _fail(self, why: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(why))
        self.abort()

    def data_received(self, data: bytes) -> None:
        now = time.time_ns()
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self._fail(f"upgrade refused: {bytes(buffer[:60])!r}")
                return
            del buffer[: end + 4]
            self.upgraded = True
        while len(buffer) >= 2:
            opcode, length, at = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, at = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, at = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < at + length:
                return
            payload = bytes(buffer[at : at + length])
            del buffer[: at + length]
            self._message(opcode, payload, now)

    def _message(self, opcode: int, payload: bytes, now: int) -> None:
        if opcode == 0x1:  # text (the servers here never fragment)
            if not self.following:
                if b'"snapshot"' not in payload:
                    self._fail(f"expected a snapshot first, got {payload[:80]!r}")
                    return
                self.following = True
                self.fleet.clients.append(self)
                self.fleet.open += 1
                self.ready.set_result(True)
            elif _CALLED_B in payload:
                self.fleet.arrived(self, now, payload)
            elif b'"ping"' in payload and self.transport is not None:
                self.transport.write(_PONG)
        elif opcode == 0x9 and self.transport is not None:  # ping: pong with the same data
            self.transport.write(_frame(0xA, payload))
        elif opcode == 0x8:  # close
            self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.following:
            self.fleet.failures[f"dropped:{type(exc).__name__ if exc else 'closed'}"] += 1
            self.following = False
            self.fleet.dropped(self)
        elif not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed before the snapshot: {exc!r}"))


async def _follow_raw(url: str, fleet: _Fleet, ready: asyncio.Queue[bool]) -> None:
    parts = urllib.parse.urlsplit(url)
    loop = asyncio.get_running_loop()
    snapshot: asyncio.Future[bool] = loop.create_future()
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    try:
        await asyncio.wait_for(
            loop.create_connection(
                lambda: _RawClient(fleet, f"{host}:{port}", target, snapshot), host, port
            ),
            120,
        )
        await asyncio.wait_for(snapshot, 120)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        fleet.failures[type(exc).__name__] += 1
        ready.put_nowait(False)
        return
    ready.put_nowait(True)


async def _connect(
    fleet: _Fleet, url: str, count: int, in_flight: int, rate: float, kind: str
) -> dict[str, Any]:
    """Connect `count` clients, at most `in_flight` at a time and `rate` per second (0: as
    fast as they go); answer when each has its snapshot or failed."""
    ready: asyncio.Queue[bool] = asyncio.Queue()
    follow = _follow_raw if kind == "raw" else _follow
    began = time.monotonic()
    pending = started = ok = 0

    def due() -> float:  # seconds until the next client may start
        return began + started / rate - time.monotonic() if rate > 0 else 0.0

    while started < count or pending:
        while started < count and pending < in_flight and due() <= 0:
            fleet.tasks.append(asyncio.create_task(follow(url, fleet, ready)))
            started += 1
            pending += 1
        may_start = started < count and pending < in_flight
        if not pending:
            await asyncio.sleep(max(0.0, due()))
            continue
        timeout = max(0.001, due()) if may_start else CONNECT_SECONDS
        try:
            ok += bool(await asyncio.wait_for(ready.get(), timeout))
        except TimeoutError:
            if not may_start:
                raise
            continue
        pending -= 1
    return {"ok": ok, "failed": count - ok, "seconds": time.monotonic() - began}


async def _wait(fleet: _Fleet, goal: int, timeout: float) -> dict[str, Any]:
    fleet.goal = goal
    fleet.reached = sum(1 for c in fleet.clients if c.called >= goal)
    fleet.done = asyncio.Event()
    if fleet.reached >= len(fleet.clients):
        fleet.done.set()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(fleet.done.wait(), timeout)
    return {"reached": fleet.reached, "clients": len(fleet.clients)}


def _collect(fleet: _Fleet) -> dict[str, list[int]]:
    """Arrival times per called ticket number, over all this process's clients."""
    out: dict[str, list[int]] = defaultdict(list)
    for client in fleet.clients:
        for at, message in client.arrivals:
            out[json.loads(message)["call"]["number"]].append(at)
        client.arrivals.clear()
    return dict(out)


async def _close(fleet: _Fleet) -> None:
    for client in list(fleet.clients):
        with contextlib.suppress(Exception):
            client.abort()
    for task in fleet.tasks:
        task.cancel()
    await asyncio.gather(*fleet.tasks, return_exceptions=True)
    fleet.clients.clear()
    fleet.tasks.clear()


async def _serve_commands(conn: Connection) -> None:
    fleets: dict[str, _Fleet] = {}
    while True:
        command, name, *rest = await asyncio.to_thread(conn.recv)
        reply: Any = None
        if command == "connect":
            url, count, in_flight, rate, kind = rest
            fleet = fleets[name] = _Fleet()
            reply = await _connect(fleet, url, count, in_flight, rate, kind)
            reply["failures"] = dict(fleet.failures)
            gc.collect()
            gc.freeze()  # nothing to scan during the measured calls
        elif command == "wait":
            reply = await _wait(fleets[name], *rest)
        elif command == "status":
            fleet = fleets[name]
            reply = {"open": fleet.open, "failures": dict(fleet.failures)}
        elif command == "collect":
            reply = _collect(fleets[name])
        elif command == "close":
            await _close(fleets.pop(name))
        elif command == "quit":
            for fleet in fleets.values():
                await _close(fleet)
            conn.send(None)
            return
        conn.send(reply)


def client_main(conn: Connection, fd_limit: int) -> None:
    _raise_fd_limit(fd_limit)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    gc.disable()
    try:
        import uvloop

        uvloop.run(_serve_commands(conn))
    except ImportError:
        asyncio.run(_serve_commands(conn))


class Clients:
    """The client processes, driven over pipes; every command goes to all of them."""

    def __init__(self, procs: int, fd_limit: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs: list[Any] = []
        for _ in range(procs):
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=client_main, args=(theirs, fd_limit), daemon=True)
            proc.start()
            theirs.close()
            self.pipes.append(ours)
            self.procs.append(proc)

    def _all(self, commands: list[tuple[Any, ...]], timeout: float) -> list[Any]:
        for pipe, command in zip(self.pipes, commands, strict=True):
            pipe.send(command)
        return [self._recv(pipe, timeout) for pipe in self.pipes]

    def _recv(self, pipe: Connection, timeout: float) -> Any:
        if not pipe.poll(timeout):
            raise TimeoutError("a client process did not answer")
        return pipe.recv()

    def pids(self) -> list[int]:
        return [proc.pid for proc in self.procs if proc.pid is not None]

    def send(self, *command: Any) -> None:
        for pipe in self.pipes:
            pipe.send(command)

    def replies(self, timeout: float) -> list[Any]:
        return [self._recv(pipe, timeout) for pipe in self.pipes]

    def connect(
        self, name: str, url: str, n: int, in_flight: int, rate: float, kind: str
    ) -> dict[str, Any]:
        k = len(self.pipes)
        shares = [n // k + (1 if i < n % k else 0) for i in range(k)]
        replies = self._all(
            [("connect", name, url, share, in_flight, rate / k, kind) for share in shares],
            CONNECT_SECONDS + 60,
        )
        failures: dict[str, int] = defaultdict(int)
        for reply in replies:
            for kind, count in reply["failures"].items():
                failures[kind] += count
        return {
            "ok": sum(r["ok"] for r in replies),
            "seconds": max(r["seconds"] for r in replies),
            "failures": dict(failures),
        }

    def status(self, name: str) -> tuple[int, dict[str, int]]:
        replies = self._all([("status", name)] * len(self.pipes), 60)
        failures: dict[str, int] = defaultdict(int)
        for reply in replies:
            for kind, count in reply["failures"].items():
                failures[kind] += count
        return sum(r["open"] for r in replies), dict(failures)

    def collect(self, name: str) -> dict[str, list[int]]:
        out: dict[str, list[int]] = defaultdict(list)
        for reply in self._all([("collect", name)] * len(self.pipes), 120):
            for number, times in reply.items():
                out[number].extend(times)
        return dict(out)

    def close(self, name: str) -> None:
        self._all([("close", name)] * len(self.pipes), 120)

    def quit(self) -> None:
        with contextlib.suppress(Exception):
            self._all([("quit", "")] * len(self.pipes), 60)
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=5)


# ---- servers ----
def _pythonpath(*first: Path) -> str:
    extra = os.environ.get("PYTHONPATH")
    return os.pathsep.join([*map(str, first), str(ROOT), *([extra] if extra else [])])


# Put on the servers' PYTHONPATH (with --gc-log): logs each full (gen 2) collection, and any
# longer than 5 ms, as "time_ns generation duration_ns", to GC_LOG_DIR/gc-PID.log.
GC_PROBE = """\
import gc, os, time

_dir = os.environ.get("ANTREAN_BENCH_GC_LOG")
if _dir:
    _began = [0]

    def _probe(phase, info):
        if phase == "start":
            _began[0] = time.perf_counter_ns()
            return
        took = time.perf_counter_ns() - _began[0]
        if info["generation"] == 2 or took > 5_000_000:
            with open(os.path.join(_dir, f"gc-{os.getpid()}.log"), "a") as log:
                log.write(f"{time.time_ns()} {info['generation']} {took}\\n")

    gc.callbacks.append(_probe)
"""


def _gc_pauses(log_dir: Path | None, pids: list[int], began: int, ended: int) -> list[float]:
    """Durations (ms) of the full collections that ended within [began, ended + 2 s]."""
    if log_dir is None:
        return []
    found = []
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in (log_dir / f"gc-{pid}.log").read_text().splitlines():
                at, generation, took = (int(x) for x in line.split())
                if generation == 2 and began <= at <= ended + 2_000_000_000:
                    found.append(took / 1e6)
    return found


class BareServer(ServerProcess):
    """The bare app under uvicorn with the same flags as ServerProcess, compression off."""

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "bench.bare_broadcast_app:app", "--host",
            "127.0.0.1", "--port", str(self.port), "--no-access-log", "--log-level", "warning",
            "--ws-per-message-deflate", "false",
        ]  # fmt: skip


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _rss_mb(pid: int) -> float:
    try:
        text = (Path("/proc") / str(pid) / "status").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (all their threads) so far."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _sockets(pid: int) -> int:
    count = 0
    with contextlib.suppress(OSError):
        for fd in (Path("/proc") / str(pid) / "fd").iterdir():
            with contextlib.suppress(OSError):
                count += os.readlink(fd).startswith("socket:")
    return count


@dataclass(eq=False)
class Target:
    name: str  # "bare" | "real"
    label: str  # what the table shows
    server: ServerProcess
    ws_path: str
    call_path: str
    headers: dict[str, str]
    workers: int = 1
    http: http.client.HTTPConnection | None = None
    calls_made: int = 0  # ticket_called events every client should have seen
    sent: dict[str, int] = field(default_factory=dict)  # measured number -> t0 (time_ns)
    rss: dict[str, float] = field(default_factory=dict)
    idle_sockets: list[int] = field(default_factory=list)
    per_worker: list[int] = field(default_factory=list)
    connected: int = 0
    connect_seconds: float = 0.0
    failures: dict[str, int] = field(default_factory=dict)
    held_open: int | None = None
    server_cpu: float = 0.0  # seconds of server CPU over the measured calls
    client_cpu: float = 0.0  # ... and of the client processes
    latencies: list[float] = field(default_factory=list)  # ms, sorted
    all_delivered: list[float] = field(default_factory=list)  # ms per call, sorted
    per_call: list[float] = field(default_factory=list)  # ms per call, in call order
    gc_pauses: list[float] = field(default_factory=list)  # ms, full GCs during the calls
    delivered: int = 0
    expected: int = 0
    errors: list[str] = field(default_factory=list)
    _pids: list[int] = field(default_factory=list)

    def pids(self) -> list[int]:
        """The processes serving (the uvicorn workers when there are several)."""
        assert self.server.proc is not None
        pid = self.server.proc.pid
        if self.workers == 1:
            return [pid]
        if len(self._pids) != self.workers or not all(
            Path(f"/proc/{p}").exists() for p in self._pids
        ):
            self._pids = [c for c in _children(pid) if "resource_tracker" not in _cmdline(c)]
        return self._pids

    def rss_mb(self) -> float:
        return sum(_rss_mb(pid) for pid in self.pids())

    def post(self, path: str) -> tuple[int, int, bytes]:
        """POST on the kept-alive connection; returns (t0 in time_ns, status, body)."""
        for attempt in range(2):  # the server may have closed an idle keep-alive connection
            if self.http is None:
                self.http = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
            t0 = time.time_ns()
            try:
                self.http.request("POST", path, headers=self.headers)
                response = self.http.getresponse()
                return t0, response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                self.http.close()
                self.http = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def call(self) -> tuple[int, str]:
        """One call; returns (t0 in time_ns, the called ticket's number)."""
        t0, status, body = self.post(self.call_path)
        if status != 200:
            raise RuntimeError(f"{self.label}: call returned {status}: {body[:200]!r}")
        self.calls_made += 1
        return t0, str(json.loads(body)["ticket"]["number"])

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}{self.ws_path}"

    def cpu_ms(self, side: str) -> float:
        seconds = self.server_cpu if side == "server" else self.client_cpu
        return 1000 * seconds / max(1, len(self.sent))

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    def all_p(self, q: float) -> float:
        return percentile(self.all_delivered, q)

    def complete(self) -> bool:
        return self.expected > 0 and self.delivered == self.expected and not self.errors


def _request(base: str, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    if response.status not in (200, 201):
        raise RuntimeError(f"POST {path}: {response.status} {data[:300]!r}")
    return json.loads(data) if data else None


def _login(base: str, username: str, password: str) -> str:
    body = {"username": username, "password": password}
    token: str = _request(base, "/api/v1/auth/login", body)["token"]
    return token


def prepare_real(server: ServerProcess, tickets: int, label: str, workers: int) -> Target:
    """Devices, an open counter 1 and `tickets` visitors waiting; returns the target."""
    base = server.url
    admin = _login(base, "admin", ADMIN_PASSWORD)
    devices = f"/api/v1/offices/{OFFICE}/devices"
    display = _request(base, devices, {"kind": "display", "name": "bench"}, admin)["token"]
    kiosk = _request(base, devices, {"kind": "kiosk", "name": "bench"}, admin)["token"]
    officer = _login(base, "petugas1", DEMO_PASSWORD)
    _request(base, f"/api/v1/offices/{OFFICE}/counters/1/open", {}, officer)
    for _ in range(tickets):
        _request(base, f"/api/v1/offices/{OFFICE}/tickets", {"service": "A"}, kiosk)
    return Target(
        "real", label, server, f"/ws/v1/offices/{OFFICE}?role=display&token={display}",
        f"/api/v1/offices/{OFFICE}/counters/1/call-next",
        {"Authorization": f"Bearer {officer}", "Content-Length": "0"}, workers,
    )  # fmt: skip


# ---- one group: N clients on each endpoint, calls interleaved ----
@dataclass
class Group:
    n: int
    kind: str  # "single" | "two-workers"
    targets: list[Target]
    hold: float = 0.0
    gc_dir: Path | None = None
    began: int = field(default_factory=time.time_ns)

    def target(self, name: str) -> Target:
        return next(t for t in self.targets if t.name == name)


def _measured_call(clients: Clients, target: Target, spacing: float, keep: bool) -> None:
    goal = target.calls_made + 1
    server_pids, client_pids = target.pids(), clients.pids()
    server_cpu, client_cpu = _cpu_seconds(server_pids), _cpu_seconds(client_pids)
    clients.send("wait", target.name, goal, WAIT_SECONDS)
    try:
        t0, number = target.call()
    finally:
        replies = clients.replies(WAIT_SECONDS + 30)
    if keep:
        target.server_cpu += _cpu_seconds(server_pids) - server_cpu
        target.client_cpu += _cpu_seconds(client_pids) - client_cpu
    reached = sum(r["reached"] for r in replies)
    if reached < target.connected:
        target.errors.append(f"call {number}: {reached}/{target.connected} within {WAIT_SECONDS}s")
    if keep:
        target.sent[number] = t0
    time.sleep(spacing)


def _summarise(target: Target, arrivals: dict[str, list[int]]) -> None:
    latencies: list[float] = []
    per_call: list[float] = []
    for number, t0 in target.sent.items():
        times = arrivals.get(number, [])
        target.delivered += len(times)
        target.expected += target.connected
        latencies.extend((t - t0) / 1e6 for t in times)
        if times and len(times) >= target.connected:
            per_call.append((max(times) - t0) / 1e6)
        else:
            per_call.append(float("inf"))
    target.latencies = sorted(latencies)
    target.per_call = per_call
    target.all_delivered = sorted(per_call)


def run_group(group: Group, clients: Clients, args: argparse.Namespace) -> None:
    tag = f"[N={group.n} {group.kind}]"
    for target in group.targets:
        target.rss["idle"] = target.rss_mb()
        target.idle_sockets = [_sockets(pid) for pid in target.pids()]
    for target in group.targets:
        done = clients.connect(
            target.name, target.ws_url, group.n, args.in_flight, args.connect_rate, args.client
        )
        target.connected, target.connect_seconds = done["ok"], done["seconds"]
        target.failures = done["failures"]
        _log(
            f"{tag} {target.label}: {done['ok']}/{group.n} connected in {done['seconds']:.1f}s"
            f"{'  failures ' + str(done['failures']) if done['failures'] else ''}"
        )
        if done["ok"] < group.n:
            target.errors.append(f"only {done['ok']}/{group.n} connected: {done['failures']}")
    if group.hold > 0:
        _log(f"{tag} holding the connections for {group.hold:.0f}s")
        deadline = time.monotonic() + group.hold
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 10.0))
        for target in group.targets:
            still, failures = clients.status(target.name)
            target.held_open = still
            _log(f"{tag} {target.label}: {still}/{target.connected} still open {failures or ''}")
            if still < target.connected:
                target.errors.append(f"{target.connected - still} dropped while held: {failures}")
                target.connected = still
    for target in group.targets:
        target.rss["connected"] = target.rss_mb()
        target.per_worker = [
            _sockets(pid) - idle
            for pid, idle in zip(target.pids(), target.idle_sockets, strict=False)
        ]
    for _ in range(args.warmup):
        for target in group.targets:
            _measured_call(clients, target, args.spacing, keep=False)
    calls_began = time.time_ns()
    for i in range(args.calls):
        order = group.targets if i % 2 == 0 else list(reversed(group.targets))
        for target in order:
            _measured_call(clients, target, args.spacing, keep=True)
    calls_ended = time.time_ns()
    for target in group.targets:
        target.rss["after"] = target.rss_mb()
        target.gc_pauses = _gc_pauses(group.gc_dir, target.pids(), calls_began, calls_ended)
        _summarise(target, clients.collect(target.name))
        _log(
            f"{tag} {target.label}: p50 {target.p(50):.1f} ms  p99 {target.p(99):.1f} ms  "
            f"max {target.p(100):.1f} ms  call->all p50 {target.all_p(50):.1f} ms  "
            f"RSS {target.rss['after']:.0f} MB  delivered {target.delivered}/{target.expected}  "
            f"CPU/call server {target.cpu_ms('server'):.0f} ms, clients "
            f"{target.cpu_ms('client'):.0f} ms"
            f"{'  ' + '; '.join(target.errors[:3]) if target.errors else ''}"
            f"\n    full GCs during the calls: {_gc_text(target)}"
            f"\n    call -> all per call, ms @ s since the group began: "
            + " ".join(
                f"{_ms(x)}@{(t0 - group.began) / 1e9:.0f}"
                for x, t0 in zip(target.per_call, target.sent.values(), strict=True)
            )
        )
    if args.profile is not None:
        for target in group.targets:
            if target.name == "real":
                profile(group, target, clients, args)
    for target in group.targets:
        clients.close(target.name)


def _start(server: ServerProcess, stack: ExitStack, timeout: float) -> None:
    stack.callback(server.stop)
    server.start(timeout=timeout)


def bench_group(
    n: int, kind: str, hold: float, clients: Clients, args: argparse.Namespace, logs: Path
) -> Group:
    tickets = args.warmup + args.calls + 2 + (args.profile_calls if args.profile else 0)
    env: dict[str, str] = {"PYTHONPATH": _pythonpath()}
    gc_dir = None
    if args.gc_log:
        gc_dir = logs / f"gc-{n}-{kind}"
        gc_dir.mkdir()
        (gc_dir / "sitecustomize.py").write_text(GC_PROBE)
        env = {"PYTHONPATH": _pythonpath(gc_dir), "ANTREAN_BENCH_GC_LOG": str(gc_dir)}
    with ExitStack() as stack:
        bare = BareServer("", env=env, log_path=logs / f"{n}-bare.log")
        _start(bare, stack, 60)
        backend = "postgresql" if kind == "two-workers" else args.backend
        workers = 2 if kind == "two-workers" else 1
        url = stack.enter_context(fresh_database(backend, f"push{n}"))
        real_server = ServerProcess(
            url, workers=workers, env={**env, "ANTREAN_WS_COMPRESSION": "false"},
            log_path=logs / f"{n}-real-{kind}.log",
        )  # fmt: skip
        _start(real_server, stack, 180)
        label = f"antrean, {workers} worker{'s' if workers > 1 else ''}, {backend}"
        real = prepare_real(real_server, tickets, label, workers)
        bare_target = Target(
            "bare", "bare, 1 worker", bare, "/ws", "/call", {"Content-Length": "0"}
        )
        targets = [bare_target, real]
        if args.diagnose and kind == "single":  # the floor paying Antrean's two messages
            bare2 = BareServer("", env=env, log_path=logs / f"{n}-bare2.log")
            _start(bare2, stack, 60)
            targets.append(
                Target(
                    "bare2", "bare, 2 messages per call", bare2, "/ws", "/call?events=2",
                    {"Content-Length": "0"},
                )
            )  # fmt: skip
        group = Group(n, kind, targets, hold, gc_dir=gc_dir)
        try:
            run_group(group, clients, args)
        finally:
            for target in group.targets:
                if target.http is not None:
                    target.http.close()
        return group


# ---- optional profile of the real server ----
def profile(group: Group, target: Target, clients: Clients, args: argparse.Namespace) -> None:
    """A few extra, unmeasured calls under `py-spy record`; print the hotspots."""
    from bench.issue_throughput import hotspots

    py_spy = shutil.which("py-spy")
    if py_spy is None:
        _log("--profile: py-spy not found on PATH; skipped")
        return
    args.profile.mkdir(parents=True, exist_ok=True)
    spies = []
    for pid in target.pids():
        out = args.profile / f"push-{group.n}-{group.kind}-{pid}.txt"
        out.unlink(missing_ok=True)
        command = [
            py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "250",
            "--output", str(out),
        ]  # fmt: skip
        if args.profile_idle:
            command.append("--idle")
        command.append("--native" if args.profile_native else "--nonblocking")
        spies.append((subprocess.Popen(command, stdout=subprocess.DEVNULL), out))
    time.sleep(1.5)
    for _ in range(args.profile_calls):
        _measured_call(clients, target, args.spacing, keep=False)
    time.sleep(0.5)
    for spy, _out in spies:
        spy.send_signal(signal.SIGINT)
    for spy, out in spies:
        try:
            spy.wait(timeout=60)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait(timeout=10)
        if out.exists():
            print(
                f"\nN={group.n}, {target.label}, {out.name}, {args.profile_calls} calls:\n"
                f"{hotspots(out)}",
                flush=True,
            )
        else:
            _log(f"--profile: py-spy wrote nothing for {out.name}")


# ---- reporting ----
@dataclass
class Verdict:
    name: str
    value: float | None
    limit: float
    ok: bool
    note: str

    def text(self) -> str:
        shown = "n/a" if self.value is None else f"{self.value:.2f}"
        return f"{self.name}: {shown} ({self.note}) -> {'PASS' if self.ok else 'MISS'}"


def reference(groups: list[Group]) -> str:
    """Not a target: antrean/bare of the median call -> all, which one full GC cannot move."""
    parts = []
    for g in groups:
        bare = g.target("bare").all_p(50)
        for t in g.targets:
            if t.name != "bare":
                parts.append(f"N = {g.n:,} {t.label}: {t.all_p(50) / bare:.2f}x")
    return "median call -> all vs bare (not a target): " + "; ".join(parts)


def verdicts(groups: list[Group]) -> list[Verdict]:
    out: list[Verdict] = []
    singles = {g.n: g for g in groups if g.kind == "single"}
    doubles = [g for g in groups if g.kind == "two-workers"]
    if TARGET_N in singles:
        g = singles[TARGET_N]
        bare, real = g.target("bare"), g.target("real")
        ratio = real.p(99) / bare.p(99)
        out.append(
            Verdict(
                f"p99 real/bare at N={TARGET_N:,}", ratio, TARGET_P99,
                ratio <= TARGET_P99 and real.complete() and bare.complete(),
                f"<= {TARGET_P99}x; {real.p(99):.1f} vs {bare.p(99):.1f} ms",
            )
        )  # fmt: skip
    for g in doubles:
        bare, real = g.target("bare"), g.target("real")
        ratio = real.p(99) / bare.p(99)
        out.append(
            Verdict(
                f"p99 2 workers PostgreSQL / bare 1 worker at N={g.n:,}", ratio,
                TARGET_FANOUT_P99, ratio <= TARGET_FANOUT_P99 and real.complete()
                and bare.complete(),
                f"<= {TARGET_FANOUT_P99}x; {real.p(99):.1f} vs {bare.p(99):.1f} ms",
            )
        )  # fmt: skip
    big = [g for n, g in singles.items() if n >= RSS_N]
    for g in big:
        real = g.target("real")
        rss = max(real.rss.values())
        held = f", held {g.hold:.0f}s" if g.hold else ", not held"
        out.append(
            Verdict(
                f"RSS of 1 worker holding N={g.n:,} (MB)", rss, TARGET_RSS_MB,
                rss < TARGET_RSS_MB and real.complete(),
                f"< {TARGET_RSS_MB:.0f} MB{held}, delivered {real.delivered}/{real.expected}",
            )
        )  # fmt: skip
    for g in groups:
        for t in g.targets:
            if not t.complete():
                out.append(
                    Verdict(
                        f"every call to every client, N={g.n:,} {t.label}", None, 0, False,
                        "; ".join(t.errors[:3]) or f"delivered {t.delivered}/{t.expected}",
                    )
                )  # fmt: skip
    return out


def _ms(value: float) -> str:
    return "-" if value != value else ("inf" if value == float("inf") else f"{value:.1f}")


def _gc_text(t: Target) -> str:
    if not t.gc_pauses:
        return "0"
    return f"{len(t.gc_pauses)}, longest {max(t.gc_pauses):.0f} ms"


def _rss(t: Target) -> str:
    return " / ".join(f"{t.rss.get(k, 0):.0f}" for k in ("idle", "connected", "after"))


def table(groups: list[Group]) -> str:
    rows = [
        f"{'N':>6}  {'endpoint':<32}{'p50':>8}{'p99':>8}{'max':>8}{'all p50':>9}{'all p99':>9}"
        f"  {'RSS MB idle/conn/after':<24}{'delivered':>16}{'CPU ms/call srv/cli':>21}"
        f"  full GCs"
    ]
    for g in groups:
        for t in g.targets:
            rows.append(
                f"{g.n:>6}  {t.label:<32}{_ms(t.p(50)):>8}{_ms(t.p(99)):>8}{_ms(t.p(100)):>8}"
                f"{_ms(t.all_p(50)):>9}{_ms(t.all_p(99)):>9}  {_rss(t):<24}"
                f"{f'{t.delivered}/{t.expected}':>16}"
                f"{t.cpu_ms('server'):>14.0f} / {t.cpu_ms('client'):<4.0f}  {_gc_text(t)}"
            )
    return "\n".join(rows)


def markdown(
    groups: list[Group], results: list[Verdict], args: argparse.Namespace, info: dict[str, str]
) -> str:
    backend = args.backend
    lines = [
        "## Live push latency (`bench/push_latency.py`)",
        "",
        f"N display clients follow the office; {args.calls} measured calls per endpoint and N "
        f"(after {args.warmup} unmeasured), alternating between the endpoints, each waiting "
        f"until every client has the call and then {args.spacing} s. Latency: from just before "
        "the HTTP request is sent to a client's arrival of the `ticket_called` event, pooled "
        'over clients and calls (ms); "call -> all": the last client of each call, p50/p99 '
        "over the calls.",
        "",
        f"- **antrean, 1 worker**: `antrean serve` on {backend} (fresh database per N), display "
        "device token on `/ws/v1/offices/winongan?role=display`; each call is `POST "
        ".../counters/1/call-next` by petugas1 (a `ticket_finished` then the measured "
        "`ticket_called` event).",
        "- **antrean, 2 workers, postgresql**: `antrean serve --workers 2` on PostgreSQL; the "
        "kernel spreads the sockets over the workers (clients per worker in the notes), the "
        "call lands on one worker and reaches the other's screens via LISTEN/NOTIFY.",
        "- **bare, 1 worker**: `bench/bare_broadcast_app.py` (uvicorn, same flags): per-connection "
        "`asyncio.Queue` + writer task, `POST /call` json-dumps one event shaped like Antrean's "
        "once and enqueues it to every socket. The floor."
        + (
            " **bare, 2 messages per call** (a diagnostic, not a target): the same, but each call "
            "first broadcasts a `ticket_finished`-shaped message, as call-next does when it "
            "finishes the visitor being served."
            if args.diagnose
            else ""
        ),
        "- Per-message compression off everywhere; uvicorn's default websocket implementation "
        "(websockets, sans-I/O), uvloop, httptools.",
        f"- Clients: {args.procs} processes (uvloop; "
        + (
            "a minimal asyncio websocket protocol that stamps each message when its bytes "
            "arrive, so the clients take as little CPU as possible"
            if args.client == "raw"
            else "the `websockets` asyncio client"
        )
        + "); all endpoints' N clients are connected at the same time, and everything shares "
        "the machine's 2 cores with the servers (CPU per call: user + system time of the "
        "server's processes and of the client processes from just before each call until "
        "every client has it).",
        f"- RSS: VmRSS of the serving process(es), summed over workers: idle (before the "
        f"clients), connected, and after the calls. The largest single-worker N held its "
        f"connections {args.hold:.0f} s before its calls (clients answer the server's pings).",
        f"- Clients connect at {args.connect_rate:.0f}/s per endpoint (at most {args.in_flight} "
        "handshakes in flight per process), like screens coming on at different times, so "
        "uvicorn's per-connection keep-alive pings (every 20 s) spread out instead of coming "
        "in one burst.",
        "- Full GCs: full (generation 2) garbage collections of the server process(es) that "
        "ended during the measured calls (all endpoints' calls interleave, so the window is the "
        "same), logged by a `gc.callbacks` hook put on the servers' PYTHONPATH as "
        "`sitecustomize` (no server code changed). A call that meets one waits for it.",
        f"- Targets, same run: p99 antrean/bare at N = {TARGET_N:,} <= {TARGET_P99}x; "
        f"2-worker PostgreSQL p99 <= {TARGET_FANOUT_P99}x bare (1 worker) at the same N; one "
        f"worker holding {RSS_N:,} clients: RSS < {TARGET_RSS_MB:.0f} MB, the call delivered "
        "to all; and every call reaches every client.",
        "",
        "| N | Endpoint | p50 | p99 | max | call -> all p50 | call -> all p99 | RSS MB "
        "idle / connected / after | delivered | server CPU ms/call | client CPU ms/call "
        "| full GCs during the calls | connect s |",
        "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|",
    ]
    notes = []
    for g in groups:
        for t in g.targets:
            lines.append(
                f"| {g.n:,} | {t.label} | {_ms(t.p(50))} | {_ms(t.p(99))} | {_ms(t.p(100))} | "
                f"{_ms(t.all_p(50))} | {_ms(t.all_p(99))} | {_rss(t)} | "
                f"{t.delivered:,}/{t.expected:,} | {t.cpu_ms('server'):.0f} | "
                f"{t.cpu_ms('client'):.0f} | {_gc_text(t) if args.gc_log else '-'} | "
                f"{t.connect_seconds:.1f} |"
            )
            if t.workers > 1:
                spread = " + ".join(str(x) for x in t.per_worker)
                notes.append(f"- N = {g.n:,}, {t.label}: sockets per worker {spread}.")
            if t.held_open is not None:
                notes.append(
                    f"- N = {g.n:,}, {t.label}: {t.held_open:,}/{g.n:,} still open after "
                    f"{g.hold:.0f} s held."
                )
            for error in t.errors[:3]:
                notes.append(f"- N = {g.n:,}, {t.label}: {error}")
            if g.n >= 3000:
                per_call = ", ".join(_ms(x) for x in t.per_call)
                notes.append(f"- N = {g.n:,}, {t.label}: call -> all per call, ms: {per_call}.")
    lines += ["", "| Target | Value | Result |", "|---|---:|---|"]
    for v in results:
        shown = "n/a" if v.value is None else f"{v.value:.2f}"
        lines.append(f"| {v.name} | {shown} ({v.note}) | **{'PASS' if v.ok else 'MISS'}** |")
    lines += ["", reference(groups)[0].upper() + reference(groups)[1:] + "."]
    if notes:
        lines += ["", "Notes:", "", *notes]
    lines += ["", "Machine:", "", machine_markdown(info)]
    return "\n".join(lines)


# ---- command line ----
def _sizes(value: str) -> list[int]:
    try:
        sizes = [int(x.replace("_", "")) for x in value.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad sizes {value!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    p.add_argument("--sizes", type=_sizes, default=[100, 1000, 5000], help="N, 1 worker")
    p.add_argument("--calls", type=int, default=15, help="measured calls per endpoint and N")
    p.add_argument("--warmup", type=int, default=2, help="unmeasured calls first (2)")
    p.add_argument("--spacing", type=float, default=0.4, help="seconds after each call (0.4)")
    p.add_argument("--hold", type=float, default=60.0, help="seconds the largest N is held")
    p.add_argument(
        "--two-workers", type=int, default=3000, help="N for 2 workers on PostgreSQL (0: skip)"
    )
    p.add_argument(
        "--backend", choices=("sqlite", "postgresql"), default="sqlite",
        help="database of the single-worker server (sqlite)",
    )  # fmt: skip
    p.add_argument("--procs", type=int, default=4, help="client processes (4)")
    p.add_argument(
        "--client", choices=("raw", "websockets"), default="raw",
        help="raw: a minimal asyncio websocket client (default); websockets: the library's",
    )  # fmt: skip
    p.add_argument("--in-flight", type=int, default=32, help="connects in flight per process")
    p.add_argument(
        "--connect-rate", type=float, default=250.0,
        help="new connections per second per endpoint, as screens coming on at different "
        "times (so the servers' per-connection pings spread out); 0: as fast as possible (250)",
    )  # fmt: skip
    p.add_argument("--write", type=Path, help="update this section of docs/benchmarks.md")
    p.add_argument("--profile", type=Path, help="py-spy extra calls per real server; stacks here")
    p.add_argument("--profile-calls", type=int, default=10, help="calls under py-spy (10)")
    p.add_argument("--profile-idle", action="store_true", help="py-spy --idle (off-CPU too)")
    p.add_argument(
        "--profile-native", action="store_true",
        help="py-spy --native (C frames, e.g. the GC; pauses the server to sample)",
    )  # fmt: skip
    p.add_argument(
        "--gc-log", action=argparse.BooleanOptionalAction, default=True,
        help="log the servers' full garbage collections (a sitecustomize gc callback) (on)",
    )  # fmt: skip
    p.add_argument(
        "--diagnose", action=argparse.BooleanOptionalAction, default=True,
        help="also a bare server sending 2 messages per call, as call-next does (on)",
    )  # fmt: skip
    args = p.parse_args(argv)
    if args.calls < 1 or args.procs < 1 or args.in_flight < 1:
        p.error("--calls, --procs and --in-flight must be at least 1")
    return args


def _plan(args: argparse.Namespace) -> Iterator[tuple[int, str, float]]:
    largest = max(args.sizes)
    for n in args.sizes:
        yield n, "single", args.hold if n == largest else 0.0
    if args.two_workers:
        yield args.two_workers, "two-workers", 0.0


def _terminate(_signum: int, _frame: Any) -> None:
    raise SystemExit(143)  # unwind: stop the servers, drop the databases, end the clients


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    signal.signal(signal.SIGTERM, _terminate)
    plan = list(_plan(args))
    backends = {"postgresql"} if args.two_workers else set()
    backends.add(args.backend)
    info = machine(sorted(backends, reverse=True))  # before our load: the neighbours' load
    biggest = max(n for n, _kind, _hold in plan)
    want = 3 * biggest + 2048  # a server's sockets, or a client process's share of all
    limit = _raise_fd_limit(want)
    info["Open files limit (ulimit -n)"] = str(limit)
    if limit < want:
        _log(f"warning: open files limited to {limit}, {want} wanted; large N may fail")
    groups: list[Group] = []
    clients = Clients(args.procs, limit)
    try:
        with tempfile.TemporaryDirectory(prefix="antrean-bench-logs-") as tmp:
            for n, kind, hold in plan:
                try:
                    groups.append(bench_group(n, kind, hold, clients, args, Path(tmp)))
                except Exception:
                    for log in sorted(Path(tmp).glob(f"{n}-*.log")):
                        _log(f"--- {log.name} (tail)\n{_tail(log)}")
                    raise
    finally:
        clients.quit()
    info["Load average at the end"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    results = verdicts(groups)
    print()
    print(table(groups))
    print()
    for v in results:
        print(v.text())
    print(reference(groups))
    print()
    print("\n".join(f"{k}: {v}" for k, v in info.items()))
    if args.write is not None:
        write_section(args.write, SECTION, markdown(groups, results, args, info))
        print(f"\nwrote the {SECTION} section of {args.write}")
    return 0 if all(v.ok for v in results) else 1


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


if __name__ == "__main__":
    sys.exit(main())
