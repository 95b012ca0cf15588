"""The service day: local midnight per office, opening hours, quotas, expiry."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from queue_server.clock import FrozenClock
from queue_server.domain.model import Channel
from queue_server.services.admin import Admin
from queue_server.services.queue import QueueService
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"


def _office(admin: Admin, slug: str, timezone: str) -> int:
    office_id = admin.create_office(slug=slug, name=slug.title(), timezone=timezone)
    admin.create_service(
        office_id,
        {"code": "A", "prefix": "A", "name_id": "Layanan A", "name_en": "Service A"},
        actor="test",
    )
    return office_id


def test_day_rolls_over_at_local_midnight_wib_and_wita(
    queue: QueueService, admin: Admin, clock: FrozenClock
) -> None:
    clock.at = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 22:30 WIB, 23:30 WITA
    wib, wita = _office(admin, "wib", "Asia/Jakarta"), _office(admin, "wita", "Asia/Makassar")
    tickets = {}
    for office_id in (wib, wita):
        for _ in range(2):
            view, _ = queue.issue(office_id, service="A", channel=Channel.STAFF, actor="t")
        tickets[office_id] = view.ticket
    assert tickets[wita].number == "A002"

    clock.at = datetime(2026, 11, 23, 16, 1, tzinfo=UTC)  # 00:01 WITA, still 23:01 WIB
    assert queue.rollover_all() == 1
    assert queue.read(wita).service_date.isoformat() == "2026-11-24"
    assert queue.read(wita).tickets == {}
    assert queue.read(wib).service_date.isoformat() == "2026-11-23"
    assert len(queue.read(wib).tickets) == 2
    fresh, _ = queue.issue(wita, service="A", channel=Channel.STAFF, actor="t")
    assert fresh.ticket.number == "A001"
    assert queue.ticket_view(wita, tickets[wita]).ticket.status.value == "expired"

    clock.at = datetime(2026, 11, 23, 17, 0, 1, tzinfo=UTC)  # 00:00:01 WIB
    # No background tick needed: the next command rolls the day over first.
    fresh_wib, _ = queue.issue(wib, service="A", channel=Channel.STAFF, actor="t")
    assert fresh_wib.ticket.number == "A001"
    assert fresh_wib.ticket.service_date.isoformat() == "2026-11-24"
    assert queue.ticket_view(wib, tickets[wib]).ticket.status.value == "expired"


def test_rollover_survives_a_restart(queue: QueueService, admin: Admin, clock: FrozenClock) -> None:
    clock.at = datetime(2026, 11, 23, 16, 59, tzinfo=UTC)  # 23:59 WIB
    office_id = _office(admin, "restart", "Asia/Jakarta")
    before, _ = queue.issue(office_id, service="A", channel=Channel.STAFF, actor="t")
    clock.at = datetime(2026, 11, 23, 17, 5, tzinfo=UTC)
    restarted = QueueService(queue.db, clock)  # a new process: state comes from the tables
    after, _ = restarted.issue(office_id, service="A", channel=Channel.STAFF, actor="t")
    assert (before.ticket.number, after.ticket.number) == ("A001", "A001")
    assert after.ticket.service_date != before.ticket.service_date
    assert restarted.ticket_view(office_id, before.ticket).ticket.status.value == "expired"


def test_hours_last_ticket_and_quota_refusals(client: TestClient, clock: FrozenClock) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    hours = {
        str(d): {"opens": "08:00", "closes": "16:00", "last_ticket": "15:00", "breaks": []}
        for d in range(5)
    }
    hours["4"]["breaks"] = [("11:30", "13:00")]  # Friday prayer: tickets still taken
    patched = client.patch(f"{OFFICE}", json={"hours": hours}, headers=admin)
    assert patched.status_code == 200, patched.text
    client.patch(f"{OFFICE}/services/B", json={"daily_quota": 2}, headers=admin)
    kiosk = device(client, "kiosk")

    clock.at = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # Monday 07:30 WIB
    early = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
    assert early.status_code == 409 and early.json()["code"] == "office_closed"
    assert "08:00" in early.json()["messages"]["id"]

    clock.at = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # 15:30, past the last ticket
    late = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
    assert late.status_code == 409 and late.json()["code"] == "past_last_ticket"

    clock.at = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # Friday 12:00, during the break
    friday = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
    assert friday.status_code == 201

    clock.at = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # Saturday: no hours set
    weekend = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
    assert weekend.status_code == 409 and weekend.json()["code"] == "office_closed"

    clock.at = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 09:00
    taken = [
        client.post(f"{OFFICE}/tickets", json={"service": "B"}, headers=kiosk) for _ in range(3)
    ]
    assert [r.status_code for r in taken] == [201, 201, 409]
    assert taken[2].json()["code"] == "quota_reached"
    assert client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).status_code == 201

    client.patch(f"{OFFICE}/services/C", json={"active": False}, headers=admin)
    inactive = client.post(f"{OFFICE}/tickets", json={"service": "C"}, headers=kiosk)
    assert inactive.status_code == 409 and inactive.json()["code"] == "service_inactive"

    client.patch(f"{OFFICE}", json={"closed_dates": ["2026-12-01"]}, headers=admin)
    clock.at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    holiday = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
    assert holiday.status_code == 409 and holiday.json()["code"] == "office_closed"
