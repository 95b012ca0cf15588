"""Setting an office up: its logo, the ticket preview, the voice test, the gateway test message
and renaming devices."""

from __future__ import annotations

import base64
import io
import logging
import wave
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from queue_server.api.app import create_app
from queue_server.clock import FrozenClock
from queue_server.config import Settings
from queue_server.services.printing import job_message
from queue_server.services.queue import QueueService
from queue_server.store.db import Database
from queue_server.store.tables import AuditRow, MessageRow, OfficeRow
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
LOGO = f"{OFFICE}/logo"


def picture(width: int, height: int, fmt: str = "PNG", mode: str = "RGBA") -> bytes:
    image = Image.new(mode, (width, height), (0, 0, 0, 0) if mode == "RGBA" else 0)
    for x in range(width // 4, 3 * width // 4):  # a black bar across the middle
        for y in range(height // 3, 2 * height // 3):
            image.putpixel((x, y), (0, 0, 0, 255) if mode == "RGBA" else 0)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def _put(client: TestClient, data: bytes, kind: str, headers: dict[str, str]) -> object:
    return client.put(LOGO, content=data, headers={**headers, "Content-Type": kind})


@pytest.fixture
def boss(client: TestClient) -> dict[str, str]:
    return login(client, "admin", ADMIN_PASSWORD)


def test_a_logo_is_checked_shrunk_stored_and_served(
    client: TestClient, boss: dict[str, str], database: Database
) -> None:
    assert client.get(LOGO, headers=boss).status_code == 404
    stored = _put(client, picture(1000, 400), "image/png", boss)
    assert stored.status_code == 200, stored.text  # type: ignore[attr-defined]
    assert stored.json()["has_logo"] is True  # type: ignore[attr-defined]
    served = client.get(LOGO, headers=login(client, "petugas1"))  # staff of the office
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(served.content)) as logo:
        assert logo.format == "PNG" and logo.size == (384, round(400 * 384 / 1000))
        assert logo.mode == "L"  # flattened on white, greyscale
        assert logo.getpixel((0, 0)) == 255 and logo.getpixel((192, 77)) == 0
    again = client.get(LOGO, headers={**boss, "If-None-Match": served.headers["etag"]})
    assert again.status_code == 304
    jpeg = _put(client, picture(200, 100, "JPEG", "L"), "image/jpeg", boss)
    assert jpeg.status_code == 200  # type: ignore[attr-defined]
    with database.read() as conn:
        kept = conn.execute(select(OfficeRow.__table__.c.logo)).scalar_one()  # type: ignore[attr-defined]
    assert Image.open(io.BytesIO(kept)).size == (200, 100)  # small enough: kept as large
    tall = _put(client, picture(100, 1000), "image/png", boss)
    assert tall.json()["has_logo"] is True  # type: ignore[attr-defined]
    with Image.open(io.BytesIO(client.get(LOGO, headers=boss).content)) as logo:
        assert logo.size == (38, 384)  # within 384 x 384, its proportions kept
    assert client.delete(LOGO, headers=boss).status_code == 204
    assert client.get(LOGO, headers=boss).status_code == 404
    assert client.get(OFFICE, headers=boss).json()["has_logo"] is False


@pytest.mark.parametrize(
    ("data", "kind", "status", "code"),
    [
        (b"GIF89a" + b"\x00" * 100, "image/png", 422, "invalid_image"),
        (picture(50, 50, "GIF", "L"), "image/png", 422, "invalid_image"),  # a GIF named PNG
        (picture(50, 50, "BMP", "L"), "image/jpeg", 422, "invalid_image"),
        (picture(300, 300)[:200], "image/png", 422, "invalid_image"),  # cut short
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "image/png", 422, "invalid_image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png", 422, "invalid_image"),
        (b"", "image/png", 422, "invalid_image"),
        (picture(50, 50), "image/gif", 415, "invalid_image"),
        (picture(50, 50), "application/octet-stream", 415, "invalid_image"),
        (b"\x89PNG" + b"\x00" * (256 * 1024), "image/png", 413, "logo_too_large"),
    ],
)
def test_what_is_not_a_small_png_or_jpeg_is_refused_and_nothing_stored(
    client: TestClient, boss: dict[str, str], data: bytes, kind: str, status: int, code: str
) -> None:
    refused = client.put(LOGO, content=data, headers={**boss, "Content-Type": kind})
    assert refused.status_code == status and refused.json()["code"] == code
    assert refused.json()["messages"]["en"]
    assert client.get(OFFICE, headers=boss).json()["has_logo"] is False


