"""Remote walk-in: a ticket taken from a phone (`POST .../tickets` without a credential) and one
taken by the chat command `ANTRE` follow one set of rules: the service allows it, within hours
and quota, a phone number with consent, at most `notify.phone_daily_cap` open tickets per phone
whichever way they were taken, no priority lane."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import FrozenClock
from queue_server.consent import wording
from queue_server.domain.errors import PhoneCapReached
from queue_server.domain.model import Channel
from queue_server.notifications.outbox import messages
from queue_server.services.queue import QueueService
from queue_server.store.db import Database
from queue_server.store.repository import tickets
from tests.conftest import ADMIN_PASSWORD, login

OFFICE = "/api/v1/offices/winongan"
SECRET = "rahasia-gateway-remote"
PHONE = "0812-9876-5432"
E164 = "+6281298765432"
EN = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def remote(client: TestClient, clock: FrozenClock) -> TestClient:
    """The demo office with an inbound chat gateway; a second passes with each request."""
    client.event_hooks["request"].append(lambda _request: clock.advance(seconds=1))
    admin = login(client, "admin", ADMIN_PASSWORD)
    notify = {"gateway": {"kind": "log", "inbound_secret": SECRET}}
    assert client.patch(OFFICE, json={"notify": notify}, headers=admin).status_code == 200
    return client


def web(client: TestClient, service: str, headers: dict[str, str] | None = None,
        **body: Any) -> Any:  # fmt: skip
    """Take a ticket from a phone's browser: by default with the phone and consent given."""
    payload = {"service": service, "phone": PHONE, "notify_consent": True, **body}
    return client.post(f"{OFFICE}/tickets", json=payload, headers=headers or {})


def say(client: TestClient, text: str, sender: str = PHONE) -> None:
    response = client.post(f"{OFFICE}/chat/http", json={"from": sender, "text": text},
                           headers={"X-Antrean-Secret": SECRET})  # fmt: skip
    assert response.status_code == 200, response.text


def replies(queue: QueueService) -> list[str]:
    with queue.db.read() as conn:
        rows = conn.execute(
            select(messages.c.body).where(messages.c.phone == E164, messages.c.kind == "reply")
            .order_by(messages.c.created_at)
        ).all()  # fmt: skip
    return [str(r.body) for r in rows]


def held(queue: QueueService) -> list[Any]:
    with queue.db.read() as conn:
        return list(conn.execute(select(tickets).where(tickets.c.phone == E164)))


def test_the_phone_cap_counts_web_and_chat_tickets_together(
    remote: TestClient, queue: QueueService
) -> None:
    assert web(remote, "C").status_code == 201
    say(remote, "ANTRE D")
    assert len(held(queue)) == 2  # one from the browser, one by message: the cap (2) is reached
    refused = web(remote, "D", EN)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "phone_cap_reached"
    assert refused.json()["message"] == (
        "This phone number already holds 2 active queue numbers today."
    )
    say(remote, "ANTRE C")
    assert replies(queue)[-1] == "Nomor HP ini sudah memegang 2 nomor antrean aktif hari ini."
    assert len(held(queue)) == 2
    # giving one back makes room again, by either way
    token = next(t.token for t in held(queue) if t.channel == "web")
    assert remote.post(f"/api/v1/tickets/{token}/cancel").status_code == 200
    say(remote, "ANTRE C")
    assert len(held(queue)) == 3 and web(remote, "C").json()["code"] == "phone_cap_reached"


def test_chat_first_then_web_and_the_office_sets_the_cap(
    remote: TestClient, queue: QueueService
) -> None:
    admin = login(remote, "admin", ADMIN_PASSWORD)
    notify = {"gateway": {"kind": "log", "inbound_secret": SECRET}, "phone_daily_cap": 1}
    assert remote.patch(OFFICE, json={"notify": notify}, headers=admin).status_code == 200
    say(remote, "ANTRE C")
    refused = web(remote, "C")
    assert refused.status_code == 409 and refused.json()["messages"]["id"] == (
        "Nomor HP ini sudah memegang 1 nomor antrean aktif hari ini."
    )
    other = web(remote, "C", phone="0813-1111-2222")  # another phone is not held back
    assert other.status_code == 201


