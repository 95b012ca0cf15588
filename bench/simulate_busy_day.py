"""The simulator's busy-day summary and speed: the domain driven directly (simulated clock),
then one busy day played against a real `antrean serve` through its HTTP API.

python bench/simulate_busy_day.py [--days 50] [--speed 600] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tempfile

from bench.common import ROOT, machine, machine_markdown, write_section
from queue_server.cli import summary_table
from queue_server.simulation import http
from queue_server.simulation.engine import Scenario, simulate_day
from queue_server.testing import ServerProcess

ADMIN, DEMO = "kunci-kantor-1", "rahasia-demo-1"
OFFICE = "winongan"
ALL_DAY: dict[str, object] = {
    "opens": "00:00",
    "closes": "23:59",
    "last_ticket": "23:59",
    "breaks": [],
}


def over_http(scenario: Scenario, speed: float) -> tuple[str, float, http.Driver]:
    """One day against a fresh server (SQLite, demo office open all day so any hour works)."""
    env = {
        "ANTREAN_ADMIN_PASSWORD": ADMIN,
        "ANTREAN_DEMO_PASSWORD": DEMO,
        "ANTREAN_VOICE": "tone",
        "ANTREAN_LIMIT_TICKETS_DEVICE": "100000/minute",
    }  # one kiosk, a day in minutes
    with (
        tempfile.TemporaryDirectory() as tmp,
        ServerProcess(f"sqlite:///{tmp}/antrean.db", env=env) as server,
    ):
        session = http.UrllibSession(server.url)
        admin = http.sign_in(session, "admin", ADMIN)
        hours = {str(day): ALL_DAY for day in range(7)}
        opened = session.patch(f"/api/v1/offices/{OFFICE}", json={"hours": hours}, headers=admin)
        assert opened.status_code == 200, opened.json()
        device = {"kind": "kiosk", "name": "simulator"}
        kiosk = session.post(f"/api/v1/offices/{OFFICE}/devices", json=device, headers=admin)
        kiosk_token = kiosk.json()["token"]
        officers = [http.sign_in(session, f"petugas{n}", DEMO) for n in range(1, 5)]
        numbers = http.office_counters(session, OFFICE, officers[0])
        driver = http.Driver(session, OFFICE, {"Authorization": f"Bearer {kiosk_token}"},
                             dict(zip(numbers, officers, strict=False)), speed=speed)  # fmt: skip
        started = time.perf_counter()
        day = driver.run(scenario, seed=1)
        elapsed = time.perf_counter() - started
    return summary_table([day.summary()]), elapsed, driver


SECTION = "simulate_busy_day"
TARGET_PER_MINUTE = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=50)
    parser.add_argument("--speed", type=float, default=600.0)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    scenario = Scenario.load("busy-day")
    started = time.perf_counter()
    summaries = [simulate_day(scenario, seed).summary() for seed in range(1, args.days + 1)]
    elapsed = time.perf_counter() - started
    rate = args.days / elapsed * 60
    verdict = "PASS" if rate >= TARGET_PER_MINUTE else "MISS"
    served_table, served_seconds, driver = over_http(scenario, args.speed)
    text = f"""## Simulator: the busy day (`bench/simulate_busy_day.py`, `antrean simulate`)

The fixed busy-day scenario (`queue_server/simulation/scenarios/busy-day.toml`): 7 service hours
with a morning peak at 2.5x the mean arrival rate, 600 arrivals, 4 services with log-normal
service times of mean 6, 12, 5 and 10 minutes (CV 0.6), 6 counters with one 30-minute break
each, 5% no-shows (a missed visitor re-enters the line, as the office's rule says), 10% priority.
{args.days} days (seeds 1..{args.days}), the domain driven directly:

{summary_table(summaries)}

The scenario asks more of the counters than a 7-hour day holds (about 4,500 minutes of service
for about 2,300 counter-minutes), so the last visitors wait hours and the office works late:
the staffing page (`/laporan/kebutuhan-loket`) says so before the day.

Speed: {args.days} office-days in {elapsed:.1f} s = **{rate:.0f} a minute**
(target >= {TARGET_PER_MINUTE}): **{verdict}**.

### The same day through the HTTP API (`antrean simulate busy-day --server URL ...`)

Seed 1 of the busy day played against `antrean serve` (SQLite, the demo office, one worker) at
{args.speed:.0f}x: visitors take tickets at the kiosk endpoint with a kiosk device token; the
demo's four officers (the demo office has 4 counters, not the scenario's 6) open their counters,
call, start, finish or mark no-shows, and take their breaks, each with their own sign-in. Waits
are in simulated minutes; with two counters fewer the day runs far longer.

{served_table}

{driver.requests} requests in {served_seconds:.0f} s; the slowest answer took
{driver.slowest * 1000:.0f} ms.

{machine_markdown(machine(("sqlite",)))}
"""
    print(text)
    if args.write:
        write_section(args.write if args.write.is_absolute() else ROOT / args.write, SECTION, text)
    sys.exit(0 if verdict == "PASS" else 1)


if __name__ == "__main__":
    main()
