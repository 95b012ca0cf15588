"""Setting an office up, seen and heard before the public does: its logo, a sample ticket as
it prints, the voice calling a number, and a test message through its gateway."""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from printer.layout import PAPERS, TicketData, layout
from printer.preview import render_png
from queue_server.announcer.announcer import Announcer
from queue_server.api.access import STAFF, SUPERVISORS, allow
from queue_server.domain.model import Language, Service
from queue_server.domain.numbering import format_number
from queue_server.domain.queue import OfficeQueue
from queue_server.i18n import N_, translate
from queue_server.notifications import gateways, outbox
from queue_server.phones import normalise
from queue_server.services import logo
from queue_server.services.auth import Role

from .. import schemas
from ..deps import Context, Ctx, Who, office_of, require_staff
from ..errors import ApiError
from .admin import _manage, _office_out

router = APIRouter(prefix="/api/v1", tags=["admin"])
log = logging.getLogger(__name__)

PNG = "image/png"
LOGO_TYPES = ("image/png", "image/jpeg")
_BINARY = {"schema": {"type": "string", "format": "binary"}}
SAMPLE_SEQ, SAMPLE_AHEAD = 15, 4  # the preview's ticket: A015 (A0015), four people ahead
SAMPLE_TOKEN = "contoh" + "0" * 16  # as long as a real token: the QR code is as big
SAMPLE_SERVICE = N_("Contoh layanan")
TEST_MESSAGE = N_("Pesan uji dari Antrean untuk {office}: gateway pesan berfungsi.")


# ---- logo ----
async def _read_capped(request: Request, cap: int) -> bytes:
    """The request body, refused (413) as soon as it is longer than `cap` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise ApiError(413, "logo_too_large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise ApiError(413, "logo_too_large")
    return bytes(body)


def _store_logo(ctx: Context, office_id: int, png: bytes | None, actor: str) -> dict[str, Any]:
    ctx.admin.update_office(office_id, {"logo": png}, actor)
    return _office_out(ctx, ctx.admin.get_office(office_id))


@router.put(
    "/offices/{office}/logo",
    response_model=schemas.OfficeOut,
    dependencies=[allow(roles=SUPERVISORS)],
    openapi_extra={
        "requestBody": {"required": True, "content": {kind: _BINARY for kind in LOGO_TYPES}}
    },
)
async def upload_logo(office: str, request: Request, ctx: Ctx, who: Who) -> dict[str, Any]:
    """The office's logo for its tickets: the raw PNG or JPEG file as the body (at most 256 KB),
    checked from its bytes and stored as a greyscale PNG within 384 x 384 pixels."""
    office_id = await run_in_threadpool(_manage, ctx, office, who)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in LOGO_TYPES:
        raise ApiError(415, "invalid_image")
    data = await _read_capped(request, logo.MAX_BYTES)
    try:
        png = await run_in_threadpool(logo.normalise, data)
    except logo.InvalidImage:
        raise ApiError(422, "invalid_image") from None
    result: dict[str, Any] = await run_in_threadpool(_store_logo, ctx, office_id, png, who.name)
    return result


@router.delete("/offices/{office}/logo", status_code=204, dependencies=[allow(roles=SUPERVISORS)])
def delete_logo(office: str, ctx: Ctx, who: Who) -> Response:
    office_id = _manage(ctx, office, who)
    _store_logo(ctx, office_id, None, who.name)
    return Response(status_code=204)


@router.get(
    "/offices/{office}/logo",
    response_class=Response,
    responses={200: {"content": {PNG: _BINARY}}},
    dependencies=[allow(roles=STAFF)],
)
def get_logo(office: str, request: Request, ctx: Ctx, who: Who) -> Response:
    """The office's logo as stored (PNG); 404 when it has none."""
    office_id = office_of(ctx, office, who)
    require_staff(who, Role.SUPERVISOR, Role.OFFICER)
    png = ctx.queue.office(office_id).logo
    if png is None:
        raise ApiError(404, "not_found")
    etag = f'"{hashlib.sha256(png).hexdigest()[:32]}"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(png, media_type=PNG, headers={"ETag": etag, "Cache-Control": "no-cache"})


# ---- ticket preview ----
def _first_service(state: OfficeQueue) -> Service | None:
    active = [s for s in state.services.values() if s.active]
    return min(active, key=lambda s: (s.sort_order, s.code), default=None)


