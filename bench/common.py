"""Shared helpers for benchmarks: throwaway databases, the machine's description, and
`docs/benchmarks.md`, where each benchmark owns one section between its own markers."""

from __future__ import annotations

import math
import os
import platform
import re
import sqlite3
import statistics
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "ANTREAN_BENCH_PG_URL", os.environ.get("ANTREAN_TEST_PG_URL", "postgresql+psycopg:///test")
)

# Benchmarks measure throughput from one kiosk (and reads of its tickets), not the public rate
# limits; servers they start inherit these.
for _name in ("TICKETS_DEVICE", "TRACK_ADDRESS"):
    os.environ.setdefault(f"ANTREAN_LIMIT_{_name}", "1000000/minute")

PG_SETTINGS = ("fsync", "synchronous_commit", "shared_buffers", "max_connections")

INTRO = """\
# Benchmarks

Each script in `bench/` writes its own section below, between its own markers, together with the
machine it ran on. Rerun one with, for example:

    ./dev bench issue_throughput --write docs/benchmarks.md

The machines these run on are shared and noisy, so absolute figures move from run to run. What
the benchmarks compare are **ratios measured in one run**: the candidate and its baseline are
measured in interleaved rounds on the same machine at the same time, and the targets are stated
as ratios between them.
"""


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def fresh_database(backend: str, label: str) -> Iterator[str]:
    """An empty database for one server: a temp SQLite file, or a new PostgreSQL database that
    is dropped afterwards. Yields its SQLAlchemy URL."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"antrean-bench-{label}-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}")
    name = f"antrean_bench_{label}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_conninfo(PG_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(_conninfo(PG_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _first(path: str, pattern: str) -> str | None:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return None
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _filesystem(path: str) -> str:
    """The file system type under `path`, from /proc/mounts (longest matching mount point)."""
    best, kind = "", "?"
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    for line in mounts:
        parts = line.split()
        if len(parts) < 3 or len(parts[1]) < len(best):
            continue
        if (path + "/").startswith(parts[1].rstrip("/") + "/"):
            best, kind = parts[1], parts[2]
    return kind


def postgres_version() -> str | None:
    try:
        with psycopg.connect(_conninfo(PG_URL), autocommit=True, connect_timeout=3) as conn:
            shown = {}
            for name in ("server_version", *PG_SETTINGS):
                row = conn.execute(f"SHOW {name}").fetchone()
                shown[name] = str(row[0]) if row else "?"
    except psycopg.Error:
        return None
    extra = ", ".join(f"{name}={shown[name]}" for name in PG_SETTINGS)
    return f"PostgreSQL {shown['server_version']} ({extra})"


def machine(backends: Sequence[str] = ("sqlite", "postgresql")) -> dict[str, str]:
    """What the figures were measured on."""
    kib = _first("/proc/meminfo", r"^MemTotal:\s+(\d+)")
    os_name = _first("/etc/os-release", r'^PRETTY_NAME="?([^"\n]*)') or platform.system()
    info = {
        "CPU": _first("/proc/cpuinfo", r"^model name\s*:\s*(.*)$") or platform.processor() or "?",
        "Cores": f"{os.cpu_count()} logical",
        "RAM": f"{int(kib) / 1024 / 1024:.1f} GiB" if kib else "?",
        "OS": f"{os_name} (kernel {platform.release()})",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
    }
    if "sqlite" in backends:
        tmp = tempfile.gettempdir()
        info["SQLite"] = f"{sqlite3.sqlite_version} (files in {tmp}, {_filesystem(tmp)})"
    if "postgresql" in backends:
        info["PostgreSQL"] = postgres_version() or "unreachable"
    info["Load average (1/5/15 min) at the start"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    info["Date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return info


def machine_markdown(info: dict[str, str]) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in info.items())


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an already sorted, non-empty sequence."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(len(sorted_values) * q / 100))
    return sorted_values[min(len(sorted_values), rank) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def write_section(path: Path, name: str, body: str) -> None:
    """Replace (or append) the section between `<!-- name:start -->` and `<!-- name:end -->`,
    leaving the rest of the file, and other benchmarks' sections, as they are."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text() if path.exists() else INTRO
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _old, tail = rest.split(end, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
