"""The visitor's booking pages (janji temu) on a phone: book a slot, confirm with the texted
code, see the code and its QR, move the booking, cancel it; refusals in the visitor's language."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import OFFICE, Site
from tests.browser.helpers import assert_accessible, qr_texts

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any, site: Site) -> Iterator[Any]:
    rules = {"enabled": True, "slot_minutes": 30, "capacity": 2, "days_ahead": 6}
    site.api("PATCH", f"/api/v1/offices/{OFFICE}/services/A", {"booking": rules})
    context = browser.new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Jakarta")
    yield context.new_page()
    context.close()


def last_code(site: Site) -> str:
    """The one-time code the office texted (read from the outbox, as the phone would show it)."""
    with sqlite3.connect(site.tmp / "antrean.db") as db:
        (body,) = db.execute(
            "SELECT body FROM messages WHERE kind = 'booking_otp' ORDER BY created_at DESC LIMIT 1"
        ).fetchone()
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None, body
    return found[1]


def test_book_confirm_move_and_cancel_on_a_phone(phone: Any, site: Site, shots: Path) -> None:
    page = phone
    page.goto(f"{site.url}/janji/{OFFICE}")
    page.locator('input[name="service"][value="A"]').check()
    page.locator('input[name="day"]').nth(1).check()  # tomorrow
    first = page.locator("#slots input:not([disabled])").first
    first.wait_for(state="attached")
    chosen = first.get_attribute("value")
    page.locator("#slots label.slot").first.click()
    page.locator("#phone").fill("0812-7777-8888")
    page.locator("#consent").check()
    assert_accessible(page, "booking page")
    page.screenshot(animations="disabled", full_page=True, path=str(shots / "janji-temu.png"))
    page.get_by_role("button", name="Kirim kode verifikasi").click()
    page.locator("#otp-form").wait_for()
    page.locator("#otp").fill("000000")
    page.get_by_role("button", name="Konfirmasi janji temu").click()
    page.locator("#otp-error").filter(has_text="salah").wait_for()
    page.locator("#otp").fill(last_code(site))
    page.get_by_role("button", name="Konfirmasi janji temu").click()
    page.wait_for_url(re.compile(r"/b/"))
    code = page.locator("#code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    assert chosen is not None and chosen in page.locator(".when").inner_text()
    qr = page.locator("img.qr")
    qr.wait_for()
    page.wait_for_function("() => document.querySelector('img.qr').naturalWidth > 0")
    assert code in qr_texts(qr.screenshot())  # a scanner at the kiosk reads the code
    assert_accessible(page, "booking view")
    page.screenshot(animations="disabled", full_page=True, path=str(shots / "janji-temu-kode.png"))

    page.locator("#move summary").click()
    later = page.locator("#slots input:not([disabled])").nth(2)
    later.wait_for(state="attached")
    new_time = later.get_attribute("value")
    page.locator("#slots label.slot").nth(2).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Pindahkan").click()
    assert new_time is not None and new_time in page.locator(".when").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Batalkan janji temu").click()
    page.locator("#status").filter(has_text="Dibatalkan").wait_for()


def test_refusals_in_english(phone: Any, site: Site) -> None:
    page = phone
    page.goto(f"{site.url}/janji/{OFFICE}?lang=en")
    page.get_by_role("button", name="Send the verification code").click()
    page.locator("#book-error").filter(has_text="Choose a time first").wait_for()
    page.locator('input[name="service"][value="A"]').check()
    page.locator('input[name="day"]').nth(1).check()
    page.locator("#slots label.slot").first.click()
    page.locator("#phone").fill("12")
    page.locator("#consent").check()
    page.get_by_role("button", name="Send the verification code").click()
    page.locator("#book-error").filter(has_text=re.compile("phone", re.I)).wait_for()
    page.locator("#phone").fill("081277778889")
    page.locator("#consent").uncheck()
    page.get_by_role("button", name="Send the verification code").click()
    page.locator("#book-error").filter(has_text=re.compile("consent", re.I)).wait_for()
