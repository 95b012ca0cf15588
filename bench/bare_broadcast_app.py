"""The floor for pushing one call to every screen: the least any design pays on this stack.

A minimal FastAPI app with the same connection model as Antrean's hub: each websocket gets its
own bounded `asyncio.Queue` and one writer task, and a read loop that notices the close.
`POST /call` builds one event message shaped like Antrean's `ticket_called` (a call, the
counter's new face and the service's waiting count), json-dumps it once and enqueues the same
text to every connection. No auth, no database, no audiences, no versions to check.
(`POST /call?events=2` sends a `ticket_finished`-shaped message first, as a diagnostic.)

Serve with `uvicorn bench.bare_broadcast_app:app --ws-per-message-deflate false` (compression
off, as Antrean serves by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

QUEUE_SIZE = 256  # as Antrean's hub

app = FastAPI(title="bare broadcast")
connections: set[asyncio.Queue[str]] = set()
state = {"version": 0, "seq": 0}


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


@app.get("/healthz")
async def healthz() -> dict[str, Any]:
    return {"status": "ok", "connections": len(connections)}


@app.websocket("/ws")
async def follow(websocket: WebSocket) -> None:
    await websocket.accept()
    queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
    connections.add(queue)
    queue.put_nowait(dumps({"type": "snapshot", "version": state["version"], "recent_calls": []}))

    async def write() -> None:
        while True:
            text = await queue.get()
            await websocket.send_text(text)

    writer = asyncio.create_task(write())
    try:
        while True:
            message = await websocket.receive_text()
            if '"ping"' in message:
                queue.put_nowait(dumps({"type": "pong"}))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        connections.discard(queue)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer


def _broadcast(text: str) -> None:
    for queue in list(connections):
        with contextlib.suppress(asyncio.QueueFull):  # a stuck client only misses this one
            queue.put_nowait(text)


@app.post("/call")
async def call(events: int = 1) -> dict[str, Any]:
    """Broadcast one `ticket_called`; with `events=2` first a `ticket_finished` as its own
    message, as Antrean's call-next does when it finishes the visitor being served."""
    state["seq"] += 1
    now = datetime.now(UTC).isoformat()
    number = f"A{state['seq']:03d}"
    if events > 1:
        state["version"] += 1
        _broadcast(
            dumps(
                {
                    "type": "event",
                    "version": state["version"],
                    "at": now,
                    "services": [{"code": "A", "waiting": 1000 - state["seq"] + 1}],
                    "counters": [
                        {
                            "number": 1,
                            "name": "Loket 1",
                            "state": "open",
                            "services": ["A", "C"],
                            "serving": None,
                        }
                    ],
                    "event": "ticket_finished",
                }
            )
        )
    state["version"] += 1
    text = dumps(
        {
            "type": "event",
            "version": state["version"],
            "at": now,
            "services": [{"code": "A", "waiting": 1000 - state["seq"]}],
            "counters": [
                {
                    "number": 1,
                    "name": "Loket 1",
                    "state": "open",
                    "services": ["A", "C"],
                    "serving": {"number": number, "service": "A", "status": "called"},
                }
            ],
            "call": {"number": number, "service": "A", "counter": 1, "at": now},
            "event": "ticket_called",
        }
    )
    _broadcast(text)
    return {"ticket": {"number": number}, "version": state["version"], "sent": len(connections)}