def test_a_picture_claiming_to_be_huge_is_refused(client: TestClient, boss: dict[str, str]) -> None:
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000), 1).save(bomb, format="PNG")  # tiny file, 400 megapixels
    assert len(bomb.getvalue()) < 256 * 1024
    refused = _put(client, bomb.getvalue(), "image/png", boss)
    assert refused.status_code == 422  # type: ignore[attr-defined]


def test_only_the_office_supervisors_and_admins_change_the_logo(client: TestClient) -> None:
    officer = login(client, "petugas1")
    assert _put(client, picture(10, 10), "image/png", officer).status_code == 403  # type: ignore[attr-defined]
    assert client.delete(LOGO, headers=officer).status_code == 403
    assert _put(client, picture(10, 10), "image/png", {}).status_code == 401  # type: ignore[attr-defined]


def test_print_jobs_carry_the_logo(
    client: TestClient, boss: dict[str, str], queue: QueueService, demo_office: int
) -> None:
    kiosk = device(client, "kiosk")
    taken = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()
    state = queue.read(demo_office)
    ticket = next(t for t in state.tickets.values() if t.number == taken["number"])
    now = queue.clock.now()
    without = job_message("j1", False, ticket, state, "http://x", now)
    assert "office_logo" not in without["job"]["ticket"]
    _put(client, picture(100, 40), "image/png", boss)
    state = queue.read(demo_office)
    ticket = state.tickets[ticket.id]
    sent = job_message("j1", False, ticket, state, "http://x", now)["job"]["ticket"]
    assert base64.b64decode(sent["office_logo"]) == client.get(LOGO, headers=boss).content
    # An agent from before the logo (protocol 1) would read it as a path and stop printing.
    old = job_message("j1", False, ticket, state, "http://x", now, protocol=1)["job"]["ticket"]
    assert "office_logo" not in old


