"""The counter screen, front desk and counter display in a real browser, with the lobby display
listening: a click or a shortcut calls the next visitor, the display shows it and fetches its
voice; two officers never get the same visitor."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import OFFICE, Site
from tests.browser.helpers import assert_accessible, wait_for_file
from tests.conftest import DEMO_PASSWORD

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
NUMBER = re.compile(r"^[A-Z]{1,2}\d{3,}$")


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def officer_page(
    browser: Any, site: Site, contexts: list[Any], n: int, viewport: dict[str, int] = DESKTOP,
    path: str | None = None,
) -> Any:  # fmt: skip
    context = browser.new_context(viewport=viewport, locale="id-ID", timezone_id="Asia/Jakarta")
    contexts.append(context)
    page = context.new_page()
    target = path or f"/loket/{n}"
    page.goto(f"{site.url}{target}")
    assert "/masuk" in page.url  # not signed in yet
    page.locator("#username").fill(f"petugas{n}")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{site.url}{target}")
    return page


def open_counter(page: Any) -> None:
    page.locator("#live-status").wait_for(state="hidden")
    if page.locator('[data-action="open"]').is_enabled():
        page.locator('[data-action="open"]').click()
    page.locator("#counter-state").filter(has_text="Buka").wait_for()


def display_page(browser: Any, site: Site, contexts: list[Any]) -> Any:
    device = site.api(
        "POST", f"/api/v1/offices/{OFFICE}/devices", {"kind": "display", "name": "TV"}
    )
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{site.url}/display/pair#token={device['token']}")
    page.wait_for_url(f"{site.url}/display")
    page.locator("#offline").wait_for(state="hidden")
    return page


def take(site: Site, service: str, n: int = 1) -> list[str]:
    path = f"/api/v1/offices/{OFFICE}/tickets"
    return [site.api("POST", path, {"service": service})["number"] for _ in range(n)]


def current(page: Any) -> str:
    return str(page.locator("#current-number").inner_text().strip())


def called(page: Any) -> str:
    """Wait until a visitor is at the counter; return their number."""
    page.wait_for_function(
        "() => /^[A-Z]+\\d+$/.test(document.getElementById('current-number').textContent)"
    )
    return current(page)


def test_click_and_shortcut_call_the_next_visitor_and_the_display_follows(
    browser: Any, site: Site, contexts: list[Any], shots: Path
) -> None:
    numbers = take(site, "A", 3)
    display = display_page(browser, site, contexts)
    page = officer_page(browser, site, contexts, 1)
    open_counter(page)
    assert page.locator("#lines .rows li").count() >= 3

    with display.expect_request(f"**/audio/offices/{OFFICE}/calls/1/{numbers[0]}.wav"):
        page.get_by_role("button", name=re.compile("Panggil berikutnya")).click()
    page.locator("#current-number").filter(has_text=numbers[0]).wait_for()
    display.locator("#latest-number").filter(has_text=numbers[0]).wait_for()

    page.keyboard.press("m")  # Mulai layani
    page.locator("#current-info").filter(has_text="Sedang dilayani").wait_for()
    assert page.locator("#checklist li").count() >= 1  # the service's documents to check
    assert_accessible(page, "counter screen")
    page.screenshot(animations="disabled", path=str(shots / "loket-1366x768.png"), full_page=True)

    page.keyboard.press("s")  # Selesai
    page.locator("#current-number").filter(has_text="—").wait_for()
    page.locator("#served").filter(has_text="Dilayani hari ini: 1").wait_for()
    with display.expect_request(f"**/audio/offices/{OFFICE}/calls/1/{numbers[1]}.wav"):
        page.keyboard.press("p")  # Panggil berikutnya
    display.locator("#latest-number").filter(has_text=numbers[1]).wait_for()
    page.keyboard.press("u")  # Panggil ulang: the display announces it again
    display.wait_for_function(
        f"() => window.antreanDisplay.played.filter(u => u.endsWith('/{numbers[1]}.wav'))"
        ".length === 2",
        timeout=20_000,
    )
    page.keyboard.press("t")  # Tidak hadir
    page.locator("#current-number").filter(has_text="—").wait_for()


def test_two_officers_never_get_the_same_visitor(
    browser: Any, site: Site, contexts: list[Any]
) -> None:
    take(site, "A", 6)
    one, two = (officer_page(browser, site, contexts, n) for n in (1, 2))
    for page in (one, two):
        open_counter(page)
    for _ in range(3):
        for page in (one, two):
            page.keyboard.press("s")  # finish whoever is there
            page.locator("#current-number").filter(has_text="—").wait_for()
        one.keyboard.press("p")
        two.keyboard.press("p")  # at once, nearly
        assert called(one) != called(two)


def test_hold_resume_transfer_reprint_and_cancel_from_the_screen(
    browser: Any, site: Site, contexts: list[Any]
) -> None:
    _kiosk, spool = site.kiosk("Kiosk lobi", printer="spool")
    assert spool is not None
    take(site, "C", 2)
    page = officer_page(browser, site, contexts, 3)  # counter 3 serves B and C
    open_counter(page)
    page.keyboard.press("p")
    first = called(page)
    page.keyboard.press("d")  # Tunda
    page.locator("#held li").filter(has_text=first).wait_for()
    page.locator("#held li").filter(has_text=first).get_by_role("button").click()  # Lanjutkan
    page.locator("#current-number").filter(has_text=first).wait_for()

    page.keyboard.press("c")  # Cetak ulang: choose the printer
    page.locator("#reprint-dialog").wait_for(state="visible")
    page.locator("#reprint-printer").select_option(label="Kiosk lobi")
    page.locator("#reprint-go").click()
    page.locator("#message").filter(has_text="Dikirim ke printer.").wait_for()
    assert wait_for_file(spool, first)

    page.keyboard.press("a")  # Alihkan
    page.locator("#transfer-service").select_option("B")
    page.locator("#transfer-go").click()
    page.locator("#current-number").filter(has_text="—").wait_for()
    page.locator("#lines li").filter(has_text=first).wait_for()  # now in B's line, same number

    page.locator("#lines li").filter(has_text=first).get_by_role("button").click()  # call this
    page.locator("#current-number").filter(has_text=first).wait_for()
    page.locator('[data-action="cancel"]').click()
    page.locator("#cancel-go").click()
    page.locator("#current-number").filter(has_text="—").wait_for()

    page.keyboard.press("i")  # Istirahat
    page.locator("#counter-state").filter(has_text="Istirahat").wait_for()
    assert page.locator('[data-action="call-next"]').is_disabled()
    page.keyboard.press("b")  # Buka loket: back from the break
    page.locator("#counter-state").filter(has_text="Buka").wait_for()
    page.keyboard.press("x")  # Tutup loket
    page.locator("#counter-state").filter(has_text="Tutup").wait_for()


def test_counter_screen_on_a_phone(
    browser: Any, site: Site, contexts: list[Any], shots: Path
) -> None:
    take(site, "D", 2)
    page = officer_page(browser, site, contexts, 4, viewport=PHONE)
    open_counter(page)
    page.get_by_role("button", name=re.compile("Panggil berikutnya")).click()
    called(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # no sideways scrolling
    page.screenshot(animations="disabled", path=str(shots / "loket-hp.png"))
    page.keyboard.press("s")


def test_front_desk_takes_and_prints_a_ticket_for_a_visitor(
    browser: Any, site: Site, contexts: list[Any], shots: Path
) -> None:
    _token, spool = site.kiosk("Kiosk meja depan", printer="spool")
    assert spool is not None
    page = officer_page(browser, site, contexts, 1, path="/meja-depan")
    page.locator("#desk-printer option").nth(1).wait_for(state="attached")
    page.locator("#desk-printer").select_option(label="Kiosk meja depan")
    page.locator("#desk-service").select_option("B")
    page.locator("#desk-priority").select_option("disabilitas")
    page.locator("#desk-phone").fill("0812 3456 7890")
    page.locator("#desk-consent").check()
    assert_accessible(page, "front desk")
    page.locator("#desk-phone").press("Enter")  # Enter takes the number
    result = page.locator("#desk-result")
    result.filter(has_text="dibuat").wait_for()
    number = re.search(r"Nomor (\S+) dibuat", result.inner_text())
    assert number is not None
    page.screenshot(animations="disabled", path=str(shots / "meja-depan.png"))
    assert wait_for_file(spool, number.group(1))
    ticket = next(t for t in site.staff_tickets() if t["number"] == number.group(1))
    assert ticket["priority_group"] == "disabilitas" and ticket["channel"] == "staff"
    assert ticket["phone"] == "0812****7890"


def test_counter_display_shows_what_its_counter_serves(
    browser: Any, site: Site, contexts: list[Any], shots: Path
) -> None:
    device = site.api(
        "POST", f"/api/v1/offices/{OFFICE}/devices", {"kind": "counter", "name": "L2", "counter": 2}
    )
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    contexts.append(context)
    screen = context.new_page()
    screen.goto(f"{site.url}/loket-layar/pair#token={device['token']}")
    screen.wait_for_url(f"{site.url}/loket-layar")
    (number,) = take(site, "B")
    token = site.officer(2)
    site.api("POST", f"/api/v1/offices/{OFFICE}/counters/2/open", token=token)
    site.api("POST", f"/api/v1/offices/{OFFICE}/tickets/{_token_of(site, number)}/call",
             {"counter": 2}, token=token)  # fmt: skip
    screen.locator("#cd-number").filter(has_text=number).wait_for()
    assert screen.locator("#cd-state").inner_text() == "Buka"
    screen.screenshot(animations="disabled", path=str(shots / "layar-loket.png"))


def _token_of(site: Site, number: str) -> str:
    return str(next(t["token"] for t in site.staff_tickets() if t["number"] == number))


def test_a_kiosk_printer_failing_shows_on_the_counter_screen(
    browser: Any, site: Site, shots: Path, contexts: list[Any]
) -> None:
    page = officer_page(browser, site, contexts, 3)
    page.locator("#live-status").wait_for(state="hidden")
    kiosk = site.api("POST", f"/api/v1/offices/{OFFICE}/devices",
                     {"kind": "kiosk", "name": "Kios pintu timur"})  # fmt: skip
    ticket = site.api("POST", f"/api/v1/offices/{OFFICE}/tickets", {"service": "A"},
                      token=kiosk["token"])  # fmt: skip
    site.api("POST", f"/api/v1/offices/{OFFICE}/tickets/{ticket['token']}/print/give-up",
             token=kiosk["token"])  # fmt: skip
    alert = page.locator("#printer-alert")
    alert.wait_for(state="visible")
    assert "Kios pintu timur" in alert.inner_text() and "tidak menjawab" in alert.inner_text()
    assert_accessible(page, "counter screen with a printer alert")
    page.screenshot(animations="disabled", path=str(shots / "loket-printer-bermasalah.png"))
    page.locator("#printer-alert-hide").click()
    alert.wait_for(state="hidden")
