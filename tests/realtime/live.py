"""A test client for the live protocol: the Python twin of antrean-live.js's applyMessage."""

from __future__ import annotations

import copy
from typing import Any

from starlette.testclient import WebSocketTestSession

from queue_server.realtime import schemas

ENDED = {"done", "no_show", "cancelled", "expired"}
KEEP_CALLS = 10


def apply_message(state: dict[str, Any] | None, message: dict[str, Any]) -> dict[str, Any]:
    """Apply one server message to a screen's state (see docs/realtime.md)."""
    if message["type"] == "snapshot":
        return {k: v for k, v in message.items() if k != "type"}
    assert state is not None
    assert message["version"] == state["version"] + 1, (state["version"], message)
    new = copy.deepcopy(state)
    new["version"] = message["version"]
    for service in message.get("services", ()):
        for mine in new["services"]:
            if mine["code"] == service["code"]:
                mine["waiting"] = service["waiting"]
    for counter in message.get("counters", ()):
        new["counters"] = [
            counter if c["number"] == counter["number"] else c for c in new["counters"]
        ]
    if "call" in message:
        new["recent_calls"] = [message["call"], *new["recent_calls"]][:KEEP_CALLS]
    if "ticket" in message:
        if "tickets" in new:
            ticket = message["ticket"]
            rest = [t for t in new["tickets"] if t["id"] != ticket["id"]]
            new["tickets"] = rest if ticket["status"] in ENDED else [*rest, ticket]
        elif "ticket" in new:
            new["ticket"] = message["ticket"]
    return new


def normalise(state: dict[str, Any]) -> dict[str, Any]:
    """Compare states regardless of the order staff tickets arrived in."""
    result = copy.deepcopy(state)
    if "tickets" in result:
        result["tickets"] = sorted(result["tickets"], key=lambda t: t["id"])
    return result


def receive(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next protocol message (checked against its schema), skipping heartbeats."""
    while True:
        message: dict[str, Any] = ws.receive_json()
        schemas.validate(message)
        if message["type"] not in ("ping", "pong"):
            return message


def follow(
    ws: WebSocketTestSession, state: dict[str, Any], until: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Apply messages until the state reaches version `until`; return it and the messages."""
    seen = []
    while state["version"] < until:
        message = receive(ws)
        seen.append(message)
        state = apply_message(state, message)
    return state, seen


class ReconnectingClient:
    """A screen over a real socket, reconnecting like antrean-live.js (backoff capped at 2 s,
    `since=` on reconnect, resync on a gap). Runs in a thread; `state` is what it shows."""

    def __init__(self, url: str) -> None:
        import threading

        self.url = url
        self.state: dict[str, Any] | None = None
        self.versions: list[int] = []
        self.connects = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ReconnectingClient:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        import json
        import random

        from websockets.sync.client import connect

        backoff = 0.1
        while not self._stop.is_set():
            url = self.url
            if self.state is not None:
                url = f"{url}&since={self.state['version']}"
            try:
                with connect(url, open_timeout=2, close_timeout=1) as ws:
                    self.connects += 1
                    backoff = 0.1
                    while not self._stop.is_set():
                        try:
                            message = json.loads(ws.recv(timeout=0.5))
                        except TimeoutError:
                            continue
                        schemas.validate(message)
                        if message["type"] == "ping":
                            ws.send(json.dumps({"type": "pong"}))
                            continue
                        if message["type"] == "pong":
                            continue
                        if message["type"] == "event" and (
                            self.state is None or message["version"] != self.state["version"] + 1
                        ):
                            ws.send(json.dumps({"type": "resync"}))
                            continue
                        self.state = apply_message(self.state, message)
                        self.versions.append(self.state["version"])
            except Exception:
                self._stop.wait(random.uniform(0, backoff))
                backoff = min(backoff * 2, 2.0)

    def wait_for(self, check: Any, timeout: float = 5.0) -> bool:
        """Wait until `check(state)` holds; return whether it did in time."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state
            if state is not None and check(state):
                return True
            time.sleep(0.05)
        return False
