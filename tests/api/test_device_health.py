"""The device health board: who is online (stamped at each heartbeat) and each kiosk's printer."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import FrozenClock
from queue_server.services import printing
from queue_server.services.queue import QueueService
from tests.conftest import ADMIN_PASSWORD, login

OFFICE = "/api/v1/offices/winongan"


def test_online_devices_and_a_failing_printer(
    client: TestClient, queue: QueueService, clock: FrozenClock
) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)

    def make(kind: str, name: str) -> dict[str, str]:
        made = client.post(f"{OFFICE}/devices", json={"kind": kind, "name": name}, headers=admin)
        return dict(made.json())

    tv, kiosk = make("display", "TV"), make("kiosk", "Kios 1")
    hub = client.app.state.hub  # type: ignore[attr-defined]
    hub.revoked_among({int(tv["id"])})  # a heartbeat while the TV is connected
    kiosk_headers = {"Authorization": f"Bearer {kiosk['token']}"}
    client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk_headers)

    board = {d["name"]: d for d in client.get(f"{OFFICE}/devices/health", headers=admin).json()}
    assert board["TV"]["online"] is True and board["TV"]["printer"] is None
    assert board["Kios 1"]["online"] is False  # never connected live
    assert board["Kios 1"]["printer"]["status"] == "waiting"  # its ticket is still printing

    with queue.db.write() as conn:
        job = conn.execute(select(printing.jobs.c.id)).scalar_one()
        printing.fail(conn, job, int(kiosk["id"]), "paper_out", clock.now())
    board = {d["name"]: d for d in client.get(f"{OFFICE}/devices/health", headers=admin).json()}
    assert board["Kios 1"]["printer"] == {
        "status": "failing", "error": "paper_out", "at": clock.now().isoformat()
    }  # fmt: skip
    clock.advance(minutes=2)  # no heartbeat for two minutes: offline
    board = {d["name"]: d for d in client.get(f"{OFFICE}/devices/health", headers=admin).json()}
    assert board["TV"]["online"] is False
    assert (
        client.get(f"{OFFICE}/devices/health", headers=login(client, "petugas1")).status_code == 403
    )
