"""The shipped nginx site (deploy/nginx/antrean.conf) in front of a real server.

nginx runs from a throwaway prefix on free ports (never /etc/nginx), with the site file as
shipped except its listen port and upstream address. Without nginx these tests skip on a
developer's machine but fail in CI (`CI` set), where `.ci/run` installs Debian's nginx.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from queue_server.testing import NginxProcess, ServerProcess, nginx_path
from tests.conftest import ADMIN_PASSWORD, DEMO_PASSWORD

pytestmark = pytest.mark.slow
OFFICE = "winongan"


def require_nginx() -> str:
    path = nginx_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is required in CI (.ci/run installs Debian's nginx)")
        pytest.skip("nginx not installed (apt-get install nginx)")
    return path


@dataclass
class Proxied:
    server: ServerProcess
    nginx: NginxProcess

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        source: str = "127.0.0.1",
    ) -> tuple[int, dict[str, str], bytes]:
        """One request through nginx, from `source` (any 127.x.y.z address is this machine)."""
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.nginx.port, timeout=30, source_address=(source, 0)
        )
        sent = {"Content-Type": "application/json", **(headers or {})}
        data = None if body is None else json.dumps(body).encode()
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            conn.close()

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, _headers, raw = self.request(method, path, body, headers)
        assert status in (200, 201), (status, raw[:300])
        return json.loads(raw) if raw else None


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    require_nginx()
    tmp = tmp_path_factory.mktemp("nginx")
    env = {
        "ANTREAN_VOICE": "tone",
        "ANTREAN_LIMIT_TICKETS_ADDRESS": "2/minute",  # phones: two tickets a minute per address
        "ANTREAN_FORWARDED_ALLOW_IPS": "127.0.0.1",  # only nginx's own address is believed
    }
    database = f"sqlite:///{tmp / 'antrean.db'}"
    with (
        ServerProcess(database, env=env, log_path=tmp / "server.log") as server,
        NginxProcess(f"127.0.0.1:{server.port}", tmp / "nginx") as nginx,
    ):
        yield Proxied(server, nginx)


def test_pages_and_static_files_come_through(proxied: Proxied) -> None:
    status, headers, body = proxied.request("GET", "/masuk")
    assert status == 200, body[:300]
    assert headers["content-type"].startswith("text/html")
    assert "content-encoding" not in headers  # pages carry CSRF tokens: never compressed
    status, headers, body = proxied.request(
        "GET", "/kiosk/static/kiosk.js", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers.get("content-encoding") == "gzip"
    assert b"function" in gzip.decompress(body) or b"=>" in gzip.decompress(body)
    assert "max-age=3600" in headers.get("cache-control", "")


def test_rate_limits_count_the_client_behind_nginx(proxied: Proxied) -> None:
    """A phone's tickets count against its own address, which nginx forwards and uvicorn
    believes from nginx alone: a forged X-Forwarded-For does not buy a fresh budget."""
    path = f"/api/v1/offices/{OFFICE}/tickets"
    phones = iter(f"08123400{n:04d}" for n in range(100))

    def body() -> dict[str, object]:  # a service phones may take tickets for; a phone each
        return {"service": "C", "phone": next(phones), "notify_consent": True}

    def take(source: str, forged: str | None = None) -> int:
        headers = {"X-Forwarded-For": forged} if forged else {}
        return proxied.request("POST", path, body(), headers, source=source)[0]

    assert take("127.0.0.2", forged="203.0.113.1") == 201
    assert take("127.0.0.2", forged="203.0.113.2") == 201
    status, headers, raw = proxied.request(
        "POST", path, body(), {"X-Forwarded-For": "203.0.113.3"}, source="127.0.0.2"
    )
    assert status == 429, raw[:200]
    assert int(headers["retry-after"]) >= 1
    assert take("127.0.0.3") == 201  # another phone: its own budget


def test_websocket_through_nginx_gets_its_snapshot_and_events(proxied: Proxied) -> None:
    admin = proxied.api(
        "POST", "/api/v1/auth/login", {"username": "admin", "password": ADMIN_PASSWORD}
    )
    display = proxied.api(
        "POST", f"/api/v1/offices/{OFFICE}/devices", {"kind": "display", "name": "lobi"},
        admin["token"],
    )  # fmt: skip
    kiosk = proxied.api(
        "POST", f"/api/v1/offices/{OFFICE}/devices", {"kind": "kiosk", "name": "kios"},
        admin["token"],
    )  # fmt: skip
    url = f"ws://127.0.0.1:{proxied.nginx.port}/ws/v1/offices/{OFFICE}?role=display"
    with connect(f"{url}&token={display['token']}", open_timeout=10) as ws:
        snapshot = json.loads(ws.recv(timeout=10))
        assert snapshot["type"] == "snapshot"
        ticket = proxied.api(
            "POST", f"/api/v1/offices/{OFFICE}/tickets", {"service": "A"}, kiosk["token"]
        )
        event = json.loads(ws.recv(timeout=10))
        assert event["type"] == "event"
        assert event["event"] == "ticket_issued"
        assert event["version"] == snapshot["version"] + 1
        assert ticket["number"].startswith("A")


def test_a_screen_signed_in_by_cookie_passes_the_origin_check(proxied: Proxied) -> None:
    """nginx passes the Host with its port, so a page's own Origin matches it."""
    login = {"username": "petugas1", "password": DEMO_PASSWORD}
    token = proxied.api("POST", "/api/v1/auth/login", login)["token"]
    origin = proxied.nginx.url
    url = f"ws://127.0.0.1:{proxied.nginx.port}/ws/v1/offices/{OFFICE}?role=counter"
    with connect(
        url, origin=origin, additional_headers={"Cookie": f"antrean_session={token}"},
        open_timeout=10,
    ) as ws:  # fmt: skip
        assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"


def test_the_site_file_keeps_its_markers() -> None:
    """The tests and bench/regency_load.py replace these two lines; keep them."""
    site = (Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "antrean.conf").read_text()
    assert "listen 80;" in site
    assert "server 127.0.0.1:8000;" in site
