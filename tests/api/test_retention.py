"""Retention: visitors' phone numbers and messages are erased after N days; the statistics stay."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from typer.testing import CliRunner

from queue_server.cli import app
from queue_server.clock import FrozenClock
from queue_server.domain.model import Channel, Language
from queue_server.reports.figures import figures
from queue_server.reports.visits import visits
from queue_server.services.admin import Admin
from queue_server.services.queue import QueueService
from queue_server.services.retention import erase_older_than, messages, tickets
from queue_server.store.db import Database
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"


def _message(queue: QueueService, office: int, ticket_id: str, at: datetime) -> None:
    with queue.db.write() as conn:
        conn.execute(insert(messages).values(
            id=uuid.uuid4().hex, office_id=office, ticket_id=ticket_id, kind="joined",
            dedupe_key=f"{ticket_id}:joined", phone="+6281298765432", language="id",
            body="Nomor A001 di Kantor ...", status="sent", attempts=1, next_attempt_at=at,
            created_at=at,
        ))  # fmt: skip


def test_old_personal_data_is_erased_and_the_figures_stay(
    queue: QueueService, demo_office: int, clock: FrozenClock
) -> None:
    old_day, recent_day = (
        datetime(2026, 10, 5, 2, tzinfo=UTC),
        datetime(2026, 11, 16, 2, tzinfo=UTC),
    )
    taken = {}
    for when in (old_day, recent_day):
        clock.at = when
        view, _ = queue.issue(demo_office, service="A", channel=Channel.KIOSK, actor="t",
                              phone="+6281298765432", notify_consent=True)  # fmt: skip
        taken[when] = view.ticket.id
        _message(queue, demo_office, view.ticket.id, when)
    clock.at = datetime(2026, 11, 23, 2, tzinfo=UTC)
    with queue.db.read() as conn:
        before = figures(visits(conn, demo_office, date(2026, 10, 1), date(2026, 11, 30)))

    with queue.db.write() as conn:
        erased = erase_older_than(conn, clock.at, days=30)
    assert (erased.tickets, erased.messages) == (1, 1)
    with queue.db.read() as conn:
        phones = dict(conn.execute(select(tickets.c.id, tickets.c.phone)).all())
        consent = dict(conn.execute(select(tickets.c.id, tickets.c.notify_consent)).all())
        texts = dict(conn.execute(select(messages.c.ticket_id, messages.c.body)).all())
        after = figures(visits(conn, demo_office, date(2026, 10, 1), date(2026, 11, 30)))
    assert phones[taken[old_day]] is None and consent[taken[old_day]] is False
    assert phones[taken[recent_day]] == "+6281298765432"  # within 30 days: kept
    assert texts[taken[old_day]] == "" and texts[taken[recent_day]] != ""
    assert after == before  # the anonymous statistics are untouched
    with queue.db.write() as conn:
        again = erase_older_than(conn, clock.at + timedelta(hours=1), days=30)
    assert (again.tickets, again.messages) == (0, 0)  # nothing twice


def test_each_office_keeps_personal_data_for_its_own_period(
    queue: QueueService, admin: Admin, demo_office: int, clock: FrozenClock
) -> None:
    other = admin.create_office(slug="grati", name="Kecamatan Grati", timezone="Asia/Jakarta")
    admin.create_service(other, {"code": "A", "prefix": "A", "name_id": "KTP",
                                 "name_en": "ID card"}, "t")  # fmt: skip
    admin.update_office(demo_office, {"retention_days": 7}, "t")  # grati: the default, 30
    ten_days_ago = datetime(2026, 11, 13, 2, tzinfo=UTC)
    clock.at = ten_days_ago
    taken = {}
    for office in (demo_office, other):
        view, _ = queue.issue(office, service="A", channel=Channel.KIOSK, actor="t",
                              phone="+6281298765432", notify_consent=True)  # fmt: skip
        taken[office] = view.ticket.id
        _message(queue, office, view.ticket.id, ten_days_ago)
    clock.at = datetime(2026, 11, 23, 2, tzinfo=UTC)
    with queue.db.write() as conn:
        erased = erase_older_than(conn, clock.at, days=30)
    assert (erased.tickets, erased.messages) == (1, 1)
    with queue.db.read() as conn:
        phones = dict(conn.execute(select(tickets.c.id, tickets.c.phone)).all())
        texts = dict(conn.execute(select(messages.c.ticket_id, messages.c.body)).all())
    assert phones[taken[demo_office]] is None and texts[taken[demo_office]] == ""  # 7 days
    assert phones[taken[other]] == "+6281298765432" and texts[taken[other]] != ""  # 30 days
    with queue.db.write() as conn:  # 31 days on: grati's go too
        later = erase_older_than(conn, ten_days_ago + timedelta(days=31), days=30)
    assert (later.tickets, later.messages) == (1, 1)


def test_the_retention_command(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTREAN_DATABASE_URL", database.url)
    result = CliRunner().invoke(app, ["retention", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "erased: 0 ticket phone number(s), 0 message(s) older than 30 days" in result.output
    assert "their own period" in result.output


def test_a_visitor_asks_to_see_and_erase_their_data(client: TestClient) -> None:
    supervisor = login(client, "admin", ADMIN_PASSWORD)
    kiosk = device(client, "kiosk")
    body = {"service": "A", "phone": "0812-9876-5432", "notify_consent": True}
    mine = client.post(f"{OFFICE}/tickets", json=body, headers=kiosk).json()
    other = {**body, "phone": "081311112222"}
    client.post(f"{OFFICE}/tickets", json=other, headers=kiosk)
    url = f"{OFFICE}/personal-data?phone=081298765432"
    held = client.get(url, headers=supervisor).json()
    assert held["phone"] == "0812****5432"  # masked even here
    assert [t["number"] for t in held["tickets"]] == [mine["number"]]
    assert held["tickets"][0]["consent"] is True
    client.cookies.set("antrean_session", kiosk["Authorization"][7:])
    kiosk_page = client.get("/kiosk")
    client.cookies.clear()
    wording = held["tickets"][0]["consent_text"]
    assert wording == "Saya setuju menerima pesan SMS/WhatsApp tentang antrean saya hari ini."
    assert wording in kiosk_page.text  # exactly the words the kiosk showed
    assert held["tickets"][0]["consent_at"] == held["tickets"][0]["issued_at"]
    assert any(mine["number"] in m["body"] for m in held["messages"])  # the texts sent
    erased = client.delete(url, headers=supervisor).json()
    assert erased == {"phone": "0812****5432", "tickets": 1, "messages": len(held["messages"]),
                      "bookings": 0, "callbacks": 0, "conversations": 0}  # fmt: skip
    assert client.get(url, headers=supervisor).json()["tickets"] == []
    still = client.get(f"{OFFICE}/personal-data?phone=081311112222", headers=supervisor).json()
    assert len(still["tickets"]) == 1  # someone else's number is untouched
    bad = client.get(f"{OFFICE}/personal-data?phone=12", headers=supervisor)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_phone"
    officer = login(client, "petugas1")
    assert client.get(url, headers=officer).status_code == 403
    audited = client.get("/api/v1/audit", headers=supervisor).json()[0]
    assert audited["action"] == "DELETE /api/v1/offices/{office}/personal-data"


def test_consent_wording_follows_the_channel_and_language(
    queue: QueueService, demo_office: int
) -> None:
    chat, _ = queue.issue(demo_office, service="C", channel=Channel.CHAT, actor="chat",
                          phone="+6281298765432", notify_consent=True,
                          language=Language.EN)  # fmt: skip
    desk, _ = queue.issue(demo_office, service="A", channel=Channel.STAFF, actor="t",
                          phone="+6281298765433", notify_consent=True)  # fmt: skip
    none, _ = queue.issue(demo_office, service="A", channel=Channel.KIOSK, actor="t",
                          phone="+6281298765434", notify_consent=False)  # fmt: skip
    assert chat.ticket.consent_text is not None and "ANTRE" in chat.ticket.consent_text
    assert chat.ticket.consent_text.startswith("By sending")  # in the visitor's language
    assert desk.ticket.consent_text is not None and desk.ticket.consent_text.startswith(
        "Pengunjung"
    )
    assert desk.ticket.consent_at == desk.ticket.issued_at
    assert none.ticket.consent_text is None and none.ticket.consent_at is None  # no consent
