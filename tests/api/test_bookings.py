"""Appointments (janji temu) end to end: booking with a texted code, capacity (also under
concurrent booking), check-in ordering against walk-ins, grace and no-show rules, reminders
through the fake gateway, moving and cancelling by the visitor's link."""

from __future__ import annotations

import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import FrozenClock
from queue_server.domain.model import Language
from queue_server.notifications import outbox
from queue_server.notifications.gateways import Outgoing
from queue_server.notifications.worker import Deliverer
from queue_server.services.bookings import Bookings
from queue_server.services.queue import QueueService
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
TODAY = date(2026, 11, 23)  # the clock fixture: Monday 09:00 WIB
TOMORROW = TODAY + timedelta(days=1)


def enable(client: TestClient, **rules: Any) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    booking = {"enabled": True, "slot_minutes": 30, "capacity": 2, **rules}
    answer = client.patch(f"{OFFICE}/services/A", json={"booking": booking}, headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["booking"]["capacity"] == booking["capacity"]


def messages(client: TestClient, kind: str | None = None) -> list[Any]:
    db = client.app.state.ctx.queue.db  # type: ignore[attr-defined]
    with db.read() as conn:
        rows = conn.execute(select(outbox.messages).order_by(outbox.messages.c.created_at)).all()
    return [r for r in rows if kind is None or r.kind == kind]


def book(
    client: TestClient, phone: str, day: date = TOMORROW, slot: str = "10:00", **extra: Any
) -> Any:
    body = {"service": "A", "day": day.isoformat(), "slot": slot, "phone": phone,
            "consent": True, **extra}  # fmt: skip
    return client.post(f"{OFFICE}/bookings", json=body)


def confirmed(client: TestClient, phone: str, **kwargs: Any) -> dict[str, Any]:
    made = book(client, phone, **kwargs)
    assert made.status_code == 201, made.text
    otp = re.search(r"\b(\d{6})\b", messages(client, "booking_otp")[-1].body)
    assert otp is not None
    done = client.post(f"/api/v1/bookings/{made.json()['token']}/confirm", json={"code": otp[1]})
    assert done.status_code == 200, done.text
    result: dict[str, Any] = done.json()
    return result


def test_book_confirm_with_the_texted_code_then_see_move_and_cancel(client: TestClient) -> None:
    enable(client)
    slots = client.get(f"{OFFICE}/services/A/slots?day={TOMORROW}").json()
    assert {"start": "10:00", "end": "10:30", "free": 2} in slots
    made = book(client, "0812-1111-2222")
    assert made.status_code == 201 and made.json()["status"] == "pending"
    assert made.json()["code"] is None  # the code is only shown once the phone is confirmed
    assert made.json()["phone"] == "0812****2222"
    token = made.json()["token"]
    wrong = client.post(f"/api/v1/bookings/{token}/confirm", json={"code": "000000"},
                        headers={"Accept-Language": "en"})  # fmt: skip
    assert wrong.status_code == 422 and "4" in wrong.json()["message"]
    otp = re.search(r"\b(\d{6})\b", messages(client, "booking_otp")[-1].body)
    assert otp is not None
    done = client.post(f"/api/v1/bookings/{token}/confirm", json={"code": otp[1]}).json()
    assert done["status"] == "confirmed" and re.fullmatch(r"[A-Z0-9]{6}", done["code"])
    booked = messages(client, "booked")[-1]
    assert done["code"] in booked.body and f"/b/{token}" in booked.body
    assert client.get(f"/api/v1/bookings/{token}").json()["slot"] == "10:00"
    moved = client.post(f"/api/v1/bookings/{token}/reschedule",
                        json={"day": TOMORROW.isoformat(), "slot": "11:00"})  # fmt: skip
    assert moved.status_code == 200 and moved.json()["slot"] == "11:00"
    assert len(messages(client, "booked")) == 2  # the new time is texted too
    free = {
        s["start"]: s["free"]
        for s in client.get(f"{OFFICE}/services/A/slots?day={TOMORROW}").json()
    }
    assert free["10:00"] == 2 and free["11:00"] == 1
    assert client.delete(f"/api/v1/bookings/{token}").status_code == 204
    assert client.get(f"/api/v1/bookings/{token}").json()["status"] == "cancelled"
    assert client.delete(f"/api/v1/bookings/{token}").status_code == 409
    assert messages(client, "booking_cancel")


def test_refusals_are_clear(client: TestClient) -> None:
    assert book(client, "081211112222").json()["code"] == "booking_not_offered"
    enable(client)
    no_consent = book(client, "081211112222", consent=False)
    assert no_consent.status_code == 422 and no_consent.json()["code"] == "booking_consent_required"
    assert book(client, "12").json()["code"] == "invalid_phone"
    assert book(client, "081211112222", slot="10:10").json()["code"] == "slot_unavailable"
    far = book(client, "081211112222", day=TODAY + timedelta(days=30))
    assert far.status_code == 422 and far.json()["code"] == "booking_day_out_of_range"
    confirmed(client, "081211112222")
    again = book(client, "0812 1111 2222", slot="11:00")
    assert again.status_code == 409 and again.json()["code"] == "booking_exists"
    confirmed(client, "081233334444")
    full = book(client, "081255556666")
    assert full.status_code == 409 and full.json()["code"] == "slot_full"
    assert client.get("/api/v1/bookings/nope").status_code == 404


@pytest.fixture
def bookings(client: TestClient) -> Bookings:
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    return Bookings(ctx.queue, "http://antrean.test")


def test_no_overbooking_when_many_book_the_last_seats_at_once(
    client: TestClient, bookings: Bookings, clock: FrozenClock
) -> None:
    enable(client, capacity=3)
    office_id = client.app.state.ctx.queue.office_id("winongan")  # type: ignore[attr-defined]

    def attempt(n: int) -> str:
        try:
            bookings.book(office_id, service="A", day=TOMORROW, slot=time(10),
                          phone=f"+6281200000{n:03d}", language=Language.ID,
                          now=clock.now())  # fmt: skip
            return "ok"
        except Exception as refused:
            return type(refused).__name__

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(16)))
    assert results.count("ok") == 3, results
    assert set(results) - {"ok"} <= {"SlotFull", "IntegrityError"}
    free = {
        s["start"]: s["free"]
        for s in client.get(f"{OFFICE}/services/A/slots?day={TOMORROW}").json()
    }
    assert free["10:00"] == 0


