"""The audit trail: staff changes recorded with who, what, when, where; admins read it."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from queue_server.api.audit import audit_log
from queue_server.services.queue import QueueService
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"


def test_staff_changes_are_recorded_and_admins_read_them(
    client: TestClient, queue: QueueService
) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    officer = login(client, "petugas1")
    kiosk = device(client, "kiosk")
    made = client.post(f"{OFFICE}/services", headers={**admin, "User-Agent": "=cmd|calc"},
                       json={"code": "E", "prefix": "E", "name_id": "Layanan E",
                             "name_en": "Service E"})  # fmt: skip
    assert made.status_code == 201
    client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)  # a kiosk: not kept
    client.post(f"{OFFICE}/counters/1/open", headers=officer)
    client.post(f"{OFFICE}/counters/1/call-next", headers=officer)
    refused = client.post(f"{OFFICE}/end-day", headers=officer)  # officers may not
    assert refused.status_code == 403
    client.get(f"{OFFICE}/tickets", headers=officer)  # reads are not kept

    entries = client.get("/api/v1/audit", headers=admin).json()
    actions = [(e["actor"], e["action"], e["status"]) for e in reversed(entries)]
    assert actions == [
        ("admin", "POST /api/v1/offices/{office}/devices", 201),  # the kiosk's pairing
        ("admin", "POST /api/v1/offices/{office}/services", 201),
        ("petugas1", "POST /api/v1/offices/{office}/counters/{counter}/open", 200),
        ("petugas1", "POST /api/v1/offices/{office}/counters/{counter}/call-next", 200),
        ("petugas1", "POST /api/v1/offices/{office}/end-day", 403),
    ]
    first = entries[-2]
    assert first["office"] == "winongan" and first["role"] == "admin"
    assert first["target"] == "office=winongan" and first["address"] == "testclient"
    assert entries[1]["target"] == "counter=1 office=winongan"

    exported = client.get("/api/v1/audit.csv?office=winongan", headers=admin)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 5 and rows[-2]["device"] == "'=cmd|calc"  # a spreadsheet won't run it
    assert client.get("/api/v1/audit", headers=officer).status_code == 403
    assert client.get("/api/v1/audit?start=2026-11-24&end=2026-11-24",
                      headers=admin).json() == []  # fmt: skip

    with pytest.raises(DBAPIError), queue.db.write() as conn:  # append-only
        conn.execute(update(audit_log).values(actor="someone else"))
