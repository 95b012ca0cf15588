"""Ticket issue throughput: the real endpoint against the floor any design pays.

Measures tickets/s and p50/p99 latency at a fixed concurrency (aiohttp client, keep-alive) for

* real: `POST /api/v1/offices/winongan/tickets` on `antrean serve` (1 worker), as a kiosk
  device with a unique Idempotency-Key per request, services A-D round-robin;
* bare: `bench/bare_issue_app.py`, a minimal FastAPI app with the same threadpool model and
  the same `Database` discipline doing one upsert + one insert per ticket,

on SQLite and PostgreSQL. Both servers of a backend start fresh on their own empty database and
stay up across that backend's rounds; rounds interleave (bare, real, bare, real, ...) so both see
the same noise, and the report gives medians of rounds and the real/bare ratios against the
targets (throughput >= 0.6x bare, p99 <= 1.5x bare). Only 201s count; anything else is reported.

    python bench/issue_throughput.py [--requests N] [--rounds R] [--concurrency 50]
        [--backends sqlite,postgresql] [--write docs/benchmarks.md] [--profile DIR]

`--profile DIR` (needs `py-spy` on PATH) adds one unmeasured real round per backend under
`py-spy record` and prints where the server spent its time. Exits 1 when a backend misses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench.common import (
    ROOT,
    fresh_database,
    machine,
    machine_markdown,
    median,
    percentile,
    write_section,
)
from queue_server.testing import ServerProcess

SECTION = "issue_throughput"
SERVICES = ("A", "B", "C", "D")
OFFICE = "winongan"
ADMIN_PASSWORD = os.environ.get("ANTREAN_ADMIN_PASSWORD", "kunci-kantor-1")
TARGET_THROUGHPUT = 0.6  # real tickets/s >= this x bare
TARGET_P99 = 1.5  # real p99 <= this x bare
BODIES = [json.dumps({"service": code}).encode() for code in SERVICES]


@dataclass
class Round:
    requests: int
    seconds: float
    latencies: list[float]  # seconds, of the 201s, sorted
    failures: Counter[str]

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def tps(self) -> float:
        return self.ok / self.seconds

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000


@dataclass
class Target:
    name: str  # "bare" | "real"
    server: ServerProcess
    path: str
    headers: dict[str, str]
    key_prefix: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    sent: int = 0
    issued: int = 0  # 201s, warm-up and profiling included
    failures: Counter[str] = field(default_factory=Counter)
    rounds: list[Round] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url + self.path

    def tps(self) -> float:
        return median([r.tps for r in self.rounds])

    def p50(self) -> float:
        return median([r.p50_ms for r in self.rounds])

    def p99(self) -> float:
        return median([r.p99_ms for r in self.rounds])

    def non_201(self) -> int:
        return sum(sum(r.failures.values()) for r in self.rounds)


async def run_round(target: Target, requests: int, concurrency: int) -> Round:
    """Send `requests` tickets with `concurrency` in flight; one fresh session per round."""
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    remaining = iter(range(requests))  # the workers share it: each takes the next request
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def worker() -> None:
            for _ in remaining:
                n = target.sent
                target.sent += 1
                headers = {
                    **target.headers,
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"bench-{target.key_prefix}-{n:08d}",
                }
                start = time.perf_counter()
                try:
                    async with session.post(
                        target.url, data=BODIES[n % len(BODIES)], headers=headers
                    ) as response:
                        await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    failures[type(exc).__name__] += 1
                    continue
                if status == 201:
                    latencies.append(time.perf_counter() - start)
                else:
                    failures[str(status)] += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - began
    latencies.sort()
    target.issued += len(latencies)
    target.failures.update(failures)
    return Round(requests, seconds, latencies, failures)


async def kiosk_token(base: str) -> str:
    """Sign in as the admin and register a kiosk device; return its bearer token."""
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{base}/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}
        ) as response:
            if response.status != 200:
                raise RuntimeError(f"admin login failed: {response.status} {await response.text()}")
            admin = (await response.json())["token"]
        async with session.post(
            f"{base}/api/v1/offices/{OFFICE}/devices",
            json={"kind": "kiosk", "name": "bench"},
            headers={"Authorization": f"Bearer {admin}"},
        ) as response:
            if response.status != 201:
                raise RuntimeError(f"device failed: {response.status} {await response.text()}")
            token: str = (await response.json())["token"]
    return token


@dataclass
class Result:
    backend: str
    bare: Target
    real: Target

    def tps_ratio(self) -> float:
        return self.real.tps() / self.bare.tps()

    def p99_ratio(self) -> float:
        return self.real.p99() / self.bare.p99()

    def tps_ok(self) -> bool:
        return self.tps_ratio() >= TARGET_THROUGHPUT

    def p99_ok(self) -> bool:
        return self.p99_ratio() <= TARGET_P99

    def clean(self) -> bool:
        return self.bare.non_201() == 0 and self.real.non_201() == 0

    def verdict(self) -> str:
        return "PASS" if self.tps_ok() and self.p99_ok() and self.clean() else "MISS"


def _pythonpath() -> str:
    extra = os.environ.get("PYTHONPATH")
    return f"{ROOT}{os.pathsep}{extra}" if extra else str(ROOT)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_backend(backend: str, args: argparse.Namespace, logs: Path) -> Result:
    with ExitStack() as stack:
        bare_url = stack.enter_context(fresh_database(backend, "bare"))
        real_url = stack.enter_context(fresh_database(backend, "real"))
        bare_server = ServerProcess(
            bare_url,
            app="bench.bare_issue_app:app",
            env={"PYTHONPATH": _pythonpath()},
            log_path=logs / f"{backend}-bare.log",
        )
        real_server = ServerProcess(real_url, log_path=logs / f"{backend}-real.log")
        _log(f"[{backend}] starting servers (logs in {logs})")
        for server, timeout in ((bare_server, 60.0), (real_server, 120.0)):
            stack.callback(server.stop)  # a no-op if it never started
            server.start(timeout=timeout)
        token = asyncio.run(kiosk_token(real_server.url))
        bare = Target("bare", bare_server, "/tickets", {})
        real = Target(
            "real", real_server, f"/api/v1/offices/{OFFICE}/tickets",
            {"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        result = Result(backend, bare, real)
        for target in (bare, real):
            warm = asyncio.run(run_round(target, args.warmup, args.concurrency))
            _log(f"[{backend}] warm-up {target.name}: {warm.tps:.0f}/s, non-201 {warm.failures}")
        for n in range(1, args.rounds + 1):
            for target in (bare, real):
                time.sleep(args.pause)
                done = asyncio.run(run_round(target, args.requests, args.concurrency))
                target.rounds.append(done)
                _log(
                    f"[{backend}] round {n} {target.name}: {done.tps:7.1f} tickets/s  "
                    f"p50 {done.p50_ms:6.1f} ms  p99 {done.p99_ms:6.1f} ms  "
                    f"non-201 {sum(done.failures.values())} {dict(done.failures) or ''}"
                )
        if args.profile is not None:
            profile_round(backend, real, args)
        return result


# ---- optional profile of the real server ----
def profile_round(backend: str, real: Target, args: argparse.Namespace) -> None:
    """One extra, unmeasured real round under `py-spy record`; print the hotspots."""
    py_spy = shutil.which("py-spy")
    if py_spy is None or real.server.proc is None:
        _log("--profile: py-spy not found on PATH (pip install py-spy); skipped")
        return
    args.profile.mkdir(parents=True, exist_ok=True)
    out = args.profile / f"issue-real-{backend}.txt"
    command = [
        py_spy, "record", "--pid", str(real.server.proc.pid), "--format", "raw",
        "--rate", "100", "--nonblocking", "--output", str(out),
    ]  # fmt: skip
    if args.profile_gil:
        command.append("--gil")
    for _attempt in range(3):  # attaching now and then fails on a busy process; try again
        out.unlink(missing_ok=True)
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)
        if spy.poll() is None:
            break
        _log(f"--profile: py-spy failed to attach: {spy.communicate()[1].decode()[:300]}")
    else:
        return
    done = asyncio.run(run_round(real, args.requests, args.concurrency))
    spy.send_signal(signal.SIGINT)
    try:
        _out, err = spy.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        spy.kill()
        _out, err = spy.communicate()
    if not out.exists():
        _log(f"--profile: py-spy wrote nothing: {err.decode(errors='replace')[-1000:]}")
        return
    _log(f"[{backend}] profiled real round: {done.tps:.1f} tickets/s (raw stacks: {out})")
    what = "the GIL holder's samples" if args.profile_gil else "on-CPU samples of all threads"
    print(f"\n{backend}, real server, {what}:\n{hotspots(out)}", flush=True)


def _frames(line: str) -> tuple[list[str], int]:
    """`func (file:line);...;func (file:line) count` -> frames with short file names, count."""
    stack, _, count = line.rstrip("\n").rpartition(" ")
    frames = []
    for frame in stack.split(";"):
        name, _, where = frame.partition(" (")
        file, _, lineno = where.rstrip(")").partition(":")
        frames.append(f"{name} ({_short(file)}:{lineno})")
    return frames, int(count)


def _function(frame: str) -> str:
    return frame.rpartition(":")[0] + ")"


def _short(path: str) -> str:
    for anchor in ("site-packages/", f"{ROOT}/"):
        if anchor in path:
            return path.split(anchor, 1)[1]
    return path


def _package(frame: str) -> str:
    file = frame.rpartition(" (")[2].rpartition(":")[0]
    return file.split("/", 1)[0] if "/" in file else "stdlib"


def hotspots(path: Path, top: int = 20) -> str:
    """Shares of samples from py-spy's raw (collapsed) output: self time by package and by
    line, and inclusive time of Antrean's own functions. (Time inside SQLite or psycopg's C
    code shows as self time of the Python frame that called it, e.g. SQLAlchemy's do_execute.)"""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        frames, count = _frames(line)
        total += count
        if frames:
            own[frames[-1]] += count
        for function in {_function(f) for f in frames if "(queue_server/" in f}:
            inclusive[function] += count
    if total == 0:
        return "  (no samples)"
    packages: Counter[str] = Counter()
    for frame, n in own.items():
        packages[_package(frame)] += n

    def pct(n: int) -> str:
        return f"{100 * n / total:5.1f}"

    rows = [f"  {total} samples", "  self%  package"]
    rows += [f"  {pct(n)}  {name}" for name, n in packages.most_common(12)]
    rows += ["  self%  line"]
    rows += [f"  {pct(n)}  {name}" for name, n in own.most_common(top)]
    rows += ["  incl%  Antrean function"]
    rows += [f"  {pct(n)}  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(rows)


# ---- reporting ----
def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def table(results: list[Result]) -> str:
    rows = [
        f"{'backend':<11}{'endpoint':<10}{'tickets/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'non-201':>9}  tickets/s per round"
    ]
    for r in results:
        for t in (r.bare, r.real):
            per_round = " / ".join(f"{x.tps:.0f}" for x in t.rounds)
            rows.append(
                f"{r.backend:<11}{t.name:<10}{t.tps():>10.1f}{t.p50():>9.1f}{t.p99():>9.1f}"
                f"{t.non_201():>9}  {per_round}"
            )
        rows.append(
            f"{r.backend:<11}{'real/bare':<10}{r.tps_ratio():>9.2f}x{'':>9}{r.p99_ratio():>8.2f}x"
            f"{'':>9}  throughput {_verdict(r.tps_ok())} (>= {TARGET_THROUGHPUT}x), "
            f"p99 {_verdict(r.p99_ok())} (<= {TARGET_P99}x) -> {r.verdict()}"
        )
    return "\n".join(rows)


def markdown(results: list[Result], args: argparse.Namespace, info: dict[str, str]) -> str:
    per_target = args.warmup + args.rounds * args.requests
    lines = [
        "## Ticket issue throughput (`bench/issue_throughput.py`)",
        "",
        f"Concurrency {args.concurrency} (aiohttp, keep-alive), {args.rounds} rounds of "
        f"{args.requests} requests per endpoint after a warm-up of {args.warmup}, interleaved "
        "bare, real, bare, real, ...; figures are medians of rounds, latencies in ms.",
        "",
        "- **real**: `POST /api/v1/offices/winongan/tickets` on `antrean serve` (1 worker, no "
        "access log) as a kiosk device, unique `Idempotency-Key` per request, services A-D "
        "round-robin.",
        "- **bare**: `bench/bare_issue_app.py`, a sync FastAPI endpoint on the same `Database` "
        "(same engine settings; on SQLite WAL, synchronous=FULL, process write lock, BEGIN "
        "IMMEDIATE) doing one upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`) and one "
        "INSERT per ticket in one transaction: the floor any design pays.",
        "- Each server runs fresh on its own empty database per backend (a temp SQLite file, or "
        "a new PostgreSQL database dropped afterwards) and stays up across the rounds. Nobody is "
        f"called, so the real office's waiting line only grows: each endpoint issued "
        f"{per_target:,} tickets in the run (the last round starts with "
        f"{per_target - args.requests:,} waiting).",
        "- The aiohttp load client runs on the same machine as the servers and the database, "
        "sharing its cores; so does everything else running there (see the load averages).",
        f"- Targets, real vs bare in the same run: throughput >= {TARGET_THROUGHPUT}x, "
        f"p99 <= {TARGET_P99}x, and no non-201 responses.",
        "",
        "| Backend | Endpoint | tickets/s | p50 | p99 | non-201 | tickets/s per round "
        "| p99 per round |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        for t in (r.bare, r.real):
            per_round = " / ".join(f"{x.tps:.0f}" for x in t.rounds)
            p99s = " / ".join(f"{x.p99_ms:.0f}" for x in t.rounds)
            lines.append(
                f"| {r.backend} | {t.name} | {t.tps():.0f} | {t.p50():.1f} | {t.p99():.1f} | "
                f"{t.non_201()} | {per_round} | {p99s} |"
            )
    lines += [
        "",
        f"| Backend | throughput real/bare (>= {TARGET_THROUGHPUT}) "
        f"| p99 real/bare (<= {TARGET_P99}) | Result |",
        "|---|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.backend} | {r.tps_ratio():.2f} {_verdict(r.tps_ok())} | "
            f"{r.p99_ratio():.2f} {_verdict(r.p99_ok())} | **{r.verdict()}** |"
        )
    lines += ["", "Machine:", "", machine_markdown(info)]
    return "\n".join(lines)


def _backends(value: str) -> list[str]:
    names = [b.strip() for b in value.split(",") if b.strip()]
    for name in names:
        if name not in ("sqlite", "postgresql"):
            raise argparse.ArgumentTypeError(f"unknown backend {name!r}")
    return names


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    p.add_argument("--requests", type=int, default=2500, help="requests per round (2500)")
    p.add_argument("--rounds", type=int, default=3, help="rounds per endpoint (3)")
    p.add_argument("--concurrency", type=int, default=50, help="requests in flight (50)")
    p.add_argument("--warmup", type=int, default=200, help="warm-up requests per server (200)")
    p.add_argument("--pause", type=float, default=0.5, help="seconds between rounds (0.5)")
    p.add_argument(
        "--backends", type=_backends, default=["sqlite", "postgresql"],
        help="comma-separated: sqlite,postgresql (both)",
    )  # fmt: skip
    p.add_argument("--write", type=Path, help="update this section of docs/benchmarks.md")
    p.add_argument("--profile", type=Path, help="py-spy one extra real round; stacks go here")
    p.add_argument("--profile-gil", action="store_true", help="profile only the GIL holder")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    info = machine(args.backends)  # before our own load: the load average shows the neighbours'
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="antrean-bench-logs-") as tmp:
        for backend in args.backends:
            try:
                results.append(bench_backend(backend, args, Path(tmp)))
            except Exception:
                for log in sorted(Path(tmp).glob(f"{backend}-*.log")):
                    _log(f"--- {log.name} (tail)\n{_tail(log)}")
                raise
    info["Load average at the end"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print()
    print(table(results))
    print()
    print("\n".join(f"{k}: {v}" for k, v in info.items()))
    if args.write is not None:
        write_section(args.write, SECTION, markdown(results, args, info))
        print(f"\nwrote the {SECTION} section of {args.write}")
    return 0 if all(r.verdict() == "PASS" for r in results) else 1


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


if __name__ == "__main__":
    sys.exit(main())
