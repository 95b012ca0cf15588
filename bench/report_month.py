"""How long the monthly report takes on a month of history.

A 31-day, 4-service history of `--per-day` tickets a day (default 2,000: 62,000 tickets) is
written straight into a migrated SQLite database, with realistic waits, services, no-shows and
cancellations. Then the monthly report (read the visits, figures by day and by service, the
heatmap) is timed, several times; the target is under 1 s on SQLite.

    python bench/report_month.py [--per-day 2000] [--runs 5] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench.common import ROOT, machine, machine_markdown, write_section
from migrations import upgrade
from queue_server.clock import FrozenClock
from queue_server.reports.figures import figures, grouped, heatmap
from queue_server.reports.visits import visits
from queue_server.services import demo
from queue_server.services.admin import Admin
from queue_server.services.queue import QueueService
from queue_server.store.db import Database
from queue_server.store.repository import tickets

SECTION = "report_month"
TARGET_SECONDS = 1.0
FIRST = date(2026, 10, 1)
DAYS = 31


def _history(database: Database, office_id: int, per_day: int) -> None:
    rng = random.Random(7)
    for d in range(DAYS):
        day = FIRST + timedelta(days=d)
        opens = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)  # 08:00 WIB
        rows: list[dict[str, Any]] = []
        for seq in range(1, per_day + 1):
            service = "ABCD"[seq % 4]
            issued = opens + timedelta(minutes=rng.uniform(0, 420))
            called = issued + timedelta(minutes=rng.expovariate(1 / 25))
            roll = rng.random()
            status = "done" if roll < 0.9 else "no_show" if roll < 0.95 else "cancelled"
            started = called + timedelta(minutes=1) if status == "done" else None
            finished = started + timedelta(minutes=rng.lognormvariate(2, 0.6)) if started else None
            rows.append({
                "id": uuid.uuid4().hex, "office_id": office_id, "token": uuid.uuid4().hex,
                "service": service, "origin_service": service, "service_date": day, "seq": seq,
                "number": f"{service}{seq:03d}", "status": status,
                "priority": "lansia" if rng.random() < 0.1 else "none", "channel": "kiosk",
                "language": "id", "notify_consent": False, "issued_at": issued,
                "called_at": None if status == "cancelled" else called, "started_at": started,
                "finished_at": finished, "ended_at": finished or called,
                "counter": 1 + seq % 4 if status != "cancelled" else None,
                "officer": f"petugas{1 + seq % 4}" if status != "cancelled" else None,
                "recall_count": 0, "call_count": 1, "missed_count": 0,
            })  # fmt: skip
        with database.write() as conn:
            conn.execute(insert(tickets), rows)


def run(per_day: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="antrean-bench-report-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        database = Database(url)
        queue = QueueService(database, FrozenClock(datetime(2026, 11, 1, 2, 0, tzinfo=UTC)))
        office_id, _ = demo.seed(Admin(queue), "rahasia-demo-1")
        _history(database, office_id, per_day)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            with database.read() as conn:
                month = visits(conn, office_id, FIRST, FIRST + timedelta(days=DAYS - 1))
            grouped(month, "day")
            grouped(month, "service")
            figures(month)
            heatmap(month, "Asia/Jakarta")
            times.append(time.perf_counter() - start)
        database.dispose()
    return {"tickets": len(month), "median": statistics.median(times), "max": max(times),
            "runs": runs, "per_day": per_day}  # fmt: skip


def report(r: dict[str, Any]) -> str:
    verdict = "PASS" if r["median"] < TARGET_SECONDS else "MISS"
    return f"""## Monthly report on a month of history (`bench/report_month.py`)

31 days of {r["per_day"]} tickets a day across 4 services = {r["tickets"]} tickets in SQLite. One
monthly report = read the month's visits, figures by day and by service, the totals and the
weekday x hour heatmap; {r["runs"]} runs.

| | seconds |
|---|---:|
| median | {r["median"]:.3f} |
| max | {r["max"]:.3f} |

Target under {TARGET_SECONDS:.0f} s: **{verdict}**.

{machine_markdown(machine(("sqlite",)))}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    text = report(run(args.per_day, args.runs))
    print(text)
    if args.write:
        write_section(args.write if args.write.is_absolute() else ROOT / args.write, SECTION, text)
    sys.exit(0 if "PASS" in text else 1)


if __name__ == "__main__":
    main()