def test_a_phone_and_consent_are_required_and_the_phone_must_be_valid(
    remote: TestClient, queue: QueueService
) -> None:
    missing = web(remote, "C", EN, phone=None)
    assert missing.status_code == 422 and missing.json()["code"] == "phone_required"
    assert "SMS/WhatsApp" in missing.json()["message"]
    unagreed = web(remote, "C", notify_consent=False)
    assert unagreed.status_code == 422 and unagreed.json()["code"] == "consent_required"
    assert unagreed.json()["message"].startswith("Centang persetujuan")  # Indonesian by default
    invalid = web(remote, "C", EN, phone="12345")
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_phone"
    assert invalid.json()["message"] == invalid.json()["messages"]["en"]
    priority = web(remote, "C", priority_group="lansia")
    assert priority.status_code == 422 and priority.json()["code"] == "priority_in_person"
    assert held(queue) == []


def test_the_language_field_chooses_the_refusal_language(remote: TestClient) -> None:
    chosen = web(remote, "A", {"Accept-Language": "id-ID"}, language="en")
    assert chosen.status_code == 403 and chosen.json()["code"] == "remote_not_allowed"
    assert chosen.json()["message"] == (
        "Queue numbers for the A service can only be taken in person at the office."
    )
    browser = web(remote, "A", EN)  # no language chosen: the browser's
    assert browser.json()["message"] == chosen.json()["message"]


def test_services_without_remote_tickets_refuse_both_ways(
    remote: TestClient, queue: QueueService
) -> None:
    assert web(remote, "A").json()["code"] == "remote_not_allowed"
    say(remote, "ANTRE A")
    assert replies(queue)[-1] == "Nomor antrean layanan A hanya dapat diambil langsung di kantor."
    assert held(queue) == []


def test_closed_office_refuses_both_ways(remote: TestClient, queue: QueueService) -> None:
    admin = login(remote, "admin", ADMIN_PASSWORD)
    hours = {"0": {"opens": "10:00", "closes": "14:00"}}  # Monday; it is 09:00 now
    assert remote.patch(OFFICE, json={"hours": hours}, headers=admin).status_code == 200
    refused = web(remote, "C", EN)
    assert refused.status_code == 409 and refused.json()["code"] == "office_closed"
    assert "10:00" in refused.json()["message"]
    say(remote, "ANTRE C")
    assert replies(queue)[-1].startswith("Mohon maaf, kantor sedang tutup.")
    assert held(queue) == []


def test_quota_counts_every_channel(remote: TestClient, queue: QueueService) -> None:
    admin = login(remote, "admin", ADMIN_PASSWORD)
    remote.patch(f"{OFFICE}/services/C", json={"daily_quota": 2}, headers=admin)
    assert web(remote, "C").status_code == 201
    say(remote, "ANTRE C")
    refused = web(remote, "C", phone="0813-1111-2222")
    assert refused.status_code == 409 and refused.json()["code"] == "quota_reached"
    say(remote, "ANTRE C", sender="0813-3333-4444")
    assert len(held(queue)) == 2


def test_consent_is_recorded_with_its_wording_and_time(
    remote: TestClient, queue: QueueService, clock: FrozenClock
) -> None:
    taken = web(remote, "C", language="en")
    assert taken.status_code == 201
    say(remote, "ANTRE D")
    by_channel = {row.channel: row for row in held(queue)}
    assert by_channel["web"].consent_text == wording(Channel.WEB, "en")
    assert by_channel["chat"].consent_text == wording(Channel.CHAT, "id")
    for row in by_channel.values():
        assert row.notify_consent is True
        assert row.consent_at == row.issued_at


def test_the_cap_holds_across_workers(
    database: Database, clock: FrozenClock, demo_office: int
) -> None:
    """Each worker counts the phones of tickets another one took (the event log keeps none)."""
    first, second = QueueService(database, clock), QueueService(database, clock)
    second.read(demo_office)  # loaded before the tickets: it catches up through the events
    for worker, code in ((first, "C"), (first, "D")):
        worker.issue(demo_office, service=code, channel=Channel.WEB, actor="anonymous",
                     phone=E164, notify_consent=True)  # fmt: skip
    with pytest.raises(PhoneCapReached):
        second.issue(demo_office, service="C", channel=Channel.CHAT, actor="chat",
                     phone=E164, notify_consent=True)  # fmt: skip
