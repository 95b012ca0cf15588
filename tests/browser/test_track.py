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


def test_survey_after_service_and_the_printable_recap(
    phone: Any, site: Site, shots: Path, browser: Any
) -> None:
    mine = take(site, "B")
    token = site.officer(2)
    site.api("POST", f"/api/v1/offices/{OFFICE}/counters/2/open", token=token)
    site.api("POST", f"/api/v1/offices/{OFFICE}/tickets/{mine['token']}/call", {"counter": 2},
             token=token)  # fmt: skip
    phone.goto(f"{site.url}/t/{mine['token']}")
    link = phone.locator("#survey-link")
    assert not link.is_visible()
    site.api("POST", f"/api/v1/offices/{OFFICE}/tickets/{mine['token']}/finish", token=token)
    link.wait_for(state="visible")  # appears live when the service is done
    link.tap()
    phone.wait_for_url(f"**/s/{mine['token']}")
    phone.locator("button.send").tap()
    assert "kesembilan unsur" in phone.locator("#survey-error").inner_text()
    for i, score in enumerate([4, 3, 4, 4, 3, 4, 4, 3, 4], start=1):
        phone.locator(f'input[name="u{i}"][value="{score}"]').check()
    phone.locator("#age_group").select_option("30-39")
    assert_accessible(phone, "survey page")
    phone.screenshot(animations="disabled", path=str(shots / "hp-4-survei.png"), full_page=True)
    phone.locator("button.send").tap()
    phone.locator("#survey-thanks").filter(has_text="Terima kasih").wait_for()

    site.api("POST", "/api/v1/users", {"username": "kasi", "password": "pelayanan-prima-7",
                                       "role": "supervisor", "office": OFFICE})  # fmt: skip
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.url}/laporan/skm")
        page.locator("#username").fill("kasi")
        page.locator("#password").fill("pelayanan-prima-7")
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url("**/laporan/skm")
        assert page.locator("#ikm").inner_text() == "91.67"
        assert page.locator("#grade").inner_text() == "A (Sangat Baik)"
        semester = page.locator("nav.periods a", has_text="Semester II").last  # this year's
        semester.click()
        page.wait_for_url("**/laporan/skm?*end=*-12-31")
        assert page.locator("nav.periods a[aria-current=page]").inner_text().startswith("Semester")
        assert page.locator("#ikm").inner_text() == "91.67"  # the semester holds today's answer
        assert_accessible(page, "SKM recap")
        page.screenshot(animations="disabled", path=str(shots / "laporan-skm.png"), full_page=True)
        page.goto(f"{site.url}/laporan?by=service")
        assert page.locator("#report-figures tr.total th").inner_text() == "Jumlah"
        assert page.locator("table.heatmap tbody tr").count() == 7
        page.locator("#trend .uplot canvas").first.wait_for()  # the vendored chart drew
        assert_accessible(page, "report page")
        page.screenshot(animations="disabled", path=str(shots / "laporan.png"), full_page=True)
        page.goto(f"{site.url}/laporan/kebutuhan-loket")
        assert page.locator("ul.advice li").count() >= 1
        assert_accessible(page, "staffing page")
        shot = shots / "laporan-kebutuhan-loket.png"
        page.screenshot(animations="disabled", path=str(shot), full_page=True)
    finally:
        context.close()
