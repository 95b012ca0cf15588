"""The lobby display in a real browser: shows each call and plays its audio, at 1080p, 4K and
portrait; asks for a tap when sound is blocked; survives a server restart without replaying."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import OFFICE, Site
from tests.browser.helpers import assert_accessible

FULL_HD = {"width": 1920, "height": 1080}
UHD = {"width": 3840, "height": 2160}
PORTRAIT = {"width": 1080, "height": 1920}
TICKER = "Pelayanan KTP-el hari Jumat tutup pukul 11.00. Harap membawa dokumen asli."


@pytest.fixture(scope="module")
def display_token(site: Site) -> str:
    site.api("PATCH", f"/api/v1/offices/{OFFICE}", {"ticker": TICKER})
    device = site.api(
        "POST", f"/api/v1/offices/{OFFICE}/devices", {"kind": "display", "name": "TV"}
    )
    return str(device["token"])


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def open_display(
    browser: Any, site: Site, token: str, viewport: dict[str, int], contexts: list[Any],
    query: str = "", block_sound: bool = False,
) -> Any:  # fmt: skip
    context = browser.new_context(viewport=viewport, locale="id-ID", timezone_id="Asia/Jakarta")
    contexts.append(context)
    page = context.new_page()
    if block_sound:  # what a browser without the autoplay flag does before anyone taps
        page.add_init_script(
            "const play = HTMLMediaElement.prototype.play;"
            "window.allowSound = () => { HTMLMediaElement.prototype.play = play; };"
            "HTMLMediaElement.prototype.play = function () {"
            " return Promise.reject(new DOMException('blocked', 'NotAllowedError')); };"
        )
    page.goto(f"{site.url}/display/pair#token={token}")
    page.wait_for_url(f"{site.url}/display")
    if query:
        page.goto(f"{site.url}/display?{query}")
    page.locator("#offline").wait_for(state="hidden")
    return page


def call_next(site: Site, counter: int) -> dict[str, Any]:
    """Officer petugas<counter> opens their counter and calls the next visitor."""
    token = site.officer(counter)
    site.api("POST", f"/api/v1/offices/{OFFICE}/counters/{counter}/open", token=token)
    called: dict[str, Any] = site.api(
        "POST", f"/api/v1/offices/{OFFICE}/counters/{counter}/call-next", token=token
    )["ticket"]
    return called


def test_display_shows_each_call_and_plays_chime_then_voice(
    browser: Any, site: Site, display_token: str, shots: Path, contexts: list[Any]
) -> None:
    for service in "AABCD":
        site.api("POST", f"/api/v1/offices/{OFFICE}/tickets", {"service": service})
    page = open_display(browser, site, display_token, FULL_HD, contexts)
    assert page.locator(".ticker").inner_text() == TICKER
    assert page.locator("#waiting li").count() == 4

    with page.expect_request(f"**/audio/offices/{OFFICE}/calls/1/*.wav") as voice:
        called = call_next(site, 1)
    assert voice.value.url.endswith(f"/calls/1/{called['number']}.wav")
    page.locator("#latest-number").filter(has_text=called["number"]).wait_for()
    assert page.locator("#latest-counter").inner_text() == "Loket 1"
    response = voice.value.response()
    assert response is not None and response.status == 200
    assert response.header_value("content-type") == "audio/wav"

    for counter in (2, 3, 4):  # five busy counters' worth of calls: every one stays readable
        call_next(site, counter)
    page.locator(".tile .serving").nth(3).wait_for()
    page.wait_for_function(
        "() => window.antreanDisplay.played.filter(u => u.includes('/calls/')).length === 4",
        timeout=30_000,
    )
    played = page.evaluate("window.antreanDisplay.played")
    assert played[0] == "/audio/chime.wav" and played[2] == "/audio/chime.wav"  # chime first
    assert [u.split("/calls/")[1][0] for u in played if "/calls/" in u] == ["1", "2", "3", "4"]
    tiles = page.locator(".tile .serving").all_inner_texts()
    assert all(t != "—" for t in tiles[:4])
    assert page.locator("#recent li").count() == 3
    assert_accessible(page, "lobby display")
    page.screenshot(animations="disabled", path=str(shots / "layar-1920x1080.png"))

    for size, name in ((UHD, "layar-3840x2160.png"), (PORTRAIT, "layar-1080x1920-potret.png")):
        other = open_display(browser, site, display_token, size, contexts)
        other.locator("#latest-number").filter(has_text="D001").wait_for()
        other.screenshot(animations="disabled", path=str(shots / name))


def test_a_display_for_some_counters_only(
    browser: Any, site: Site, display_token: str, contexts: list[Any]
) -> None:
    page = open_display(browser, site, display_token, FULL_HD, contexts, query="counters=1,2")
    assert page.locator(".tile").count() == 2
    numbers = [
        *page.locator("#recent li .to").all_inner_texts(),
        page.locator("#latest-counter").inner_text(),
    ]
    assert set(numbers) <= {"Loket 1", "Loket 2"}


def test_blocked_sound_asks_for_one_tap(
    browser: Any, site: Site, display_token: str, shots: Path, contexts: list[Any]
) -> None:
    site.api("POST", f"/api/v1/offices/{OFFICE}/tickets", {"service": "A"})
    page = open_display(browser, site, display_token, FULL_HD, contexts, block_sound=True)
    call_next(site, 1)
    unlock = page.locator("#unlock")
    unlock.wait_for(state="visible")
    assert page.get_by_role("button", name="Aktifkan suara").is_visible()
    page.screenshot(animations="disabled", path=str(shots / "layar-aktifkan-suara.png"))
    page.evaluate("window.allowSound()")  # what the tap does for a real browser
    page.get_by_role("button", name="Aktifkan suara").click()
    page.wait_for_function(
        "() => window.antreanDisplay.played.some(u => u.includes('/calls/1/'))", timeout=15_000
    )
    assert not unlock.is_visible()


def test_restart_reconnects_without_replaying_or_showing_stale_calls(
    browser: Any, site: Site, display_token: str, contexts: list[Any]
) -> None:
    page = open_display(browser, site, display_token, FULL_HD, contexts)
    played_before = len(page.evaluate("window.antreanDisplay.played"))  # a snapshot plays nothing
    assert played_before == 0
    latest = page.locator("#latest-number").inner_text()
    site.server.stop()
    page.locator("#offline").wait_for(state="visible", timeout=15_000)
    assert "Terputus" in page.locator("#offline").inner_text()
    site.server.start()
    page.locator("#offline").wait_for(state="hidden", timeout=30_000)
    assert page.locator("#latest-number").inner_text() == latest
    site.api("POST", f"/api/v1/offices/{OFFICE}/tickets", {"service": "B"})
    called = call_next(site, 2)  # life goes on after the restart
    page.locator("#latest-number").filter(has_text=called["number"]).wait_for(timeout=15_000)
    page.wait_for_function("() => window.antreanDisplay.played.length === 2", timeout=15_000)
    assert page.evaluate("window.antreanDisplay.played")[1].endswith(f"/{called['number']}.wav")


def test_media_area_shows_the_office_folder(
    browser: Any, tmp_path: Path, shots: Path, contexts: list[Any]
) -> None:
    from PIL import Image, ImageDraw, ImageFont

    from queue_server.testing import ServerProcess
    from tests.conftest import ADMIN_PASSWORD

    folder = tmp_path / "media"
    folder.mkdir()
    poster = Image.new("RGB", (1280, 720), (10, 107, 46))
    font = ImageFont.load_default(size=72)
    ImageDraw.Draw(poster).text(
        (80, 300), "Bawa KTP-el dan KK asli", fill=(255, 255, 255), font=font
    )
    poster.save(folder / "poster.png")
    env = {"ANTREAN_MEDIA_DIR": str(folder)}
    with ServerProcess(f"sqlite:///{tmp_path / 'media.db'}", env=env) as server:
        site = Site(server, "", tmp_path)
        login = {"username": "admin", "password": ADMIN_PASSWORD}
        site.admin_token = site.api("POST", "/api/v1/auth/login", login, token="")["token"]
        token = site.api(
            "POST", f"/api/v1/offices/{OFFICE}/devices", {"kind": "display", "name": "TV 2"}
        )["token"]
        page = open_display(browser, site, token, FULL_HD, contexts)
        image = page.locator("#media img")
        image.wait_for()
        page.wait_for_function("() => document.querySelector('#media img').naturalWidth === 1280")
        page.screenshot(animations="disabled", path=str(shots / "layar-media.png"))


def test_a_new_screen_pairs_by_its_code(
    browser: Any, site: Site, shots: Path, contexts: list[Any]
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{site.url}/display/pair")
    code_box = page.locator("#pair-code")
    code_box.filter(has_text=re.compile(r"^[0-9]{3} [0-9]{3}$")).wait_for()
    assert_accessible(page, "pairing page")
    page.screenshot(animations="disabled", path=str(shots / "pasang-layar-kode.png"))
    code = code_box.inner_text().replace(" ", "")
    site.api("POST", f"/api/v1/offices/{OFFICE}/devices/claim", {"code": code, "name": "TV 2"})
    page.wait_for_url(f"{site.url}/display", timeout=10000)  # it carries on by itself
    page.locator("#latest-counter").wait_for(state="attached")
