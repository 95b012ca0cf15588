"""The simulator driving the server over HTTP: kiosk tickets, officers at their counters."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from queue_server.simulation.engine import Scenario
from queue_server.simulation.http import Driver, office_counters, plan_day, sign_in
from tests.conftest import DEMO_PASSWORD, device

SMALL = """
name = "small"
opens = "08:00"
hours = 2
arrivals = 24
hourly = [2, 1]
no_show = 0.2
priority = 0.2
[[services]]
code = "A"
mean = 4
share = 0.6
[[services]]
code = "C"
mean = 3
share = 0.4
[[counters]]
number = 1
services = ["A", "C"]
break_at = "08:30"
"""


def test_an_office_day_over_http(client: TestClient, tmp_path: Path) -> None:
    file = tmp_path / "small.toml"
    file.write_text(SMALL, encoding="utf-8")
    scenario = Scenario.load(file)
    officers = [sign_in(client, f"petugas{n}", DEMO_PASSWORD) for n in (1, 2)]
    numbers = office_counters(client, "winongan", officers[0])
    assert numbers == [1, 2, 3, 4]
    at_counters = dict(zip(numbers, officers, strict=False))  # counters 1 and 2 staffed
    driver = Driver(client, "winongan", device(client, "kiosk"), at_counters, speed=1e9)
    driver.sleep = lambda _seconds: None
    day = driver.run(scenario, seed=5)

    planned = plan_day(scenario, 5)
    assert len(day.visits) == len(planned) > 10  # every visitor took a ticket at the kiosk
    summary = day.summary()
    assert summary["arrived"] == summary["served"] + summary["no_shows"] + summary["expired"]
    assert summary["served"] >= 1 and summary["expired"] == 0
    assert driver.requests > 3 * summary["served"]  # call, start, finish for each one served
    left = client.get("/api/v1/offices/winongan/tickets", headers=officers[0]).json()
    assert left == []  # the server agrees: everyone was served or marked absent
