"""The kiosk's pages and calls, and the visitor's phone page, through the HTTP API."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
KIOSK_HEADERS = {"X-Requested-With": "antrean-kiosk"}


def _pair(client: TestClient, kind: str = "kiosk") -> str:
    token = device(client, kind, name=f"{kind} 1")["Authorization"].split()[1]
    client.cookies.clear()
    response = client.post(
        "/api/v1/devices/pair", json={"token": token, "kind": "kiosk"}, headers=KIOSK_HEADERS
    )
    assert response.status_code == 204, response.text
    return token


def test_an_unpaired_browser_goes_to_the_pairing_page(client: TestClient) -> None:
    response = client.get("/kiosk", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/kiosk/pair"
    page = client.get("/kiosk/pair")
    assert page.status_code == 200 and "Pasang kiosk" in page.text


def test_pairing_keeps_the_kiosk_token_in_an_http_only_cookie(client: TestClient) -> None:
    token = device(client, "kiosk")["Authorization"].split()[1]
    client.cookies.clear()
    refused = client.post("/api/v1/devices/pair", json={"token": token, "kind": "kiosk"})
    assert refused.status_code == 403  # a form on another site cannot pair a kiosk
    response = client.post(
        "/api/v1/devices/pair", json={"token": token, "kind": "kiosk"}, headers=KIOSK_HEADERS
    )
    assert response.status_code == 204
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = client.get("/kiosk")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text and "Ambil nomor antrean" in page.text
    for code in "ABCD":
        assert f'data-service="{code}"' in page.text
    english = client.get("/kiosk?lang=en")
    assert '<html lang="en">' in english.text and "Take a queue number" in english.text


def test_only_kiosk_tokens_pair(client: TestClient) -> None:
    display = device(client, "display")["Authorization"].split()[1]
    for token in (display, "not-a-token"):
        response = client.post(
            "/api/v1/devices/pair", json={"token": token, "kind": "kiosk"}, headers=KIOSK_HEADERS
        )
        assert response.status_code == 401
        assert response.json()["code"] == "wrong_device"
        assert "bukan token perangkat" in response.json()["messages"]["id"]


def test_menu_gives_the_refusal_in_both_languages(client: TestClient) -> None:
    _pair(client)
    admin = login(client, "admin", ADMIN_PASSWORD)
    client.patch(f"{OFFICE}/services/D", json={"daily_quota": 1}, headers=admin)
    client.post(f"{OFFICE}/tickets", json={"service": "D"}, headers=admin)
    client.cookies.clear()
    kiosk = device(client, "kiosk", name="k2")
    menu = {
        s["code"]: s
        for s in client.get(f"{OFFICE}/kiosk/services", headers=kiosk).json()["services"]
    }
    assert menu["A"]["refusal"] is None and menu["D"]["waiting"] == 1
    refusal = menu["D"]["refusal"]
    assert refusal["code"] == "quota_reached"
    assert "sudah habis" in refusal["text"]["id"] and "D" in refusal["text"]["en"]
    assert client.get(f"{OFFICE}/kiosk/services").status_code == 401


def test_the_kiosk_follows_its_own_print_jobs_only(client: TestClient) -> None:
    kiosk = device(client, "kiosk", name="k1")
    other = device(client, "kiosk", name="k2")
    display = device(client, "display", name="tv")
    ticket = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()
    url = f"{OFFICE}/tickets/{ticket['token']}/print"
    assert client.get(url, headers=kiosk).json() == {"status": "pending", "error": None}
    assert client.get(url, headers=other).status_code == 404  # not its ticket
    assert client.get(url, headers=display).status_code == 403
    client.cookies.clear()
    assert client.get(url).status_code == 401
    gave_up = client.post(f"{url}/give-up", headers=kiosk)
    assert gave_up.json() == {"status": "failed", "error": "timeout"}
    assert client.get(url, headers=kiosk).json()["status"] == "failed"
    # giving up twice changes nothing
    assert client.post(f"{url}/give-up", headers=kiosk).json()["status"] == "failed"


def test_phone_page_shows_only_the_visitors_own_ticket(client: TestClient) -> None:
    kiosk = device(client, "kiosk")
    other = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()
    mine = client.post(
        f"{OFFICE}/tickets",
        json={"service": "A", "phone": "081234567890", "notify_consent": True, "language": "en"},
        headers=kiosk,
    ).json()
    client.cookies.clear()
    page = client.get(f"/t/{mine['token']}")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text  # the language the visitor chose
    assert mine["number"] in page.text and "Documents to bring" in page.text
    assert other["number"] not in page.text and other["token"] not in page.text
    assert "0812" not in page.text and "7890" not in page.text  # not even their own phone
    assert "https://www.lapor.go.id" in page.text
    indonesian = client.get(f"/t/{mine['token']}?lang=id")
    assert "Nomor antrean Anda" in indonesian.text
    assert page.headers["cache-control"] == "no-store"


def test_phone_page_for_an_unknown_ticket_is_404_in_the_visitors_language(
    client: TestClient,
) -> None:
    response = client.get("/t/tidak-ada", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.status_code == 404
    assert "Queue number not found" in response.text


def test_qr_code_is_svg_of_the_tracking_url(client: TestClient) -> None:
    kiosk = device(client, "kiosk")
    ticket = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()
    client.cookies.clear()
    response = client.get(f"/t/{ticket['token']}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith("<?xml") or response.text.startswith("<svg")
    assert re.search(r"<path[^>]+d=\"M", response.text)
    assert client.get("/t/tidak-ada/qr.svg").status_code == 404


def test_pages_need_no_inline_script(client: TestClient) -> None:
    """Scripts come from files; page data rides in JSON blocks (ready for a strict CSP)."""
    _pair(client)
    kiosk = client.get("/kiosk").text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", kiosk, re.S)
    assert scripts
    for attributes, body in scripts:
        assert 'type="application/json"' in attributes or (
            body.strip() == "" and "src=" in attributes
        )
