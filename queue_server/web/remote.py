"""`/ambil/{office}`: take a number from home. A phone page for services that allow remote
tickets; the ticket is taken through the ordinary `POST /api/v1/offices/{office}/tickets` (the
web channel, with the rules every ticket from afar follows) and the visitor lands on `/t/{token}`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_date
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from queue_server import consent
from queue_server.api.access import allow
from queue_server.api.deps import Ctx, Who, office_of
from queue_server.api.errors import ApiError
from queue_server.domain import calendar, public
from queue_server.domain.model import Channel, Office
from queue_server.domain.queue import OfficeQueue
from queue_server.i18n import N_, normalize_lang, translate
from queue_server.i18n.errors import error_messages
from queue_server.services.queue import OfficeNotFound
from queue_server.web.templating import TEMPLATE_DIR, templates, texts
from queue_server.web.texts import LINE_TEXT, disruption_notice

router = APIRouter(include_in_schema=False)
pages = templates(TEMPLATE_DIR)

WHEN_TEXT: dict[str, str] = {
    "today": N_("hari ini pukul {time}"),
    "tomorrow": N_("besok pukul {time}"),
    "day": N_("{day} pukul {time}"),
}
LIST_TEXT: dict[str, str] = {
    "waiting": N_("{n} orang menunggu"),
    "waiting_none": N_("Tidak ada yang menunggu"),
    **LINE_TEXT,
}
# What the page's script says; refusals from the server come with their own words.
SCRIPT_TEXT: dict[str, str] = {
    "pick_service": N_("Pilih layanan terlebih dahulu."),
    "phone_missing": N_("Isi nomor HP Anda. Contoh: 0812 3456 7890"),
    "consent_missing": N_("Centang persetujuan menerima pesan untuk melanjutkan."),
    "nik_invalid": N_("NIK harus 16 angka. Periksa kembali KTP-el atau KK Anda."),
    "sending": N_("Mohon tunggu, nomor antrean sedang dibuat…"),
    "offline": N_("Tidak dapat terhubung. Periksa sambungan internet Anda, lalu coba lagi."),
    "failed": N_("Terjadi gangguan pada sistem. Silakan coba lagi beberapa saat lagi."),
}


def when_text(office: Office, at: datetime | None, now: datetime, lang: str) -> str:
    """ "besok pukul 08:00", "Selasa, 24 November pukul 08:00": a time a visitor can act on."""
    if at is None:
        return ""
    day, today = at.date(), calendar.service_date(office, now)
    key = "today" if day == today else "tomorrow" if day == today + timedelta(days=1) else "day"
    name = format_date(day, "EEEE, d MMMM", locale="id_ID" if lang == "id" else "en_US")
    msgid = WHEN_TEXT[key]
    return translate(msgid, lang, day=name, time=at.strftime("%H:%M"))


def _line(service: dict[str, Any], lang: str) -> tuple[str, str]:
    """The line's length and a new ticket's expected wait, as the kiosk and phone page say it."""
    n, estimate = service["waiting"], service["estimate"]
    waiting = LIST_TEXT["waiting" if n else "waiting_none"]
    if estimate["high"] <= 0:
        wait = LIST_TEXT["estimate_soon"]
    else:
        wait = LIST_TEXT["estimate" if estimate["low"] > 0 else "estimate_upto"]
    return translate(waiting, lang, n=n), translate(wait, lang, **estimate)


def _look(state: OfficeQueue, now: datetime) -> dict[str, Any]:
    office = state.office
    local = calendar.local_time(office, now)
    return {
        "office": office,
        "hours": calendar.hours_on(office, None, local.date()),
        "open": calendar.is_open(office, now),
        "opens_next": calendar.next_opening(office, None, now),
        "services": public.remote_services(state, now),
        "disruptions": public.snapshot(state)["disruptions"],
        "nik_cap": office.policy.person_daily_cap,
    }


@router.get("/ambil/{office}", response_class=HTMLResponse, dependencies=[allow(public=True)])
def remote_page(
    request: Request, office: str, ctx: Ctx, who: Who, lang: str | None = None
) -> Response:
    """Take a number from home: today's hours, each service's line and wait, then a phone
    number and consent; Indonesian, or English with `?lang=en`."""
    language = normalize_lang(lang)
    other = "en" if language == "id" else "id"
    try:  # open to anyone; staff and devices of another office are kept to their own
        office_id = office_of(ctx, office, who)
    except (OfficeNotFound, ApiError):
        return pages.TemplateResponse(
            request, "remote.html", {"lang": language, "other_lang": other, "office": None},
            status_code=404,
        )  # fmt: skip
    now = ctx.clock.now()
    seen = ctx.queue.inspect(office_id, lambda state: _look(state, now))
    the_office: Office = seen["office"]
    remote: list[dict[str, Any]] = []
    in_person: list[dict[str, Any]] = []
    for service in seen["services"]:
        refused = service["refusal"]
        service["reason"] = (
            None if refused is None
            else error_messages(refused["code"], **refused["params"])[language]
        )  # fmt: skip
        service["again"] = when_text(the_office, service["next_opening"], now, language)
        service["waiting_text"], service["wait_text"] = _line(service, language)
        service["notice"] = disruption_notice(
            seen["disruptions"], service["code"], service["name"][language], language
        )
        if refused is not None and refused["code"] == "service_disrupted":
            service["reason"] = None  # the notice says it
        (remote if service["remote"] else in_person).append(service)
    available = [s for s in remote if s["refusal"] is None]
    config = {
        "office": the_office.slug,
        "lang": language,
        "nik": seen["nik_cap"] is not None,
        "text": texts(SCRIPT_TEXT, language),
    }
    return pages.TemplateResponse(
        request,
        "remote.html",
        {
            "lang": language,
            "other_lang": other,
            "office": the_office,
            "hours": seen["hours"],
            "open": seen["open"],
            "opens_next": when_text(the_office, seen["opens_next"], now, language),
            "remote": remote,
            "in_person": in_person,
            "available": available,
            "nik_cap": seen["nik_cap"],
            "consent_text": consent.wording(Channel.WEB, language),
            "config": config,
        },
        headers={"Cache-Control": "no-store"},
    )
