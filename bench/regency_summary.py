"""How long the regency dashboard's figures and the public office list take for 50 offices.

`--offices` offices (default 50), each with 4 services and 4 counters (2 open), a busy morning
today (`--per-day` tickets: 60% served, 10% at a counter, the rest waiting) and 30 earlier days
of served tickets with a survey answer for one in four, are written straight into a migrated
database. Then, through the app (`TestClient`, so routing, auth and JSON are included):
`GET /api/v1/regency/summary` as an admin, and the public list's computation (its endpoint
caches it for 5 s, so the uncached cost is what matters). The first call loads every office's
queue state; the rest find it loaded, as a running server does. Target: warm summary under
250 ms on SQLite.

    python bench/regency_summary.py [--offices 50] [--per-day 300] [--runs 20]
        [--backend sqlite|postgresql] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from sqlalchemy import insert

from bench.common import ROOT, fresh_database, machine, machine_markdown, write_section
from migrations import upgrade
from queue_server.api.app import create_app
from queue_server.clock import FrozenClock
from queue_server.config import Settings
from queue_server.services import auth, regency
from queue_server.services.admin import Admin
from queue_server.services.auth import Role
from queue_server.services.queue import QueueService
from queue_server.store.db import Database
from queue_server.store.repository import tickets

SECTION = "regency_summary"
TARGET_MS = 250.0
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 11:00 WIB, a Monday
TODAY = date(2026, 11, 23)
PASSWORD = "bench-kabupaten-9"


def _ticket(office_id: int, day: date, seq: int, service: str, status: str,
            issued: datetime, rng: random.Random) -> dict[str, Any]:  # fmt: skip
    called = None if status == "waiting" else issued + timedelta(minutes=rng.expovariate(1 / 20))
    done = status == "done"
    return {
        "id": uuid.uuid4().hex, "office_id": office_id, "token": uuid.uuid4().hex[:22],
        "service": service, "origin_service": service, "service_date": day, "seq": seq,
        "number": f"{service}{seq:03d}", "status": status, "priority": "none",
        "channel": "kiosk", "language": "id", "notify_consent": False, "issued_at": issued,
        "called_at": called, "started_at": called,
        "finished_at": called + timedelta(minutes=8) if done and called else None,
        "ended_at": called + timedelta(minutes=8) if done and called else None,
        "counter": None if called is None else 1 + seq % 2,
        "officer": None if called is None else f"petugas{1 + seq % 2}",
        "recall_count": 0, "call_count": 0 if called is None else 1, "missed_count": 0,
    }  # fmt: skip


def _populate(database: Database, queue: QueueService, offices: int, per_day: int) -> None:
    admin = Admin(queue)
    rng = random.Random(11)
    responses = regency.responses
    for n in range(offices):
        office_id = admin.create_office(slug=f"kantor-{n:02d}", name=f"Kantor Kecamatan {n:02d}",
                                        timezone="Asia/Jakarta")  # fmt: skip
        for code in "ABCD":
            admin.create_service(office_id, {"code": code, "prefix": code, "name_id": code,
                                             "name_en": code}, actor="bench")  # fmt: skip
        for number in range(1, 5):
            admin.create_counter(office_id, {"number": number, "name": f"Loket {number}",
                                             "services": list("ABCD")}, actor="bench")  # fmt: skip
        rows, answers = [], []
        opens = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 WIB
        for seq in range(1, per_day + 1):  # today: served, at a counter, or waiting
            roll = seq / per_day
            status = "done" if roll < 0.6 else "serving" if roll < 0.7 else "waiting"
            issued = opens + timedelta(minutes=180 * roll)
            rows.append(_ticket(office_id, TODAY, seq, "ABCD"[seq % 4], status, issued, rng))
        for back in range(1, 31):  # earlier days: served, one in four answered the survey
            day = TODAY - timedelta(days=back)
            start = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
            for seq in range(1, 81):
                row = _ticket(office_id, day, seq, "ABCD"[seq % 4], "done",
                              start + timedelta(minutes=4 * seq), rng)  # fmt: skip
                rows.append(row)
                if seq % 4 == 0:
                    answers.append({
                        "office_id": office_id, "ticket_id": row["id"], "service_date": day,
                        "service": row["service"], "counter": row["counter"],
                        "officer": row["officer"], "channel": "phone", "created_at": start,
                        **{f"u{i}": rng.randint(2, 4) for i in range(1, 10)},
                    })  # fmt: skip
        with database.write() as conn:
            conn.execute(insert(tickets), rows)
            conn.execute(insert(responses), answers)
        for number in (1, 2):  # two counters open
            queue.execute(office_id, _opener(number), "bench")
    admin.create_user(username="admin", password=PASSWORD, role=Role.ADMIN, office_id=None)


def _opener(number: int) -> Any:
    from queue_server.domain import queue as domain

    return lambda s, now: domain.open_counter(s, number, f"petugas{number}", now)


def _timed(call: Any, runs: int) -> tuple[float, list[float]]:
    start = time.perf_counter()
    call()
    first = (time.perf_counter() - start) * 1000
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        warm.append((time.perf_counter() - start) * 1000)
    return first, warm


def run(backend: str, offices: int, per_day: int, runs: int) -> dict[str, Any]:
    auth.use_fast_hashing_for_tests()
    with fresh_database(backend, "regency") as url:
        upgrade(url)
        database = Database(url)
        clock = FrozenClock(NOW)
        _populate(database, QueueService(database, clock), offices, per_day)
        settings = Settings(database_url=url, public_url="http://antrean.test")
        app = create_app(settings, clock=clock, database=database, rollover_every=None)
        with TestClient(app) as client:
            login = {"username": "admin", "password": PASSWORD}
            token = client.post("/api/v1/auth/login", json=login).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}

            def summary() -> None:
                answer = client.get("/api/v1/regency/summary", headers=headers)
                assert answer.status_code == 200 and len(answer.json()["offices"]) == offices

            def public() -> None:
                app.state.board.forget()
                answer = client.get("/api/v1/offices-public")
                assert answer.status_code == 200 and len(answer.json()) == offices

            first, warm = _timed(summary, runs)
            public_first, public_warm = _timed(public, runs)
            sample = client.get("/api/v1/regency/summary", headers=headers).json()["offices"][0]
        database.dispose()
    return {
        "backend": backend, "offices": offices, "per_day": per_day, "runs": runs,
        "first_ms": first, "median_ms": statistics.median(warm), "max_ms": max(warm),
        "public_median_ms": statistics.median(public_warm), "public_max_ms": max(public_warm),
        "public_first_ms": public_first, "sample": sample,
    }  # fmt: skip


def markdown(result: dict[str, Any], env: dict[str, str]) -> str:
    ok = result["median_ms"] < TARGET_MS if result["backend"] == "sqlite" else True
    n, per_day = result["offices"], result["per_day"]
    rows = [
        ("`GET /api/v1/regency/summary`", "first_ms", "median_ms", "max_ms"),
        ("public list, uncached (`GET /api/v1/offices-public`)", "public_first_ms",
         "public_median_ms", "public_max_ms"),
    ]  # fmt: skip
    table = "\n".join(
        f"| {name} | {result[a]:.0f} | {result[b]:.1f} | {result[c]:.1f} |"
        for name, a, b, c in rows
    )
    return f"""\
