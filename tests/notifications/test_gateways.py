"""Each gateway against a real HTTP server on localhost (or a stand-in program for Gammu):
the request shapes providers expect."""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from queue_server.notifications.gateways import (
    AppriseGateway,
    GammuGateway,
    GatewayError,
    HttpGateway,
    LogGateway,
    Outgoing,
    WhatsAppCloudGateway,
    from_settings,
)

MESSAGE = Outgoing("abc123", "+6281234567890", "Nomor A001 dipanggil.", "called", "id")


class Recorder(ThreadingHTTPServer):
    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.status = 200
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Recorder

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append({
            "method": self.command, "path": self.path, "headers": dict(self.headers),
            "body": self.rfile.read(length).decode() if length else "",
        })  # fmt: skip
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = _record

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_http_json_with_headers_and_basic_auth(recorder: Recorder) -> None:
    gateway = HttpGateway(
        url=f"{recorder.url}/send", headers={"X-Api-Key": "kunci"}, username="u", password="p",
        body={"number": "{to_local}", "msg": "{text}", "ref": "{id}"},
    )  # fmt: skip
    gateway.send(MESSAGE)
    (seen,) = recorder.seen
    assert seen["method"] == "POST" and seen["path"] == "/send"
    assert json.loads(seen["body"]) == {
        "number": "081234567890",
        "msg": MESSAGE.text,
        "ref": "abc123",
    }
    assert (
        seen["headers"]["X-Api-Key"] == "kunci" and seen["headers"]["Idempotency-Key"] == "abc123"
    )
    assert seen["headers"]["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()


def test_http_form_and_get_shapes(recorder: Recorder) -> None:
    HttpGateway(url=f"{recorder.url}/form", form=True, body={"to": "{to}", "text": "{text}"}).send(
        MESSAGE
    )
    HttpGateway(url=recorder.url + "/get?phone={to}&message={text}", method="GET").send(MESSAGE)
    form, get = recorder.seen
    assert urllib.parse.parse_qs(form["body"]) == {"to": ["6281234567890"], "text": [MESSAGE.text]}
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(get["path"]).query)
    assert query == {"phone": ["6281234567890"], "message": [MESSAGE.text]}


def test_http_failures_are_gateway_errors(recorder: Recorder) -> None:
    recorder.status = 503
    with pytest.raises(GatewayError, match="HTTP 503"):
        HttpGateway(url=recorder.url).send(MESSAGE)
    with pytest.raises(GatewayError, match="unreachable"):
        HttpGateway(url="http://127.0.0.1:9/", timeout=2).send(MESSAGE)


def test_whatsapp_cloud_template_outside_the_window_text_for_replies(recorder: Recorder) -> None:
    gateway = WhatsAppCloudGateway(phone_number_id="1055", token="rahasia", template="antrean",
                                   api=f"{recorder.url}/v21.0")  # fmt: skip
    gateway.send(MESSAGE)
    gateway.send(Outgoing("r1", MESSAGE.phone, "Balasan", "reply", "id"))
    template, text = recorder.seen
    assert template["path"] == "/v21.0/1055/messages"
    assert template["headers"]["Authorization"] == "Bearer rahasia"
    body = json.loads(template["body"])
    assert body["type"] == "template" and body["to"] == "6281234567890"
    assert body["template"]["name"] == "antrean"
    assert body["template"]["components"][0]["parameters"][0]["text"] == MESSAGE.text
    assert json.loads(text["body"])["text"] == {"body": "Balasan"}


def test_apprise_url(recorder: Recorder) -> None:
    port = recorder.server_address[1]
    AppriseGateway(urls=[f"json://127.0.0.1:{port}/notify/{{to}}"]).send(MESSAGE)
    (seen,) = recorder.seen
    assert seen["path"] == "/notify/6281234567890"
    assert json.loads(seen["body"])["message"] == MESSAGE.text


def test_gammu_smsd_inject(tmp_path: Path) -> None:
    log = tmp_path / "inject.txt"
    fake = tmp_path / "gammu-smsd-inject"
    fake.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {log}\n")
    fake.chmod(0o755)
    GammuGateway(command=str(fake)).send(MESSAGE)
    assert log.read_text().splitlines() == [
        "TEXT", "+6281234567890", "-len", str(len(MESSAGE.text)), "-text", MESSAGE.text,
    ]  # fmt: skip
    with pytest.raises(GatewayError):
        GammuGateway(command=str(tmp_path / "tidak-ada")).send(MESSAGE)


def test_log_gateway_masks_the_phone(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="antrean.messages"):
        LogGateway().send(MESSAGE)
    assert "0812****7890" in caplog.text and "81234567890" not in caplog.text


def test_settings_choose_the_gateway() -> None:
    assert isinstance(from_settings({"kind": "log", "inbound_secret": "x"}), LogGateway)
    assert isinstance(from_settings({"kind": "http", "url": "http://x"}), HttpGateway)
    with pytest.raises(ValueError):
        from_settings({"kind": "merpati"})
    with pytest.raises(TypeError):
        from_settings({"kind": "http", "url": "http://x", "nope": 1})
