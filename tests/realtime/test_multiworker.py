"""Two server processes on one PostgreSQL database: a call through one reaches screens on the
other, and screens recover by themselves when a process is killed and restarted."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest

from queue_server.testing import ServerProcess
from tests.conftest import ADMIN_PASSWORD, DEMO_PASSWORD, Databases
from tests.realtime.live import ReconnectingClient

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
OFFICE = "/api/v1/offices/winongan"


def _call(server: ServerProcess, path: str, token: str | None = None, body: Any = None) -> Any:
    request = urllib.request.Request(
        server.url + path,
        data=None if body is None else json.dumps(body).encode(),
        method="POST" if body is not None or path.endswith(("call-next", "open")) else "GET",
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else None


def _public(state: dict[str, Any]) -> dict[str, Any]:
    return {k: state[k] for k in ("version", "services", "counters", "recent_calls")}


def test_calls_cross_workers_and_screens_survive_restarts(databases: Databases) -> None:
    url = databases.new("postgresql")
    with ServerProcess(url) as one, ServerProcess(url) as two:
        admin = _call(
            one, "/api/v1/auth/login", body={"username": "admin", "password": ADMIN_PASSWORD}
        )
        display = _call(one, f"{OFFICE}/devices", admin["token"], {"kind": "display", "name": "tv"})
        kiosk = _call(one, f"{OFFICE}/devices", admin["token"], {"kind": "kiosk", "name": "k"})
        officer = _call(
            one, "/api/v1/auth/login", body={"username": "petugas1", "password": DEMO_PASSWORD}
        )
        _call(one, f"{OFFICE}/counters/1/open", officer["token"])
        for _ in range(12):
            _call(one, f"{OFFICE}/tickets", kiosk["token"], {"service": "A"})

        def ws(server: ServerProcess) -> str:
            return f"ws://127.0.0.1:{server.port}/ws/v1/offices/winongan?role=display&token={display['token']}"

        def fresh(server: ServerProcess) -> dict[str, Any]:
            return _public(_call(server, f"{OFFICE}/snapshot", display["token"]))

        with ReconnectingClient(ws(two)) as on_two, ReconnectingClient(ws(one)) as on_one:
            assert on_two.wait_for(lambda s: s["version"] > 0)
            called = _call(one, f"{OFFICE}/counters/1/call-next", officer["token"])["ticket"]
            started = time.monotonic()
            assert on_two.wait_for(
                lambda s: s["recent_calls"] and s["recent_calls"][0]["number"] == called["number"]
            ), "a call made through worker 1 did not reach a screen on worker 2"
            assert time.monotonic() - started < 2

            for dead, alive, client in ((two, one, on_two), (one, two, on_one)):
                dead.kill()
                for _ in range(2):  # the office moves on while the worker is down
                    _call(alive, f"{OFFICE}/counters/1/call-next", officer["token"])
                    _call(alive, f"{OFFICE}/tickets", kiosk["token"], {"service": "C"})
                dead.start()
                back = time.monotonic()
                target = fresh(alive)
                assert client.wait_for(lambda s, t=target: _public(s) == t, timeout=5.0), (
                    "a screen was not right within 5 s of its worker coming back"
                )
                assert time.monotonic() - back < 5
            assert on_two.connects >= 2 and on_one.connects >= 2
            versions = on_two.versions
            assert versions == sorted(versions)


def test_a_ticket_taken_on_one_worker_prints_through_an_agent_on_the_other(
    databases: Databases,
) -> None:
    """The agent's worker has served nothing of the office when the agent connects (no job is
    pending then); a ticket taken through the other worker still reaches it at once."""
    from websockets.sync.client import connect

    url = databases.new("postgresql")
    with ServerProcess(url) as one, ServerProcess(url) as two:
        admin = _call(
            one, "/api/v1/auth/login", body={"username": "admin", "password": ADMIN_PASSWORD}
        )
        kiosk = _call(one, f"{OFFICE}/devices", admin["token"], {"kind": "kiosk", "name": "k"})
        agent = _call(
            one, f"{OFFICE}/devices", admin["token"],
            {"kind": "agent", "name": "printer", "kiosk": kiosk["id"]},
        )  # fmt: skip
        socket = f"ws://127.0.0.1:{two.port}/ws/v1/offices/winongan?role=agent&token="
        with connect(socket + agent["token"], open_timeout=10) as ws:
            time.sleep(0.5)  # the agent is settled on worker two, nothing pending
            ticket = _call(one, f"{OFFICE}/tickets", kiosk["token"], {"service": "A"})
            job = json.loads(ws.recv(timeout=5))
            assert job["type"] == "print"
            assert job["job"]["ticket"]["number"] == ticket["number"]
