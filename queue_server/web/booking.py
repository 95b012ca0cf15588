"""The visitor's booking pages (janji temu), mobile first: `/janji/{office}` to book a slot
(service, day, time, phone with a texted code), and `/b/{token}` to see the booking with its
code and QR, move it or cancel it. No login: the link texted to the visitor is the key."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from queue_server import consent
from queue_server.api.access import allow
from queue_server.api.deps import Context, Ctx, Who, office_of
from queue_server.api.errors import ApiError
from queue_server.api.routes.bookings import booking_out, bookings_of
from queue_server.domain import calendar
from queue_server.domain.model import Channel
from queue_server.i18n import N_, negotiate, normalize_lang, translate
from queue_server.services.bookings import BookingNotFound
from queue_server.services.queue import OfficeNotFound
from queue_server.web.routes import qr_svg
from queue_server.web.templating import TEMPLATE_DIR, templates, texts
from queue_server.web.texts import WEEKDAY_WORDS

router = APIRouter(include_in_schema=False)
pages = templates(TEMPLATE_DIR)

BOOKING_TEXT: dict[str, str] = {
    "no_slots": N_("Tidak ada jam tersedia pada hari ini. Pilih hari lain."),
    "free": N_("{n} tempat"),
    "full": N_("Penuh"),
    "failed": N_("Gagal. Periksa sambungan lalu coba lagi."),
    "sent": N_("Kode verifikasi dikirim ke {phone}. Berlaku 10 menit."),
    "choose_slot": N_("Pilih jam dulu."),
    "confirm_cancel": N_("Batalkan janji temu ini?"),
    "moved": N_("Janji temu dipindahkan."),
    "loading": N_("Memuat…"),
}
STATUS_WORDS: dict[str, str] = {
    "pending": N_("Menunggu kode verifikasi"),
    "confirmed": N_("Terdaftar"),
    "checking_in": N_("Sedang check-in"),
    "checked_in": N_("Sudah check-in"),
    "cancelled": N_("Dibatalkan"),
    "no_show": N_("Tidak datang"),
    "expired": N_("Kedaluwarsa (kode tidak dimasukkan)"),
}


def _language(request: Request, lang: str | None) -> str:
    return normalize_lang(lang) if lang else negotiate(request.headers.get("accept-language"))


def _days(ctx: Context, office_id: int, lang: str) -> list[dict[str, str]]:
    """The days a visitor may pick: today and the next ones the office's services allow."""
    state = ctx.queue.read(office_id)
    ahead = max((s.booking.days_ahead for s in state.services.values() if s.booking.enabled),
                default=0)  # fmt: skip
    today = calendar.service_date(state.office, ctx.clock.now())
    days = []
    for n in range(ahead + 1):
        day = today + timedelta(days=n)
        words = WEEKDAY_WORDS[day.weekday()]
        days.append({"date": day.isoformat(), "weekday": translate(words, lang),
                     "label": f"{day.day}/{day.month}"})  # fmt: skip
    return days


@router.get("/janji/{office}", response_class=HTMLResponse, dependencies=[allow(public=True)])
def booking_page(
    request: Request,
    office: str,
    ctx: Ctx,
    who: Who,
    lang: str | None = None,
    service: str | None = None,
) -> Response:
    """Book a slot: the office's services that take appointments, the days, the free times."""
    language = _language(request, lang)
    try:  # open to anyone; staff and devices of another office are kept to their own
        office_id = office_of(ctx, office, who)
    except (OfficeNotFound, ApiError):
        return pages.TemplateResponse(request, "not_found.html", {"lang": language}, 404)
    state = ctx.queue.read(office_id)
    services = [
        s
        for s in sorted(state.services.values(), key=lambda s: (s.sort_order, s.code))
        if s.active and s.booking.enabled
    ]
    config = {
        "office": office,
        "lang": language,
        "service": service if service in {s.code for s in services} else None,
        "text": texts(BOOKING_TEXT, language),
    }
    return pages.TemplateResponse(
        request,
        "booking.html",
        {
            "lang": language,
            "other_lang": "en" if language == "id" else "id",
            "office": state.office,
            "services": services,
            "days": _days(ctx, office_id, language),
            "consent_text": consent.wording(Channel.BOOKING, language),
            "config": config,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/b/{token}", response_class=HTMLResponse, dependencies=[allow(public=True)])
def booking_view(request: Request, token: str, ctx: Ctx, lang: str | None = None) -> Response:
    """A visitor's booking: its code and QR for the kiosk, and moving or cancelling it."""
    try:
        booking = bookings_of(ctx).find(token)
    except BookingNotFound:
        language = _language(request, lang)
        return pages.TemplateResponse(request, "not_found.html", {"lang": language}, 404)
    language = normalize_lang(lang) if lang else booking.language
    state = ctx.queue.read(booking.office_id)
    service = state.services.get(booking.service)
    out = booking_out(ctx, booking)
    config = {
        "office": state.office.slug,
        "token": token,
        "lang": language,
        "service": booking.service,
        "status": booking.status,
        "text": texts(BOOKING_TEXT, language),
    }
    return pages.TemplateResponse(
        request,
        "booking_view.html",
        {
            "lang": language,
            "other_lang": "en" if language == "id" else "id",
            "office": state.office,
            "booking": out,
            "service": service,
            "status_words": texts(STATUS_WORDS, language),
            "days": _days(ctx, booking.office_id, language),
            "config": config,
        },
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.get("/b/{token}/qr.svg", dependencies=[allow(public=True)])
def booking_qr(token: str, ctx: Ctx) -> Response:
    """The booking code as a QR: a kiosk's scanner types it into the check-in screen."""
    try:
        booking = bookings_of(ctx).find(token)
    except BookingNotFound:
        return Response(status_code=404)
    if booking.status in ("pending", "expired"):  # the code is the visitor's once confirmed
        return Response(status_code=404)
    return Response(
        qr_svg(booking.code), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )
