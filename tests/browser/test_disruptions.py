"""Service disruptions in a real browser: marking a service disrupted shows the notice on the
kiosk (its button, before printing, with the callback list), the lobby display's ticker and the
visitor's phone page at once, and restoring it takes the notice away, live, with no reload; the
whole office down shows a banner, and "instead of a ticket" leaves only the callback; the
supervisor marks and restores in one tap on /gangguan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import OFFICE, Site
from tests.browser.helpers import assert_accessible, assert_large_targets

LANDSCAPE = {"width": 1920, "height": 1080}
FULL_HD = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
API = f"/api/v1/offices/{OFFICE}"
SUPERVISOR = ("kasi", "pelayanan-prima-7")


@pytest.fixture(scope="module")
def supervisor(site: Site) -> str:
    site.api("POST", "/api/v1/users", {"username": SUPERVISOR[0], "password": SUPERVISOR[1],
                                       "role": "supervisor", "office": OFFICE})  # fmt: skip
    login = {"username": SUPERVISOR[0], "password": SUPERVISOR[1]}
    return str(site.api("POST", "/api/v1/auth/login", login, token="")["token"])


@pytest.fixture(scope="module")
def kiosk_token(site: Site) -> str:
    token, _ = site.kiosk("Kiosk gangguan", printer=None)
    return token


@pytest.fixture(scope="module")
def display_token(site: Site) -> str:
    device = site.api("POST", f"{API}/devices", {"kind": "display", "name": "TV lobi"})
    return str(device["token"])


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def open_kiosk(browser: Any, site: Site, token: str, contexts: list[Any]) -> Any:
    context = browser.new_context(viewport=LANDSCAPE, has_touch=True, locale="id-ID",
                                  timezone_id="Asia/Jakarta")  # fmt: skip
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{site.url}/kiosk/pair#token={token}")
    page.wait_for_url(f"{site.url}/kiosk")
    page.locator("#screen-start").wait_for(state="visible")
    page.locator("#offline").wait_for(state="hidden")
    return page


def open_display(browser: Any, site: Site, token: str, contexts: list[Any]) -> Any:
    context = browser.new_context(viewport=FULL_HD, locale="id-ID", timezone_id="Asia/Jakarta")
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{site.url}/display/pair#token={token}")
    page.wait_for_url(f"{site.url}/display")
    page.locator("#offline").wait_for(state="hidden")
    return page


def open_phone(browser: Any, site: Site, token: str, contexts: list[Any]) -> Any:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="id-ID")  # fmt: skip
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{site.url}/t/{token}")
    page.locator("#status").wait_for(state="visible")
    return page


def in_two_hours() -> str:
    """An expected end two hours from now on the office's clock ("HH:MM")."""
    later = datetime.now(UTC) + timedelta(hours=2)
    return later.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%H:%M")


def test_disruption_on_and_off_shows_and_hides_the_notice_live(
    browser: Any,
    site: Site,
    supervisor: str,
    kiosk_token: str,
    display_token: str,
    shots: Path,
    contexts: list[Any],
) -> None:
    ticket = site.api("POST", f"{API}/tickets", {"service": "C"})
    kiosk = open_kiosk(browser, site, kiosk_token, contexts)
    display = open_display(browser, site, display_token, contexts)
    phone = open_phone(browser, site, ticket["token"], contexts)
    assert kiosk.locator('[data-notice="C"]').is_hidden()
    assert phone.locator("#disruption").is_hidden()

    down = site.api("POST", f"{API}/disruptions",
                    {"service": "C", "reason": "sistem_pusat", "expected_end": in_two_hours()},
                    token=supervisor)  # fmt: skip
    until = down["until"]
    notice = kiosk.locator('[data-notice="C"]')
    notice.wait_for(state="visible")
    assert "sistem pusat/OSS" in notice.inner_text() and until in notice.inner_text()
    assert kiosk.locator('button.service[data-service="C"]').is_enabled()  # "besides" a ticket
    assert kiosk.locator('[data-notice="A"]').is_hidden()
    kiosk.screenshot(animations="disabled", path=str(shots / "gangguan-kiosk.png"))

    ticker = display.locator("#ticker-notice")
    ticker.wait_for(state="visible")
    assert "terganggu" in ticker.inner_text() and until in ticker.inner_text()
    display.screenshot(animations="disabled", path=str(shots / "gangguan-layar.png"))

    phone.locator("#disruption").wait_for(state="visible")
    words = phone.locator("#disruption-text").inner_text()
    assert "sistem pusat/OSS" in words and "tetap berlaku" in words
    estimate = phone.locator("#estimate")
    assert "belum bisa dihitung selama gangguan" in estimate.inner_text()  # no wait promised
    assert_accessible(phone, "phone page with a disruption notice")
    phone.screenshot(animations="disabled", path=str(shots / "gangguan-hp.png"), full_page=True)

    # the visitor taps the service: the notice before printing, and the callback list
    kiosk.locator('button.service[data-service="C"]').tap()
    kiosk.locator("#service-notice").wait_for(state="visible")
    assert kiosk.locator("#print").is_visible()  # besides a ticket
    assert_large_targets(kiosk)
    assert_accessible(kiosk, "kiosk service screen with a disruption notice")
    kiosk.locator("#callback-open").tap()
    pad = kiosk.locator("#phone-pad")
    pad.wait_for(state="visible")
    assert "pulih" in pad.locator("#consent-text").inner_text()
    for digit in "0812":
        pad.locator(f'[data-key="{digit}"]').tap()
    pad.locator("#pad-save").tap()
    assert "tidak valid" in pad.locator("#pad-error").inner_text()  # too short: said clearly
    for digit in "34567890":
        pad.locator(f'[data-key="{digit}"]').tap()
    pad.locator("#pad-save").tap()
    assert "Centang persetujuan" in pad.locator("#pad-error").inner_text()
    pad.locator("#consent").check()
    kiosk.screenshot(animations="disabled", path=str(shots / "gangguan-kiosk-panggil-balik.png"))
    pad.locator("#pad-save").tap()
    done = kiosk.locator("#callback-done")
    done.wait_for(state="visible")
    assert "0812" in done.inner_text() and "7890" in done.inner_text()
    kiosk.screenshot(animations="disabled", path=str(shots / "gangguan-kiosk-terima-kasih.png"))
    kiosk.locator("#screen-callback [data-action=start]").tap()
    kiosk.locator("#screen-start").wait_for(state="visible")

    listed = site.api("GET", f"{API}/disruptions", token=supervisor)
    assert listed["active"][0]["callbacks"] == 1

    site.api("POST", f"{API}/disruptions/{down['id']}/restore", token=supervisor)
    notice.wait_for(state="hidden")
    ticker.wait_for(state="hidden")
    phone.locator("#disruption").wait_for(state="hidden")
    assert "gangguan" not in estimate.inner_text()  # a wait again once it is back
    kiosk.screenshot(animations="disabled", path=str(shots / "gangguan-kiosk-pulih.png"))
    display.screenshot(animations="disabled", path=str(shots / "gangguan-layar-pulih.png"))
    phone.screenshot(animations="disabled", path=str(shots / "gangguan-hp-pulih.png"),
                     full_page=True)  # fmt: skip
    told = [m for m in site.api("GET", f"{API}/messages", token=supervisor)
            if m["kind"] == "callback_link"]  # fmt: skip
    assert len(told) == 1  # C allows tickets from afar: the text carries the link


