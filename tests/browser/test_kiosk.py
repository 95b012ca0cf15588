"""The kiosk in a real browser: taking a ticket by tapping, in both orientations and languages,
with the printer working and failing, through a flaky network, and checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import OFFICE, Site, closed_port
from tests.browser.helpers import (
    assert_accessible,
    assert_large_targets,
    body_font_px,
    qr_texts,
    wait_for_file,
)

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
NUMBER = re.compile(r"^[A-Z]{1,2}\d{3,}$")


@pytest.fixture(scope="module")
def printing_kiosk(site: Site) -> tuple[str, Path]:
    token, spool = site.kiosk("Kiosk lobi", printer="spool")
    assert spool is not None
    return token, spool


@pytest.fixture(scope="module")
def broken_printer_kiosk(site: Site) -> str:
    token, _ = site.kiosk("Kiosk lantai 2", printer=f"net:127.0.0.1:{closed_port()}")
    return token


def open_kiosk(browser: Any, site: Site, token: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(
        viewport=viewport, has_touch=True, locale="id-ID", timezone_id="Asia/Jakarta"
    )
    page = context.new_page()
    page.goto(f"{site.url}/kiosk/pair#token={token}")
    page.wait_for_url(f"{site.url}/kiosk")
    page.locator("#screen-start").wait_for(state="visible")
    return page


@pytest.fixture
def pages() -> Iterator[list[Any]]:
    opened: list[Any] = []
    yield opened
    for page in opened:
        page.context.close()


def take_ticket(page: Any, service: str, shots: Path | None = None, name: str = "") -> str:
    """Tap the service, then "Cetak tiket": two taps. Return the number shown."""
    page.locator(f'button.service[data-service="{service}"]').tap()
    page.locator("#screen-service").wait_for(state="visible")
    if shots is not None:
        page.screenshot(animations="disabled", path=str(shots / f"kiosk-{name}-2-layanan.png"))
    page.locator("#print").tap()
    page.locator("#screen-result").wait_for(state="visible")
    number = page.locator("#result-number").inner_text().strip()
    assert NUMBER.match(number), number
    return number


def test_portrait_indonesian_two_taps_to_a_printed_ticket(
    browser: Any, site: Site, printing_kiosk: tuple[str, Path], shots: Path, pages: list[Any]
) -> None:
    token, spool = printing_kiosk
    page = open_kiosk(browser, site, token, PORTRAIT)
    pages.append(page)
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", name="Ambil nomor antrean").is_visible()
    assert body_font_px(page) >= 24
    assert_large_targets(page)
    assert_accessible(page, "kiosk start (id, portrait)")
    page.screenshot(animations="disabled", path=str(shots / "kiosk-portrait-1-mulai.png"))

    number = take_ticket(page, "A", shots, "portrait")
    status = page.locator("#print-status")
    status.filter(has_text="Silakan ambil tiket Anda.").wait_for(timeout=15_000)
    assert page.locator("#result-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    token = page.locator("#result-qr").get_attribute("src").split("/")[2]
    assert qr_texts(page.locator("#result-qr").screenshot()) == [f"{site.url}/t/{token}"]
    assert "orang di depan Anda" in page.locator("#result-ahead").inner_text() or (
        "Tidak ada antrean" in page.locator("#result-ahead").inner_text()
    )
    assert_large_targets(page)
    assert_accessible(page, "kiosk result (id, portrait)")
    page.screenshot(animations="disabled", path=str(shots / "kiosk-portrait-3-tiket.png"))
    printed = wait_for_file(spool, number)
    assert printed, f"{number} was not printed"


def test_service_screen_shows_the_standard_and_the_priority_lane(
    browser: Any, site: Site, printing_kiosk: tuple[str, Path], pages: list[Any]
) -> None:
    page = open_kiosk(browser, site, printing_kiosk[0], PORTRAIT)
    pages.append(page)
    page.locator('button.service[data-service="A"]').tap()
    standard = page.locator('[data-standard="A"]')
    assert standard.is_visible()
    assert standard.locator(".documents li").count() >= 1
    assert "Biaya" in standard.inner_text() and "Waktu penyelesaian" in standard.inner_text()
    for words in ("Lansia (60+)", "Penyandang disabilitas", "Ibu hamil", "Membawa balita",
                  "Korban bencana"):  # fmt: skip
        assert page.get_by_text(words, exact=True).is_visible(), words
    assert_large_targets(page)
    assert_accessible(page, "kiosk service (id, portrait)")


def test_landscape_english_with_priority_and_phone(
    browser: Any, site: Site, printing_kiosk: tuple[str, Path], shots: Path, pages: list[Any]
) -> None:
    page = open_kiosk(browser, site, printing_kiosk[0], LANDSCAPE)
    pages.append(page)
    page.locator("#lang-switch").tap()
    page.wait_for_url("**/kiosk?lang=en")
    page.locator("#screen-start").wait_for(state="visible")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Take a queue number").is_visible()
    assert body_font_px(page) >= 24
    assert_large_targets(page)
    assert_accessible(page, "kiosk start (en, landscape)")
    page.screenshot(animations="disabled", path=str(shots / "kiosk-landscape-1-start-en.png"))

    page.locator('button.service[data-service="B"]').tap()
    page.get_by_text("Elderly (60+)", exact=True).tap()
    page.locator("#phone-open").tap()
    pad = page.locator("#phone-pad")
    pad.wait_for(state="visible")
    for digit in "081234567890":
        pad.locator(f'[data-key="{digit}"]').tap()
    pad.locator("#pad-save").tap()
    assert "consent" in pad.locator("#pad-error").inner_text().lower()  # must agree first
    pad.locator("#consent").tap()
    assert_accessible(page, "kiosk phone pad (en)")
    page.screenshot(animations="disabled", path=str(shots / "kiosk-landscape-2-phone-en.png"))
    pad.locator("#pad-save").tap()
    assert page.locator("#phone-shown").inner_text().startswith("0812")
    page.screenshot(animations="disabled", path=str(shots / "kiosk-landscape-2-service-en.png"))

    page.locator("#print").tap()
    page.locator("#screen-result").wait_for(state="visible")
    number = page.locator("#result-number").inner_text().strip()
    assert page.get_by_text("Your queue number", exact=True).is_visible()
    page.locator("#print-status").filter(has_text="Please take your ticket.").wait_for(
        timeout=15_000
    )
    page.screenshot(animations="disabled", path=str(shots / "kiosk-landscape-3-ticket-en.png"))
    ticket = next(t for t in site.staff_tickets() if t["number"] == number)
    assert ticket["priority_group"] == "lansia"
    assert ticket["language"] == "en"
    assert ticket["phone"] == "0812****7890"


def test_printer_failure_keeps_the_number_on_screen(
    browser: Any, site: Site, broken_printer_kiosk: str, shots: Path, pages: list[Any]
) -> None:
    page = open_kiosk(browser, site, broken_printer_kiosk, PORTRAIT)
    pages.append(page)
    take_ticket(page, "C")
    status = page.locator("#print-status.failed")
    status.wait_for(timeout=20_000)
    assert status.inner_text() == "Printer bermasalah — foto layar ini atau pindai kode QR"
    assert page.locator("#result-number").is_visible()
    seconds = int(re.findall(r"\d+", page.locator("#countdown").inner_text())[0])
    assert seconds > 30  # kept on screen longer than the normal 20 s
    assert_accessible(page, "kiosk printer failure")
    page.screenshot(
        animations="disabled", path=str(shots / "kiosk-portrait-4-printer-bermasalah.png")
    )


def test_lost_responses_are_retried_with_one_key_and_give_one_number(
    browser: Any, site: Site, printing_kiosk: tuple[str, Path], pages: list[Any]
) -> None:
    """The request reaches the server but the answer is lost twice: still one ticket."""
    page = open_kiosk(browser, site, printing_kiosk[0], PORTRAIT)
    pages.append(page)
    keys: list[str] = []

    def lose_answer(route: Any) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) <= 2:
            route.fetch()  # the server takes the ticket ...
            route.abort("connectionreset")  # ... and the kiosk never hears back
        else:
            route.continue_()

    before = {t["number"] for t in site.staff_tickets()}
    page.route(f"**/api/v1/offices/{OFFICE}/tickets", lose_answer)
    page.locator('button.service[data-service="D"]').tap()
    page.locator("#print").tap()
    page.get_by_text("Server tidak dapat dihubungi. Mencoba lagi…", exact=False).wait_for()
    page.locator("#screen-result").wait_for(state="visible", timeout=20_000)
    number = page.locator("#result-number").inner_text().strip()
    new = {t["number"] for t in site.staff_tickets()} - before
    assert new == {number}
    assert len(keys) == 3 and len(set(keys)) == 1


def test_refused_services_are_disabled_with_the_reason(
    browser: Any, site: Site, printing_kiosk: tuple[str, Path], pages: list[Any]
) -> None:
    issued = sum(1 for t in site.staff_tickets() if t["service"] == "D")
    site.api("PATCH", f"/api/v1/offices/{OFFICE}/services/D", {"daily_quota": max(issued, 1)})
    if issued == 0:
        site.api("POST", f"/api/v1/offices/{OFFICE}/tickets", {"service": "D"})
    try:
        page = open_kiosk(browser, site, printing_kiosk[0], PORTRAIT)
        pages.append(page)
        button = page.locator('button.service[data-service="D"]')
        assert button.is_disabled()
        assert "sudah habis" in page.locator('[data-reason="D"]').inner_text()
        assert_accessible(page, "kiosk with a refused service")
    finally:
        site.api("PATCH", f"/api/v1/offices/{OFFICE}/services/D", {"daily_quota": 100_000})


def test_help_explains_three_steps_with_pictures(
    browser: Any, site: Site, printing_kiosk: tuple[str, Path], shots: Path, pages: list[Any]
) -> None:
    page = open_kiosk(browser, site, printing_kiosk[0], PORTRAIT)
    pages.append(page)
    page.locator("#help-open").tap()
    help_dialog = page.locator("#help")
    help_dialog.wait_for(state="visible")
    assert help_dialog.locator(".steps li").count() == 3
    assert help_dialog.locator(".steps li svg").count() == 3
    assert_accessible(page, "kiosk help")
    page.screenshot(animations="disabled", path=str(shots / "kiosk-portrait-5-bantuan.png"))
    help_dialog.locator("#help-close").tap()
    assert not help_dialog.is_visible()


def test_an_unpaired_browser_is_asked_for_a_kiosk_token(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport=PORTRAIT)
    try:
        page = context.new_page()
        page.goto(f"{site.url}/kiosk")
        assert page.url == f"{site.url}/kiosk/pair"
        page.locator("#token").fill("bukan-token")
        page.get_by_role("button", name="Pasang").click()
        page.locator("#pair-error").filter(has_text="bukan token").wait_for()
    finally:
        context.close()


def test_nik_where_the_office_caps_tickets_per_person(
    browser: Any, site: Site, printing_kiosk: tuple[str, Path], shots: Path, pages: list[Any]
) -> None:
    office = site.api("GET", f"/api/v1/offices/{OFFICE}")
    capped = {**office["policy"], "person_daily_cap": 1}
    site.api("PATCH", f"/api/v1/offices/{OFFICE}", {"policy": capped})
    nik = "3514123009870001"
    try:
        page = open_kiosk(browser, site, printing_kiosk[0], PORTRAIT)
        pages.append(page)

        def print_with_nik(service: str) -> None:
            page.locator(f'button.service[data-service="{service}"]').tap()
            page.locator("#print").tap()  # no NIK yet: the pad asks for it first
            pad = page.locator("#phone-pad")
            pad.wait_for(state="visible")
            assert pad.locator("#pad-title").inner_text().startswith("NIK")
            assert not pad.locator("#consent-row").is_visible()
            for digit in nik:
                pad.locator(f'[data-key="{digit}"]').tap()
            assert pad.locator("#pad-display").inner_text() == "•••• •••• •••• 0001"
            if service == "A":
                assert_accessible(page, "kiosk NIK pad")
                page.screenshot(animations="disabled", path=str(shots / "kiosk-portrait-6-nik.png"))
            pad.locator("#pad-save").tap()  # saving prints at once

        page.locator('button.service[data-service="A"]').tap()
        page.locator("#nik-open").tap()
        page.locator("#pad-save").tap()
        assert "16 angka" in page.locator("#pad-error").inner_text()  # nothing typed
        page.locator("#pad-cancel").tap()
        page.locator('#screen-service [data-action="start"]').tap()

        print_with_nik("A")
        page.locator("#screen-result").wait_for(state="visible")
        assert nik not in page.content() and nik not in page.inner_text("body")
        page.locator('#screen-result [data-action="start"]').tap()

        print_with_nik("B")
        page.locator("#screen-error").wait_for(state="visible")
        assert (
            "Batas 1 nomor antrean per orang per hari" in page.locator("#error-text").inner_text()
        )
    finally:
        site.api("PATCH", f"/api/v1/offices/{OFFICE}", {"policy": office["policy"]})