def test_a_code_never_confirmed_gives_its_seat_back(
    client: TestClient, clock: FrozenClock, bookings: Bookings
) -> None:
    enable(client, capacity=1)
    first = book(client, "081211112222")
    assert first.status_code == 201
    assert book(client, "081233334444").json()["code"] == "slot_full"
    clock.advance(minutes=11)
    assert book(client, "081233334444").status_code == 201  # the first one's hold ran out
    assert client.get(f"/api/v1/bookings/{first.json()['token']}").json()["status"] == "expired"
    assert book(client, "081255556666", slot="11:00").status_code == 201
    clock.advance(minutes=11)
    assert bookings.sweep(clock.now())["expired"] == 2  # the clock frees them too


def _office_id(client: TestClient) -> int:
    found: int = client.app.state.ctx.queue.office_id("winongan")  # type: ignore[attr-defined]
    return found


def test_check_in_early_waits_then_goes_ahead_of_walk_ins(
    client: TestClient, clock: FrozenClock
) -> None:
    enable(client)
    booking = confirmed(client, "081211112222", day=TODAY, slot="10:00")
    kiosk = device(client, "kiosk", name="kios")
    officer = login(client, "petugas1")
    client.post(f"{OFFICE}/counters/1/open", headers=officer)
    clock.at += timedelta(minutes=30)  # 09:30: check-in opened at 09:00
    checked = client.post(f"{OFFICE}/bookings/check-in", json={"code": booking["code"].lower()},
                          headers=kiosk)  # fmt: skip
    assert checked.status_code == 201, checked.text
    ticket = checked.json()
    assert ticket["status"] == "on_hold" and ticket["channel"] == "booking"
    assert '"due":"10:00"' in client.get(f"/t/{ticket['token']}").text  # the phone page says when
    again = client.post(f"{OFFICE}/bookings/check-in", json={"code": booking["code"]},
                        headers=kiosk)  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "booking_closed"
    walk_in = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()
    first = client.post(f"{OFFICE}/counters/1/call-next", headers=officer).json()["ticket"]
    assert first["number"] == walk_in["number"]  # before 10:00, walk-ins go on
    client.post(f"/api/v1/tickets/{first['token']}/finish", headers=officer)
    later = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()
    clock.at += timedelta(minutes=31)  # 10:01
    called = client.post(f"{OFFICE}/counters/1/call-next", headers=officer).json()["ticket"]
    assert called["number"] == ticket["number"]  # the booked visitor, ahead of the walk-in
    assert later["number"] != called["number"]
    day = client.get(f"{OFFICE}/bookings", headers=officer).json()
    assert [b["status"] for b in day] == ["checked_in"] and day[0]["ticket"]


