"""The consultation desk through the chat webhooks and the staff API: a question opens a
conversation acknowledged once with its due time; officers reply through the outbox and the
first response is counted (the acknowledgement is not); files are checked from their bytes and
a refused one leaves nothing stored; documents are reviewed; retention erases it all."""

from __future__ import annotations

import base64
import io
import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from queue_server.api.routes import chat as chat_routes
from queue_server.clock import FrozenClock
from queue_server.notifications.media import MAX_BYTES, FileRefused, Incoming, media_type
from queue_server.notifications.outbox import messages
from queue_server.notifications.rules import is_gsm7
from queue_server.services import retention
from queue_server.services.consultation import attachments, conversations, log
from queue_server.services.queue import QueueService
from tests.conftest import ADMIN_PASSWORD, login

OFFICE = "/api/v1/offices/winongan"
SECRET = "rahasia-gateway-1"
VISITOR = "081298765432"
E164 = "+6281298765432"
ACK = (
    "Pesan Anda telah kami terima dan akan kami jawab paling lambat 24-11-2026 09:00 WIB. "
    "Nomor antrean: ketik ANTRE <kode> atau STATUS."
)


def png(size: int = 40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def desk(client: TestClient) -> TestClient:
    admin = login(client, "admin", ADMIN_PASSWORD)
    gateway = {"kind": "log", "inbound_secret": SECRET, "app_secret": "meta",
               "verify_token": "v"}  # fmt: skip
    answer = client.patch(OFFICE, json={"notify": {"gateway": gateway}}, headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["notify"]["consultation"] == {"target_hours": 24, "count": "calendar"}
    return client


def say(client: TestClient, text: str, sender: str = VISITOR, **extra: Any) -> Any:
    answer = client.post(f"{OFFICE}/chat/http", json={"from": sender, "text": text, **extra},
                         headers={"X-Antrean-Secret": SECRET})  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()


def send_file(client: TestClient, data: bytes, name: str, mime: str, text: str = "") -> Any:
    answer = client.post(
        f"{OFFICE}/chat/http",
        data={"from": VISITOR, "text": text},
        files={"file": (name, data, mime)},
        headers={"X-Antrean-Secret": SECRET},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def outgoing(queue: QueueService, kind: str | None = None) -> list[Any]:
    with queue.db.read() as conn:
        rows = conn.execute(
            select(messages).where(messages.c.phone == E164).order_by(messages.c.created_at)
        ).all()
    return [r for r in rows if kind is None or r.kind == kind]


def count(queue: QueueService, table: Any) -> int:
    with queue.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


def test_a_question_is_acknowledged_once_answered_and_counted(
    desk: TestClient, queue: QueueService, clock: FrozenClock
) -> None:
    assert say(desk, "Selamat pagi, syarat SKTM apa saja?") == {"ok": True, "replied": True}
    clock.advance(seconds=60)
    assert say(desk, "Saya juga mau tanya soal KK") == {"ok": True, "replied": False}
    (ack,) = outgoing(queue, "consult_ack")
    assert ack.body == ACK and is_gsm7(ack.body) and len(ack.body) <= 160
    assert say(desk, "STATUS")["replied"] is True  # commands still answered as before
    assert outgoing(queue, "reply")[-1].body == "Anda tidak punya nomor antrean aktif hari ini."

    officer = login(desk, "petugas1")
    inbox = desk.get(f"{OFFICE}/conversations", headers=officer).json()
    (item,) = inbox
    assert "****" in item["phone"] and E164 not in str(inbox)  # masked
    assert item["overdue"] is False and item["waiting"] is True
    assert item["seconds_left"] == 24 * 3600 - 60 and item["preview"].startswith("Saya juga")
    thread = desk.get(f"{OFFICE}/conversations/{item['id']}", headers=officer).json()
    assert [(m["direction"], m["kind"]) for m in thread["messages"]] == [
        ("in", "text"), ("out", "ack"), ("in", "text"),
    ]  # fmt: skip
    assert thread["first_response_at"] is None  # the acknowledgement is not a response

    blank = desk.post(f"{OFFICE}/conversations/{item['id']}/reply", json={"body": "   "},
                      headers=officer)  # fmt: skip
    assert blank.status_code == 422  # a blank reply is no response
    clock.advance(minutes=29)  # 30 minutes after the question
    answer = desk.post(f"{OFFICE}/conversations/{item['id']}/reply",
                       json={"body": "Syarat SKTM: KTP, KK, surat pengantar RT/RW."},
                       headers=officer)  # fmt: skip
    assert answer.status_code == 200, answer.text
    (sent,) = outgoing(queue, "consult")
    assert sent.id == answer.json()["message"] and sent.body.startswith("Syarat SKTM")
    thread = desk.get(f"{OFFICE}/conversations/{item['id']}", headers=officer).json()
    assert thread["first_responder"] == "petugas1" and thread["status"] == "answered"
    assert thread["assigned_to"] == "petugas1"

    kasi = login(desk, "admin", ADMIN_PASSWORD)
    figures = desk.get(f"{OFFICE}/consultation/figures", headers=kasi).json()
    assert figures["total"]["answered"] == 1 and figures["total"]["median_minutes"] == 30.0
    assert figures["total"]["within_target_pct"] == 100.0
    assert figures["per_day"] == {"2026-11-23": 1}
    assert figures["per_officer"]["petugas1"]["p90_minutes"] == 30.0
    assert desk.get(f"{OFFICE}/consultation/figures", headers=officer).status_code == 403

    # closed: the next message opens a new conversation with its own acknowledgement
    assert desk.post(f"{OFFICE}/conversations/{item['id']}/close", headers=officer).json()["ok"]
    refused = desk.post(f"{OFFICE}/conversations/{item['id']}/reply", json={"body": "x"},
                        headers=officer)  # fmt: skip
    assert refused.status_code == 409
    assert say(desk, "Terima kasih")["replied"] is True
    assert len(outgoing(queue, "consult_ack")) == 2
    assert len(desk.get(f"{OFFICE}/conversations", headers=officer).json()) == 1
    assert len(desk.get(f"{OFFICE}/conversations?closed=true", headers=officer).json()) == 2


def test_two_auto_responders_cannot_ping_pong(desk: TestClient, queue: QueueService,
                                              clock: FrozenClock) -> None:  # fmt: skip
    officer = login(desk, "petugas1")
    answered = []
    for _ in range(8):  # a robot that answers every acknowledgement, and staff who close it
        answered.append(say(desk, "Pesan otomatis: kami sedang tidak di tempat.")["replied"])
        answered.append(say(desk, "Pesan otomatis: kami sedang tidak di tempat.")["replied"])
        (open_one,) = desk.get(f"{OFFICE}/conversations", headers=officer).json()
        desk.post(f"{OFFICE}/conversations/{open_one['id']}/close", headers=officer)
    assert answered == [True, False] * 5 + [False, False] * 3
    assert count(queue, conversations) == 8  # every message is still kept for the officers
    clock.advance(hours=25)
    assert say(desk, "halo")["replied"] is True


def test_files_are_taken_by_their_bytes_and_served_to_the_office_staff_only(
    desk: TestClient, queue: QueueService, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = png()
    assert send_file(desk, photo, "ktp.jpg", "image/jpeg", "Ini KTP saya")["replied"] is True
    encoded = base64.b64encode(PDF).decode()
    say(desk, "", media={"base64": encoded, "filename": "kk.exe", "mime": "text/html"})

    class FakeGraph:
        def fetch(self, media_id: str) -> Incoming:
            assert media_id == "MEDIA123"
            return Incoming(png(20))

    monkeypatch.setattr(chat_routes, "media_source_for", lambda gateway: FakeGraph())
    payload = {"entry": [{"changes": [{"value": {"messages": [{
        "id": f"wamid.{uuid.uuid4().hex}", "from": "6281298765432", "type": "image",
        "image": {"id": "MEDIA123", "mime_type": "image/jpeg", "caption": "surat RT"},
    }]}}]}]}  # fmt: skip
    raw = json.dumps(payload).encode()
    import hashlib
    import hmac

    signature = "sha256=" + hmac.new(b"meta", raw, hashlib.sha256).hexdigest()
    answer = desk.post(f"{OFFICE}/chat/whatsapp", content=raw,
                       headers={"X-Hub-Signature-256": signature,
                                "Content-Type": "application/json"})  # fmt: skip
    assert answer.json() == {"ok": True, "handled": 1}

    officer = login(desk, "petugas1")
    (item,) = desk.get(f"{OFFICE}/conversations", headers=officer).json()
    assert item["attachments"] == 3
    thread = desk.get(f"{OFFICE}/conversations/{item['id']}", headers=officer).json()
    files = [m["attachment"] for m in thread["messages"] if m["attachment"]]
    assert [(f["media_type"], f["filename"]) for f in files] == [
        ("image/png", "ktp.png"), ("application/pdf", "kk.pdf"), ("image/png", "berkas.png"),
    ]  # fmt: skip
    got = desk.get(f"{OFFICE}/attachments/{files[0]['id']}", headers=officer)
    assert got.status_code == 200 and got.content == photo
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"] == 'attachment; filename="ktp.png"'
    assert got.headers["x-content-type-options"] == "nosniff"
    desk.cookies.clear()
    assert desk.get(f"{OFFICE}/attachments/{files[0]['id']}").status_code == 401
    kiosk_like = desk.get(f"{OFFICE}/attachments/999", headers=officer)
    assert kiosk_like.status_code == 404

    # a document reviewed as incomplete: the visitor learns it before travelling
    answer = desk.post(f"{OFFICE}/attachments/{files[1]['id']}/review",
                       json={"review": "incomplete", "note": "KK belum dilegalisir"},
                       headers=officer)  # fmt: skip
    assert answer.status_code == 200, answer.text
    (review,) = outgoing(queue, "consult")
    assert review.body == (
        "Dokumen kk.pdf belum lengkap: KK belum dilegalisir. Mohon lengkapi sebelum datang ke "
        "kantor."
    )
    thread = desk.get(f"{OFFICE}/conversations/{item['id']}", headers=officer).json()
    reviewed = [m["attachment"] for m in thread["messages"] if m["attachment"]][1]
    assert reviewed["review"] == "incomplete" and reviewed["reviewed_by"] == "petugas1"
    assert thread["first_responder"] == "petugas1"  # a review is a response too


@pytest.mark.parametrize(
    ("data", "name", "mime", "why"),
    [
        (b"<html><script>alert(1)</script></html>", "foto.jpg", "image/jpeg", "hanya foto"),
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "foto.jpg", "image/jpeg", "hanya foto"),
        (b"GIF89a" + b"\x00" * 100, "scan.pdf", "application/pdf", "hanya foto"),
        (png()[:40], "ktp.png", "image/png", "hanya foto"),  # cut short: does not verify
        (png() + b"\x00" * (MAX_BYTES + 1 - len(png())), "besar.png", "image/png", "5 MB"),
    ],
    ids=["html", "exe", "gif", "truncated", "oversized"],
)
def test_a_refused_file_leaves_nothing_stored(
    desk: TestClient, queue: QueueService, data: bytes, name: str, mime: str, why: str
) -> None:
    assert send_file(desk, data, name, mime, "dokumen saya")["replied"] is True
    (refusal,) = outgoing(queue, "reply")
    assert why in refusal.body and refusal.body.startswith("Berkas tidak kami terima")
    assert is_gsm7(refusal.body)
    for table in (conversations, log, attachments):
        assert count(queue, table) == 0


def test_oversized_base64_and_bad_base64(desk: TestClient, queue: QueueService) -> None:
    huge = base64.b64encode(b"\x00" * (MAX_BYTES + 10)).decode()
    assert say(desk, "", media={"base64": huge, "filename": "a.pdf"})["replied"] is True
    assert "5 MB" in outgoing(queue, "reply")[0].body
    bad = desk.post(f"{OFFICE}/chat/http", json={"from": VISITOR, "media": {"base64": "%%"}},
                    headers={"X-Antrean-Secret": SECRET})  # fmt: skip
    assert bad.status_code == 422
    assert count(queue, conversations) == count(queue, attachments) == 0


def test_media_type_reads_bytes() -> None:
    assert media_type(png()) == "image/png"
    assert media_type(PDF) == "application/pdf"
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="JPEG")
    assert media_type(out.getvalue()) == "image/jpeg"
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="WEBP")
    assert media_type(out.getvalue()) == "image/webp"
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="BMP")
    for refused in (out.getvalue(), b"", b"%PD"):
        with pytest.raises(FileRefused):
            media_type(refused)


