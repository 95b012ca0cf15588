"""The live stream under load: versions stay consecutive when ten counters call at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, device, login
from tests.realtime.live import apply_message, receive

OFFICE = "/api/v1/offices/winongan"


def test_ten_counters_calling_at_once_give_a_gapless_stream(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    officers = []
    for n in range(11, 21):
        counter = {"number": n, "name": f"Loket {n}", "services": ["A", "B"]}
        client.post(f"{OFFICE}/counters", json=counter, headers=admin)
        user = {"username": f"loket{n}", "password": "password-x", "role": "officer",
                "office": "winongan"}  # fmt: skip
        client.post("/api/v1/users", json=user, headers=admin)
        officer = login(client, f"loket{n}", "password-x")
        client.post(f"{OFFICE}/counters/{n}/open", headers=officer)
        officers.append((n, officer))
    kiosk = device(client, "kiosk")
    for i in range(120):
        client.post(f"{OFFICE}/tickets", json={"service": "AB"[i % 2]}, headers=kiosk)
    display = device(client, "display", "tv")
    token = display["Authorization"].split()[1]
    with client.websocket_connect(f"/ws/v1/offices/winongan?role=display&token={token}") as ws:
        state: dict[str, Any] = {k: v for k, v in receive(ws).items() if k != "type"}
        start = threading.Barrier(len(officers))

        def work(n: int, officer: dict[str, str]) -> int:
            start.wait()
            calls = 0
            for _ in range(100):
                response = client.post(f"{OFFICE}/counters/{n}/call-next", headers=officer)
                assert response.status_code in (200, 204), response.text
                if response.status_code == 204:
                    return calls
                calls += 1
            return calls

        with ThreadPoolExecutor(len(officers)) as pool:
            total = sum(pool.map(lambda pair: work(*pair), officers))
        assert total == 120
        final = client.get(f"{OFFICE}/snapshot", headers=display).json()["version"]
        called: list[str] = []
        versions = []
        while state["version"] < final:
            message = receive(ws)
            assert message["type"] == "event"
            versions.append(message["version"])
            state = apply_message(state, message)  # asserts version == previous + 1
            if message["event"] == "ticket_called":
                called.append(message["call"]["number"])
        assert versions == list(range(versions[0], final + 1))
        assert len(called) == len(set(called)) == 120
        fresh = client.get(f"{OFFICE}/snapshot", headers=display).json()
        assert state["counters"] == fresh["counters"] and state["services"] == fresh["services"]