def test_whole_office_down_with_callback_instead_of_a_ticket(
    browser: Any, site: Site, supervisor: str, kiosk_token: str, shots: Path,
    contexts: list[Any],
) -> None:  # fmt: skip
    site.api("PATCH", API, {"disruption_callback": "instead"}, token=supervisor)
    kiosk = open_kiosk(browser, site, kiosk_token, contexts)
    down = site.api("POST", f"{API}/disruptions", {"service": None, "reason": "listrik"},
                    token=supervisor)  # fmt: skip
    banner = kiosk.locator("#disrupted")
    banner.wait_for(state="visible")
    assert "Semua layanan" in banner.inner_text() and "listrik padam" in banner.inner_text()
    assert "belum diketahui" in banner.inner_text()
    kiosk.locator('button.service[data-service="A"]').tap()
    kiosk.locator("#service-notice").wait_for(state="visible")
    assert kiosk.locator("#print").is_hidden()  # no ticket: only the callback
    assert kiosk.locator("#callback-open").is_visible()
    kiosk.screenshot(animations="disabled", path=str(shots / "gangguan-kiosk-seluruh-kantor.png"))
    # restored while the visitor looks at it: the ticket is offered again, live
    site.api("POST", f"{API}/disruptions/{down['id']}/restore", token=supervisor)
    kiosk.locator("#service-notice").wait_for(state="hidden")
    kiosk.locator("#print").wait_for(state="visible")
    banner.wait_for(state="hidden")
    site.api("PATCH", API, {"disruption_callback": "besides"}, token=supervisor)


def test_supervisor_marks_and_restores_in_one_tap(
    browser: Any, site: Site, supervisor: str, shots: Path, contexts: list[Any]
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID",
                                  timezone_id="Asia/Jakarta")  # fmt: skip
    contexts.append(context)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{site.url}/gangguan")
    page.locator("#username").fill(SUPERVISOR[0])
    page.locator("#password").fill(SUPERVISOR[1])
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/gangguan")
    page.locator("#start-service").select_option("B")
    page.locator("#start-reason").select_option("jaringan")
    page.locator("#start-end").fill(in_two_hours())
    page.locator("#start-note").fill("kabel fiber putus")
    with page.expect_navigation():
        page.locator("#start-button").click()
    active = page.locator("li.disruption")
    active.first.wait_for(state="visible")
    assert "kabel fiber putus" in active.first.inner_text()
    assert_accessible(page, "disruptions page")
    page.screenshot(animations="disabled", path=str(shots / "gangguan-petugas.png"),
                    full_page=True)  # fmt: skip
    with page.expect_navigation():
        active.first.locator("[data-restore]").click()
    page.locator("#none-active").wait_for(state="visible")
    assert "kabel fiber putus" in page.locator("table").inner_text()
    assert site.api("GET", f"{API}/disruptions", token=supervisor)["active"] == []
