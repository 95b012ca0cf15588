"""The office-day simulator: repeatable, conserves visitors, follows the scenario's shape."""

from __future__ import annotations

from typer.testing import CliRunner

from queue_server.cli import app
from queue_server.simulation.engine import Scenario, simulate_day


def test_same_seed_same_day_and_every_visitor_accounted_for() -> None:
    busy = Scenario.load("busy-day")
    first, again = simulate_day(busy, 7).summary(), simulate_day(busy, 7).summary()
    assert first == again
    assert first != simulate_day(busy, 8).summary()
    assert first["arrived"] == first["served"] + first["no_shows"] + first["expired"]
    assert 500 < first["arrived"] < 700  # 600 expected (Poisson)


def test_the_morning_peak_and_the_breaks() -> None:
    busy = Scenario.load("busy-day")
    day = simulate_day(busy, 3)
    first_hour = sum(1 for v in day.visits if v.issued < 60)
    mean_hour = len(day.visits) / busy.hours
    assert first_hour > 1.8 * mean_hour  # 2.5x the mean rate in the scenario
    assert all(v.estimate[0] <= v.estimate[1] for v in day.visits)
    missed = [v for v in day.visits if v.missed]
    assert missed and all(v.status in ("done", "no_show") for v in missed)


def test_a_quiet_day_is_quiet() -> None:
    quiet = simulate_day(Scenario.load("quiet-day"), 1).summary()
    busy = simulate_day(Scenario.load("busy-day"), 1).summary()
    assert quiet["wait_avg"] < 15 < busy["wait_avg"]


def test_cli_prints_a_summary_and_the_rate() -> None:
    result = CliRunner().invoke(app, ["simulate", "quiet-day", "--days", "3"])
    assert result.exit_code == 0, result.output
    assert "| wait_avg (min) |" in result.output and "a minute" in result.output