def test_assign_saved_replies_and_working_hours_target(
    desk: TestClient, queue: QueueService
) -> None:
    admin = login(desk, "admin", ADMIN_PASSWORD)
    notify = {"gateway": {"kind": "log", "inbound_secret": SECRET},
              "consultation": {"target_hours": 8, "count": "working"}}  # fmt: skip
    hours = {str(d): {"opens": "08:00", "closes": "16:00"} for d in range(5)}
    answer = desk.patch(OFFICE, json={"notify": notify, "hours": hours}, headers=admin)
    assert answer.status_code == 200, answer.text
    say(desk, "Apakah bisa urus KK hari Sabtu?")
    officer = login(desk, "petugas1")
    (item,) = desk.get(f"{OFFICE}/conversations", headers=officer).json()
    # Monday 09:00 + 8 working hours (08:00-16:00): Tuesday 09:00
    assert item["seconds_left"] == 24 * 3600
    url = f"{OFFICE}/conversations/{item['id']}/assign"
    assert desk.post(url, json={"officer": "petugas2"}, headers=officer).status_code == 200
    assert desk.post(url, json={"officer": "admin"}, headers=officer).status_code == 200
    assert desk.post(url, json={"officer": "nobody"}, headers=officer).status_code == 422
    assert desk.post(url, json={"officer": None}, headers=officer).status_code == 200

    replies = desk.get(f"{OFFICE}/saved-replies", headers=officer).json()
    assert any(r["title"].startswith("Persyaratan ") and r["own"] is False for r in replies)
    made = desk.post(f"{OFFICE}/saved-replies", json={"title": "Salam", "body": "Terima kasih."},
                     headers=admin)  # fmt: skip
    assert made.status_code == 201
    assert desk.post(f"{OFFICE}/saved-replies", json={"title": "x", "body": "y"},
                     headers=officer).status_code == 403  # fmt: skip
    assert desk.get(f"{OFFICE}/saved-replies", headers=officer).json()[0]["title"] == "Salam"
    gone = desk.delete(f"{OFFICE}/saved-replies/{made.json()['id']}", headers=admin)
    assert gone.status_code == 200
    assert desk.delete(f"{OFFICE}/saved-replies/{made.json()['id']}",
                       headers=admin).status_code == 404  # fmt: skip


