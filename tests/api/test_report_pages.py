"""Report pages and exports: supervisors only, the same figures in HTML, CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from queue_server.clock import FrozenClock
from tests.conftest import ADMIN_PASSWORD, login

OFFICE = "/api/v1/offices/winongan"


def _day(client: TestClient, clock: FrozenClock) -> None:
    officer = login(client, "petugas1")
    client.post(f"{OFFICE}/counters/1/open", headers=officer)
    for service in "AAC":
        client.post(f"{OFFICE}/tickets", json={"service": service}, headers=officer)
    for minutes in (5, 20):
        clock.at += timedelta(minutes=minutes)
        called = client.post(f"{OFFICE}/counters/1/call-next", headers=officer).json()["ticket"]
        clock.at += timedelta(minutes=10)
        client.post(f"{OFFICE}/tickets/{called['token']}/finish", headers=officer)


def _as_supervisor(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    body = {
        "username": "kasi",
        "password": "pelayanan-prima-7",
        "role": "supervisor",
        "office": "winongan",
    }
    client.post("/api/v1/users", json=body, headers=admin)
    token = login(client, "kasi", "pelayanan-prima-7")["Authorization"].split()[1]
    client.cookies.set("antrean_session", token)


def test_reports_for_supervisors_in_html_csv_and_xlsx(
    client: TestClient, clock: FrozenClock
) -> None:
    _day(client, clock)
    officer = login(client, "petugas1")["Authorization"].split()[1]
    client.cookies.set("antrean_session", officer)
    assert client.get("/laporan", follow_redirects=False).status_code == 303  # officers: no
    _as_supervisor(client)
    page = client.get("/laporan?by=service&start=2026-11-01&end=2026-11-30")
    assert page.status_code == 200 and "Jam sibuk" in page.text
    table = client.get("/laporan.csv?by=service&start=2026-11-01&end=2026-11-30")
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0][:3] == ["Layanan", "Datang", "Dilayani"]
    assert rows[1][:3] == ["A", "2", "2"] and rows[2][:3] == ["C", "1", "0"]
    assert rows[-1][:3] == ["Jumlah", "3", "2"]
    assert rows[-1][8] == "20.0"  # average wait of the two called: 5 and 35 minutes
    english = client.get("/laporan.csv?by=service&start=2026-11-01&end=2026-11-30&lang=en")
    assert english.text.startswith("Service,Arrived,Served")
    book = client.get("/laporan.xlsx?by=weekday&start=2026-11-01&end=2026-11-30")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet.cell(1, 1).value == "Hari dalam minggu" and sheet.cell(2, 1).value == "Senin"
    assert sheet.cell(2, 2).value == 3.0
    names = load_workbook(io.BytesIO(book.content)).sheetnames
    assert names == ["Laporan", "Gangguan layanan", "Konsultasi"]  # the page's other tables
    consult = load_workbook(io.BytesIO(book.content))["Konsultasi"]
    assert consult.cell(1, 1).value == "Petugas (penjawab pertama)"
    assert consult.cell(2, 1).value == "Jumlah"  # no conversations yet: the total alone
    closing = client.get("/laporan/harian?day=2026-11-23")
    assert closing.status_code == 200 and "Per loket" in closing.text and "Loket 1" in closing.text


def test_staffing_advice_page(client: TestClient, clock: FrozenClock) -> None:
    _day(client, clock)
    _as_supervisor(client)
    page = client.get("/laporan/kebutuhan-loket?start=2026-11-23&end=2026-11-23")
    assert page.status_code == 200
    advice = page.text.split('<ul class="advice">')[1].split("</ul>")[0]
    assert "Senin 09:00-10:00: buka 2 loket" in advice, advice  # 3 arrivals, ~10 min each
    english = client.get("/laporan/kebutuhan-loket?start=2026-11-23&end=2026-11-23&lang=en")
    assert "Monday 09:00-10:00: open 2 counters" in english.text
