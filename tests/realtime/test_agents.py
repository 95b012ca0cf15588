"""Print jobs on the server: written with kiosk tickets, delivered to the kiosk's agent."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.services.printing import jobs
from queue_server.store.db import Database
from tests.conftest import ADMIN_PASSWORD, device, login
from tests.realtime.live import receive

OFFICE = "/api/v1/offices/winongan"


def _pair(client: TestClient) -> tuple[dict[str, str], str]:
    admin = login(client, "admin", ADMIN_PASSWORD)
    kiosk = client.post(
        f"{OFFICE}/devices", json={"kind": "kiosk", "name": "K"}, headers=admin
    ).json()
    body = {"kind": "agent", "name": "P", "kiosk": kiosk["id"]}
    agent = client.post(f"{OFFICE}/devices", json=body, headers=admin).json()
    return {"Authorization": f"Bearer {kiosk['token']}"}, agent["token"]


def test_pairing_rules(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    display = client.post(
        f"{OFFICE}/devices", json={"kind": "display", "name": "tv"}, headers=admin
    )
    for body in (
        {"kind": "agent", "name": "no kiosk"},
        {"kind": "agent", "name": "not a kiosk", "kiosk": display.json()["id"]},
        {"kind": "kiosk", "name": "kiosk with kiosk", "kiosk": display.json()["id"]},
    ):
        assert client.post(f"{OFFICE}/devices", json=body, headers=admin).status_code == 422


def test_agent_gets_its_kiosk_jobs_and_confirms(client: TestClient, database: Database) -> None:
    kiosk, agent_token = _pair(client)
    first = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()
    client.post(f"{OFFICE}/tickets", json={"service": "B"}, headers=login(client, "petugas1"))
    other_kiosk = device(client, "kiosk", "other")
    client.post(f"{OFFICE}/tickets", json={"service": "C"}, headers=other_kiosk)
    url = f"/ws/v1/offices/winongan?role=agent&token={agent_token}"
    officer = login(client, "petugas2")["Authorization"][7:]
    counter_url = f"/ws/v1/offices/winongan?role=counter&token={officer}"
    with client.websocket_connect(url) as ws, client.websocket_connect(counter_url) as staff:
        assert receive(staff)["type"] == "snapshot"
        job = ws.receive_json()
        assert job["type"] == "print"
        assert job["job"]["ticket"]["number"] == first["number"]
        assert job["job"]["ticket"]["tracking_url"].endswith(first["token"])
        second = client.post(f"{OFFICE}/tickets", json={"service": "D"}, headers=kiosk).json()
        pushed = ws.receive_json()  # a new ticket reaches the agent without asking
        assert pushed["job"]["ticket"]["number"] == second["number"]
        ws.send_json({"type": "printed", "job": job["job"]["id"]})
        assert ws.receive_json() == {"type": "ack", "job": job["job"]["id"]}
        ws.send_json({"type": "failed", "job": pushed["job"]["id"], "reason": "paper_out"})
        assert ws.receive_json()["type"] == "ack"
        alert = receive(staff)
        while alert["type"] != "alert":  # (after the events of the tickets taken meanwhile)
            alert = receive(staff)
        assert (alert["alert"], alert["kiosk"], alert["reason"]) == ("printer", "K", "paper_out")
        ws.send_json({"type": "printed", "job": job["job"]["id"]})  # a lost ack, answered again
        ws.receive_json()
    with database.read() as conn:
        rows = {r.ticket_id: r for r in conn.execute(select(jobs))}
    assert len(rows) == 3  # the staff ticket has no job: it is printed at the front desk
    statuses = sorted((r.status, r.copies, r.error) for r in rows.values())
    assert statuses == [("failed", 0, "paper_out"), ("pending", 0, None), ("printed", 2, None)]


def test_only_agents_follow_as_agents(client: TestClient) -> None:
    import pytest
    from starlette.websockets import WebSocketDisconnect

    kiosk, _agent = _pair(client)
    token = kiosk["Authorization"].split()[1]
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"/ws/v1/offices/winongan?role=agent&token={token}") as ws,
    ):
        receive(ws)
    assert closed.value.code == 4403


def test_an_agent_is_sent_only_the_fields_its_protocol_knows(client: TestClient) -> None:
    """An agent from before the logo (no `protocol`) stops on a field it does not know, so it is
    never sent one; an agent saying protocol=2 gets the office logo."""
    import base64
    import io

    from PIL import Image

    admin = login(client, "admin", ADMIN_PASSWORD)
    picture = io.BytesIO()
    Image.new("L", (60, 20), 0).save(picture, format="PNG")
    logo = client.put(f"{OFFICE}/logo", content=picture.getvalue(),
                      headers={**admin, "Content-Type": "image/png"})  # fmt: skip
    assert logo.status_code in (200, 204), logo.text
    kiosk, agent_token = _pair(client)
    client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
    base = f"/ws/v1/offices/winongan?role=agent&token={agent_token}"
    with client.websocket_connect(base) as old:
        assert "office_logo" not in old.receive_json()["job"]["ticket"]
    for garbled in ("x", "0", "-3"):  # not a protocol: treated as the oldest
        with client.websocket_connect(f"{base}&protocol={garbled}") as odd:
            assert "office_logo" not in odd.receive_json()["job"]["ticket"]
    with client.websocket_connect(f"{base}&protocol=2") as new:
        sent = new.receive_json()["job"]["ticket"]["office_logo"]
        assert base64.b64decode(sent)[:8] == b"\x89PNG\r\n\x1a\n"