def test_retention_and_erase_requests_wipe_the_desk(
    desk: TestClient, queue: QueueService, clock: FrozenClock
) -> None:
    send_file(desk, png(), "ktp.png", "image/png", "KTP saya")
    say(desk, "Pertanyaan dari nomor lain", sender="081311112222")
    with queue.db.write() as conn:
        held = retention.held_for(conn, 1, E164)
        assert held["conversation_messages"][0]["body"] == "KTP saya"
        done = retention.erase_phone(conn, 1, E164)
    assert done.conversations == 1
    with queue.db.read() as conn:
        mine = conn.execute(select(conversations).where(conversations.c.phone == E164)).all()
        assert mine == []
        data = conn.execute(select(attachments.c.data, attachments.c.size)).all()
        assert data and all(d.data is None and d.size > 0 for d in data)  # counts kept, no bytes
        bodies = conn.execute(select(log.c.body, log.c.conversation_id)).all()
    other = {b.body for b in bodies if b.body}
    assert "KTP saya" not in other and "Pertanyaan dari nomor lain" in other
    clock.advance(days=400)
    with queue.db.write() as conn:
        assert retention.erase_older_than(conn, clock.now(), 365).conversations == 1
    with queue.db.read() as conn:
        assert {b for (b,) in conn.execute(select(log.c.body))} == {""}
        assert count(queue, conversations) == 2  # the figures' counts stay


