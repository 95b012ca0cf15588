"""Text-message delivery throughput, and what notifications cost an officer's call.

One `antrean serve` (SQLite) sends through a generic HTTP gateway played by this process (a
threaded localhost server answering 200). Steps:
1. take `2 x calls` tickets at the kiosk, every other one with a phone number and consent;
2. stop the server and put `messages` pending messages straight into its outbox (a backlog, as
   after the gateway was down for hours);
3. start it again: while the worker drains the backlog, an officer calls `calls` visitors one
   after another, alternately with and without notifications.
Reported: the backlog's drain rate at the gateway (messages/s), and the call latency median with
notifications over without (the same run, interleaved).

    python bench/notify_throughput.py [--messages 2000] [--calls 2000] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench.common import ROOT, machine, machine_markdown, write_section
from queue_server.notifications.outbox import messages
from queue_server.store.db import Database
from queue_server.testing import ServerProcess

SECTION = "notify_throughput"
OFFICE = "/api/v1/offices/winongan"
TARGET_RATIO = 1.10


class Gateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.received: list[tuple[float, str]] = []  # (time, kind)
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    server: Gateway
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.received.append((time.perf_counter(), str(body.get("kind"))))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: Any) -> None:
        pass


def _call(url: str, body: Any = None, token: str = "", method: str = "POST") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def run(backlog: int, calls: int) -> dict[str, Any]:
    gateway = Gateway()
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    env = {"ANTREAN_VOICE": "tone", "ANTREAN_NOTIFY_INTERVAL_SECONDS": "0.05"}
    with tempfile.TemporaryDirectory(prefix="antrean-bench-notify-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        server = ServerProcess(url, env=env).start()
        try:
            base = server.url + OFFICE
            login = server.url + "/api/v1/auth/login"
            admin = _call(login, {"username": "admin", "password": "kunci-kantor-1"})["token"]
            officer = _call(login, {"username": "petugas1", "password": "rahasia-demo-1"})["token"]
            gateway_url = f"http://127.0.0.1:{gateway.server_address[1]}/sms"
            body_template = {"to": "{to}", "text": "{text}", "kind": "{kind}"}
            notify = {"gateway": {"kind": "http", "url": gateway_url, "body": body_template}}
            _call(base, {"notify": notify}, admin, "PATCH")
            kiosk = _call(f"{base}/devices", {"kind": "kiosk", "name": "bench"}, admin)["token"]
            notified: dict[str, bool] = {}
            for i in range(2 * calls):
                body: dict[str, Any] = {"service": "C"}
                if i % 2 == 0:
                    body |= {"phone": f"0812{i:08d}", "notify_consent": True}
                ticket = _call(f"{base}/tickets", body, kiosk)
                notified[ticket["number"]] = i % 2 == 0
            _call(f"{base}/counters/1/open", None, officer)
            server.stop()

            database = Database(url)
            now = datetime.now(UTC)
            rows = [
                {
                    "id": uuid.uuid4().hex,
                    "office_id": 1,
                    "ticket_id": None,
                    "kind": "reply",
                    "dedupe_key": f"bench:{i}",
                    "phone": f"+62812{i:08d}",
                    "language": "id",
                    "body": "Pesan uji antrean",
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for i in range(backlog)
            ]
            with database.write() as conn:
                conn.execute(insert(messages), rows)
            database.dispose()

            server.start()
            latency: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(calls):
                start = time.perf_counter()
                called = _call(f"{base}/counters/1/call-next", None, officer)["ticket"]
                latency[notified[called["number"]]].append((time.perf_counter() - start) * 1000)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                with gateway.lock:
                    drained = sum(1 for _, kind in gateway.received if kind == "reply")
                if drained >= backlog:
                    break
                time.sleep(0.05)
        finally:
            server.stop()
            gateway.shutdown()
            gateway.server_close()
    replies = [t for t, kind in gateway.received if kind == "reply"]
    seconds = replies[-1] - replies[0] if len(replies) > 1 else float("nan")
    return {
        "backlog": backlog,
        "drained": len(replies),
        "rate": (len(replies) - 1) / seconds if seconds else float("nan"),
        "calls": calls,
        "with": statistics.median(latency[True]),
        "without": statistics.median(latency[False]),
        "n_with": len(latency[True]),
        "n_without": len(latency[False]),
        "called_sent": sum(1 for _, kind in gateway.received if kind == "called"),
    }


def report(r: dict[str, Any]) -> str:
    ratio = r["with"] / r["without"]
    verdict = "PASS" if ratio <= TARGET_RATIO and r["drained"] == r["backlog"] else "MISS"
    return f"""## Text messages: drain rate and the cost to a call (`bench/notify_throughput.py`)

`antrean serve` (SQLite, 1 worker) with a generic HTTP gateway played by a threaded localhost
server. A backlog of {r["backlog"]} pending messages is put in the outbox while the server is down;
on restart the worker drains it while an officer makes {r["calls"]} calls one after another,
alternately to tickets with notifications (each call queues a "called" message, in the same
transaction) and without.

| | value |
|---|---:|
| backlog drained at the gateway | {r["drained"]}/{r["backlog"]} |
| drain rate, first to last message | {r["rate"]:.0f} messages/s |
| call latency median, with notifications ({r["n_with"]} calls) | {r["with"]:.2f} ms |
| call latency median, without ({r["n_without"]} calls) | {r["without"]:.2f} ms |
| "called" messages delivered meanwhile | {r["called_sent"]} |

Median ratio with / without = **{ratio:.3f}** (target <= {TARGET_RATIO:.2f}): **{verdict}**.

{machine_markdown(machine(("sqlite",)))}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    text = report(run(args.messages, args.calls))
    print(text)
    if args.write:
        write_section(args.write if args.write.is_absolute() else ROOT / args.write, SECTION, text)
    sys.exit(0 if "PASS" in text else 1)


if __name__ == "__main__":
    main()
