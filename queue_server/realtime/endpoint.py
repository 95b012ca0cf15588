"""The websocket endpoint: who may follow an office, and as what audience."""

from __future__ import annotations

import urllib.parse
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.concurrency import run_in_threadpool

from queue_server.api.deps import Context
from queue_server.services.auth import DeviceKind, Principal, Role, heartbeat
from queue_server.services.queue import OfficeNotFound, TicketNotFound

from . import messages
from .hub import Connection
from .messages import Audience

router = APIRouter()

UNAUTHORISED, FORBIDDEN, NOT_FOUND, BAD_REQUEST = 4401, 4403, 4404, 4400
ROLES = {
    "agent": (DeviceKind.AGENT,),
    "display": (DeviceKind.DISPLAY,),
    "kiosk": (DeviceKind.KIOSK,),
    "counter": (DeviceKind.COUNTER,),
}


class Refusal(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _principal(websocket: WebSocket, ctx: Context) -> Principal | None:
    token = websocket.query_params.get("token")
    if not token:
        token = websocket.cookies.get("antrean_session")
        origin = websocket.headers.get("origin")
        if token and origin:  # a cookie rides along cross-site: only our own pages may use it
            host = urllib.parse.urlsplit(origin).netloc
            if host != websocket.headers.get("host"):
                raise Refusal(FORBIDDEN)
    if not token:
        return None
    principal = ctx.principal_for(token)
    if principal is None:
        raise Refusal(UNAUTHORISED)
    return principal


def _numbers(text: str | None) -> frozenset[int] | None:
    if not text:
        return None
    try:
        return frozenset(int(part) for part in text.split(",") if part)
    except ValueError:
        raise Refusal(BAD_REQUEST) from None


def _codes(text: str | None) -> frozenset[str] | None:
    return frozenset(part for part in text.split(",") if part) if text else None


def _authorise(websocket: WebSocket, ctx: Context, slug: str) -> tuple[int, Audience, int | None]:
    """The office, what this connection may see, and the device behind it (if a device)."""
    """Decide the audience for this connection (runs in a thread: it may query)."""
    params = websocket.query_params
    role = params.get("role", "display")
    try:
        office_id = ctx.queue.office_id(slug)
    except OfficeNotFound:
        raise Refusal(NOT_FOUND) from None
    if role == "track":
        token = params.get("ticket")
        if not token:
            raise Refusal(BAD_REQUEST)
        try:
            found_office, view = ctx.queue.find(token)
        except TicketNotFound:
            raise Refusal(NOT_FOUND) from None
        if found_office != office_id:
            raise Refusal(NOT_FOUND)
        return office_id, Audience("track", ticket_id=view.ticket.id), None
    if role not in ROLES:
        raise Refusal(BAD_REQUEST)
    who = _principal(websocket, ctx)
    if who is None:
        raise Refusal(UNAUTHORISED)
    if not who.may_see_office(office_id):
        raise Refusal(NOT_FOUND)
    allowed = who.role in (Role.ADMIN, Role.SUPERVISOR, Role.OFFICER) or who.device in ROLES[role]
    if not allowed:
        raise Refusal(FORBIDDEN)
    if role == "agent":
        if who.device is not DeviceKind.AGENT or who.device_id is None:
            raise Refusal(FORBIDDEN)
        return office_id, Audience("agent", device_id=who.device_id), who.device_id
    if role == "counter":
        return office_id, Audience("staff"), who.device_id
    services, counters = _codes(params.get("services")), _numbers(params.get("counters"))
    return office_id, Audience("public", services=services, counters=counters), who.device_id


@router.websocket("/ws/v1/offices/{office}")
async def office_socket(websocket: WebSocket, office: str) -> None:
    """Follow an office live: a snapshot, then every change (see docs/realtime.md)."""
    ctx: Context = websocket.app.state.ctx
    hub = websocket.app.state.hub
    await websocket.accept()
    try:
        office_id, audience, device_id = await run_in_threadpool(_authorise, websocket, ctx, office)
        since_text = websocket.query_params.get("since")
        since = int(since_text) if since_text else None
    except Refusal as refusal:
        await websocket.close(refusal.code)
        return
    except ValueError:
        await websocket.close(BAD_REQUEST)
        return
    if device_id is not None:  # online on the health board at once, not at the first ping
        await run_in_threadpool(heartbeat, ctx.queue.db, {device_id}, ctx.clock.now())

    if audience.kind == "agent":
        assert audience.device_id is not None
        await websocket.app.state.printing.serve(websocket, ctx, office_id, audience.device_id)
        return

    async def snapshotter(conn: Connection) -> dict[str, Any]:
        return await run_in_threadpool(_snapshot, ctx, conn.office_id, conn.audience)

    await hub.serve(websocket, office_id, audience, since, snapshotter, device_id=device_id)


def _snapshot(ctx: Context, office_id: int, audience: Audience) -> dict[str, Any]:
    def build(state: Any) -> dict[str, Any]:
        track = None
        if audience.ticket_id is not None:
            ticket = state.tickets.get(audience.ticket_id)
            if ticket is None:  # ended: read it back from the tables
                ticket = ctx.queue.ticket_by_id(office_id, audience.ticket_id)
            track = messages.track_face(state, ticket, ctx.clock.now())
        return messages.snapshot(state, audience, track)

    result: dict[str, Any] = ctx.queue.inspect(office_id, build)
    return result
