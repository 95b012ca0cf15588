"""The visitor's phone page `/t/{token}`: no login, no app, only their own ticket."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from queue_server.api.access import allow
from queue_server.api.deps import Context, Ctx
from queue_server.domain import skm
from queue_server.domain.model import TicketStatus
from queue_server.i18n import N_, negotiate, normalize_lang, translate
from queue_server.realtime.messages import due_time
from queue_server.services import survey
from queue_server.services.queue import TicketNotFound
from queue_server.web.templating import TEMPLATE_DIR, templates, texts
from queue_server.web.texts import (
    DISRUPTION_TEXT,
    LINE_TEXT,
    PROFILE_TEXT,
    SCORE_TEXT,
    SURVEY_TEXT,
    UNSUR_TEXT,
)

router = APIRouter(include_in_schema=False)
pages = templates(TEMPLATE_DIR)
LAPOR_URL = "https://www.lapor.go.id"

# What the page says for each status (the script fills {counter}).
STATUS_TEXT: dict[str, str] = {
    "waiting": N_("Menunggu giliran"),
    "called": N_("Silakan menuju loket {counter}"),
    "serving": N_("Sedang dilayani di loket {counter}"),
    "on_hold": N_("Ditunda. Silakan tunggu panggilan petugas."),
    "booked": N_("Janji temu pukul {time}: nomor Anda masuk antrean pada jam itu."),
    "missed": N_("Anda terlewat saat dipanggil. Nomor Anda akan dipanggil lagi."),
    "done": N_("Layanan selesai. Terima kasih."),
    "no_show": N_("Nomor antrean dinyatakan tidak hadir."),
    "cancelled": N_("Nomor antrean sudah dibatalkan."),
    "expired": N_("Hari layanan sudah berakhir; nomor antrean ini tidak berlaku lagi."),
}
SCRIPT_TEXT: dict[str, str] = {
    **{f"status_{key}": msgid for key, msgid in STATUS_TEXT.items()},
    **LINE_TEXT,
    **DISRUPTION_TEXT,
    "down_keep": N_("Nomor antrean Anda tetap berlaku."),
    "estimate_paused": N_("Perkiraan waktu tunggu belum bisa dihitung selama gangguan."),
    "cancel_failed": N_("Pembatalan gagal. Silakan coba lagi."),
    "sound_on": N_("Suara panggilan aktif"),
    "connecting": N_("Menyambungkan…"),
    "reconnecting": N_("Menyambungkan kembali…"),
}
OPEN = frozenset({"waiting", "called", "on_hold", "missed"})


def _not_found(request: Request, lang: str | None) -> Response:
    """No such ticket: say so in the visitor's language."""
    language = normalize_lang(lang) if lang else negotiate(request.headers.get("accept-language"))
    return pages.TemplateResponse(request, "not_found.html", {"lang": language}, status_code=404)


@router.get("/t/{token}", response_class=HTMLResponse, dependencies=[allow(public=True)])
def track_page(request: Request, token: str, ctx: Ctx, lang: str | None = None) -> Response:
    """A visitor's own ticket, live: status, people ahead, expected wait, the counter."""
    try:
        _office_id, view = ctx.queue.find(token)
    except TicketNotFound:
        return _not_found(request, lang)
    ticket = view.ticket
    language = normalize_lang(lang) if lang else ticket.language.value
    office = ctx.admin.get_office(_office_id)
    face = {
        "number": ticket.number,
        "status": ticket.status.value,
        "service": ticket.service,
        "counter": ticket.counter,
        "ahead": view.ahead,
        "estimate_minutes": {"low": view.estimate.low, "high": view.estimate.high},
        "recall_count": ticket.recall_count,
        "due": due_time(ctx.queue.read(_office_id), ticket),
    }
    config: dict[str, Any] = {
        "office": office.slug,
        "token": token,
        "lang": language,
        "ticket": face,
        "text": texts(SCRIPT_TEXT, language),
        "disruptions": ctx.queue.snapshot(_office_id)["disruptions"],
    }
    service = view.service
    return pages.TemplateResponse(
        request,
        "track.html",
        {
            "lang": language,
            "other_lang": "en" if language == "id" else "id",
            "office": office,
            "ticket": ticket,
            "service": service,
            "service_name": (service.name_en if language == "en" else service.name_id)
            if service
            else ticket.service,
            "open": ticket.status.value in OPEN,
            "lapor_url": LAPOR_URL,
            "survey_url": f"/s/{ticket.token}" if ticket.status is TicketStatus.DONE else None,
            "config": config,
        },
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@lru_cache(maxsize=512)
def qr_svg(url: str) -> bytes:
    """The tracking address as an SVG QR code (white background, scales without blur)."""
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    data: bytes = image.to_string()
    return data


@router.get("/t/{token}/qr.svg", dependencies=[allow(public=True)])
def track_qr(token: str, ctx: Ctx) -> Response:
    """The QR code the kiosk shows (and the visitor may photograph) for `/t/{token}`."""
    ctx.queue.find(token)  # unknown tokens are 404, not a QR of a dead link
    url = f"{ctx.settings.base_url()}/t/{token}"
    return Response(
        qr_svg(url), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=86400"}
    )


def survey_page(
    request: Request, ctx: Context, office: Any, ticket: Any, state: str, lang: str, *,
    tablet: bool = False,
) -> Response:  # fmt: skip
    """The SKM form for `ticket` (state: open | answered | not_yet | waiting)."""
    config = {
        "token": ticket.token if ticket is not None else None,
        "lang": lang,
        "tablet": tablet,
        "keys": list(skm.KEYS),
        "text": texts(SURVEY_TEXT, lang),
    }
    profile = [
        (field, translate(PROFILE_TEXT[field], lang), survey.CHOICES[field])
        for field in survey.PROFILE
    ]
    return pages.TemplateResponse(
        request,
        "survey.html",
        {
            "lang": lang,
            "other_lang": "en" if lang == "id" else "id",
            "office": office,
            "ticket": ticket,
            "state": state,
            "tablet": tablet,
            "unsur": [(key, translate(UNSUR_TEXT[key], lang)) for key in skm.KEYS],
            "scores": [(score, translate(words, lang)) for score, words in SCORE_TEXT.items()],
            "profile": profile,
            "config": config,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/s/{token}", response_class=HTMLResponse, dependencies=[allow(public=True)])
def survey_for_ticket(request: Request, token: str, ctx: Ctx, lang: str | None = None) -> Response:
    """The visitor's satisfaction survey, once their service is done."""
    try:
        office_id, view = ctx.queue.find(token)
    except TicketNotFound:
        return _not_found(request, lang)
    ticket = view.ticket
    language = normalize_lang(lang) if lang else ticket.language.value
    with ctx.queue.db.read() as conn:
        done = survey.answered(conn, ticket.id)
    state = "answered" if done else "open" if ticket.status is TicketStatus.DONE else "not_yet"
    return survey_page(request, ctx, ctx.admin.get_office(office_id), ticket, state, language)
