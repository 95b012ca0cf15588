"""Against a real HTTP SMS gateway on localhost that fails its first three requests, with the
Antrean server restarted between attempts: every message arrives exactly once."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from queue_server.testing import ServerProcess
from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.slow
OFFICE = "/api/v1/offices/winongan"


class Gateway(ThreadingHTTPServer):
    def __init__(self, fail_first: int) -> None:
        self.fail_first = fail_first
        self.requests = 0
        self.delivered: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.requests += 1
            failing = self.server.requests <= self.server.fail_first
            if not failing:
                self.server.delivered.append({**body, "key": self.headers["Idempotency-Key"]})
        self.send_response(503 if failing else 200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: Any) -> None:
        pass


def _call(server: ServerProcess, method: str, path: str, body: Any, token: str) -> Any:
    request = urllib.request.Request(
        server.url + path, json.dumps(body).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}, method=method,
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def test_every_message_arrives_exactly_once_through_failures_and_restarts(tmp_path: Path) -> None:
    gateway = Gateway(fail_first=3)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    env = {"ANTREAN_NOTIFY_BACKOFF_SECONDS": "0.3", "ANTREAN_NOTIFY_INTERVAL_SECONDS": "0.1",
           "ANTREAN_VOICE": "tone"}  # fmt: skip
    server = ServerProcess(f"sqlite:///{tmp_path / 'a.db'}", env=env).start()
    try:
        login = {"username": "admin", "password": ADMIN_PASSWORD}
        admin = _call(server, "POST", "/api/v1/auth/login", login, "")["token"]
        url = f"http://127.0.0.1:{gateway.server_address[1]}/sms"
        notify = {"gateway": {"kind": "http", "url": url}, "max_attempts": 20}
        _call(server, "PATCH", OFFICE, {"notify": notify}, admin)
        numbers = []
        for i in range(3):
            body = {"service": "A", "phone": f"08123456789{i}", "notify_consent": True}
            numbers.append(_call(server, "POST", f"{OFFICE}/tickets", body, admin)["number"])
        for _ in range(2):  # restart while the gateway is still failing
            deadline = time.monotonic() + 20
            seen = gateway.requests
            while gateway.requests == seen and time.monotonic() < deadline:
                time.sleep(0.02)
            server.stop()
            server.start()
        deadline = time.monotonic() + 60
        while len(gateway.delivered) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)  # anything sent twice would arrive now
        admin = _call(server, "POST", "/api/v1/auth/login", login, "")["token"]
        request = urllib.request.Request(
            f"{server.url}{OFFICE}/messages", headers={"Authorization": f"Bearer {admin}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            listed = json.load(response)
    finally:
        server.stop()
        gateway.shutdown()
        gateway.server_close()
    assert gateway.requests >= 3 + 3  # three failures, then each message
    ids = Counter(d["id"] for d in gateway.delivered)
    assert sorted(ids.values()) == [1, 1, 1], ids  # each exactly once
    assert all(d["key"] == d["id"] for d in gateway.delivered)  # a stable id, also as the key
    assert sorted(n for d in gateway.delivered for n in numbers if n in d["message"]) == sorted(
        numbers
    )
    assert {m["status"] for m in listed} >= {"sent"}
    assert all(m["phone"].startswith("0812") and "*" in m["phone"] for m in listed)
