"""The print agent against a running server: every ticket printed once across a clean stop,
at most one duplicate (marked as a reprint) when killed between printing and confirming."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from queue_server.testing import ServerProcess
from tests.conftest import ADMIN_PASSWORD
from tests.printer.escpos_decoder import decode

pytestmark = pytest.mark.slow
OFFICE = "/api/v1/offices/winongan"
NUMBER = re.compile(r"^[A-Z]{1,2}\d{3,}$")


def _post(server: ServerProcess, path: str, body: Any, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        server.url + path, json.dumps(body).encode(), headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _printed(spool: Path) -> list[tuple[str, bool]]:
    """(number, marked as reprint) for every ticket file in the spool."""
    found = []
    for path in sorted(spool.glob("*.escpos")):
        texts = decode(path.read_bytes()).texts
        number = next(t.strip() for t in texts if NUMBER.match(t.strip()))
        found.append((number, any("CETAK ULANG" in t for t in texts)))
    return found


def _wait(spool: Path, count: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list(spool.glob("*.escpos"))) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"only {len(list(spool.glob('*.escpos')))} of {count} tickets printed")


def test_agent_prints_once_across_sigterm_and_flags_the_sigkill_duplicate(tmp_path: Path) -> None:
    with ServerProcess(f"sqlite:///{tmp_path / 'server.db'}") as server:
        admin = _post(
            server, "/api/v1/auth/login", {"username": "admin", "password": ADMIN_PASSWORD}
        )
        kiosk = _post(
            server, f"{OFFICE}/devices", {"kind": "kiosk", "name": "Kiosk 1"}, admin["token"]
        )
        pairing = {"kind": "agent", "name": "Printer 1", "kiosk": kiosk["id"]}
        agent_device = _post(server, f"{OFFICE}/devices", pairing, admin["token"])
        spool, journal = tmp_path / "spool", tmp_path / "journal.jsonl"

        def start_agent() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "printer.agent", "--server", server.url,
                 "--token", agent_device["token"], "--printer", f"dir:{spool}",
                 "--journal", str(journal)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip

        def take(n: int) -> list[str]:
            return [
                _post(server, f"{OFFICE}/tickets", {"service": "ABCD"[i % 4]}, kiosk["token"])[
                    "number"
                ]
                for i in range(n)
            ]

        agent = start_agent()
        try:
            first = take(100)
            _wait(spool, 40)
            agent.send_signal(signal.SIGTERM)
            assert agent.wait(timeout=20) == 0
            agent = start_agent()
            _wait(spool, 100)
            time.sleep(1)  # anything extra would show up now
            printed = _printed(spool)
            assert sorted(n for n, _ in printed) == sorted(first)  # each exactly once
            assert not any(reprint for _, reprint in printed)

            second = take(100)
            _wait(spool, 130)
            agent.kill()  # SIGKILL: maybe between printing and writing it down
            agent.wait(timeout=10)
            agent = start_agent()
            deadline = time.monotonic() + 90
            while {n for n, _ in _printed(spool)} < set(first) | set(second):
                assert time.monotonic() < deadline, "not every ticket was printed after SIGKILL"
                time.sleep(0.1)
            time.sleep(1)
            copies = Counter(n for n, _ in _printed(spool))
            duplicates = [n for n, c in copies.items() if c > 1]
            assert len(duplicates) <= 1 and all(copies[n] == 2 for n in duplicates)
            for number in duplicates:  # the second copy says so
                assert any(reprint for n, reprint in _printed(spool) if n == number)
        finally:
            agent.terminate()
            agent.wait(timeout=20)
