"""`/ambil/{office}`, take a number from home: what the page says before anyone types."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from queue_server.consent import wording
from queue_server.domain.model import Channel
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"


def config(html: str) -> Any:
    found = re.search(r'<script type="application/json" id="remote-config">(.*?)</script>', html)
    assert found is not None
    return json.loads(found.group(1))


def test_the_page_lists_remote_services_with_their_line_and_the_rest_as_in_person(
    client: TestClient,
) -> None:
    kiosk = device(client, "kiosk")
    for _ in range(3):
        client.post(f"{OFFICE}/tickets", json={"service": "C"}, headers=kiosk)
    page = client.get("/ambil/winongan")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert '<html lang="id">' in html and "Ambil nomor dari rumah" in html
    assert "Kantor Kecamatan Winongan" in html and "Buka sekarang" in html
    assert 'name="service" value="C"' in html and 'name="service" value="D"' in html
    assert 'value="A"' not in html and 'value="B"' not in html  # not choosable ...
    assert "Hanya di kantor" in html and "Administrasi Kependudukan" in html  # ... but named
    assert "3 orang menunggu" in html and "Perkiraan menunggu" in html
    assert "Surat pengantar RT/RW" in html and "Gratis" in html  # documents and fee
    assert 'type="tel"' in html and wording(Channel.WEB, "id") in html
    assert 'name="priority' not in html  # the priority lane is given at the office
    assert "<script>" not in html and config(html) == {
        "office": "winongan", "lang": "id", "nik": False, "text": config(html)["text"],
    }  # fmt: skip


def test_english_and_an_unknown_office(client: TestClient) -> None:
    page = client.get("/ambil/winongan?lang=en")
    assert '<html lang="en">' in page.text and "Take a number from home" in page.text
    assert wording(Channel.WEB, "en") in page.text and "Only at the office" in page.text
    assert 'href="/ambil/winongan?lang=id"' in page.text
    missing = client.get("/ambil/nowhere")
    assert missing.status_code == 404 and "Kantor tidak ditemukan." in missing.text


def test_closed_office_and_full_quota_say_when_to_come_back(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    client.patch(f"{OFFICE}/services/D", json={"daily_quota": 1}, headers=admin)
    kiosk = device(client, "kiosk")
    client.post(f"{OFFICE}/tickets", json={"service": "D"}, headers=kiosk)
    html = client.get("/ambil/winongan?lang=en").text
    assert "quota for the D service" in html.lower() or "(1 queue number" in html
    assert "Numbers can be taken again tomorrow at 00:00." in html  # the demo is open all day
    assert 'value="D" disabled' in html and 'value="C" checked' in html  # the one left, chosen

    hours = {str(day): {"opens": "10:00", "closes": "14:00"} for day in range(5)}  # Mon-Fri
    client.patch(OFFICE, json={"hours": hours}, headers=admin)  # it is 09:00 on a Monday
    html = client.get("/ambil/winongan").text
    assert "Tutup sekarang. Buka lagi hari ini pukul 10:00." in html
    assert "Jam layanan hari ini: 10:00–14:00" in html
    assert 'id="take-form"' in html and 'id="phone"' not in html  # nothing to take now
    assert "Saat ini tidak ada layanan yang bisa diambil dari rumah." in html


def test_the_nik_is_asked_where_the_office_caps_tickets_per_person(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    client.patch(OFFICE, json={"policy": {"person_daily_cap": 2}}, headers=admin)
    html = client.get("/ambil/winongan").text
    assert 'id="nik"' in html and config(html)["nik"] is True
