"""A test client for the live protocol: the Python twin of antrean-live.js's applyMessage."""

from __future__ import annotations

import copy
from typing import Any

from starlette.testclient import WebSocketTestSession

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
    """The next protocol message, skipping heartbeats."""
    while True:
        message: dict[str, Any] = ws.receive_json()
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
