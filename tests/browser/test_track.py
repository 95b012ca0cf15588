"""The visitor's phone page in a real browser at 390x844: it updates by itself when the
ticket is called, cancels after a confirmation, and passes axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import OFFICE, Site
from tests.browser.helpers import assert_accessible

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="id-ID"
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def take(site: Site, service: str, language: str = "id") -> dict[str, Any]:
    ticket: dict[str, Any] = site.api(
        "POST", f"/api/v1/offices/{OFFICE}/tickets", {"service": service, "language": language}
    )
    return ticket


def test_phone_page_follows_the_ticket_until_it_is_called(
    phone: Any, site: Site, shots: Path
) -> None:
    ahead = take(site, "C")
    mine = take(site, "C")
    phone.goto(f"{site.url}/t/{mine['token']}")
    assert phone.locator("#number").inner_text() == mine["number"]
    phone.locator("#live-status").wait_for(state="hidden")
    status = phone.locator("#status")
    assert status.inner_text() == "Menunggu giliran"
    assert phone.locator("#ahead").inner_text() == "1 orang di depan Anda"
    assert phone.get_by_role("link", name="Sampaikan melalui SP4N-LAPOR!").is_visible()
    assert_accessible(phone, "phone page waiting")
    phone.screenshot(animations="disabled", path=str(shots / "hp-1-menunggu.png"), full_page=True)

    site.api("POST", f"/api/v1/offices/{OFFICE}/tickets/{ahead['token']}/cancel")
    phone.locator("#ahead").filter(has_text="Tidak ada antrean di depan Anda").wait_for()

    site.api("POST", f"/api/v1/offices/{OFFICE}/counters/4/open")
    site.api("POST", f"/api/v1/offices/{OFFICE}/tickets/{mine['token']}/call", {"counter": 4})
    status.filter(has_text="Silakan menuju loket 4").wait_for(timeout=10_000)
    assert phone.locator("#counter-big").inner_text() == "4"
    assert phone.locator("body").get_attribute("class") == "track status-called"
    assert phone.locator("#cancel").is_visible()
    assert_accessible(phone, "phone page called")
    phone.screenshot(animations="disabled", path=str(shots / "hp-2-dipanggil.png"), full_page=True)

    site.api("POST", f"/api/v1/offices/{OFFICE}/tickets/{mine['token']}/start")
    status.filter(has_text="Sedang dilayani di loket 4").wait_for(timeout=10_000)
    site.api("POST", f"/api/v1/offices/{OFFICE}/tickets/{mine['token']}/finish")
    status.filter(has_text="Layanan selesai. Terima kasih.").wait_for(timeout=10_000)
    assert not phone.locator("#cancel").is_visible()
    site.api("POST", f"/api/v1/offices/{OFFICE}/counters/4/close")


def test_visitor_cancels_after_confirming(phone: Any, site: Site, shots: Path) -> None:
    mine = take(site, "D", language="en")
    phone.goto(f"{site.url}/t/{mine['token']}")
    assert phone.locator("html").get_attribute("lang") == "en"  # the language chosen at the kiosk
    phone.locator("#cancel").tap()
    dialog = phone.locator("#confirm")
    dialog.wait_for(state="visible")
    assert_accessible(phone, "phone page cancel dialog")
    phone.screenshot(animations="disabled", path=str(shots / "hp-3-batalkan-en.png"))
    dialog.get_by_role("button", name="No").tap()
    assert phone.locator("#status").inner_text() == "Waiting for your turn"
    phone.locator("#cancel").tap()
    dialog.get_by_role("button", name="Yes, cancel it").tap()
    phone.locator("#status").filter(has_text="This queue number has been cancelled.").wait_for()
    staff = {t["number"]: t for t in site.staff_tickets()}
    assert mine["number"] not in staff  # gone from the live line


def test_unknown_ticket_says_so(phone: Any, site: Site) -> None:
    response = phone.goto(f"{site.url}/t/tidak-ada-tiket-seperti-ini")
    assert response is not None and response.status == 404
    assert "Nomor antrean tidak ditemukan." in phone.locator("h1").inner_text()
    assert_accessible(phone, "phone page not found")