@pytest.mark.parametrize("paper", ["58", "80"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_ticket_preview_is_a_png_as_wide_as_the_paper(
    client: TestClient, boss: dict[str, str], paper: str, lang: str
) -> None:
    client.patch(OFFICE, json={"number_digits": 4}, headers=boss)
    _put(client, picture(300, 100), "image/png", boss)
    got = client.get(f"{OFFICE}/ticket-preview.png?paper={paper}&lang={lang}", headers=boss)
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert got.headers["cache-control"] == "no-store"
    with Image.open(io.BytesIO(got.content)) as shown:
        assert shown.format == "PNG"
        assert shown.width == {"58": 384, "80": 576}[paper]
        assert shown.height > shown.width  # a receipt: long


def test_the_ticket_preview_follows_the_office(
    client: TestClient, boss: dict[str, str], queue: QueueService, demo_office: int
) -> None:
    from queue_server.api.routes.office_tools import sample_ticket

    client.patch(OFFICE, json={"number_digits": 4}, headers=boss)
    state = queue.read(demo_office)
    sample = sample_ticket(state, "http://antrean.test", "id", queue.clock.now())
    first = min((s for s in state.services.values() if s.active),
                key=lambda s: (s.sort_order, s.code))  # fmt: skip
    assert sample.number == f"{first.prefix}0015" and sample.ahead == 4
    assert sample.service_name == first.name_id
    assert tuple(sample.documents) == first.documents
    assert sample.tracking_url and sample.tracking_url.startswith("http://antrean.test/t/")
    for bad in ("paper=57", "lang=fr"):
        assert client.get(f"{OFFICE}/ticket-preview.png?{bad}", headers=boss).status_code == 422
    officer = login(client, "petugas1")
    assert client.get(f"{OFFICE}/ticket-preview.png", headers=officer).status_code == 403


@pytest.fixture
def toned(database: Database, clock: FrozenClock, demo_office: int) -> Iterator[TestClient]:
    settings = Settings(database_url=database.url, voice="tone", limit_notify_test="2/minute")
    app = create_app(settings, clock=clock, database=database, rollover_every=None)
    with TestClient(app) as client:
        yield client


def test_the_voice_test_speaks_with_the_office_settings(toned: TestClient) -> None:
    admin = login(toned, "admin", ADMIN_PASSWORD)
    url = f"{OFFICE}/voice-test.wav?number=A015&counter=3"
    got = toned.get(url, headers=admin)
    assert got.status_code == 200 and got.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(got.content)) as clip:
        alone = clip.getnframes()
        assert clip.getnchannels() == 1 and alone > 0
    toned.patch(OFFICE, json={"voice": {"english": True}}, headers=admin)  # also in English
    with wave.open(io.BytesIO(toned.get(url, headers=admin).content)) as clip:
        assert clip.getnframes() > alone
    lower = toned.get(f"{OFFICE}/voice-test.wav?number=b7&counter=9999", headers=admin)
    assert lower.status_code == 200
    for bad in ("number=015&counter=3", "number=ABC1&counter=3", "number=A01&counter=0",
                "number=A01&counter=10000", "number=A1234567&counter=1", "counter=1",
                "number=A%00&counter=1"):  # fmt: skip
        refused = toned.get(f"{OFFICE}/voice-test.wav?{bad}", headers=admin)
        assert refused.status_code == 422, bad
    assert toned.get(url, headers=login(toned, "petugas1")).status_code == 403


def test_a_test_message_goes_through_the_gateway_at_once(
    toned: TestClient, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    admin = login(toned, "admin", ADMIN_PASSWORD)
    url = f"{OFFICE}/notify/test"
    with caplog.at_level(logging.INFO, logger="antrean.messages"):
        sent = toned.post(url, json={"phone": "0812-9876-5432"}, headers=admin)
    assert sent.status_code == 200 and sent.json() == {"ok": True, "detail": ""}
    logged = [r.getMessage() for r in caplog.records if r.name == "antrean.messages"]
    assert len(logged) == 1 and "Pesan uji dari Antrean" in logged[0]
    assert "0812****5432" in logged[0] and "98765432" not in logged[0]
    with database.read() as conn:  # not through the outbox, and the number kept nowhere
        assert conn.execute(select(MessageRow.__table__)).all() == []  # type: ignore[attr-defined]
        audit = conn.execute(select(AuditRow.__table__)).all()  # type: ignore[attr-defined]
    assert audit and not any("9876" in str(tuple(row)) for row in audit)
    bad = toned.post(url, json={"phone": "12"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_phone"
    limited = toned.post(url, json={"phone": "081298765432"}, headers=admin)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_a_gateway_that_refuses_is_reported_without_its_secrets(toned: TestClient) -> None:
    admin = login(toned, "admin", ADMIN_PASSWORD)
    gateway = {"kind": "http", "url": "http://127.0.0.1:9/kirim", "timeout": 2,
               "headers": {"Authorization": "Bearer rahasia-sekali"}}  # fmt: skip
    changed = toned.patch(OFFICE, json={"notify": {"gateway": gateway}}, headers=admin)
    assert changed.status_code == 200, changed.text
    got = toned.post(f"{OFFICE}/notify/test", json={"phone": "081298765432"}, headers=admin)
    assert got.status_code == 200
    assert got.json()["ok"] is False and got.json()["detail"].startswith("unreachable")
    assert "rahasia" not in got.text
    officer = login(toned, "petugas1")
    refused = toned.post(f"{OFFICE}/notify/test", json={"phone": "081298765432"}, headers=officer)
    assert refused.status_code == 403


def test_devices_are_renamed_within_their_office(client: TestClient, boss: dict[str, str]) -> None:
    made = client.post(f"{OFFICE}/devices", json={"kind": "kiosk", "name": "kios"}, headers=boss)
    device_id = made.json()["id"]
    renamed = client.patch(f"{OFFICE}/devices/{device_id}", json={"name": "Kios pintu timur"},
                           headers=boss)  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Kios pintu timur" and renamed.json()["kind"] == "kiosk"
    names = {d["id"]: d["name"] for d in client.get(f"{OFFICE}/devices", headers=boss).json()}
    assert names[device_id] == "Kios pintu timur"
    for bad in ({"name": ""}, {"name": "x" * 101}, {}, {"name": "a", "kind": "display"}):
        assert client.patch(f"{OFFICE}/devices/{device_id}", json=bad,
                            headers=boss).status_code == 422  # fmt: skip
    client.post("/api/v1/offices", json={"slug": "grati", "name": "Grati"}, headers=boss)
    elsewhere = client.patch(f"/api/v1/offices/grati/devices/{device_id}", json={"name": "x"},
                             headers=boss)  # fmt: skip
    assert elsewhere.status_code == 404
    assert client.patch(f"{OFFICE}/devices/999999", json={"name": "x"},
                        headers=boss).status_code == 404  # fmt: skip
    officer = login(client, "petugas1")
    assert client.patch(f"{OFFICE}/devices/{device_id}", json={"name": "x"},
                        headers=officer).status_code == 403  # fmt: skip