## Regency dashboard and public office list, 50 offices (`bench/regency_summary.py`)

{n} offices on {result["backend"]}, each with 4 services and 4 counters (2 open), {per_day}
tickets today (60% served, 10% at a counter, 30% waiting) and 30 earlier days of 80 served
tickets with a survey answer for one in four: {n * (per_day + 2400)} tickets, {n * 600} survey
answers. Timed through the app (`TestClient`: routing, auth, JSON), {result["runs"]} runs after
the first. The first call loads every office's queue state; a running server has them loaded.

| | first call (ms) | median (ms) | max (ms) |
|---|---:|---:|---:|
{table}

The public endpoint serves a list at most 5 s old, so however many phones ask, it is computed at
most once every 5 s. One office's row: `{result["sample"]}`.

Target: summary median under {TARGET_MS:.0f} ms on SQLite: **{"PASS" if ok else "FAIL"}**.

{machine_markdown(env)}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=50)
    parser.add_argument("--per-day", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--write", type=Path, help="update this markdown file's section")
    args = parser.parse_args()
    env = machine()
    result = run(args.backend, args.offices, args.per_day, args.runs)
    text = markdown(result, env)
    print(text)
    if args.write:
        write_section(ROOT / args.write if not args.write.is_absolute() else args.write,
                      SECTION, text)  # fmt: skip


if __name__ == "__main__":
    main()
