"""Booked visitors arriving, in a real browser: check-in at the kiosk by a scanner typing the
code (and by touch), refusals in both languages, the day's bookings for staff with a check-in
button, and the front desk checking a visitor in and printing the ticket."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import OFFICE, Site
from tests.browser.helpers import assert_accessible, assert_large_targets, wait_for_file
from tests.conftest import DEMO_PASSWORD

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
DESKTOP = {"width": 1366, "height": 768}
NUMBER = re.compile(r"^[A-Z]{1,2}\d{3,}$")
UNKNOWN = "K7QMXA"  # checked below never to be one of the codes issued
# Bookings are made for a slot later today, so the office's zone is one where it is not yet
# 23:00 (the demo office is open around the clock; its last slot starts at 23:30).
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC")


def _zone() -> str:
    for zone in ZONES:
        if datetime.now(ZoneInfo(zone)).hour < 23:
            return zone
    raise AssertionError("unreachable: two of the zones are seven hours apart")


@pytest.fixture(scope="module")
def zone(site: Site) -> str:
    chosen = _zone()
    if site.api("GET", f"/api/v1/offices/{OFFICE}")["timezone"] != chosen:
        site.api("PATCH", f"/api/v1/offices/{OFFICE}", {"timezone": chosen})
    booking = {"enabled": True, "slot_minutes": 30, "capacity": 4}
    answer = site.api("PATCH", f"/api/v1/offices/{OFFICE}/services/A", {"booking": booking})
    assert answer["booking"]["enabled"] is True
    return chosen


def _otp(site: Site, phone: str) -> str:
    """The one-time code texted to `phone`, read from the outbox in the server's database."""
    with sqlite3.connect(site.tmp / "antrean.db") as db:
        rows = db.execute(
            "SELECT body FROM messages WHERE kind = 'booking_otp' AND phone = ? "
            "ORDER BY created_at DESC",
            (phone,),
        ).fetchall()
    found = re.search(r"\b(\d{6})\b", rows[0][0])
    assert found is not None, rows
    return found[1]


def book_today(site: Site, zone: str, phone: str) -> dict[str, Any]:
    """A confirmed booking for service A in the first slot starting a few minutes from now."""
    now = datetime.now(ZoneInfo(zone))
    today = now.date().isoformat()
    slots = site.api("GET", f"/api/v1/offices/{OFFICE}/services/A/slots?day={today}", token="")
    soon = (now + timedelta(minutes=3)).strftime("%H:%M")
    slot = next(s for s in slots if s["free"] > 0 and s["start"] > soon)
    body = {"service": "A", "day": today, "slot": slot["start"], "phone": phone, "consent": True}
    made = site.api("POST", f"/api/v1/offices/{OFFICE}/bookings", body, token="")
    e164 = "+62" + phone.removeprefix("0")
    confirmed: dict[str, Any] = site.api(
        "POST", f"/api/v1/bookings/{made['token']}/confirm", {"code": _otp(site, e164)}, token=""
    )
    assert confirmed["status"] == "confirmed" and confirmed["code"] != UNKNOWN
    return confirmed


@pytest.fixture(scope="module")
def bookings(site: Site, zone: str) -> list[dict[str, Any]]:
    """Three visitors booked for today: one checks in at the kiosk, one at the front desk, one
    from the day's list."""
    return [book_today(site, zone, f"08121111000{n}") for n in range(1, 4)]


@pytest.fixture(scope="module")
def kiosk(site: Site) -> tuple[str, Path]:
    token, spool = site.kiosk("Kiosk janji temu", printer="spool")
    assert spool is not None
    return token, spool


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def open_kiosk(
    browser: Any, site: Site, token: str, viewport: dict[str, int], contexts: list[Any]
) -> Any:
    context = browser.new_context(
        viewport=viewport, has_touch=True, locale="id-ID", timezone_id="Asia/Jakarta"
    )
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{site.url}/kiosk/pair#token={token}")
    page.wait_for_url(f"{site.url}/kiosk")
    page.locator("#screen-start").wait_for(state="visible")
    return page


def staff_page(browser: Any, site: Site, contexts: list[Any], path: str) -> Any:
    context = browser.new_context(viewport=DESKTOP, locale="id-ID", timezone_id="Asia/Jakarta")
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{site.url}{path}")
    page.locator("#username").fill("petugas1")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{site.url}{path}")
    return page


