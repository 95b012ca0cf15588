"""Pairing a screen by a one-time 6-digit code: the screen shows it, an admin enters it, the
screen collects its device token once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from queue_server.cli import app
from queue_server.clock import FrozenClock
from queue_server.store.db import Database
from tests.conftest import ADMIN_PASSWORD, login

OFFICE = "/api/v1/offices/winongan"
SCREEN = {"X-Requested-With": "antrean-pair"}


def test_a_display_pairs_by_code(client: TestClient, clock: FrozenClock) -> None:
    assert "pair-code" in client.get("/display/pair").text
    opened = client.post("/api/v1/devices/pairing-codes", json={"kind": "display"},
                         headers=SCREEN)  # fmt: skip
    assert opened.status_code == 201
    code, claim = opened.json()["code"], opened.json()["claim"]
    assert len(code) == 6 and code.isdigit()
    collect = "/api/v1/devices/pairing-codes/collect"
    assert client.post(collect, json={"claim": claim}, headers=SCREEN).status_code == 202

    admin = login(client, "admin", ADMIN_PASSWORD)
    made = client.post(f"{OFFICE}/devices/claim", json={"code": code, "name": "TV lobi"},
                       headers=admin)  # fmt: skip
    assert made.status_code == 201
    assert made.json()["kind"] == "display" and "token" not in made.json()  # never shown
    again = client.post(f"{OFFICE}/devices/claim", json={"code": code, "name": "lagi"},
                        headers=admin)  # fmt: skip
    assert again.status_code == 404  # a code pairs one screen only

    done = client.post(collect, json={"claim": claim}, headers=SCREEN)
    assert done.status_code == 200 and done.json() == {"next": "/display"}
    assert "antrean_session" in done.cookies and "httponly" in done.headers["set-cookie"].lower()
    page = client.get("/display")  # the cookie the screen now holds opens its page
    assert page.status_code == 200 and "display-config" in page.text
    client.cookies.clear()
    assert client.post(collect, json={"claim": claim}, headers=SCREEN).status_code == 404  # once


def test_codes_expire_and_wrong_codes_lock_out(client: TestClient, clock: FrozenClock) -> None:
    opened = client.post("/api/v1/devices/pairing-codes", json={"kind": "kiosk"}, headers=SCREEN)
    code = opened.json()["code"]
    clock.advance(minutes=11)
    admin = login(client, "admin", ADMIN_PASSWORD)
    late = client.post(f"{OFFICE}/devices/claim", json={"code": code, "name": "Kios"},
                       headers=admin)  # fmt: skip
    assert late.status_code == 404 and late.json()["code"] == "pairing_code_unknown"
    assert "kedaluwarsa" in late.json()["messages"]["id"]
    wrong = "000000" if code != "000000" else "111111"
    answers = [client.post(f"{OFFICE}/devices/claim", json={"code": wrong, "name": "x"},
                           headers=admin).status_code for _ in range(5)]  # fmt: skip
    assert answers == [404] * 4 + [429]  # guessing codes locks the guesser out
    assert client.post("/api/v1/devices/pairing-codes", json={"kind": "kiosk"}).status_code == 403
    assert client.post("/api/v1/devices/pairing-codes", json={"kind": "agent"},
                       headers=SCREEN).status_code == 422  # fmt: skip


def test_pairing_from_the_command_line(
    client: TestClient, clock: FrozenClock, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.at = datetime.now(UTC)  # the command runs on the real clock
    opened = client.post("/api/v1/devices/pairing-codes", json={"kind": "counter"},
                         headers=SCREEN)  # fmt: skip
    monkeypatch.setenv("ANTREAN_DATABASE_URL", database.url)
    runner = CliRunner()
    args = ["devices", "claim", "--office", "winongan", "--code", opened.json()["code"],
            "--name", "Layar loket 2"]  # fmt: skip
    assert runner.invoke(app, args).exit_code == 1  # a counter screen needs its counter
    done = runner.invoke(app, [*args, "--counter", "2"])
    assert done.exit_code == 0, done.output
    collected = client.post("/api/v1/devices/pairing-codes/collect",
                            json={"claim": opened.json()["claim"]}, headers=SCREEN)  # fmt: skip
    assert collected.json() == {"next": "/loket-layar"}
