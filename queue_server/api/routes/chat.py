"""Incoming text messages from an office's gateway (generic HTTP, WhatsApp Cloud API)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from queue_server.api.access import allow
from queue_server.notifications.chat import Chat
from queue_server.notifications.outbox import settings_for

from ..deps import Context, Ctx
from ..errors import ApiError

router = APIRouter(prefix="/api/v1/offices/{office}/chat", tags=["chat"])
SEEN_LIMIT = 10_000
_seen: OrderedDict[str, None] = OrderedDict()  # WhatsApp message ids handled by this process


def _first_time(message_id: str) -> bool:
    """Meta re-sends a webhook it thinks failed: each message is acted on once (per process)."""
    if not message_id:
        return True
    if message_id in _seen:
        return False
    _seen[message_id] = None
    while len(_seen) > SEEN_LIMIT:
        _seen.popitem(last=False)
    return True


def _gateway_settings(ctx: Context, office: str) -> tuple[int, dict[str, Any]]:
    office_id = ctx.queue.office_id(office)
    with ctx.queue.db.read() as conn:
        return office_id, settings_for(conn, office_id).gateway


def _chat(ctx: Context) -> Chat:
    return Chat(ctx.queue, ctx.settings.base_url())


@router.post("/http", dependencies=[allow(secret=True)])
async def incoming_http(office: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    """A generic SMS/WhatsApp gateway's webhook: JSON or form with `from` and `text` (also
    `sender`/`phone` and `message`/`body`), authenticated by the office's shared secret in the
    `X-Antrean-Secret` header."""
    office_id, gateway = await run_in_threadpool(_gateway_settings, ctx, office)
    secret = str(gateway.get("inbound_secret") or "")
    given = request.headers.get("x-antrean-secret", "")
    if not secret or not hmac.compare_digest(secret.encode(), given.encode()):
        raise ApiError(403, "forbidden")
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            data = await request.json()
        else:
            data = dict(await request.form())
    except ValueError:
        raise ApiError(422, "invalid_request") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_request")
    sender = str(data.get("from") or data.get("sender") or data.get("phone") or "")
    text = str(data.get("text") or data.get("message") or data.get("body") or "")
    if not sender:
        raise ApiError(422, "invalid_request")
    found = await run_in_threadpool(ctx.queue.office, office_id)
    ctx.gate.check_office("chat_phone", found, sender)
    reply = await run_in_threadpool(_chat(ctx).handle, office_id, sender, text[:1000])
    return {"ok": True, "replied": reply is not None}


@router.get("/whatsapp", dependencies=[allow(secret=True)])
async def whatsapp_verify(
    office: str,
    ctx: Ctx,
    mode: str = Query(alias="hub.mode", default=""),
    token: str = Query(alias="hub.verify_token", default=""),
    challenge: str = Query(alias="hub.challenge", default=""),
) -> Response:
    """WhatsApp Cloud API's subscription check: echo the challenge for the right token."""
    _office_id, gateway = await run_in_threadpool(_gateway_settings, ctx, office)
    expected = str(gateway.get("verify_token") or "")
    if mode != "subscribe" or not expected or not hmac.compare_digest(expected, token):
        raise ApiError(403, "forbidden")
    return Response(challenge, media_type="text/plain")


@router.post("/whatsapp", dependencies=[allow(secret=True)])
async def incoming_whatsapp(office: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    """WhatsApp Cloud API's webhook, signed with the app secret (X-Hub-Signature-256)."""
    office_id, gateway = await run_in_threadpool(_gateway_settings, ctx, office)
    secret = str(gateway.get("app_secret") or "")
    raw = await request.body()
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    given = request.headers.get("x-hub-signature-256", "")
    if not secret or not hmac.compare_digest(expected, given):
        raise ApiError(403, "forbidden")
    try:
        payload = json.loads(raw)
    except ValueError:
        raise ApiError(422, "invalid_request") from None
    handled = 0
    chat = _chat(ctx)
    found = await run_in_threadpool(ctx.queue.office, office_id)
    for entry in payload.get("entry", []) if isinstance(payload, dict) else []:
        for change in entry.get("changes", []):
            for message in change.get("value", {}).get("messages", []):
                if message.get("type") != "text" or not _first_time(str(message.get("id", ""))):
                    continue
                sender = str(message.get("from", ""))
                if not ctx.gate.allow_office("chat_phone", found, sender):
                    continue  # dropped, not refused: Meta would retry the whole batch
                text = str(message.get("text", {}).get("body", ""))[:1000]
                await run_in_threadpool(chat.handle, office_id, sender, text)
                handled += 1
    return {"ok": True, "handled": handled}