def test_kiosk_check_in_by_scanner_prints_the_ticket_due_at_the_slot(
    browser: Any, site: Site, kiosk: tuple[str, Path], bookings: list[dict[str, Any]],
    shots: Path, contexts: list[Any],
) -> None:  # fmt: skip
    token, spool = kiosk
    booking = bookings[0]
    page = open_kiosk(browser, site, token, PORTRAIT, contexts)
    start = page.get_by_role("button", name="Sudah punya janji temu? Check-in")
    assert start.is_visible()
    assert_large_targets(page)
    assert_accessible(page, "kiosk start with check-in (id, portrait)")
    page.screenshot(animations="disabled", path=str(shots / "kiosk-checkin-mulai.png"))
    start.tap()
    page.locator("#screen-checkin").wait_for(state="visible")
    field = page.locator("#checkin-code")
    expect(field).to_be_focused()  # a keyboard-wedge scanner types into it straight away
    assert page.get_by_role("heading", name="Check-in janji temu").is_visible()

    for key in UNKNOWN:  # touch typing on the code's own keyboard
        page.locator(f'[data-code-key="{key}"]').tap()
    assert field.input_value() == UNKNOWN
    assert_large_targets(page)
    assert_accessible(page, "kiosk check-in (id, portrait)")
    page.screenshot(animations="disabled", path=str(shots / "kiosk-checkin.png"))
    page.locator("#checkin-submit").tap()
    error = page.locator("#checkin-error")
    error.filter(has_text="Kode janji temu tidak ditemukan").wait_for()
    expect(field).to_be_focused()  # still ready for the next scan, the refused code selected
    assert_accessible(page, "kiosk check-in refused (id)")

    page.keyboard.type(booking["code"])  # the scanner: the code, then Enter
    page.keyboard.press("Enter")
    page.locator("#screen-result").wait_for(state="visible")
    number = page.locator("#result-number").inner_text().strip()
    assert NUMBER.match(number), number
    due = page.locator("#result-due")
    assert due.inner_text() == f"Nomor Anda masuk antrean pukul {booking['slot']}"
    assert not page.locator("#result-ahead").is_visible()  # on hold: no place in line yet
    page.locator("#print-status").filter(has_text="Silakan ambil tiket Anda.").wait_for(
        timeout=15_000
    )
    assert_large_targets(page)
    assert_accessible(page, "kiosk check-in ticket (id)")
    page.screenshot(animations="disabled", path=str(shots / "kiosk-checkin-tiket.png"))
    assert wait_for_file(spool, number), f"{number} was not printed"
    ticket = next(t for t in site.staff_tickets() if t["number"] == number)
    assert ticket["status"] == "on_hold" and ticket["channel"] == "booking"

    page.keyboard.type(UNKNOWN + "\n")  # the next visitor scans while this ticket still shows
    page.locator("#screen-checkin").wait_for(state="visible")
    error.filter(has_text="Kode janji temu tidak ditemukan").wait_for()
    page.locator('#screen-checkin [data-action="start"]').tap()
    page.locator("#screen-start").wait_for(state="visible")


def test_kiosk_refusals_in_english_and_a_scan_from_the_start_screen(
    browser: Any, site: Site, kiosk: tuple[str, Path], bookings: list[dict[str, Any]],
    contexts: list[Any],
) -> None:  # fmt: skip
    page = open_kiosk(browser, site, kiosk[0], LANDSCAPE, contexts)
    page.locator("#checkin-open").tap()
    page.locator("#screen-checkin").wait_for(state="visible")
    page.locator("#lang-switch").tap()  # the language switch keeps the check-in screen
    page.wait_for_url("**/kiosk?lang=en&checkin=1")
    page.locator("#screen-checkin").wait_for(state="visible")
    assert page.get_by_role("heading", name="Appointment check-in").is_visible()
    expect(page.locator("#checkin-code")).to_be_focused()
    page.keyboard.type(UNKNOWN + "\n")
    error = page.locator("#checkin-error")
    error.filter(has_text="Appointment code not found").wait_for()
    assert_large_targets(page)
    assert_accessible(page, "kiosk check-in refused (en, landscape)")

    page.keyboard.type("AB")
    page.keyboard.press("Enter")  # too short: said before asking the server
    error.filter(has_text="An appointment code has 6 letters and digits").wait_for()

    page.locator('#screen-checkin [data-action="start"]').tap()
    page.locator("#screen-start").wait_for(state="visible")
    used = bookings[0]["code"]  # checked in by the test above
    page.keyboard.type(f"{site.url}/b/{used}\n")  # a scanner reading a QR link, no tap first
    page.locator("#screen-checkin").wait_for(state="visible")
    error.filter(has_text="already been used to check in").wait_for()
    assert page.locator("#checkin-code").input_value().endswith(used)


