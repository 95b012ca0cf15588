"""Print agents' live connections: pending jobs go out as they appear, confirmations come back.

An agent is a device paired with one kiosk. On connecting it receives every job of that kiosk
still pending, then each new one; it answers `printed` or `failed` per job (the server answers
`ack`). A job stays pending until confirmed, so a job sent to an agent that died is sent again
when it reconnects; the agent's own journal keeps it from printing twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from queue_server.domain.events import EventType
from queue_server.domain.public import Change
from queue_server.domain.queue import OfficeQueue
from queue_server.services import alerts, printing

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Link:
    kiosk_id: int
    agent_id: int = 0
    websocket: WebSocket | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    sent: set[str] = field(default_factory=set)
    protocol: int = 1  # what the agent understands (printing.AGENT_PROTOCOL)


class PrintDispatcher:
    def __init__(self, alert: alerts.Send | None = None) -> None:
        self._links: dict[int, set[_Link]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.alert = alert  # tells staff screens when a printer fails

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    def on_changes(
        self, office_id: int, _state: OfficeQueue, changes: list[tuple[int, Change]]
    ) -> None:
        """QueueService listener: new tickets may mean new jobs for this office's agents."""
        links = self._links.get(office_id)
        loop = self._loop
        if not links or loop is None or loop.is_closed():
            return
        if any(c.type is EventType.TICKET_ISSUED for _, c in changes):
            for link in list(links):
                loop.call_soon_threadsafe(link.wake.set)

    def nudge(self, office_id: int) -> None:
        """A job was queued outside a ticket being issued (a reprint): tell the agents now."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for link in list(self._links.get(office_id, ())):
            loop.call_soon_threadsafe(link.wake.set)

    def connected(self) -> set[int]:
        """The print agents (device ids) connected to this worker now."""
        return {link.agent_id for links in list(self._links.values()) for link in list(links)}

    def revoke(self, device_ids: set[int]) -> None:
        """Disconnect revoked print agents (or those of a revoked kiosk) now, from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for links in list(self._links.values()):
            for link in list(links):
                if link.websocket is not None and device_ids & {link.agent_id, link.kiosk_id}:
                    asyncio.run_coroutine_threadsafe(link.websocket.close(4401), loop)

    async def serve(self, websocket: WebSocket, ctx: Any, office_id: int, agent_id: int) -> None:
        kiosk_id = await run_in_threadpool(_kiosk_of, ctx, agent_id)
        if kiosk_id is None:
            await websocket.close(4403)
            return
        # Hold the office on this worker: tickets taken through other workers reach it (and
        # wake this agent) by LISTEN/NOTIFY only for offices it holds (realtime/fanout.py).
        await run_in_threadpool(ctx.queue.read, office_id)
        link = _Link(kiosk_id, agent_id, websocket, protocol=_protocol(websocket))
        self._links[office_id].add(link)
        link.wake.set()  # send whatever is pending now
        sender = asyncio.create_task(self._send(websocket, ctx, office_id, link))
        try:
            await self._receive(websocket, ctx, link, office_id)
        finally:
            self._links[office_id].discard(link)
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)

    async def _send(self, websocket: WebSocket, ctx: Any, office_id: int, link: _Link) -> None:
        while True:
            await link.wake.wait()
            link.wake.clear()
            messages = await run_in_threadpool(
                _pending_messages, ctx, office_id, link.kiosk_id, link.protocol
            )
            for message in messages:
                if message["job"]["id"] not in link.sent:
                    link.sent.add(message["job"]["id"])
                    await websocket.send_text(json.dumps(message, separators=(",", ":")))

    async def _receive(self, websocket: WebSocket, ctx: Any, link: _Link, office_id: int) -> None:
        while True:
            try:
                message = json.loads(await websocket.receive_text())
            except WebSocketDisconnect:
                return
            except ValueError:
                continue
            kind, job_id = message.get("type"), str(message.get("job", ""))
            if kind == "ping":
                await websocket.send_text('{"type":"pong"}')
            elif kind in ("printed", "failed") and job_id:
                reason = str(message.get("reason", "error"))
                await run_in_threadpool(_record, ctx, job_id, link.kiosk_id, kind, reason)
                if kind == "failed" and self.alert is not None:
                    await run_in_threadpool(
                        _alert, ctx, self.alert, office_id, link.kiosk_id, reason
                    )
                await websocket.send_text(json.dumps({"type": "ack", "job": job_id}))


def _alert(ctx: Any, send: alerts.Send, office_id: int, kiosk_id: int, reason: str) -> None:
    with ctx.queue.db.read() as conn:
        alerts.printer_failed(conn, send, office_id, kiosk_id, reason, ctx.clock.now())


def _kiosk_of(ctx: Any, agent_id: int) -> int | None:
    with ctx.queue.db.read() as conn:
        return printing.agent_kiosk(conn, agent_id)


def _protocol(websocket: WebSocket) -> int:
    """The protocol the agent says it speaks: agents from before protocols existed say none."""
    text = websocket.query_params.get("protocol", "1")
    return max(1, min(int(text), printing.AGENT_PROTOCOL)) if text.isdigit() else 1


def _pending_messages(
    ctx: Any, office_id: int, kiosk_id: int, protocol: int
) -> list[dict[str, Any]]:
    with ctx.queue.db.read() as conn:
        jobs = printing.pending(conn, kiosk_id)
    if not jobs:
        return []
    base, now = ctx.settings.base_url(), ctx.clock.now()
    return list(
        ctx.queue.inspect(
            office_id,
            lambda state: [
                printing.job_message(j, r, t, state, base, now, protocol) for j, r, t in jobs
            ],
        )
    )


def _record(ctx: Any, job_id: str, kiosk_id: int, kind: str, reason: str) -> None:
    now = ctx.clock.now()
    with ctx.queue.db.write() as conn:
        if kind == "printed":
            printing.confirm(conn, job_id, kiosk_id, now)
        else:
            printing.fail(conn, job_id, kiosk_id, reason, now)
