"""Incoming text messages from an office's gateway (generic HTTP, WhatsApp Cloud API)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from queue_server.api.access import allow
from queue_server.notifications import inbound, media
from queue_server.notifications.chat import Chat
from queue_server.notifications.media import Incoming, MediaError
from queue_server.notifications.outbox import settings_for

from ..deps import Context, Ctx
from ..errors import ApiError

router = APIRouter(prefix="/api/v1/offices/{office}/chat", tags=["chat"])
FILES = ("image", "document")  # WhatsApp message types that carry a photo or a document
T = TypeVar("T")


def _once(ctx: Context, office_id: int, message_id: str, act: Callable[[], T]) -> T | None:
    """Act on a received message unless a worker already did (a gateway's retry: None)."""
    if not inbound.first_time(ctx.queue.db, office_id, message_id, ctx.clock.now()):
        return None
    try:
        return act()
    except BaseException:
        inbound.forget(ctx.queue.db, office_id, message_id)  # the retry gets another go
        raise


def _gateway_settings(ctx: Context, office: str) -> tuple[int, dict[str, Any]]:
    office_id = ctx.queue.office_id(office)
    with ctx.queue.db.read() as conn:
        return office_id, settings_for(conn, office_id).gateway


def _chat(ctx: Context) -> Chat:
    return Chat(ctx.queue, ctx.settings.base_url())


def media_source_for(gateway: dict[str, Any]) -> media.MediaSource | None:
    """How this office's WhatsApp media is fetched (tests put a fake here)."""
    return media.media_source_for(gateway)


def _fetch_failed(ctx: Context, office_id: int, sender: str) -> None:
    from queue_server.phones import InvalidPhone, normalise
    from queue_server.services.consultation import Consultations

    try:
        Consultations(ctx.queue).fetch_failed(office_id, normalise(sender))
    except InvalidPhone:
        return


@router.post("/http", dependencies=[allow(secret=True)])
async def incoming_http(office: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    """A generic SMS/WhatsApp gateway's webhook: JSON or form with `from` and `text` (also
    `sender`/`phone` and `message`/`body`), authenticated by the office's shared secret in the
    `X-Antrean-Secret` header. A gateway that sends its message `id` (or `message_id`) may
    re-send safely: a message already received is not acted on again."""
    office_id, gateway = await run_in_threadpool(_gateway_settings, ctx, office)
    secret = str(gateway.get("inbound_secret") or "")
    given = request.headers.get("x-antrean-secret", "")
    if not secret or not hmac.compare_digest(secret.encode(), given.encode()):
        raise ApiError(403, "forbidden")
    file: Incoming | None = None
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            data = await request.json()
            if isinstance(data, dict) and data.get("media") is not None:
                file = _json_media(data["media"])
        else:
            async with request.form(max_files=1) as form:
                data = {k: v for k, v in form.items() if not isinstance(v, UploadFile)}
                upload = form.get("file")
                if isinstance(upload, UploadFile):  # read one byte past the limit, no more
                    file = Incoming(await upload.read(media.MAX_BYTES + 1), upload.filename or "")
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
    message_id = str(data.get("id") or data.get("message_id") or "")
    chat = _chat(ctx)

    def act() -> str | None:
        return chat.handle(office_id, sender, text[:1000], file)

    reply = await run_in_threadpool(_once, ctx, office_id, message_id, act)
    return {"ok": True, "replied": reply is not None}


def _json_media(given: Any) -> Incoming:
    """`media: {base64, filename, mime?}` in a JSON webhook (the declared mime is ignored: the
    type is read from the bytes)."""
    if not isinstance(given, dict) or not isinstance(given.get("base64"), str):
        raise ValueError("media needs base64")
    encoded = given["base64"]
    if len(encoded) > (media.MAX_BYTES + 3) * 4 // 3 + 4:  # over the limit already
        return Incoming.oversized(str(given.get("filename") or ""))
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("bad base64") from None
    return Incoming(data, str(given.get("filename") or ""))


def _whatsapp_file(message: dict[str, Any], gateway: dict[str, Any]) -> Incoming:
    """The photo or document of a WhatsApp message, fetched by its media id."""
    kind = str(message.get("type"))
    found = message.get(kind)
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    source = media_source_for(gateway)
    if source is None:
        raise MediaError("the gateway cannot fetch media")
    fetched = source.fetch(str(body.get("id", "")))
    return Incoming(fetched.data, str(body.get("filename") or ""))


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
                kind = message.get("type")
                if kind not in ("text", *FILES):
                    continue
                sender = str(message.get("from", ""))
                if not ctx.gate.allow_office("chat_phone", found, sender):
                    continue  # dropped, not refused: Meta would retry the whole batch
                done = await run_in_threadpool(
                    _once, ctx, office_id, str(message.get("id", "")),
                    lambda m=message, k=kind, who=sender: _whatsapp_message(
                        ctx, chat, office_id, gateway, m, k, who
                    ),
                )  # fmt: skip
                handled += done is not None
    return {"ok": True, "handled": handled}


def _whatsapp_message(
    ctx: Context, chat: Chat, office_id: int, gateway: dict[str, Any], message: dict[str, Any],
    kind: str, sender: str,
) -> bool:  # fmt: skip
    """Act on one WhatsApp message: a text, or a photo/document fetched by its media id."""
    file: Incoming | None = None
    if kind in FILES:
        text = str((message.get(kind) or {}).get("caption", ""))[:1000]
        try:
            file = _whatsapp_file(message, gateway)
        except MediaError:
            _fetch_failed(ctx, office_id, sender)
            return True
    else:
        text = str(message.get("text", {}).get("body", ""))[:1000]
    chat.handle(office_id, sender, text, file)
    return True
