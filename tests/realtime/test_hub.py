"""The hub's own rules: one slow screen never stalls the others; silent screens are dropped."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect, WebSocketState

from queue_server.clock import FrozenClock
from queue_server.config import Settings
from queue_server.domain.events import EventType
from queue_server.domain.public import Change
from queue_server.realtime.hub import TOO_SLOW, Hub
from queue_server.realtime.messages import Audience
from queue_server.store.db import Database
from tests.conftest import device


class FakeSocket:
    """A screen: `stuck` ones never finish a send, like a TV on a dead Wi-Fi link."""

    def __init__(self, stuck: bool = False) -> None:
        self.stuck = stuck
        self.sent: list[dict[str, Any]] = []
        self.closed_with: int | None = None
        self.application_state = WebSocketState.CONNECTED
        self._incoming: asyncio.Queue[str] = asyncio.Queue()

    async def send_text(self, text: str) -> None:
        if self.stuck and self.sent:  # the snapshot went out, then the link froze
            await asyncio.Event().wait()
        self.sent.append(json.loads(text))

    async def receive_text(self) -> str:
        text = await self._incoming.get()
        if text == "__close__":
            raise WebSocketDisconnect(1000)
        return text

    async def close(self, code: int = 1000) -> None:
        self.closed_with = code
        self.application_state = WebSocketState.DISCONNECTED
        await self._incoming.put("__close__")


def _change(n: int) -> Change:
    return Change(EventType.TICKET_ISSUED, datetime.now(UTC), {"A": n}, (), None, None)


async def _snapshot(_conn: Any) -> dict[str, Any]:
    return {"type": "snapshot", "version": 0, "services": [{"code": "A", "waiting": 0}]}


def test_a_stuck_screen_is_dropped_and_the_others_keep_up() -> None:
    async def scenario() -> None:
        hub = Hub(queue_size=8, ping_interval=60, silence=120)
        hub.start()
        fine, stuck = FakeSocket(), FakeSocket(stuck=True)
        tasks = [
            asyncio.create_task(hub.serve(ws, 1, Audience("public"), None, _snapshot))  # type: ignore[arg-type]
            for ws in (fine, stuck)
        ]
        await asyncio.sleep(0.05)
        for version in range(1, 31):
            hub._publish(1, [(version, _change(version))], {})
            await asyncio.sleep(0)
        await asyncio.sleep(0.1)
        assert stuck.closed_with == TOO_SLOW
        assert [m["version"] for m in fine.sent] == list(range(31))  # snapshot + 30 events
        assert hub.connection_count() == 1
        await fine.close()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 2)
        await hub.stop()

    asyncio.run(scenario())


def test_silent_screens_are_pinged_then_dropped(
    database: Database, clock: FrozenClock, demo_office: int
) -> None:
    from queue_server.api.app import create_app

    settings = Settings(database_url=database.url, ws_ping_seconds=0.2, ws_silence_seconds=0.7)
    app = create_app(settings, clock=clock, database=database, rollover_every=None)
    with TestClient(app) as client:
        token = device(client, "display", "tv")["Authorization"].split()[1]
        url = f"/ws/v1/offices/winongan?role=display&token={token}"
        with client.websocket_connect(url) as ws:
            assert ws.receive_json()["type"] == "snapshot"
            seen = []
            try:
                while True:  # say nothing: pings come, then the server gives up on us
                    seen.append(ws.receive_json()["type"])
            except WebSocketDisconnect as closed:
                assert closed.code == 4000
            assert "ping" in seen
        with client.websocket_connect(url) as ws:  # a screen that answers stays
            ws.receive_json()
            for _ in range(6):
                message = ws.receive_json()
                assert message["type"] == "ping"
                ws.send_json({"type": "pong"})