def test_an_early_visitors_printed_ticket_says_when_they_join_the_line(
    client: TestClient, clock: FrozenClock, queue: QueueService
) -> None:
    """Agents speaking protocol 2 are told the time; older ones get the fields they know."""
    from queue_server.services.printing import job_message

    enable(client)
    booking = confirmed(client, "081211112222", day=TODAY, slot="10:00")
    clock.at += timedelta(minutes=30)  # 09:30
    checked = client.post(f"{OFFICE}/bookings/check-in", json={"code": booking["code"]},
                          headers=device(client, "kiosk", name="kios")).json()  # fmt: skip
    office_id = _office_id(client)
    state = queue.read(office_id)
    ticket = next(t for t in state.tickets.values() if t.token == checked["token"])
    now = clock.now()
    sent = job_message("j1", False, ticket, state, "http://x", now)["job"]["ticket"]
    joins = datetime.fromisoformat(sent["joins_at"]).astimezone(ZoneInfo("Asia/Jakarta"))
    assert joins.strftime("%H:%M") == "10:00"
    assert (
        "joins_at"
        not in job_message("j1", False, ticket, state, "http://x", now, 1)["job"]["ticket"]
    )


@pytest.mark.parametrize("late", ["walk_in", "no_show"])
def test_past_grace_late_visitors_queue_as_walk_ins_or_lapse(
    client: TestClient, clock: FrozenClock, bookings: Bookings, late: str
) -> None:
    enable(client, grace_minutes=15, late=late)
    booking = confirmed(client, "081211112222", day=TODAY, slot="09:30")
    kiosk = device(client, "kiosk", name="kios")
    clock.at += timedelta(minutes=50)  # 09:50: twenty minutes late
    answer = client.post(f"{OFFICE}/bookings/check-in", json={"code": booking["code"]},
                         headers={**kiosk, "Accept-Language": "en"})  # fmt: skip
    if late == "walk_in":
        assert answer.status_code == 201
        assert answer.json()["channel"] == "kiosk"
        assert answer.json()["status"] == "waiting"
    else:
        assert answer.status_code == 409 and answer.json()["code"] == "booking_lapsed"
        assert "09:30" in answer.json()["message"]
        assert bookings.sweep(clock.now())["no_show"] == 1
        status = client.get(f"/api/v1/bookings/{booking['token']}").json()["status"]
        assert status == "no_show"


def test_too_early_check_in_is_refused_and_the_booking_stands(
    client: TestClient, clock: FrozenClock
) -> None:
    enable(client, early_minutes=30)
    booking = confirmed(client, "081211112222", day=TODAY, slot="11:00")
    kiosk = device(client, "kiosk", name="kios")
    early = client.post(
        f"{OFFICE}/bookings/check-in", json={"code": booking["code"]}, headers=kiosk
    )
    assert early.status_code == 409 and "10:30" in early.json()["message"]
    assert client.get(f"/api/v1/bookings/{booking['token']}").json()["status"] == "confirmed"
    unknown = client.post(f"{OFFICE}/bookings/check-in", json={"code": "ZZZZZZ"}, headers=kiosk)
    assert unknown.status_code == 404 and unknown.json()["code"] == "booking_not_found"


class FakeGateway:
    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def send(self, message: Outgoing) -> None:
        self.sent.append(message)


