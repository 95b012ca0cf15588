"""The settings pages (pengaturan) in a real browser: an office is set up without touching files.

Each test goes through the page the way a supervisor would, then checks through the API that
what the page said it saved is what the server holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import OFFICE, Site
from tests.browser.helpers import assert_accessible
from tests.conftest import ADMIN_PASSWORD

DESKTOP = {"width": 1366, "height": 900}
API = f"/api/v1/offices/{OFFICE}"


@pytest.fixture
def admin(browser: Any, site: Site) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.goto(f"{site.url}/pengaturan")
    page.locator("#username").fill("admin")
    page.locator("#password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{site.url}/pengaturan/kantor")
    yield page
    context.close()


def go(page: Any, site: Site, tab: str, lang: str = "id") -> None:
    page.goto(f"{site.url}/pengaturan/{tab}?office={OFFICE}&lang={lang}")


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(animations="disabled", full_page=True, path=str(shots / name))


def test_office_hours_holidays_and_a_ramadan_schedule(admin: Any, site: Site, shots: Path) -> None:
    page = admin
    go(page, site, "kantor")
    form = page.locator("form").first
    friday = form.locator('tr[data-day="4"]')
    # A mistyped time is refused on the page, marked, and nothing is sent.
    friday.locator('[data-part="opens"]').fill("8.00")
    form.get_by_role("button", name="Simpan").click()
    form.locator("[data-status]").filter(has_text="JJ:MM").wait_for()
    assert friday.locator('[data-part="opens"]').get_attribute("aria-invalid") == "true"
    friday.locator('[data-part="opens"]').fill("07:30")
    friday.locator('[data-part="breaks"]').fill("11:30-13:00")
    form.locator('textarea[name="closed_dates"]').fill("2026-12-25 Natal\n2026-12-24 cuti bersama")
    form.get_by_role("button", name="Tambah jadwal").click()
    box = form.locator("[data-schedule]").last
    box.locator('[data-part="name"]').fill("Ramadan 1448 H")
    box.locator('[data-part="start"]').fill("2027-02-08")
    box.locator('[data-part="end"]').fill("2027-03-09")
    for day in range(5):
        row = box.locator(f'tr[data-day="{day}"]')
        row.locator('[data-part="open"]').check()
        row.locator('[data-part="opens"]').fill("08:00")
        row.locator('[data-part="closes"]').fill("14:00")
    form.locator('input[name="number_digits"][value="4"]').check()
    with page.expect_navigation():  # saved: the page shows what the server now holds
        form.get_by_role("button", name="Simpan").click()
    page.locator("[data-schedule] legend").filter(has_text="Ramadan 1448 H").wait_for()
    office = site.api("GET", API)
    assert office["hours"]["4"]["opens"] == "07:30"
    assert office["hours"]["4"]["breaks"] == [["11:30", "13:00"]]
    assert sorted(office["closed_dates"]) == ["2026-12-24", "2026-12-25"]
    assert office["number_digits"] == 4
    (ramadan,) = office["schedules"]
    assert ramadan["start"] == "2027-02-08" and ramadan["hours"]["0"]["closes"] == "14:00"
    assert "5" not in ramadan["hours"]  # Saturday closed in Ramadan
    # Overlapping schedules are the server's to refuse: the page shows its words.
    page.locator("form").first.get_by_role("button", name="Tambah jadwal").click()
    again = page.locator("[data-schedule]").last
    again.locator('[data-part="name"]').fill("Tumpang tindih")
    again.locator('[data-part="start"]').fill("2027-03-01")
    again.locator('[data-part="end"]').fill("2027-03-20")
    page.locator("form").first.get_by_role("button", name="Simpan").click()
    page.locator("form").first.locator("[data-status].error").wait_for()
    assert len(site.api("GET", API)["schedules"]) == 1
    page.reload()
    page.locator("#ticket-preview").wait_for()
    page.wait_for_function("() => document.getElementById('ticket-preview').naturalWidth > 300")
    assert_accessible(page, "office settings")
    shot(page, shots, "pengaturan-kantor.png")
    site.api("PATCH", API, {"number_digits": 3, "schedules": []})


def test_services_and_counters(admin: Any, site: Site, shots: Path) -> None:
    page = admin
    go(page, site, "layanan")
    page.get_by_text("Tambah layanan").click()
    new = page.locator("#new-service")
    new.locator('[name="code"]').fill("IMB")
    new.locator('[name="prefix"]').fill("P")
    new.locator('[name="name_id"]').fill("Persetujuan Bangunan Gedung")
    new.locator('[name="name_en"]').fill("Building Approval")
    new.locator('[name="fee"]').fill("50000")
    new.locator('[name="daily_quota"]').fill("40")
    new.locator('[name="documents"]').fill("KTP\nSertifikat tanah\n")
    with page.expect_navigation():
        new.get_by_role("button", name="Tambah").click()
    page.locator("summary").filter(has_text="Persetujuan Bangunan Gedung").wait_for()
    found = {s["code"]: s for s in site.api("GET", f"{API}/services")}["IMB"]
    assert found["documents"] == ["KTP", "Sertifikat tanah"] and found["fee"] == 50000
    assert found["daily_quota"] == 40 and found["hours"] is None
    page.locator("summary").filter(has_text="Persetujuan Bangunan Gedung").click()
    edit = page.locator('form[data-api$="/services/IMB"]')
    # The browser itself refuses a prefix that is not one or two capitals...
    edit.locator('[name="prefix"]').fill("p1")
    assert edit.locator('[name="prefix"]').evaluate("el => el.validity.valid") is False
    # ...and the server one another active service numbers with: the page shows its words.
    edit.locator('[name="prefix"]').fill("A")
    edit.get_by_role("button", name="Simpan").click()
    edit.locator("[data-status].error").filter(has_text="A").wait_for()
    assert edit.locator('[name="prefix"]').get_attribute("aria-invalid") == "true"
    edit.locator('[name="prefix"]').fill("P")
    edit.locator('[name="daily_quota"]').fill("")
    with page.expect_navigation():
        edit.get_by_role("button", name="Simpan").click()
    page.locator("summary").filter(has_text="Persetujuan Bangunan Gedung").wait_for()
    found = {s["code"]: s for s in site.api("GET", f"{API}/services")}["IMB"]
    assert found["daily_quota"] is None and found["prefix"] == "P"
    assert_accessible(page, "services settings")
    shot(page, shots, "pengaturan-layanan.png")

    go(page, site, "loket")
    page.get_by_text("Tambah loket").click()
    new = page.locator("#new-counter")
    new.locator('[name="name"]').fill("Loket Perizinan")
    for code, rank in (("IMB", "1"), ("A", "2")):
        row = new.locator(f'[data-service="{code}"]')
        row.locator('[data-part="on"]').check()
        row.locator('[data-part="rank"]').fill(rank)
    number = int(new.locator('[name="number"]').input_value())
    with page.expect_navigation():
        new.get_by_role("button", name="Tambah").click()
    page.locator("summary").filter(has_text="Loket Perizinan").wait_for()
    counters = {c["number"]: c for c in site.api("GET", f"{API}/counters")}
    assert counters[number]["services"] == ["IMB", "A"]
    assert_accessible(page, "counter settings")
    shot(page, shots, "pengaturan-loket.png")
    site.api("DELETE", f"{API}/counters/{number}")
    site.api("DELETE", f"{API}/services/IMB")


def test_devices_pair_by_code_rename_and_revoke(
    admin: Any, browser: Any, site: Site, shots: Path
) -> None:
    screen_context = browser.new_context(viewport={"width": 1280, "height": 720})
    screen = screen_context.new_page()
    screen.goto(f"{site.url}/display/pair")
    code_box = screen.locator("#pair-code")
    code_box.filter(has_text=re.compile(r"^[0-9]{3} [0-9]{3}$")).wait_for()
    code = code_box.inner_text().replace(" ", "")

    page = admin
    go(page, site, "perangkat")
    claim = page.locator("#claim-form")
    claim.locator('[name="code"]').fill("000000" if code != "000000" else "111111")
    claim.locator('[name="name"]').fill("TV lobi")
    claim.get_by_role("button", name="Pasang").click()
    claim.locator("[data-status].error").wait_for()  # a wrong code: said so
    claim.locator('[name="code"]').fill(code)
    claim.get_by_role("button", name="Pasang").click()
    claim.locator("[data-status]").filter(has_text="TV lobi").wait_for()
    screen.wait_for_url(f"{site.url}/display", timeout=10000)
    row = page.locator("#board tr").filter(has_text="TV lobi")
    row.wait_for()
    row.locator("td").filter(has_text="Tersambung").wait_for(timeout=40000)  # next refresh
    assert_accessible(page, "device settings")
    shot(page, shots, "pengaturan-perangkat.png")

    row.locator("input").fill("TV ruang tunggu")
    row.get_by_role("button", name="Ganti nama").click()
    page.locator("#board tr").filter(has_text="TV ruang tunggu").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#board tr").filter(has_text="TV ruang tunggu").get_by_role(
        "button", name="Cabut"
    ).click()
    page.locator("#board tr").filter(has_text="TV ruang tunggu").wait_for(state="detached")
    screen.wait_for_url(re.compile(r"/display/pair"), timeout=20000)  # cut off at once
    screen_context.close()


def test_voice_test_and_gateway_test_message(admin: Any, site: Site, shots: Path) -> None:
    page = admin
    go(page, site, "suara")
    voice = page.locator("#voice-form")
    voice.locator('[name="voice.style"]').select_option("digits")
    with page.expect_navigation():
        voice.get_by_role("button", name="Simpan").click()
    assert site.api("GET", API)["voice"]["style"] == "digits"
    page.locator("#voice-test").click()
    player = page.locator("#voice-player")
    player.wait_for()
    page.wait_for_function("() => document.getElementById('voice-player').duration > 0.5")
    assert_accessible(page, "voice settings")
    shot(page, shots, "pengaturan-suara.png")
    site.api("PATCH", API, {"voice": {"style": "whole"}})

    go(page, site, "pesan")
    test = page.locator("#notify-test")
    test.locator('[name="phone"]').fill("12")
    test.get_by_role("button", name="Kirim pesan uji").click()
    test.locator("[data-status].error").wait_for()  # not a phone number
    test.locator('[name="phone"]').fill("0812-3456-7890")
    test.get_by_role("button", name="Kirim pesan uji").click()
    test.locator("[data-status]").filter(has_text="Pesan uji terkirim").wait_for()
    gateway = page.locator('textarea[name="notify.gateway"]')
    gateway.fill("{not json")
    page.locator("#notify-form").get_by_role("button", name="Simpan").click()
    page.locator("#notify-form [data-status]").filter(has_text="JSON").wait_for()
    assert_accessible(page, "message settings")
    shot(page, shots, "pengaturan-pesan.png")


def test_users_in_english(admin: Any, site: Site, shots: Path) -> None:
    page = admin
    go(page, site, "pengguna", "en")
    page.get_by_text("Add user").click()
    new = page.locator("#new-user")
    new.locator('[name="username"]').fill("loket9")
    new.locator('[name="display_name"]').fill("Petugas Sembilan")
    new.locator('[name="password"]').fill("password123")
    new.get_by_role("button", name="Add").click()
    new.locator("[data-status].error").wait_for()  # a common word: refused, in English
    assert "password" in new.locator("[data-status]").inner_text().lower()
    new.locator('[name="password"]').fill("meja-sembilan-99")
    with page.expect_navigation():
        new.get_by_role("button", name="Add").click()
    page.locator("summary").filter(has_text="loket9").wait_for()
    users = {u["username"]: u for u in site.api("GET", "/api/v1/users")}
    assert users["loket9"]["role"] == "officer" and users["loket9"]["office"] == OFFICE
    assert_accessible(page, "user settings")
    shot(page, shots, "pengaturan-pengguna-en.png")


def test_a_visitors_data_is_shown_then_erased(admin: Any, site: Site, shots: Path) -> None:
    officer = site.officer(1)
    body = {"service": "A", "phone": "081234567891", "notify_consent": True}
    site.api("POST", f"{API}/tickets", body, token=officer)
    page = admin
    go(page, site, "privasi")
    page.locator("#lookup-phone").fill("0812-3456-7891")
    page.get_by_role("button", name="Lihat data").click()
    held = page.locator("#held table").first
    held.wait_for()
    assert "(1)" in held.locator("caption").inner_text()
    assert "+62" not in page.locator("#held").inner_text()  # never the full number
    assert_accessible(page, "personal data")
    shot(page, shots, "pengaturan-data-pribadi.png")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Hapus data pribadi nomor ini").click()
    page.locator("#held").filter(has_text="1 nomor antrean").wait_for()
    found = site.api("GET", f"{API}/personal-data?phone=081234567891")
    assert found["tickets"] == [] and found["messages"] == []