def sample_ticket(state: OfficeQueue, base_url: str, lang: str, now: datetime) -> TicketData:
    """A ticket as the office's first service would print it now, four people ahead."""
    service = _first_service(state)
    english = lang == Language.EN.value
    documents: tuple[str, ...]
    if service is None:
        prefix, name, minutes, documents = "A", translate(SAMPLE_SERVICE, lang), 15, ()
    else:
        prefix, minutes, documents = service.prefix, service.target_minutes, service.documents
        name = service.name_en if english else service.name_id
    return TicketData(
        office_name=state.office.name,
        service_name=name,
        number=format_number(prefix, SAMPLE_SEQ, state.office.number_digits),
        issued_at=now,
        timezone=state.office.timezone,
        office_logo=state.office.logo,
        ahead=SAMPLE_AHEAD,
        estimate_low=SAMPLE_AHEAD * minutes // 2,
        estimate_high=SAMPLE_AHEAD * minutes,
        documents=documents,
        tracking_url=f"{base_url}/t/{SAMPLE_TOKEN}",
        language="en" if english else "id",
    )


@router.get(
    "/offices/{office}/ticket-preview.png",
    response_class=Response,
    responses={200: {"content": {PNG: _BINARY}}},
    dependencies=[allow(roles=SUPERVISORS)],
)
def ticket_preview(
    office: str,
    ctx: Ctx,
    who: Who,
    paper: Literal["58", "80"] = "80",
    lang: Language = Language.ID,
) -> Response:
    """A sample ticket of the office's first service, drawn as its printer prints it (one
    pixel per printer dot: 384 wide on 58 mm paper, 576 on 80 mm)."""
    office_id = _manage(ctx, office, who)
    now = ctx.clock.now()
    base_url = ctx.settings.base_url()
    ticket = ctx.queue.inspect(office_id, lambda s: sample_ticket(s, base_url, lang.value, now))
    png = render_png(layout(ticket, PAPERS[int(paper)]))
    return Response(png, media_type=PNG, headers={"Cache-Control": "no-store"})


# ---- voice ----
@router.get(
    "/offices/{office}/voice-test.wav",
    response_class=Response,
    responses={200: {"content": {"audio/wav": _BINARY}}},
    dependencies=[allow(roles=SUPERVISORS)],
)
def voice_test(
    office: str,
    request: Request,
    ctx: Ctx,
    who: Who,
    number: Annotated[str, Query(pattern=r"^[A-Za-z]{1,2}[0-9]{1,5}$")],
    counter: Annotated[int, Query(ge=1, le=9999)],
) -> Response:
    """The call of `number` to `counter` as the lobby would hear it, with the office's saved
    voice settings (template, reading style, counter words, English too)."""
    office_id = _manage(ctx, office, who)
    announcer: Announcer = request.app.state.announcer
    spoken = number.upper()
    try:
        texts = ctx.queue.inspect(office_id, lambda s: announcer.texts(s, spoken, counter))
    except ValueError:  # a number too large to read
        raise ApiError(422, "invalid_request") from None
    return Response(
        announcer.clip(texts), media_type="audio/wav", headers={"Cache-Control": "no-store"}
    )


# ---- the text-message gateway ----
@router.post(
    "/offices/{office}/notify/test",
    response_model=schemas.NotifyTestOut,
    dependencies=[allow(roles=SUPERVISORS)],
)
def notify_test(office: str, body: schemas.NotifyTestIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Send one short test message to `phone` through the office's gateway now (not through
    the outbox), and say whether the gateway took it. The number is kept nowhere."""
    office_id = _manage(ctx, office, who)
    ctx.gate.check(ctx.gate.limits.notify_test, who.name)
    phone = normalise(body.phone)
    with ctx.queue.db.read() as conn:
        settings = outbox.settings_for(conn, office_id)
    name = ctx.queue.office(office_id).name
    message = gateways.Outgoing(
        id=uuid.uuid4().hex,
        phone=phone,
        text=translate(TEST_MESSAGE, "id", office=name),
        kind="test",
        language="id",
    )
    try:
        gateways.from_settings(settings.gateway).send(message)
    except gateways.GatewayError as refused:  # its own words: a status or a reason, no secret
        return {"ok": False, "detail": str(refused)[:300]}
    except Exception as failed:  # settings it cannot use, a library's surprise: name it only
        log.warning("test message through the gateway failed: %s", type(failed).__name__)
        return {"ok": False, "detail": type(failed).__name__}
    return {"ok": True, "detail": ""}