def test_the_help_word_still_answers_with_help(desk: TestClient, queue: QueueService) -> None:
    assert say(desk, "BANTUAN")["replied"] is True
    assert outgoing(queue, "reply")[0].body.startswith("Ketik ANTRE <kode layanan>")
    assert count(queue, conversations) == 0
    assert say(desk, "")["replied"] is True  # nothing said: help, no conversation
    assert count(queue, conversations) == 0


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_acknowledgement_fits_one_plain_sms_with_a_real_due_time(lang: str) -> None:
    from queue_server.notifications.rules import SMS_LIMIT, Kind, NotifySettings, render

    text = render(Kind.CONSULT_ACK, lang, {"time": "24-11-2026 09:00 WITA"}, NotifySettings())
    assert is_gsm7(text) and len(text) <= SMS_LIMIT and "{" not in text


def test_a_whatsapp_file_that_cannot_be_fetched_is_asked_again(
    desk: TestClient, queue: QueueService, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib
    import hmac

    from queue_server.notifications.media import MediaError

    class Down:
        def fetch(self, media_id: str) -> Incoming:
            raise MediaError("graph down")

    monkeypatch.setattr(chat_routes, "media_source_for", lambda gateway: Down())
    payload = {"entry": [{"changes": [{"value": {"messages": [{
        "id": f"wamid.{uuid.uuid4().hex}", "from": "6281298765432", "type": "document",
        "document": {"id": "M1", "filename": "kk.pdf", "mime_type": "application/pdf"},
    }]}}]}]}  # fmt: skip
    raw = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(b"meta", raw, hashlib.sha256).hexdigest()
    answer = desk.post(f"{OFFICE}/chat/whatsapp", content=raw,
                       headers={"X-Hub-Signature-256": signature,
                                "Content-Type": "application/json"})  # fmt: skip
    assert answer.json() == {"ok": True, "handled": 1}
    (asked,) = outgoing(queue, "reply")
    assert asked.body == "Berkas Anda gagal kami ambil. Mohon kirim ulang."
    assert count(queue, conversations) == count(queue, attachments) == 0


def test_the_report_page_shows_the_desk_figures(desk: TestClient, clock: FrozenClock) -> None:
    say(desk, "Kapan KTP saya jadi?")
    officer = login(desk, "petugas1")
    (item,) = desk.get(f"{OFFICE}/conversations", headers=officer).json()
    clock.advance(minutes=45)
    desk.post(f"{OFFICE}/conversations/{item['id']}/reply", json={"body": "Besok siang."},
              headers=officer)  # fmt: skip
    token = login(desk, "admin", ADMIN_PASSWORD)["Authorization"][7:]
    desk.cookies.set("antrean_session", token)
    page = desk.get("/laporan", params={"office": "winongan"})
    desk.cookies.clear()
    assert page.status_code == 200
    text = page.text
    assert "Konsultasi: kecepatan menjawab" in text and "24 jam kalender" in text
    assert '<th scope="row">petugas1</th><td>1</td><td>45.0</td><td>45.0</td><td>100.0</td>' in text
    assert '<th scope="row">2026-11-23</th><td>1</td>' in text


def test_graph_media_looks_the_id_up_then_downloads_with_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from queue_server.notifications import media

    asked: list[tuple[str, str | None]] = []

    class Answer(io.BytesIO):
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *_args: object) -> None:
            self.close()

    def fake_urlopen(request: Any, timeout: float) -> Answer:
        asked.append((request.full_url, request.get_header("Authorization")))
        if request.full_url.endswith("/MEDIA1"):
            return Answer(json.dumps({"url": "https://lookaside.example/f/1"}).encode())
        return Answer(PDF)

    monkeypatch.setattr(media.urllib.request, "urlopen", fake_urlopen)
    source = media.media_source_for({"kind": "whatsapp", "token": "T0KEN"})
    assert source is not None and source.fetch("MEDIA1").data == PDF
    assert asked == [
        ("https://graph.facebook.com/v21.0/MEDIA1", "Bearer T0KEN"),
        ("https://lookaside.example/f/1", "Bearer T0KEN"),
    ]
    assert media.media_source_for({"kind": "http"}) is None
    with pytest.raises(media.MediaError):
        source.fetch("../etc")  # not a media id


def test_a_file_name_in_any_script_downloads_with_a_plain_name() -> None:
    from queue_server.notifications.media import safe_name

    assert safe_name("KTP-文件-ṡ.png", "image/png") == "KTP.png"
    assert safe_name("文件.pdf", "application/pdf") == "berkas.pdf"
    safe_name("x", "image/png").encode("latin-1")  # fits an HTTP header
