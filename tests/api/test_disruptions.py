"""Service disruptions end to end on SQLite and PostgreSQL: one delay text per waiting visitor,
one text per number on the callback list when the service is back (however often it is
restored), the "instead of a ticket" setting, the live snapshot, the monthly figures, and
retention of the callback numbers."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from queue_server.clock import FrozenClock
from queue_server.notifications import outbox
from queue_server.realtime import schemas
from queue_server.services.disruptions import callbacks
from queue_server.services.retention import erase_older_than
from queue_server.store import repository as repo
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
PHONE = {"phone": "0812-3456-7890", "notify_consent": True}


@pytest.fixture
def supervisor(client: TestClient) -> dict[str, str]:
    admin = login(client, "admin", ADMIN_PASSWORD)
    made = client.post(
        "/api/v1/users",
        json={"username": "kasi", "password": "pelayanan-prima-7", "role": "supervisor",
              "office": "winongan"},
        headers=admin,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return login(client, "kasi", "pelayanan-prima-7")


@pytest.fixture
def kiosk(client: TestClient) -> dict[str, str]:
    return device(client, "kiosk")


def texts(client: TestClient, kind: str | None = None) -> list[Any]:
    db = client.app.state.ctx.queue.db  # type: ignore[attr-defined]
    with db.read() as conn:
        rows = conn.execute(select(outbox.messages).order_by(outbox.messages.c.created_at)).all()
    return [r for r in rows if kind is None or r.kind == kind]


def callback_rows(client: TestClient) -> list[Any]:
    db = client.app.state.ctx.queue.db  # type: ignore[attr-defined]
    with db.read() as conn:
        return list(conn.execute(select(callbacks).order_by(callbacks.c.created_at)).all())


def take(client: TestClient, kiosk: dict[str, str], service: str, **extra: Any) -> Any:
    answer = client.post(f"{OFFICE}/tickets", json={"service": service, **extra}, headers=kiosk)
    assert answer.status_code == 201, answer.text
    return answer.json()


def start(client: TestClient, who: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = client.post(f"{OFFICE}/disruptions", json=body, headers=who)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def snapshot(client: TestClient) -> dict[str, Any]:
    result: dict[str, Any] = client.app.state.ctx.queue.snapshot(  # type: ignore[attr-defined]
        client.app.state.ctx.queue.office_id("winongan")  # type: ignore[attr-defined]
    )
    return result


def test_waiting_visitors_get_exactly_one_delay_text(
    client: TestClient, supervisor: dict[str, str], kiosk: dict[str, str]
) -> None:
    texted = take(client, kiosk, "A", **PHONE)
    take(client, kiosk, "A")  # no phone: nobody to tell
    take(client, kiosk, "A", phone="0813-1111-2222", notify_consent=False)  # no consent
    take(client, kiosk, "B", phone="0813-3333-4444", notify_consent=True)  # not disrupted
    down = start(client, supervisor, service="A", reason="sistem_pusat", expected_end="10:30")
    assert down["until"] == "10:30" and down["started_by"] == "kasi"
    (delay,) = texts(client, "delay")
    assert texted["number"] == "A001" and delay.phone == "+6281234567890"
    assert "10:30" in delay.body and "sistem pusat/OSS" in delay.body and "A001" in delay.body
    # a new expected end is shown, and nobody is texted again
    moved = client.patch(f"{OFFICE}/disruptions/{down['id']}", json={"expected_end": "11:15"},
                         headers=supervisor)  # fmt: skip
    assert moved.status_code == 200 and moved.json()["until"] == "11:15"
    assert moved.json()["changes"][0]["by"] == "kasi"
    past = client.patch(
        f"{OFFICE}/disruptions/{down['id']}",
        json={"expected_end": "2026-11-23T08:30:00+07:00"},
        headers=supervisor,
    )
    assert past.status_code == 422  # after the start but already gone: refused, not shown
    # a ticket taken after the start sees the notice at the kiosk: it is not texted
    take(client, kiosk, "A", phone="0813-5555-6666", notify_consent=True)
    assert len(texts(client, "delay")) == 1
    # the same scope twice is refused: edit or restore the one there is
    again = client.post(f"{OFFICE}/disruptions", json={"service": "A", "reason": "listrik"},
                        headers=supervisor)  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "disruption_active"
    # restore, then a second disruption of A: a waiting visitor is told about that one too
    client.post(f"{OFFICE}/disruptions/{down['id']}/restore", headers=supervisor)
    start(client, supervisor, service="A", reason="listrik")
    assert len(texts(client, "delay")) == 3  # A001 again and the number taken meanwhile
    last = texts(client, "delay")[-1]
    assert "belum diketahui" in last.body


def test_office_wide_disruption_texts_every_service(
    client: TestClient, supervisor: dict[str, str], kiosk: dict[str, str]
) -> None:
    take(client, kiosk, "A", **PHONE)
    take(client, kiosk, "B", phone="0813-3333-4444", notify_consent=True, language="en")
    start(client, supervisor, service=None, reason="listrik")
    delays = texts(client, "delay")
    assert len(delays) == 2
    english = next(d for d in delays if d.language == "en")
    assert "power cut" in english.body and "not known yet" in english.body


def test_the_callback_list_gets_exactly_one_text_on_restore(
    client: TestClient, supervisor: dict[str, str], kiosk: dict[str, str]
) -> None:
    # C allows tickets from afar: the text carries the link to take one
    down = start(client, supervisor, service="C", reason="jaringan")
    body = {"service": "C", "phone": "0812-1111-2222", "consent": True}
    first = client.post(f"{OFFICE}/disruptions/callbacks", json=body, headers=kiosk)
    assert first.status_code == 201 and first.json()["added"] is True
    twice = client.post(f"{OFFICE}/disruptions/callbacks", json=body, headers=kiosk)
    assert twice.status_code == 201 and twice.json()["added"] is False  # kept once
    same = {**body, "phone": "+62 812 1111 2222"}  # the same number written otherwise
    assert (
        client.post(f"{OFFICE}/disruptions/callbacks", json=same, headers=kiosk).json()["added"]
        is False
    )
    other = {"service": "C", "phone": "0813-9999-0000", "consent": True, "language": "en"}
    assert client.post(f"{OFFICE}/disruptions/callbacks", json=other, headers=kiosk).status_code
    assert len(callback_rows(client)) == 2
    listed = client.get(f"{OFFICE}/disruptions", headers=supervisor).json()
    assert listed["active"][0]["callbacks"] == 2 and listed["active"][0]["told"] == 0
    assert texts(client, "callback_link") == []  # nobody is told before the restore

    def restore() -> int:
        answer = client.post(f"{OFFICE}/disruptions/{down['id']}/restore", headers=supervisor)
        return answer.status_code

    with ThreadPoolExecutor(2) as pool:  # two restores at once
        assert list(pool.map(lambda _: restore(), range(2))) == [200, 200]
    assert restore() == 200  # and once more
    told = texts(client, "callback_link")
    assert len(told) == 2
    assert {t.phone for t in told} == {"+6281211112222", "+6281399990000"}
    assert all("/ambil/winongan" in t.body for t in told)
    assert all(row.told_at is not None and row.message_id for row in callback_rows(client))
    # re-adding a number after the restore: the service runs normally, no list to join
    late = client.post(f"{OFFICE}/disruptions/callbacks", json=body, headers=kiosk)
    assert late.status_code == 409 and late.json()["code"] == "not_disrupted"
    history = client.get(f"{OFFICE}/disruptions", headers=supervisor).json()
    assert history["active"] == [] and history["history"][0]["told"] == 2
    assert history["history"][0]["ended_by"] == "kasi"
    admin = login(client, "admin", ADMIN_PASSWORD)
    audit = [(e["actor"], e["action"], e["status"])
             for e in client.get("/api/v1/audit", headers=admin).json()]  # fmt: skip
    assert ("kasi", "POST /api/v1/offices/{office}/disruptions", 201) in audit
    restores = ("kasi", "POST /api/v1/offices/{office}/disruptions/{disruption}/restore", 200)
    assert audit.count(restores) == 3  # every change is logged, even one that changed nothing


def test_callback_without_a_link_when_the_service_is_kiosk_only(
    client: TestClient, supervisor: dict[str, str], kiosk: dict[str, str]
) -> None:
    down = start(client, supervisor, service="A", reason="lainnya", note="printer KTP rusak")
    body = {"service": "A", "phone": "0812-1111-2222", "consent": True}
    assert client.post(f"{OFFICE}/disruptions/callbacks", json=body, headers=kiosk).status_code
    client.post(f"{OFFICE}/disruptions/{down['id']}/restore", headers=supervisor)
    (told,) = texts(client, "callback")
    assert "/ambil/" not in told.body and "pulih" in told.body


def test_a_callback_waits_while_another_disruption_still_stops_the_service(
    client: TestClient, supervisor: dict[str, str], kiosk: dict[str, str]
) -> None:
    own = start(client, supervisor, service="A", reason="sistem_pusat")
    everything = start(client, supervisor, service=None, reason="listrik")
    body = {"service": "A", "phone": "0812-1111-2222", "consent": True}
    added = client.post(f"{OFFICE}/disruptions/callbacks", json=body, headers=kiosk).json()
    assert added["disruption"] == own["id"]  # the service's own disruption first
    client.post(f"{OFFICE}/disruptions/{own['id']}/restore", headers=supervisor)
    assert texts(client, "callback") == []  # the power is still off
    client.post(f"{OFFICE}/disruptions/{everything['id']}/restore", headers=supervisor)
    assert len(texts(client, "callback")) == 1


def test_bad_callbacks_are_refused_clearly_and_nothing_is_stored(
    client: TestClient, supervisor: dict[str, str], kiosk: dict[str, str]
) -> None:
    start(client, supervisor, service="A", reason="jaringan")
    bad = client.post(f"{OFFICE}/disruptions/callbacks", headers=kiosk,
                      json={"service": "A", "phone": "12345", "consent": True})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_phone"
    assert bad.json()["messages"]["en"] and bad.json()["messages"]["id"]
    unagreed = client.post(f"{OFFICE}/disruptions/callbacks", headers=kiosk,
                           json={"service": "A", "phone": "0812-1111-2222"})  # fmt: skip
    assert unagreed.status_code == 422 and unagreed.json()["code"] == "consent_required"
    calls = f"{OFFICE}/disruptions/callbacks"
    phone = {"phone": "0812-1111-2222", "consent": True}
    normal = client.post(calls, headers=kiosk, json={"service": "B", **phone})
    assert normal.status_code == 409 and normal.json()["code"] == "not_disrupted"
    unknown = client.post(calls, headers=kiosk, json={"service": "Q", **phone})
    assert unknown.status_code == 422
    assert callback_rows(client) == []
    late = client.post(f"{OFFICE}/disruptions", headers=supervisor,
                       json={"service": "B", "reason": "jaringan",
                             "expected_end": "2026-11-23T08:00:00+07:00"})  # fmt: skip
    assert late.status_code == 422 and late.json()["code"] == "expected_end_past"
    nanti = {"service": "B", "reason": "jaringan", "expected_end": "nanti"}
    garbled = client.post(f"{OFFICE}/disruptions", headers=supervisor, json=nanti)
    assert garbled.status_code == 422
    wrong = client.post(f"{OFFICE}/disruptions", headers=supervisor,
                        json={"service": "B", "reason": "hujan"})  # fmt: skip
    assert wrong.status_code == 422


def test_only_supervisors_mark_disruptions(
    client: TestClient, kiosk: dict[str, str], supervisor: dict[str, str]
) -> None:
    officer = login(client, "petugas1")
    body = {"service": "A", "reason": "jaringan"}
    assert client.post(f"{OFFICE}/disruptions", json=body, headers=officer).status_code == 403
    assert client.post(f"{OFFICE}/disruptions", json=body, headers=kiosk).status_code == 403
    assert client.post(f"{OFFICE}/disruptions", json=body).status_code == 401
    assert client.post(f"{OFFICE}/disruptions", json=body, headers=supervisor).status_code == 201


def test_the_snapshot_carries_the_notice_while_it_lasts(
    client: TestClient, supervisor: dict[str, str]
) -> None:
    assert snapshot(client)["disruptions"] == []
    down = start(client, supervisor, service="A", reason="listrik", expected_end="11:00")
    snap = snapshot(client)
    schemas.validate({**snap, "type": "snapshot"})  # as docs/realtime.md describes it
    (face,) = snap["disruptions"]
    assert (face["service"], face["reason"], face["until"]) == ("A", "listrik", "11:00")
    assert "started_by" not in face  # who marked it is for staff
    client.post(f"{OFFICE}/disruptions/{down['id']}/restore", headers=supervisor)
    assert snapshot(client)["disruptions"] == []


def test_instead_of_a_ticket_refuses_the_disrupted_service_on_every_channel(
    client: TestClient, supervisor: dict[str, str], kiosk: dict[str, str]
) -> None:
    setting = client.patch(OFFICE, json={"disruption_callback": "instead"}, headers=supervisor)
    assert setting.status_code == 200 and setting.json()["disruption_callback"] == "instead"
    down = start(client, supervisor, service="C", reason="sistem_pusat")
    at_kiosk = client.post(f"{OFFICE}/tickets", json={"service": "C"},
                           headers={**kiosk, "Accept-Language": "en"})  # fmt: skip
    assert at_kiosk.status_code == 409 and at_kiosk.json()["code"] == "service_disrupted"
    assert "is disrupted" in at_kiosk.json()["messages"]["en"]
    from_afar = client.post(f"{OFFICE}/tickets", json={"service": "C", **PHONE})
    assert from_afar.status_code == 409
    officer = login(client, "petugas1")
    at_desk = client.post(f"{OFFICE}/tickets", json={"service": "C"}, headers=officer)
    assert at_desk.status_code == 409
    menu = client.get(f"{OFFICE}/kiosk/services", headers=kiosk).json()["services"]
    refused = {s["code"]: s["refusal"] for s in menu}
    assert refused["C"]["code"] == "service_disrupted" and refused["A"] is None
    assert client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).status_code == 201
    client.post(f"{OFFICE}/disruptions/{down['id']}/restore", headers=supervisor)
    assert client.post(f"{OFFICE}/tickets", json={"service": "C"}, headers=kiosk).status_code == 201


def test_besides_a_ticket_keeps_giving_tickets(
    client: TestClient, supervisor: dict[str, str], kiosk: dict[str, str]
) -> None:
    start(client, supervisor, service="A", reason="jaringan")
    assert client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).status_code == 201


def test_a_ticket_printed_while_its_service_is_down_promises_no_wait(
    client: TestClient, supervisor: dict[str, str], kiosk: dict[str, str]
) -> None:
    from queue_server.services.printing import job_message

    queue = client.app.state.ctx.queue  # type: ignore[attr-defined]
    office_id = queue.office_id("winongan")
    taken = take(client, kiosk, "A")

    def printed() -> dict[str, Any]:
        state = queue.read(office_id)
        ticket = next(t for t in state.tickets.values() if t.token == taken["token"])
        message = job_message("j", False, ticket, state, "http://x", queue.clock.now())
        fields: dict[str, Any] = message["job"]["ticket"]
        return fields

    assert printed()["estimate_high"] is not None
    down = start(client, supervisor, service="A", reason="listrik")
    assert printed()["estimate_low"] is None and printed()["estimate_high"] is None
    client.post(f"{OFFICE}/disruptions/{down['id']}/restore", headers=supervisor)
    assert printed()["estimate_high"] is not None


def _disruption(client: TestClient, service: str | None, start: datetime, end: datetime) -> None:
    db = client.app.state.ctx.queue.db  # type: ignore[attr-defined]
    with db.write() as conn:
        conn.execute(insert(repo.disruptions).values(
            id=uuid.uuid4().hex, office_id=1, service=service, reason="jaringan", note="",
            started_at=start, started_by="kasi", ended_at=end, ended_by="kasi", changes=[],
        ))  # fmt: skip


def _ticket(client: TestClient, service: str, issued: datetime, ended: datetime | None) -> None:
    db = client.app.state.ctx.queue.db  # type: ignore[attr-defined]
    seq = uuid.uuid4().int % 100000
    with db.write() as conn:
        conn.execute(insert(repo.tickets).values(
            id=uuid.uuid4().hex, office_id=1, token=uuid.uuid4().hex, service=service,
            origin_service=service, service_date=issued.date(), seq=seq, number=f"{service}{seq}",
            status="done" if ended else "waiting", priority="none", channel="kiosk",
            language="id", issued_at=issued, ended_at=ended,
        ))  # fmt: skip


def test_report_figures_on_constructed_data(client: TestClient, supervisor: dict[str, str]) -> None:
    wib = timedelta(hours=7)
    day = datetime(2026, 10, 5, tzinfo=UTC) - wib  # 5 October, local midnight
    # A: 09:00-10:30 (90 min); the whole office 10:00-11:00 (overlap with A counted once)
    _disruption(client, "A", day + timedelta(hours=9), day + timedelta(hours=10, minutes=30))
    _disruption(client, None, day + timedelta(hours=10), day + timedelta(hours=11))
    # B: across the end of October, local time: 31 Oct 23:00 - 1 Nov 01:00
    night = datetime(2026, 10, 31, 23, tzinfo=UTC) - wib
    _disruption(client, "B", night, night + timedelta(hours=2))
    # tickets of A: one open during it, one served before it, one taken after it ended
    _ticket(client, "A", day + timedelta(hours=8), day + timedelta(hours=9, minutes=30))
    _ticket(client, "A", day + timedelta(hours=7), day + timedelta(hours=8))
    _ticket(client, "A", day + timedelta(hours=12), day + timedelta(hours=12, minutes=20))
    # B: one open during the office-wide one
    _ticket(client, "B", day + timedelta(hours=10, minutes=15), day + timedelta(hours=11))
    answer = client.get(f"{OFFICE}/disruptions/figures?start=2026-10-01&end=2026-11-30",
                        headers=supervisor)  # fmt: skip
    assert answer.status_code == 200, answer.text
    rows = {(r["service"], r["month"]): r for r in answer.json()}
    a_oct = rows[("A", "2026-10")]
    assert (a_oct["disruptions"], a_oct["minutes"], a_oct["tickets_affected"]) == (2, 120.0, 1)
    assert a_oct["hours"] == 2.0
    b_oct, b_nov = rows[("B", "2026-10")], rows[("B", "2026-11")]
    assert (b_oct["disruptions"], b_oct["minutes"], b_oct["tickets_affected"]) == (2, 120.0, 1)
    assert (b_nov["disruptions"], b_nov["minutes"]) == (1, 60.0)
    assert rows[("C", "2026-10")]["minutes"] == 60.0  # office-wide: every service
    assert ("C", "2026-11") not in rows


def test_retention_erases_callback_numbers_and_keeps_the_counts(
    client: TestClient, supervisor: dict[str, str], kiosk: dict[str, str], clock: FrozenClock
) -> None:
    down = start(client, supervisor, service="A", reason="jaringan")
    for phone in ("0812-1111-2222", "0813-3333-4444"):
        body = {"service": "A", "phone": phone, "consent": True}
        client.post(f"{OFFICE}/disruptions/callbacks", json=body, headers=kiosk)
    held = client.get(f"{OFFICE}/personal-data?phone=0813-3333-4444", headers=supervisor).json()
    (kept,) = held["callbacks"]
    assert kept["service"] == "A" and "pulih" in kept["consent_text"]
    erased = client.delete(f"{OFFICE}/personal-data?phone=0813-3333-4444", headers=supervisor)
    assert erased.status_code == 200 and erased.json()["callbacks"] == 1
    db = client.app.state.ctx.queue.db  # type: ignore[attr-defined]
    with db.write() as conn:
        assert erase_older_than(conn, clock.now(), 30).callbacks == 0  # not old enough
        later = erase_older_than(conn, clock.now() + timedelta(days=31), 30)
    assert later.callbacks == 1
    rows = callback_rows(client)
    assert len(rows) == 2 and all(r.phone is None and r.consent_text is None for r in rows)
    listed = client.get(f"{OFFICE}/disruptions", headers=supervisor).json()
    assert listed["active"][0]["callbacks"] == 2  # counted still
    client.post(f"{OFFICE}/disruptions/{down['id']}/restore", headers=supervisor)
    assert texts(client, "callback") == []  # erased numbers are not texted


def test_the_take_from_home_page_shows_the_notice(
    client: TestClient, supervisor: dict[str, str]
) -> None:
    start(client, supervisor, service="C", reason="sistem_pusat", expected_end="13:45")
    page = client.get("/ambil/winongan").text
    assert 'id="notice-C"' in page and "sistem pusat/OSS" in page and "13:45" in page
    assert 'id="notice-D"' not in page
    client.patch(OFFICE, json={"disruption_callback": "instead"}, headers=supervisor)
    english = client.get("/ambil/winongan?lang=en").text
    assert "central system/OSS" in english and "Expected back at 13:45." in english
    assert "cannot give queue numbers" not in english  # the notice says it once
