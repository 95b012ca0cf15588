"""Staff pages and the calls behind them: sign-in redirects, printers, reprint, own figures,
the front desk printing for a visitor."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import FrozenClock
from queue_server.services.queue import QueueService
from queue_server.store.tables import PrintJobRow
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
jobs = PrintJobRow.__table__  # type: ignore[attr-defined]


def _printer(client: TestClient) -> int:
    admin = login(client, "admin", ADMIN_PASSWORD)
    kiosk = client.post(
        f"{OFFICE}/devices", json={"kind": "kiosk", "name": "K1"}, headers=admin
    ).json()
    client.post(
        f"{OFFICE}/devices",
        json={"kind": "agent", "name": "P1", "kiosk": kiosk["id"]},
        headers=admin,
    )
    client.post(f"{OFFICE}/devices", json={"kind": "kiosk", "name": "Tanpa printer"}, headers=admin)
    return int(kiosk["id"])


def test_pages_ask_staff_to_sign_in_first(client: TestClient) -> None:
    client.cookies.clear()
    for path in ("/loket", "/loket/1", "/meja-depan", "/janji-temu"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/masuk?next={path}"
    assert "Masuk untuk petugas" in client.get("/masuk").text
    assert (
        client.get("/loket-layar", follow_redirects=False).headers["location"]
        == "/loket-layar/pair"
    )


def test_signed_in_officer_sees_their_counter_screen(client: TestClient) -> None:
    token = login(client, "petugas1")["Authorization"].split()[1]
    client.cookies.set("antrean_session", token)  # as the sign-in page leaves it
    page = client.get("/loket/1")
    assert page.status_code == 200
    for label in ("Panggil berikutnya", "Panggil ulang", "Tidak hadir", "Istirahat"):
        assert label in page.text
    assert 'aria-keyshortcuts="P"' in page.text
    assert client.get("/loket").status_code == 200
    desk = client.get("/meja-depan").text
    assert "Ambil nomor untuk pengunjung" in desk and "Check-in janji temu" in desk
    assert 'href="/janji-temu?office=winongan' in desk
    assert 'href="/janji-temu?office=winongan' in client.get("/loket").text


def test_the_days_bookings_page_in_both_languages(client: TestClient) -> None:
    token = login(client, "petugas1")["Authorization"].split()[1]
    client.cookies.set("antrean_session", token)
    page = client.get("/janji-temu?day=2026-11-24")
    assert page.status_code == 200
    assert '"day":"2026-11-24"' in page.text and '"today":"2026-11-23"' in page.text
    for words in ("Janji temu", "Hari ini", "Besok", "Nomor antrean", "Sudah check-in"):
        assert words in page.text, words
    english = client.get("/janji-temu?lang=en&day=bukan-tanggal")
    assert '"day":"2026-11-23"' in english.text  # a broken date shows today
    for words in ("Appointments", "Today", "Tomorrow", "Checked in", "Did not come"):
        assert words in english.text, words


def test_printers_reprint_and_front_desk(client: TestClient, queue: QueueService) -> None:
    printer = _printer(client)
    officer = login(client, "petugas1")
    assert client.get(f"{OFFICE}/printers", headers=officer).json() == [
        {"id": printer, "name": "K1"}  # only kiosks with a print agent
    ]
    body = {"service": "B", "priority_group": "lansia", "printer": printer}
    taken = client.post(f"{OFFICE}/tickets", json=body, headers=officer)
    assert taken.status_code == 201 and taken.json()["channel"] == "staff"
    bad = client.post(f"{OFFICE}/tickets", json={**body, "printer": 999}, headers=officer)
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_printer"
    token = taken.json()["token"]
    again = client.post(
        f"{OFFICE}/tickets/{token}/reprint", json={"printer": printer}, headers=officer
    )
    assert again.status_code == 202
    with queue.db.read() as conn:
        rows = conn.execute(
            select(jobs.c.kiosk_id, jobs.c.reprint).order_by(jobs.c.created_at)
        ).all()
    assert [(r.kiosk_id, r.reprint) for r in rows] == [(printer, False), (printer, True)]
    kiosk = device(client, "kiosk", name="k9")
    assert (
        client.post(
            f"{OFFICE}/tickets/{token}/reprint", json={"printer": printer}, headers=kiosk
        ).status_code
        == 403
    )
    client.cookies.clear()
    assert client.get(f"{OFFICE}/printers").status_code == 401


def test_own_figures_today(client: TestClient, clock: FrozenClock) -> None:
    officer = login(client, "petugas1")
    client.post(f"{OFFICE}/counters/1/open", headers=officer)
    assert client.get(f"{OFFICE}/counters/1/today", headers=officer).json() == {
        "served": 0, "average_minutes": None,
    }  # fmt: skip
    for minutes in (4, 8):
        client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=officer)
        called = client.post(f"{OFFICE}/counters/1/call-next", headers=officer).json()["ticket"]
        client.post(f"{OFFICE}/tickets/{called['token']}/start", headers=officer)
        clock.at += timedelta(minutes=minutes)
        client.post(f"{OFFICE}/tickets/{called['token']}/finish", headers=officer)
    today = client.get(f"{OFFICE}/counters/1/today", headers=officer).json()
    assert today == {"served": 2, "average_minutes": 6.0}
    other = login(client, "petugas2")
    assert client.get(f"{OFFICE}/counters/1/today", headers=other).json()["served"] == 0


def test_messages_page_shows_failures_with_masked_phones(client: TestClient) -> None:
    officer = login(client, "petugas1")
    body = {"service": "A", "phone": "081234567890", "notify_consent": True}
    client.post(f"{OFFICE}/tickets", json=body, headers=officer)
    listed = client.get(f"{OFFICE}/messages", headers=officer).json()
    assert sorted(m["kind"] for m in listed) == ["joined", "near"]  # "near": said by "joined"
    assert {m["phone"] for m in listed} == {"0812****7890"}
    client.cookies.set("antrean_session", officer["Authorization"].split()[1])
    page = client.get("/pesan")
    assert page.status_code == 200
    assert "0812****7890" in page.text and "081234567890" not in page.text
    assert "Nomor diambil" in page.text
    assert client.get("/pesan?status=failed").text.count("<tr class=") == 0


def test_reasons_are_shown_in_words() -> None:
    from queue_server.web.staff import reason_words

    assert (
        reason_words("stale: ticket is done", "id") == "Tidak dikirim: nomor antrean sudah selesai."
    )
    assert reason_words("stale: ticket is done", "en").startswith("Not sent: the queue number")
    assert reason_words("opted out", "en") == "The visitor asked to receive no more messages."
    assert reason_words("HTTP 503", "id") == "HTTP 503"  # a gateway's own words stay technical
    assert reason_words(None, "id") == ""
