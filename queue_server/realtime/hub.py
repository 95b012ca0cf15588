"""The hub: every live connection of every office, and the fan-out of committed changes.

Each connection owns a bounded queue and one writer task, so a slow screen only ever delays
itself: when its queue fills it is disconnected and resyncs on reconnect. Changes reach the hub
from the threads that commit them (always after commit, in version order per office) through
`loop.call_soon_threadsafe`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from queue_server.domain.public import Change
from queue_server.domain.queue import OfficeQueue

from . import messages
from .messages import Audience

log = logging.getLogger(__name__)

RESYNC = "resync"
REPLAY_LIMIT = 1000  # changes kept per office for clients reconnecting with `since`
TOO_SLOW = 4408
SILENT = 4000
REVOKED = 4401  # the device's pairing was revoked: like a wrong token, it must pair again

Snapshotter = Callable[["Connection"], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class _Reset:
    """Start afresh from a snapshot as of at least `version` (the day or the configuration
    changed, or the office was (re)loaded at that version). A client whose snapshot is already
    that new has it: the first screen of an office on a worker that had not loaded it would
    otherwise take two snapshots in a row, the second one caused by its own first."""

    version: int


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


@dataclass(eq=False)
class Connection:
    websocket: WebSocket
    office_id: int
    audience: Audience
    queue: asyncio.Queue[Any]
    last_heard: float
    version: int = -1  # last version this client has (-1: needs a snapshot)
    closing: bool = False
    device_id: int | None = None  # the paired device behind it, if any (to cut when revoked)


@dataclass(eq=False)
class _Office:
    connections: set[Connection] = field(default_factory=set)
    changes: deque[tuple[int, Change]] = field(default_factory=lambda: deque(maxlen=REPLAY_LIMIT))


class Hub:
    def __init__(
        self,
        *,
        queue_size: int = 256,
        ping_interval: float = 20.0,
        silence: float = 60.0,
        revoked_among: Callable[[set[int]], set[int]] | None = None,
    ) -> None:
        self.queue_size = queue_size
        self.ping_interval = ping_interval
        self.silence = silence
        self.revoked_among = revoked_among  # which of these devices were revoked (a DB read)
        self._offices: dict[int, _Office] = {}
        self._tracked: dict[int, frozenset[str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()

    # ---- life cycle ----
    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._heartbeat = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        for office in self._offices.values():
            for conn in list(office.connections):
                await self._close(conn, 1001)

    def connection_count(self) -> int:
        return sum(len(o.connections) for o in self._offices.values())

    # ---- from the committing thread ----
    def on_changes(
        self, office_id: int, state: OfficeQueue, changes: list[tuple[int, Change]]
    ) -> None:
        """QueueService listener: runs in the committing thread with the office locked."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        views: dict[str, dict[str, Any]] = {}
        tracked = self._tracked.get(office_id)
        if tracked:
            touched = {c.ticket.id: c.ticket for _, c in changes if c.ticket is not None}
            now = changes[-1][1].at  # the latest change's time: estimates as of then
            for ticket_id in tracked:
                ticket = state.tickets.get(ticket_id) or touched.get(ticket_id)
                if ticket is not None:
                    views[ticket_id] = messages.track_face(state, ticket, now)
        loop.call_soon_threadsafe(self._publish, office_id, changes, views)

    # ---- on the event loop ----
    def _publish(
        self, office_id: int, changes: list[tuple[int, Change]], views: dict[str, dict[str, Any]]
    ) -> None:
        office = self._offices.setdefault(office_id, _Office())
        office.changes.extend(changes)
        if not office.connections:
            return
        shared: dict[tuple[Audience, int], str] = {}
        last = len(changes) - 1
        for conn in list(office.connections):
            audience = conn.audience
            for i, (version, change) in enumerate(changes):
                if change.reset:
                    self._push(conn, _Reset(version))
                    break
                if audience.shared:
                    key = (audience, version)
                    text = shared.get(key)
                    if text is None:
                        text = shared[key] = dumps(messages.event(version, change, audience))
                else:
                    own = views.get(audience.ticket_id or "") if i == last else None
                    text = dumps(messages.event(version, change, audience, own))
                self._push(conn, (version, text))

    def _push(self, conn: Connection, item: Any) -> None:
        if conn.closing:
            return
        try:
            conn.queue.put_nowait(item)
        except asyncio.QueueFull:
            log.info("dropping a live client that fell behind (office %s)", conn.office_id)
            task = asyncio.ensure_future(self._close(conn, TOO_SLOW))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    def _replay(self, office: _Office, audience: Audience, since: int) -> list[Any] | None:
        """The events after `since` for a reconnecting client, or None if they are gone."""
        if audience.kind == "track" or not office.changes:
            return None
        first = office.changes[0][0]
        newest = office.changes[-1][0]
        if since < first - 1 or since > newest:
            return None
        items: list[Any] = []
        for version, change in office.changes:
            if version <= since:
                continue
            if change.reset:
                return None
            items.append((version, dumps(messages.event(version, change, audience))))
        return items

    async def serve(
        self,
        websocket: WebSocket,
        office_id: int,
        audience: Audience,
        since: int | None,
        snapshotter: Snapshotter,
        device_id: int | None = None,
    ) -> None:
        """Run one accepted connection until it closes."""
        assert self._loop is not None, "hub not started"
        conn = Connection(
            websocket, office_id, audience, asyncio.Queue(self.queue_size), self._loop.time(),
            device_id=device_id,
        )  # fmt: skip
        office = self._offices.setdefault(office_id, _Office())
        office.connections.add(conn)  # subscribe before the snapshot: nothing falls between
        self._track(office_id, office)
        replay = self._replay(office, audience, since) if since is not None else None
        if replay is None:
            self._push(conn, RESYNC)
        else:
            conn.version = since if since is not None else -1
            for item in replay:
                self._push(conn, item)
        writer = asyncio.create_task(self._write(conn, snapshotter))
        try:
            await self._read(conn)
        finally:
            conn.closing = True
            office.connections.discard(conn)
            self._track(office_id, office)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer

    def _track(self, office_id: int, office: _Office) -> None:
        self._tracked[office_id] = frozenset(
            c.audience.ticket_id for c in office.connections if c.audience.ticket_id
        )

    async def _read(self, conn: Connection) -> None:
        websocket = conn.websocket
        while True:
            try:
                text = await websocket.receive_text()
            except (WebSocketDisconnect, RuntimeError):
                return
            assert self._loop is not None
            conn.last_heard = self._loop.time()
            try:
                kind = json.loads(text).get("type")
            except (ValueError, AttributeError):
                continue
            if kind == "ping":
                self._push(conn, {"type": "pong"})
            elif kind == "resync":
                self._push(conn, RESYNC)

    async def _write(self, conn: Connection, snapshotter: Snapshotter) -> None:
        websocket = conn.websocket
        try:
            while True:
                item = await conn.queue.get()
                if isinstance(item, tuple):
                    version, text = item
                    if version <= conn.version:
                        continue  # already in the snapshot this client has
                    if conn.version >= 0 and version == conn.version + 1:
                        await websocket.send_text(text)
                        conn.version = version
                        continue
                    item = RESYNC  # a hole: start again from a snapshot
                if isinstance(item, _Reset):
                    if conn.version >= item.version:
                        continue  # the snapshot this client has is already that new
                    item = RESYNC
                if item == RESYNC:
                    snapshot = await snapshotter(conn)
                    conn.version = int(snapshot["version"])
                    await websocket.send_text(dumps(snapshot))
                else:
                    await websocket.send_text(dumps(item))
        except (WebSocketDisconnect, RuntimeError, OSError):
            await self._close(conn, 1011)
        except Exception:
            log.exception("live writer failed")
            await self._close(conn, 1011)

    async def _close(self, conn: Connection, code: int) -> None:
        if conn.closing:
            return
        conn.closing = True
        office = self._offices.get(conn.office_id)
        if office is not None:
            office.connections.discard(conn)
        if conn.websocket.application_state is not WebSocketState.DISCONNECTED:
            with contextlib.suppress(Exception):
                await conn.websocket.close(code)

    # ---- alerts for staff ----
    def alert(self, office_id: int, message: dict[str, Any]) -> None:
        """Tell this office's staff screens (counters, front desk) at once; any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._alert, office_id, {"type": "alert", **message})

    def _alert(self, office_id: int, message: dict[str, Any]) -> None:
        office = self._offices.get(office_id)
        for conn in list(office.connections if office else ()):
            if conn.audience.kind == "staff":
                self._push(conn, message)

    # ---- revoked devices ----
    def revoke(self, device_ids: Iterable[int]) -> None:
        """Disconnect these devices' live connections now (callable from any thread)."""
        loop, ids = self._loop, frozenset(device_ids)
        if loop is None or loop.is_closed() or not ids:
            return
        asyncio.run_coroutine_threadsafe(self._cut(ids), loop)

    async def _cut(self, device_ids: frozenset[int]) -> None:
        for office in list(self._offices.values()):
            for conn in list(office.connections):
                if conn.device_id in device_ids:
                    await self._close(conn, REVOKED)

    async def _beat(self) -> None:
        """Ping every client; close the ones that went silent, and (another worker may have
        revoked them) those of devices revoked since."""
        while True:
            await asyncio.sleep(self.ping_interval)
            assert self._loop is not None
            now = self._loop.time()
            for office in list(self._offices.values()):
                for conn in list(office.connections):
                    if now - conn.last_heard > self.silence:
                        await self._close(conn, SILENT)
                    else:
                        self._push(conn, {"type": "ping", "version": conn.version})
            devices = {c.device_id for o in self._offices.values() for c in o.connections
                       if c.device_id is not None}  # fmt: skip
            if self.revoked_among is not None:  # (it also notes who is connected)
                try:
                    revoked = await run_in_threadpool(self.revoked_among, devices)
                except Exception:
                    log.exception("could not check for revoked devices")
                    continue
                await self._cut(frozenset(revoked))
