"""The consultation desk in a real browser: visitors' questions and a photo arrive through the
chat webhook; the officer's inbox lists them by time left with the overdue one first and
marked; the officer opens one, marks the document incomplete with a note, answers with a saved
reply (the service's requirements), takes it on and closes it."""

from __future__ import annotations

import base64
import io
import json
import sqlite3
import urllib.request
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import OFFICE, Site
from tests.browser.helpers import assert_accessible
from tests.conftest import DEMO_PASSWORD

DESKTOP = {"width": 1366, "height": 900}
SECRET = "rahasia-gateway-uji"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def _say(site: Site, phone: str, text: str, media: dict[str, str] | None = None) -> None:
    body: dict[str, Any] = {"from": phone, "text": text}
    if media is not None:
        body["media"] = media
    request = urllib.request.Request(
        f"{site.url}/api/v1/offices/{OFFICE}/chat/http", json.dumps(body).encode(),
        {"Content-Type": "application/json", "X-Antrean-Secret": SECRET}, method="POST",
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["ok"] is True


def test_the_inbox_answers_reviews_and_closes(browser: Any, site: Site, shots: Path) -> None:
    gateway = {"kind": "log", "inbound_secret": SECRET}
    site.api("PATCH", f"/api/v1/offices/{OFFICE}", {"notify": {"gateway": gateway}})
    _say(site, "081200000001", "Apakah kantor buka hari Sabtu?")
    _say(site, "081200000002", "Ini foto KTP saya untuk SKTM",
         {"base64": base64.b64encode(_png()).decode(), "filename": "ktp.jpg"})  # fmt: skip
    _say(site, "081200000003", "Berkas saya kemarin sudah diterima?")
    with sqlite3.connect(site.tmp / "antrean.db") as db:  # this one has waited 30 hours
        db.execute(
            "UPDATE conversations SET opened_at = datetime(opened_at, '-30 hours'), "
            "due_at = datetime(due_at, '-30 hours') WHERE phone = '+6281200000003'"
        )

    context = browser.new_context(viewport=DESKTOP, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.goto(f"{site.url}/konsultasi")
    page.locator("#username").fill("petugas1")
    page.locator("#password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{site.url}/konsultasi")
    items = page.locator("#inbox li")
    expect(items).to_have_count(3)
    expect(items.first).to_have_class("overdue")
    expect(items.first.locator(".left")).to_contain_text("terlambat 6 jam")
    expect(items.nth(1).locator(".left")).to_contain_text("sisa 23 jam")
    expect(page.locator("#inbox")).to_contain_text("1 berkas")
    expect(page.locator("#inbox")).to_contain_text("Berkas: ktp.png")
    page.screenshot(animations="disabled", full_page=True,
                    path=str(shots / "konsultasi-kotak-masuk.png"))  # fmt: skip

    page.locator("#inbox li", has_text="1 berkas").get_by_role("button").click()
    thread = page.locator("#messages")
    expect(thread).to_contain_text("Ini foto KTP saya untuk SKTM")
    expect(thread).to_contain_text("Pesan Anda telah kami terima")  # the acknowledgement
    expect(thread.locator("img.thumb")).to_be_visible()
    expect(thread.get_by_role("link", name="Unduh ktp.png")).to_be_visible()
    thread.get_by_role("button", name="Belum lengkap").click()
    expect(page.locator("#reply-status")).to_contain_text("Tulis apa yang kurang")
    thread.get_by_role("textbox").fill("Foto KTP buram, mohon kirim ulang")
    thread.get_by_role("button", name="Belum lengkap").click()
    expect(thread.locator(".verdict-incomplete")).to_have_text("Belum lengkap")
    expect(thread).to_contain_text("Dokumen ktp.png belum lengkap: Foto KTP buram")

    options = page.locator("#saved-replies option")
    requirement = next(t for t in options.all_inner_texts() if t.startswith("Persyaratan "))
    page.locator("#saved-replies").select_option(label=requirement)
    assert page.locator("#reply-body").input_value().startswith(requirement)
    page.get_by_role("button", name="Kirim balasan").click()
    expect(page.locator("#reply-status")).to_have_text("Balasan masuk antrean kirim.")
    expect(thread.locator("li.out.reply")).to_contain_text("Balasan petugas · petugas1")
    page.get_by_role("button", name="Saya tangani").click()
    expect(page.locator("#assign-to")).to_have_value("petugas1")
    expect(page.locator("#thread-first")).to_contain_text("Dijawab pertama oleh petugas1")
    assert_accessible(page, "consultation inbox with a conversation open")
    page.screenshot(animations="disabled", full_page=True,
                    path=str(shots / "konsultasi-percakapan.png"))  # fmt: skip

    sent = site.api("GET", f"/api/v1/offices/{OFFICE}/messages")
    kinds = [m["kind"] for m in sent]
    assert kinds.count("consult") == 2 and kinds.count("consult_ack") == 3

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Tutup percakapan").click()
    expect(items).to_have_count(2)
    expect(page.get_by_role("button", name="Kirim balasan")).to_be_disabled()

    page.goto(f"{site.url}/konsultasi?lang=en")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.locator("#inbox li").first.locator(".left")).to_contain_text("overdue")
    context.close()
