"""Tickets per person (NIK) per day through the API and the tables: the NIK is never stored,
its keyed hash only for the day, and the cap holds across restarts and workers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select

from queue_server.clock import FrozenClock
from queue_server.domain import errors
from queue_server.domain.model import Channel
from queue_server.services.queue import QueueService
from queue_server.store import repository as repo
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
NIK = "3514123009870001"


def _cap(client: TestClient, cap: int | None) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    policy = client.get(OFFICE, headers=admin).json()["policy"]
    response = client.patch(
        OFFICE, json={"policy": {**policy, "person_daily_cap": cap}}, headers=admin
    )
    assert response.status_code == 200, response.text


def _everything_stored(queue: QueueService) -> str:
    """Every value in every table, as text."""
    meta = MetaData()
    with queue.db.read() as conn:
        meta.reflect(conn)
        return "\n".join(
            repr(tuple(row)) for table in meta.sorted_tables for row in conn.execute(select(table))
        )


def test_the_office_cap_through_the_api(client: TestClient, queue: QueueService) -> None:
    kiosk = device(client, "kiosk")
    free = client.post(f"{OFFICE}/tickets", json={"service": "A", "nik": NIK}, headers=kiosk)
    assert free.status_code == 201  # no cap: the NIK is not needed, and not kept
    _cap(client, 2)
    missing = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
    assert missing.status_code == 422 and missing.json()["code"] == "nik_required"
    bad = client.post(f"{OFFICE}/tickets", json={"service": "A", "nik": "12345"}, headers=kiosk)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"
    for service in ("A", "B"):
        ok = client.post(f"{OFFICE}/tickets", json={"service": service, "nik": NIK}, headers=kiosk)
        assert ok.status_code == 201
        assert NIK not in ok.text
    third = client.post(f"{OFFICE}/tickets", json={"service": "C", "nik": NIK}, headers=kiosk)
    assert third.status_code == 409
    assert third.json()["code"] == "person_cap_reached"
    assert "Batas 2 nomor antrean per orang per hari" in third.json()["messages"]["id"]
    other = client.post(
        f"{OFFICE}/tickets", json={"service": "C", "nik": "3514123009870002"}, headers=kiosk
    )
    assert other.status_code == 201
    stored = _everything_stored(queue)
    assert NIK not in stored and NIK[-8:] not in stored  # not in any table, the event log included


def test_keys_last_one_day_and_the_cap_survives_restarts(
    client: TestClient, queue: QueueService, clock: FrozenClock
) -> None:
    _cap(client, 1)
    office_id = queue.office_id("winongan")
    queue.issue(office_id, service="A", channel=Channel.KIOSK, actor="k", nik=NIK)
    restarted = QueueService(queue.db, clock)  # a new process: counts come from the tables
    with pytest.raises(errors.PersonCapReached):  # the cap survives a restart
        restarted.issue(office_id, service="B", channel=Channel.KIOSK, actor="k", nik=NIK)
    with queue.db.read() as conn:
        first_salt = conn.execute(select(repo.offices.c.person_salt)).scalar()
        keys = [k for k in conn.execute(select(repo.tickets.c.person_key)).scalars() if k]
    assert len(keys) == 1

    clock.at += timedelta(days=1)  # the next service day
    restarted.rollover_all()
    restarted.issue(office_id, service="A", channel=Channel.KIOSK, actor="k", nik=NIK)
    with queue.db.read() as conn:
        rows = conn.execute(select(repo.tickets.c.service_date, repo.tickets.c.person_key)).all()
        salt = conn.execute(select(repo.offices.c.person_salt)).scalar()
    assert salt != first_salt  # yesterday's key is gone: yesterday's hashes match nobody
    today = max(day for day, _ in rows)
    assert all(key is None for day, key in rows if day < today)  # erased with the day
    assert next(key for day, key in rows if day == today) not in keys  # unlinkable across days


def test_two_workers_share_the_count(
    client: TestClient, queue: QueueService, clock: FrozenClock
) -> None:
    _cap(client, 2)
    office_id = queue.office_id("winongan")
    other = QueueService(queue.db, clock)  # another worker on the same database
    queue.issue(office_id, service="A", channel=Channel.KIOSK, actor="k", nik=NIK)
    other.issue(office_id, service="A", channel=Channel.KIOSK, actor="k", nik=NIK)
    for worker in (queue, other):  # each catches up from the event log before deciding
        with pytest.raises(errors.PersonCapReached):
            worker.issue(office_id, service="B", channel=Channel.KIOSK, actor="k", nik=NIK)