def test_front_desk_checks_a_booked_visitor_in_and_prints(
    browser: Any, site: Site, kiosk: tuple[str, Path], bookings: list[dict[str, Any]],
    contexts: list[Any],
) -> None:  # fmt: skip
    _token, spool = kiosk
    booking = bookings[1]
    page = staff_page(browser, site, contexts, "/meja-depan")
    page.locator("#desk-printer option").nth(1).wait_for(state="attached")
    page.locator("#desk-printer").select_option(label="Kiosk janji temu")
    page.locator("#checkin-code").fill(booking["code"].lower())
    page.locator("#checkin-code").press("Enter")
    result = page.locator("#checkin-result")
    result.filter(has_text="masuk antrean pukul").wait_for()
    number = re.findall(r"Nomor (\S+) dibuat", result.inner_text())[0]
    assert f"pukul {booking['slot']}" in result.inner_text()
    assert wait_for_file(spool, number), f"{number} was not printed"
    assert_accessible(page, "front desk check-in")
    page.locator("#checkin-code").fill(booking["code"])  # the same code again
    page.locator('[data-action="check-in"]').click()
    page.locator("#checkin-error").filter(has_text="sudah dipakai untuk check-in").wait_for()
    assert page.get_by_role("link", name="Janji temu hari ini").is_visible()


def test_the_days_bookings_for_staff_with_check_in(
    browser: Any, site: Site, bookings: list[dict[str, Any]], shots: Path, contexts: list[Any]
) -> None:
    page = staff_page(browser, site, contexts, "/janji-temu")
    rows = page.locator("#bookings-rows tr")
    first, second, third = (rows.filter(has_text=b["code"]) for b in bookings)
    first.filter(has_text="Sudah check-in").wait_for()
    second.filter(has_text="Sudah check-in").wait_for()
    link = first.get_by_role("link")
    assert NUMBER.match(link.inner_text().strip())
    assert re.search(r"/t/[\w-]+$", link.get_attribute("href") or "")
    assert "0812****0003" in third.inner_text()
    assert "Terkonfirmasi" in third.inner_text()
    assert bookings[2]["slot"] in third.inner_text()
    assert "Administrasi Kependudukan" in third.inner_text()
    page.locator("#summary").filter(has_text="3 janji temu · 2 sudah check-in").wait_for()
    assert_accessible(page, "day's bookings")
    page.screenshot(animations="disabled", path=str(shots / "janji-temu-petugas.png"))

    third.get_by_role("button", name=f"Check-in {bookings[2]['code']}").click()
    third.filter(has_text="Sudah check-in").wait_for()
    assert "masuk antrean pukul" in page.locator("#bookings-result").inner_text()
    assert NUMBER.match(third.get_by_role("link").inner_text().strip())
    assert third.get_by_role("button").count() == 0
    page.locator("#summary").filter(has_text="3 janji temu · 3 sudah check-in").wait_for()

    page.get_by_role("button", name="Besok").click()
    page.locator("#bookings-none").wait_for(state="visible")
    assert "day=" in page.url
    page.get_by_role("button", name="Hari ini").click()
    rows.first.wait_for()
    assert rows.count() == 3

    english = page.context.new_page()
    english.goto(f"{site.url}/janji-temu?lang=en")
    english.locator("#summary").filter(has_text="3 appointments · 3 checked in").wait_for()
    assert english.locator("#bookings-rows").get_by_text("Checked in").count() == 3
    assert_accessible(english, "day's bookings (en)")


def test_a_counter_checks_a_booked_visitor_in(
    browser: Any, site: Site, zone: str, contexts: list[Any]
) -> None:
    booking = book_today(site, zone, "081211110009")
    page = staff_page(browser, site, contexts, "/loket/2")
    page.locator("#live-status").wait_for(state="hidden")
    page.locator("#checkin-code").fill(booking["code"])
    page.get_by_role("button", name="Check-in", exact=True).click()
    page.locator("#message").filter(has_text="masuk antrean pukul").wait_for()
    found = site.api("GET", f"/api/v1/bookings/{booking['token']}", token="")
    assert found["status"] == "checked_in"
    page.locator("#checkin-code").fill(booking["code"])  # twice: refused in words
    page.get_by_role("button", name="Check-in", exact=True).click()
    page.locator("#message").filter(has_text="sudah dipakai untuk check-in").wait_for()
    assert_accessible(page, "counter check-in")
