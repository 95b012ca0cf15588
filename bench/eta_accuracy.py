"""How right the shown waits are: the learned forecast against the simple rule, in one run.

Simulated days (`antrean simulate` scenarios). The office first lives through 10 history days
(seeds 101..110, twice: once to learn its arrivals and service times, once more so the forecasts
whose errors it learns are made the way the product makes them); then, on the evaluated days
(seeds 1..), at each arrival both ranges are recorded and compared with the wait that followed
(ticket taken -> called):
- MAE of the range's midpoint (minutes);
- % of visitors whose actual wait fell inside the range;
- % under-predicted (actual above the range: the worse mistake);
- % of ranges within the usefulness rule: high - low <= max(10 min, 0.5 x midpoint).

    python bench/eta_accuracy.py [--days 10] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine, machine_markdown, write_section
from queue_server.domain.forecast import History
from queue_server.simulation.engine import Scenario, Visit, learn, simulate_day

SECTION = "eta_accuracy"
SCENARIOS = ("busy-day", "quiet-day")
HISTORY_SEEDS = range(101, 111)


def history(scenario: Scenario) -> History:
    """What the office learns from its history days."""
    first = learn([simulate_day(scenario, seed) for seed in HISTORY_SEEDS])
    return learn([simulate_day(scenario, seed, history=first) for seed in HISTORY_SEEDS])


def score(pairs: list[tuple[tuple[int, int], float]]) -> dict[str, float]:
    errors = [abs((low + high) / 2 - actual) for (low, high), actual in pairs]
    inside = [low <= actual <= high for (low, high), actual in pairs]
    under = [actual > high for (_low, high), actual in pairs]
    useful = [high - low <= max(10, 0.5 * (low + high) / 2) for (low, high), _ in pairs]
    n = len(pairs)
    return {
        "mae": statistics.fmean(errors),
        "inside": 100 * sum(inside) / n,
        "under": 100 * sum(under) / n,
        "useful": 100 * sum(useful) / n,
    }


def evaluate(name: str, days: int) -> dict[str, Any]:
    scenario = Scenario.load(name)
    learned = history(scenario)
    visits: list[Visit] = []
    for seed in range(1, days + 1):
        day = simulate_day(scenario, seed, history=learned)
        visits += [v for v in day.visits if v.wait is not None]
    simple = score([(v.estimate, v.wait) for v in visits if v.wait is not None])
    ours = score([(v.forecast, v.wait) for v in visits if v.wait is not None])
    return {"name": name, "visits": len(visits), "simple": simple, "ours": ours}


def report(results: list[dict[str, Any]], days: int) -> str:
    rows = []
    for r in results:
        for label, key in (("simple rule", "simple"), ("learned forecast", "ours")):
            s = r[key]
            rows.append(f"| {r['name']} | {label} | {s['mae']:.1f} | {s['inside']:.0f}% | "
                        f"{s['under']:.0f}% | {s['useful']:.0f}% |")  # fmt: skip
    busy = next(r for r in results if r["name"] == "busy-day")
    ours, simple = busy["ours"], busy["simple"]
    gain = 100 * (1 - ours["mae"] / simple["mae"]) if simple["mae"] else 0.0
    checks = [
        ("MAE <= 3 min", ours["mae"] <= 3, f"{ours['mae']:.1f} min"),
        (">= 30% lower MAE than the simple rule", gain >= 30, f"{gain:.0f}% lower"),
        (">= 80% inside the range", ours["inside"] >= 80, f"{ours['inside']:.0f}%"),
        ("under-prediction <= 20%", ours["under"] <= 20, f"{ours['under']:.0f}%"),
    ]
    others = (
        "The other three targets are met."
        if all(ok for _what, ok, _got in checks[1:])
        else "The other targets are as shown above."
    )
    lines = "\n".join(
        f"- {what}: {got} -> **{'PASS' if ok else 'MISS'}**" for what, ok, got in checks
    )
    return f"""## Wait estimates against what happened (`bench/eta_accuracy.py`)

{days} simulated days per scenario (seeds 1..{days}) after 10 days of history (seeds 101..110);
for every visitor who was called, the range shown when the ticket was taken against the wait that
followed. The simple rule is people ahead x mean service time / open counters. The learned
forecast (`queue_server/domain/forecast.py`, what the product shows once an office has 200 past
forecasts) replays the line: each counter, as it frees up, calls whom the rules give it, with each
service's mean time (today's latest, leaning on past days' while today has few) and the time
left on the visitor it serves, while the arrivals history expects at each hour join the lines
(priority visitors and a counter's preferred services overtake); the result becomes a range by
the 5th-95th percentiles of how past forecasts of that size, lane and hour turned out, cut to
the usefulness rule.

| scenario | method | MAE of midpoint (min) | inside range | under-predicted | useful width |
|---|---|---:|---:|---:|---:|
{chr(10).join(rows)}

Busy-day targets:
{lines}

The busy day as specified is overloaded: 600 visitors x 7.5 minutes is about 4,500 counter-minutes
against 6 x 390 = 2,340, so the line only grows and waits run to 5-7 hours. The MAE target of
3 minutes cannot be met there by any estimate made at the door: a 5-hour wait rests on some 240
random service times (spread alone about +/-12 minutes) and on who else arrives meanwhile.
{others} The quiet day shows the forecast where waits are short.

{machine_markdown(machine(("sqlite",)))}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    text = report([evaluate(name, args.days) for name in SCENARIOS], args.days)
    print(text)
    if args.write:
        write_section(args.write if args.write.is_absolute() else ROOT / args.write, SECTION, text)


if __name__ == "__main__":
    main()
