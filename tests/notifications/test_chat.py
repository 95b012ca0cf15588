"""A whole conversation through the chat webhook: INFO, ANTRE, STATUS, the turn-near and called
messages as the office works, BATAL, BERHENTI; and the webhooks' authentication."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import FrozenClock
from queue_server.notifications.chat import parse, plain
from queue_server.notifications.outbox import messages
from queue_server.notifications.rules import is_gsm7
from queue_server.services.queue import QueueService
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
SECRET = "rahasia-gateway-1"
APP_SECRET = "rahasia-meta-1"
VISITOR = "081298765432"
E164 = "+6281298765432"


@pytest.fixture
def chat(client: TestClient, clock: FrozenClock) -> TestClient:
    # a second passes with each request, so messages sort in the order they were made
    client.event_hooks["request"].append(lambda _request: clock.advance(seconds=1))
    admin = login(client, "admin", ADMIN_PASSWORD)
    gateway = {"kind": "log", "inbound_secret": SECRET, "app_secret": APP_SECRET,
               "verify_token": "verifikasi"}  # fmt: skip
    response = client.patch(
        OFFICE, json={"notify": {"gateway": gateway, "near_people": 2}}, headers=admin
    )
    assert response.status_code == 200, response.text
    shown = response.json()["notify"]["gateway"]
    assert shown["inbound_secret"] == "****" and shown["app_secret"] == "****"  # never shown back
    return client


def say(client: TestClient, text: str) -> Any:
    response = client.post(
        f"{OFFICE}/chat/http",
        json={"from": VISITOR, "text": text},
        headers={"X-Antrean-Secret": SECRET},
    )
    assert response.status_code == 200, response.text
    return response.json()


def outgoing(queue: QueueService) -> list[Any]:
    with queue.db.read() as conn:
        return conn.execute(
            select(messages).where(messages.c.phone == E164).order_by(messages.c.created_at)
        ).all()


def last_reply(queue: QueueService) -> str:
    return str([m for m in outgoing(queue) if m.kind == "reply"][-1].body)


def test_a_whole_conversation(chat: TestClient, queue: QueueService) -> None:
    officer = login(chat, "petugas1")
    kiosk = device(chat, "kiosk")
    for _ in range(4):  # people already waiting for C
        chat.post(f"{OFFICE}/tickets", json={"service": "C"}, headers=kiosk)

    say(chat, "info")
    info = last_reply(queue)
    assert "C: Surat Keterangan" in info and "Bisa diambil lewat pesan: C, D." in info

    assert say(chat, "ANTRE C") == {"ok": True, "replied": False}  # "joined" answers it
    (joined,) = [m for m in outgoing(queue) if m.kind == "joined"]
    assert "4 orang di depan" in joined.body and "/t/" in joined.body

    say(chat, "STATUS")
    assert "menunggu, 4 orang di depan" in last_reply(queue)

    chat.post(f"{OFFICE}/counters/1/open", headers=officer)
    for _ in range(2):
        chat.post(f"{OFFICE}/counters/1/call-next", headers=officer)
    assert "near" in [m.kind for m in outgoing(queue)]  # 2 ahead now
    for _ in range(3):
        chat.post(f"{OFFICE}/counters/1/call-next", headers=officer)
    called = [m for m in outgoing(queue) if m.kind == "called"]
    assert len(called) == 1 and "Silakan menuju loket 1" in called[0].body

    say(chat, "batal")
    assert "cancelled" in [m.kind for m in outgoing(queue)]
    say(chat, "STATUS")
    assert last_reply(queue) == "Anda tidak punya nomor antrean aktif hari ini."

    say(chat, "halo, jam berapa buka?")  # a question: to the consultation desk, acknowledged
    (ack,) = [m for m in outgoing(queue) if m.kind == "consult_ack"]
    assert ack.body.startswith("Pesan Anda telah kami terima dan akan kami jawab paling lambat")
    say(chat, "bantuan")
    assert last_reply(queue).startswith("Ketik ANTRE <kode layanan>")
    for message in outgoing(queue):
        assert is_gsm7(message.body), message.body


def test_english_remote_refusals_and_the_phone_cap(chat: TestClient, queue: QueueService) -> None:
    say(chat, "QUEUE A")  # A is taken at the office only
    assert (
        last_reply(queue)
        == "Queue numbers for the A service can only be taken in person at the office."
    )
    say(chat, "ANTRE")
    assert "misalnya ANTRE B" in last_reply(queue)
    say(chat, "ANTRE D")
    say(chat, "ANTRE C")
    say(chat, "ANTRE D")  # a third active ticket for one phone: the anti-broker rule
    assert last_reply(queue) == "Nomor HP ini sudah memegang 2 nomor antrean aktif hari ini."


def test_berhenti_withdraws_consent_and_drops_waiting_messages(
    chat: TestClient, queue: QueueService
) -> None:
    officer = login(chat, "petugas1")
    say(chat, "ANTRE C")
    say(chat, "BERHENTI")
    assert last_reply(queue).startswith("Anda tidak akan dikirimi pesan lagi")
    chat.post(f"{OFFICE}/counters/1/open", headers=officer)
    chat.post(f"{OFFICE}/counters/1/call-next", headers=officer)
    kinds = {m.kind: m.status for m in outgoing(queue) if m.kind != "reply"}
    assert "called" not in kinds  # nothing new after opting out ...
    assert set(kinds.values()) <= {"sent", "dropped"}  # ... and nothing left waiting to go
    tickets = chat.get(f"{OFFICE}/tickets", headers=officer).json()
    assert tickets and all(t["phone"] in (None, "0812****5432") for t in tickets)


def test_webhooks_check_their_secret_and_signature(chat: TestClient, queue: QueueService) -> None:
    body = {"from": VISITOR, "text": "INFO"}
    assert chat.post(f"{OFFICE}/chat/http", json=body).status_code == 403
    wrong = {"X-Antrean-Secret": "salah"}
    assert chat.post(f"{OFFICE}/chat/http", json=body, headers=wrong).status_code == 403
    form = chat.post(f"{OFFICE}/chat/http", data={"sender": VISITOR, "message": "INFO"},
                     headers={"X-Antrean-Secret": SECRET})  # fmt: skip
    assert form.status_code == 200  # form-encoded gateways too

    payload = {"entry": [{"changes": [{"value": {"messages": [
        {"from": "6281298765432", "type": "text", "text": {"body": "STATUS"}}]}}]}]}  # fmt: skip
    raw = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    url = f"{OFFICE}/chat/whatsapp"
    headers = {"Content-Type": "application/json"}
    assert (
        chat.post(
            url, content=raw, headers={**headers, "X-Hub-Signature-256": "sha256=00"}
        ).status_code
        == 403
    )
    ok = chat.post(url, content=raw, headers={**headers, "X-Hub-Signature-256": signature})
    assert ok.json() == {"ok": True, "handled": 1}
    message = {"id": f"wamid.{uuid.uuid4().hex}", "from": "6281298765432", "type": "text",
               "text": {"body": "ANTRE C"}}  # fmt: skip
    taken = {"entry": [{"changes": [{"value": {"messages": [message]}}]}]}
    raw = json.dumps(taken).encode()
    signed = {**headers, "X-Hub-Signature-256": "sha256=" + hmac.new(
        APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()}  # fmt: skip
    assert chat.post(url, content=raw, headers=signed).json()["handled"] == 1
    assert chat.post(url, content=raw, headers=signed).json()["handled"] == 0  # Meta's retry
    assert len([m for m in outgoing(queue) if m.kind == "joined"]) == 1  # one ticket
    assert last_reply(queue) == "Anda tidak punya nomor antrean aktif hari ini."
    params = {"hub.mode": "subscribe", "hub.verify_token": "verifikasi", "hub.challenge": "42"}
    assert chat.get(url, params=params).text == "42"
    assert chat.get(url, params={**params, "hub.verify_token": "x"}).status_code == 403


def test_parse_and_plain() -> None:
    assert parse("antri  b") == parse("ANTRE B")
    assert (parse("queue c").action, parse("queue c").lang) == ("take", "en")
    assert parse("").action == parse("BANTUAN").action == "help"
    assert parse("apa kabar").action == "ask"  # a question for the consultation desk
    assert plain("08:00–15:00 … “ok”") == '08:00-15:00 ... "ok"'


def test_janji_lists_bookings_and_batal_with_a_code_cancels_one(
    chat: TestClient, queue: QueueService
) -> None:
    say(chat, "JANJI")
    assert "/janji/winongan" in last_reply(queue)  # none yet: where to book
    admin = login(chat, "admin", ADMIN_PASSWORD)
    rules = {"enabled": True, "slot_minutes": 30, "capacity": 2}
    chat.patch(f"{OFFICE}/services/A", json={"booking": rules}, headers=admin)
    body = {"service": "A", "day": "2026-11-24", "slot": "10:00", "phone": VISITOR, "consent": True}
    token = chat.post(f"{OFFICE}/bookings", json=body).json()["token"]
    texted = next(m.body for m in outgoing(queue) if m.kind == "booking_otp")
    otp = re.search(r"\b(\d{6})\b", texted)
    assert otp is not None
    booked = chat.post(f"/api/v1/bookings/{token}/confirm", json={"code": otp[1]}).json()
    say(chat, "janji")
    reply = last_reply(queue)
    assert booked["code"] in reply and "10:00" in reply and f"/b/{token}" in reply
    say(chat, "BATAL ZZZZZZ")  # not this phone's booking
    assert "tidak ditemukan" in last_reply(queue)
    say(chat, f"batal {booked['code'].lower()}")
    assert chat.get(f"/api/v1/bookings/{token}").json()["status"] == "cancelled"
    assert [m.kind for m in outgoing(queue)][-1] == "booking_cancel"