def test_reminders_the_day_before_and_an_hour_before_reach_the_gateway_once(
    client: TestClient, clock: FrozenClock, bookings: Bookings
) -> None:
    enable(client)
    confirmed(client, "081211112222", day=TOMORROW, slot="10:00")
    gateway = FakeGateway()

    def factory(_config: Mapping[str, Any]) -> FakeGateway:
        return gateway

    deliver = Deliverer(bookings.db, clock, gateway_for=factory, backoff_base=10).deliver_due
    deliver()
    assert sorted(m.kind for m in gateway.sent) == ["booked", "booking_otp"]  # same moment
    clock.at += timedelta(hours=1, minutes=1)  # 10:01 today: 24 hours before
    assert bookings.sweep(clock.now())["reminded"] == 1
    assert bookings.sweep(clock.now())["reminded"] == 0
    clock.at += timedelta(hours=23)  # 09:01 tomorrow: an hour before
    assert bookings.sweep(clock.now())["reminded"] == 1
    deliver()
    assert [m.kind for m in gateway.sent[2:]] == ["reminder_day", "reminder_hour"]
    assert "besok" in gateway.sent[2].text and "10:00" in gateway.sent[3].text
    assert all(m.phone == "+6281211112222" for m in gateway.sent)


def test_walk_ins_stop_at_the_quota_left_after_the_bookings_share(
    client: TestClient, queue: QueueService
) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    client.patch(f"{OFFICE}/services/A", json={"daily_quota": 4}, headers=admin)
    enable(client, reserved_share=50)
    kiosk = device(client, "kiosk", name="kios")
    taken = [client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
             for _ in range(3)]  # fmt: skip
    assert [t.status_code for t in taken] == [201, 201, 409]
    assert taken[2].json()["code"] == "quota_reached"
    booking = confirmed(client, "081211112222", day=TODAY, slot="10:00")
    checked = client.post(f"{OFFICE}/bookings/check-in", json={"code": booking["code"]},
                          headers=kiosk)  # fmt: skip
    assert checked.status_code == 201  # the booked share still gets its tickets


def test_staff_check_in_prints_on_the_chosen_printer_and_tells_when_the_ticket_is_due(
    client: TestClient, clock: FrozenClock, queue: QueueService
) -> None:
    from queue_server.store.tables import PrintJobRow

    jobs = PrintJobRow.__table__  # type: ignore[attr-defined]
    enable(client)
    admin = login(client, "admin", ADMIN_PASSWORD)
    kiosk = client.post(f"{OFFICE}/devices", json={"kind": "kiosk", "name": "K1"},
                        headers=admin).json()  # fmt: skip
    client.post(f"{OFFICE}/devices", json={"kind": "agent", "name": "P1", "kiosk": kiosk["id"]},
                headers=admin)  # fmt: skip
    first = confirmed(client, "081211112222", day=TODAY, slot="10:00")
    second = confirmed(client, "081233334444", day=TODAY, slot="10:00")
    officer = login(client, "petugas1")
    bad = client.post(f"{OFFICE}/bookings/check-in",
                      json={"code": first["code"], "printer": 999}, headers=officer)  # fmt: skip
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_printer"
    assert client.get(f"/api/v1/bookings/{first['token']}").json()["status"] == "confirmed"
    checked = client.post(f"{OFFICE}/bookings/check-in",
                          json={"code": first["code"], "printer": kiosk["id"]},
                          headers=officer)  # fmt: skip
    assert checked.status_code == 201, checked.text
    ticket = checked.json()
    assert ticket["status"] == "on_hold"
    assert datetime.fromisoformat(ticket["due_at"]) == datetime(2026, 11, 23, 3, tzinfo=UTC)
    assert ticket["due_at"].endswith(("Z", "+00:00"))  # in UTC, as every time the API gives
    unprinted = client.post(f"{OFFICE}/bookings/check-in",
                            json={"code": second["code"]}, headers=officer).json()  # fmt: skip
    with queue.db.read() as conn:
        printed = conn.execute(select(jobs.c.ticket_id, jobs.c.kiosk_id)).all()
    assert len(printed) == 1 and printed[0].kiosk_id == kiosk["id"]
    walk_in = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=officer).json()
    assert walk_in["due_at"] is None
    day = {b["code"]: b for b in client.get(f"{OFFICE}/bookings", headers=officer).json()}
    assert day[first["code"]]["ticket_number"] == ticket["number"]
    assert day[second["code"]]["ticket_number"] == unprinted["number"]
