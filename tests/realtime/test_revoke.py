"""A revoked device is cut off at once: its live connection closes and its token stops working."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import ADMIN_PASSWORD, login

OFFICE = "/api/v1/offices/winongan"


def test_revoking_a_display_closes_its_live_connection(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    made = client.post(f"{OFFICE}/devices", json={"kind": "display", "name": "tv"}, headers=admin)
    device_id, token = made.json()["id"], made.json()["token"]
    other = client.post(f"{OFFICE}/devices", json={"kind": "display", "name": "tv-2"},
                        headers=admin).json()["token"]  # fmt: skip
    url = "/ws/v1/offices/winongan?role=display&token="
    with client.websocket_connect(url + token) as ws, client.websocket_connect(url + other) as ok:
        assert ws.receive_json()["type"] == "snapshot"
        assert ok.receive_json()["type"] == "snapshot"
        assert client.delete(f"{OFFICE}/devices/{device_id}", headers=admin).status_code == 204
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(5):  # anything already on its way, then the close
                ws.receive_json()
        assert closed.value.code == 4401
        ok.send_json({"type": "ping"})
        while ok.receive_json()["type"] != "pong":  # (after anything already on its way)
            pass  # the other display carries on
    with client.websocket_connect(url + token) as again, pytest.raises(WebSocketDisconnect) as no:
        again.receive_json()
    assert no.value.code == 4401  # and it cannot come back


def test_the_heartbeat_cuts_devices_revoked_by_another_worker(client: TestClient) -> None:
    hub = client.app.state.hub  # type: ignore[attr-defined]
    admin = login(client, "admin", ADMIN_PASSWORD)
    made = client.post(f"{OFFICE}/devices", json={"kind": "display", "name": "tv"}, headers=admin)
    device_id = made.json()["id"]
    assert hub.revoked_among({device_id}) == set()
    client.app.state.ctx.admin.revoke_device(1, device_id)  # type: ignore[attr-defined]
    assert hub.revoked_among({device_id, 999}) == {device_id}  # what each heartbeat asks
