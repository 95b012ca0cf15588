"""Take a number from home (`/ambil/<office>`) in a real browser on a 390x844 phone: choose a
service, give a phone and consent, land on the ticket's own page; a refusal in English; no
overflow at 360 px; touch targets of 44 px; axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import OFFICE, Site
from tests.browser.helpers import assert_accessible

PHONE = {"width": 390, "height": 844}
NUMBER = re.compile(r"^C\d{3}$")
MIN_TOUCH_PX = 44


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="id-ID",
        timezone_id="Asia/Jakarta",
    )  # fmt: skip
    try:
        yield context.new_page()
    finally:
        context.close()


def small_targets(page: Any) -> list[str]:
    """Visible controls a thumb could miss: under 44 px high (or wide, for buttons)."""
    found: list[str] = page.evaluate(
        """(min) => {
          const found = [];
          const controls = 'button, a, summary, .pick, .consent, input[type=tel], input[type=text]';
          for (const el of document.querySelectorAll(controls)) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            if (r.height >= min && r.width >= min) continue;
            found.push(`${el.id || el.className} ${r.width}x${r.height}`);
          }
          return found;
        }""",
        MIN_TOUCH_PX,
    )
    return found


def web_tickets(site: Site, masked: str) -> list[dict[str, Any]]:
    return [t for t in site.staff_tickets() if t["channel"] == "web" and t["phone"] == masked]


def test_take_a_number_from_home_and_land_on_its_page(phone: Any, site: Site, shots: Path) -> None:
    phone.goto(f"{site.url}/ambil/{OFFICE}")
    assert phone.locator("h1").inner_text() == "Ambil nomor dari rumah"
    assert phone.get_by_text("Buka sekarang").is_visible()
    assert phone.get_by_role("radio", name=re.compile("Surat Keterangan")).is_visible()
    assert phone.get_by_role("radio", name=re.compile("Administrasi")).count() == 0  # office only
    assert small_targets(phone) == []
    assert_accessible(phone, "take from home")
    phone.screenshot(animations="disabled", path=str(shots / "ambil-dari-rumah.png"),
                     full_page=True)  # fmt: skip

    phone.locator("label.pick").filter(has_text="Surat Keterangan").tap()
    phone.locator("#phone").fill("0812 3456 7001")
    phone.locator("#submit").tap()  # consent not given yet: the page says so, nothing is sent
    assert phone.locator("#error").inner_text().startswith("Centang persetujuan")
    assert web_tickets(site, "0812****7001") == []
    phone.locator("label.consent").tap()
    phone.locator("#submit").dblclick()  # a double tap takes one number
    phone.wait_for_url(re.compile(r"/t/[\w-]+$"))
    number = phone.locator("#number").inner_text()
    assert NUMBER.match(number), number
    assert phone.locator("html").get_attribute("lang") == "id"
    phone.locator("#status").filter(has_text="Menunggu giliran").wait_for()
    (mine,) = web_tickets(site, "0812****7001")
    assert mine["number"] == number and mine["priority_group"] == "none"


def test_a_refusal_in_english_and_a_narrow_phone(phone: Any, site: Site, shots: Path) -> None:
    phone.goto(f"{site.url}/ambil/{OFFICE}")
    phone.get_by_role("link", name="English").tap()
    phone.wait_for_url(f"{site.url}/ambil/{OFFICE}?lang=en")
    assert phone.locator("h1").inner_text() == "Take a number from home"
    phone.locator("label.pick").filter(has_text="Complaints").tap()
    phone.locator("#phone").fill("12345")
    phone.locator("label.consent").tap()
    phone.locator("#submit").tap()
    error = phone.locator("#error")
    error.filter(has_text="Invalid phone number").wait_for()
    assert phone.locator("#phone").get_attribute("aria-invalid") == "true"
    assert phone.url.endswith("?lang=en")  # still here, nothing taken
    assert_accessible(phone, "take from home, refused, English")
    phone.screenshot(animations="disabled", path=str(shots / "ambil-dari-rumah-en.png"),
                     full_page=True)  # fmt: skip

    phone.set_viewport_size({"width": 360, "height": 740})
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert small_targets(phone) == []
    font = float(phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))
    assert font >= 18
