"""Many offices in a real browser: the regency dashboard follows each office's queue as tickets
are taken, and the public list puts the least busy open office first, in both languages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Site
from tests.browser.helpers import assert_accessible

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "pelayanan-prima-7"
OFFICES = {"sukorejo": "Kantor Kecamatan Sukorejo", "grati": "Kantor Kecamatan Grati"}


@pytest.fixture(scope="module")
def regency(site: Site) -> dict[str, str]:
    """Two more offices beside the demo one, each with a kiosk; a regency supervisor."""
    kiosks = {}
    for slug, name in OFFICES.items():
        api = f"/api/v1/offices/{slug}"
        site.api("POST", "/api/v1/offices", {"slug": slug, "name": name})
        service = {"code": "A", "prefix": "A", "name_id": "Kartu Keluarga",
                   "name_en": "Family card", "remote_allowed": slug == "sukorejo"}  # fmt: skip
        site.api("POST", f"{api}/services", service)
        site.api("POST", f"{api}/counters", {"number": 1, "name": "Loket 1", "services": ["A"]})
        kiosks[slug] = site.api("POST", f"{api}/devices", {"kind": "kiosk", "name": "kios"})[
            "token"
        ]
    kiosks["winongan"] = site.kiosk("kios kabupaten", printer=None)[0]
    site.api("POST", "/api/v1/users", {"username": "kabid", "password": PASSWORD,
                                       "role": "supervisor", "office": None})  # fmt: skip
    return kiosks


def take(site: Site, kiosks: dict[str, str], office: str, service: str = "A") -> None:
    site.api("POST", f"/api/v1/offices/{office}/tickets", {"service": service},
             token=kiosks[office])  # fmt: skip


@pytest.fixture
def kabid(browser: Any, site: Site, regency: dict[str, str]) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.goto(f"{site.url}/kabupaten")  # sign in first, then back here
    page.locator("#username").fill("kabid")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{site.url}/kabupaten")
    yield page
    context.close()


def cell(page: Any, office: str, key: str) -> Any:
    return page.locator(f'tr[data-slug="{office}"] td[data-key="{key}"]')


def test_dashboard_follows_each_office_live(
    kabid: Any, site: Site, regency: dict[str, str], shots: Path
) -> None:
    page = kabid
    assert page.locator("tbody tr").count() == 3
    for office in ("winongan", "sukorejo", "grati"):
        assert cell(page, office, "waiting").inner_text() == "0"
    assert page.locator(".busiest-mark:visible").count() == 0  # nobody waits: nobody busiest
    take(site, regency, "sukorejo")
    take(site, regency, "sukorejo")
    take(site, regency, "grati")
    # The page asks every 10 s: each office's count arrives without a reload.
    page.wait_for_function(
        """() => document.querySelector('tr[data-slug="sukorejo"] td[data-key="waiting"]')
                   .textContent === "2" &&
                 document.querySelector('tr[data-slug="grati"] td[data-key="waiting"]')
                   .textContent === "1" """,
        timeout=25_000,
    )
    busiest = page.locator("tr.busiest")
    assert busiest.count() == 1 and busiest.get_attribute("data-slug") == "sukorejo"
    assert busiest.locator(".busiest-mark").inner_text() == "Tersibuk"
    assert cell(page, "winongan", "counters_open").inner_text() == "0 dari 4"
    assert cell(page, "grati", "ikm").inner_text().startswith("—")
    # Sorted by waiting (biggest first), then back by name
    page.get_by_role("button", name="Menunggu sekarang").click()
    slugs = page.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.slug)")
    assert slugs == ["sukorejo", "grati", "winongan"]
    header = page.locator('th[data-key="waiting"]')
    assert header.get_attribute("aria-sort") == "descending"
    link = page.locator('tr[data-slug="sukorejo"] th a')
    assert link.get_attribute("href").startswith("/laporan?office=sukorejo")
    assert_accessible(page, "regency dashboard")
    page.screenshot(animations="disabled", full_page=True, path=str(shots / "kabupaten.png"))
    page.get_by_role("button", name="Kantor").click()
    slugs = page.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.slug)")
    assert slugs == ["grati", "sukorejo", "winongan"]  # Kantor Kecamatan G..., S..., W...


def order(page: Any) -> list[str]:
    result: list[str] = page.locator("#offices > li").evaluate_all(
        "items => items.map(li => li.dataset.slug)"
    )
    return result


def test_public_list_least_busy_first_in_both_languages(
    browser: Any, site: Site, regency: dict[str, str], shots: Path
) -> None:
    # After the dashboard's test: Sukorejo 2 waiting, Grati 1, Winongan none (no counter open
    # anywhere, so one waiting person counts whole). Grati gets two more: Sukorejo is then
    # less busy than Grati.
    take(site, regency, "grati")
    take(site, regency, "grati")
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="id-ID"
    )
    phone = context.new_page()
    phone.goto(f"{site.url}/kantor")
    assert order(phone) == ["winongan", "sukorejo", "grati"]
    first = phone.locator('#offices > li[data-slug="winongan"]')
    assert first.locator('[data-part="status"]').inner_text() == "Buka sekarang"
    assert first.locator('[data-part="hours"]').inner_text().startswith("Jam layanan hari ini")
    sukorejo = phone.locator('#offices > li[data-slug="sukorejo"]')
    assert sukorejo.locator('[data-part="waiting"]').inner_text() == "2"
    assert sukorejo.locator("a.take").get_attribute("href") == "/ambil/sukorejo?lang=id"
    assert phone.locator('li[data-slug="grati"] a.take').count() == 0  # no remote service
    assert float(phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")) >= 18
    assert_accessible(phone, "public office list on a phone")
    phone.screenshot(
        animations="disabled", full_page=True, path=str(shots / "kantor-publik-hp.png")
    )

    # Live: four more at Sukorejo, and the list reorders by itself when it next asks (the phone
    # coming back into view asks at once; the server's list is at most 5 s old).
    for _ in range(4):
        take(site, regency, "sukorejo")
    time.sleep(5.5)
    phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    phone.wait_for_function(
        """() => document.querySelector('li[data-slug="sukorejo"] [data-part="waiting"]')
                   .textContent === "6" """
    )
    assert order(phone) == ["winongan", "grati", "sukorejo"]
    assert phone.locator("#updated").inner_text().startswith("Diperbarui pukul")
    context.close()

    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(f"{site.url}/kantor?lang=en")
    assert order(page) == ["winongan", "grati", "sukorejo"]
    assert page.locator("h1").inner_text() == "Pick the least busy office"
    first = page.locator('#offices > li[data-slug="winongan"]')
    assert first.locator('[data-part="status"]').inner_text() == "Open now"
    assert (
        page.locator('li[data-slug="sukorejo"] ul.services').inner_text().startswith("Family card")
    )
    assert_accessible(page, "public office list in English")
    page.screenshot(animations="disabled", full_page=True, path=str(shots / "kantor-publik.png"))
    context.close()
