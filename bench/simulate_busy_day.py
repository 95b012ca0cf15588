"""The simulator's busy-day summary and speed (domain driven directly, simulated clock).

python bench/simulate_busy_day.py [--days 50] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine, machine_markdown, write_section
from queue_server.cli import summary_table
from queue_server.simulation.engine import Scenario, simulate_day

SECTION = "simulate_busy_day"
TARGET_PER_MINUTE = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=50)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    scenario = Scenario.load("busy-day")
    started = time.perf_counter()
    summaries = [simulate_day(scenario, seed).summary() for seed in range(1, args.days + 1)]
    elapsed = time.perf_counter() - started
    rate = args.days / elapsed * 60
    verdict = "PASS" if rate >= TARGET_PER_MINUTE else "MISS"
    text = f"""## Simulator: the busy day (`bench/simulate_busy_day.py`, `antrean simulate`)

The fixed busy-day scenario (`queue_server/simulation/scenarios/busy-day.toml`): 7 service hours
with a morning peak at 2.5x the mean arrival rate, 600 arrivals, 4 services with log-normal
service times of mean 6, 12, 5 and 10 minutes (CV 0.6), 6 counters with one 30-minute break
each, 5% no-shows (a missed visitor re-enters the line, as the office's rule says), 10% priority.
{args.days} days (seeds 1..{args.days}), the domain driven directly:

{summary_table(summaries)}

The scenario asks more of the counters than a 7-hour day holds (about 4,900 minutes of service
for about 2,300 counter-minutes), so the last visitors wait hours and the office works late:
the staffing advice (still to come) is there to say so before the day.

Speed: {args.days} office-days in {elapsed:.1f} s = **{rate:.0f} a minute**
(target >= {TARGET_PER_MINUTE}): **{verdict}**.

{machine_markdown(machine(("sqlite",)))}
"""
    print(text)
    if args.write:
        write_section(args.write if args.write.is_absolute() else ROOT / args.write, SECTION, text)
    sys.exit(0 if verdict == "PASS" else 1)


if __name__ == "__main__":
    main()
