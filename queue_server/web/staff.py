"""Staff pages: sign in, the counter (loket) screen, the front desk, and the counter display.

Every control of the counter and front-desk screens, with its keyboard shortcut, is declared once
here (`COUNTER_CONTROLS`, `FRONT_DESK_CONTROLS`): the pages draw their buttons from these tables,
the scripts bind the keys from them, and a test checks the officer guide
(docs/panduan-petugas.md) mentions each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from queue_server import consent
from queue_server.api.access import STAFF, SUPERVISORS, allow
from queue_server.api.deps import SESSION_COOKIE, Context, Ctx
from queue_server.domain.model import Channel, PriorityGroup
from queue_server.i18n import N_, normalize_lang, translate
from queue_server.services.auth import DeviceKind, Principal, Role
from queue_server.web.pairing import paired
from queue_server.web.templating import TEMPLATE_DIR, templates, texts
from queue_server.web.texts import LINE_TEXT

router = APIRouter(include_in_schema=False)
pages = templates(TEMPLATE_DIR)


@dataclass(frozen=True)
class Control:
    action: str
    label: str  # Indonesian msgid
    key: str | None = None  # keyboard shortcut (a letter, or "Enter")
    icon: str = ""


COUNTER_CONTROLS: tuple[Control, ...] = (
    Control("call-next", N_("Panggil berikutnya"), "P", "bell-ringing"),
    Control("recall", N_("Panggil ulang"), "U", "bell-ringing"),
    Control("start", N_("Mulai layani"), "M", "users"),
    Control("finish", N_("Selesai"), "S", "check"),
    Control("no-show", N_("Tidak hadir"), "T", "x"),
    Control("transfer", N_("Alihkan"), "A", "arrow-left"),
    Control("hold", N_("Tunda"), "D", "hourglass"),
    Control("reprint", N_("Cetak ulang"), "C", "printer"),
    Control("cancel", N_("Batalkan")),
    Control("pause", N_("Istirahat"), "I", "clock"),
    Control("open", N_("Buka loket"), "B", "check"),
    Control("close", N_("Tutup loket"), "X", "x"),
    Control("call-this", N_("Panggil nomor ini")),
    Control("resume", N_("Lanjutkan")),
)
FRONT_DESK_CONTROLS: tuple[Control, ...] = (
    Control("take", N_("Ambil nomor untuk pengunjung"), "Enter", "ticket"),
    Control("check-in", N_("Check-in janji temu"), None, "qrcode"),
)
PRIORITY_WORDS: dict[str, str] = {
    PriorityGroup.NONE.value: N_("Umum"),
    PriorityGroup.LANSIA.value: N_("Lansia (60+)"),
    PriorityGroup.DISABILITAS.value: N_("Penyandang disabilitas"),
    PriorityGroup.IBU_HAMIL.value: N_("Ibu hamil"),
    PriorityGroup.BALITA.value: N_("Membawa balita"),
    PriorityGroup.KORBAN_BENCANA.value: N_("Korban bencana"),
}
CHANNEL_WORDS: dict[str, str] = {
    "kiosk": N_("Kiosk"),
    "web": N_("Daring"),
    "chat": N_("Pesan"),
    "staff": N_("Petugas"),
    "booking": N_("Janji temu"),
}
STATUS_WORDS: dict[str, str] = {
    "waiting": N_("Menunggu"),
    "called": N_("Dipanggil"),
    "serving": N_("Sedang dilayani"),
    "on_hold": N_("Ditunda"),
    "missed": N_("Terlewat"),
}
COUNTER_TEXT: dict[str, str] = {
    **LINE_TEXT,
    "nobody": N_("Tidak ada yang menunggu untuk loket ini."),
    "called_now": N_("{number} dipanggil ke loket ini."),
    "minutes": N_("{n} menit"),
    "elapsed": N_("{elapsed} dari target {target} menit"),
    "served": N_("Dilayani hari ini: {n}"),
    "average": N_("Rata-rata waktu layanan: {n} menit"),
    "average_none": N_("Rata-rata waktu layanan: —"),
    "failed": N_("Gagal. Periksa sambungan lalu coba lagi."),
    "printed": N_("Dikirim ke printer."),
    "taken": N_("Nomor {number} dibuat. Perkiraan menunggu: {estimate}."),
    "state_open": N_("Buka"),
    "state_paused": N_("Istirahat"),
    "state_closed": N_("Tutup"),
    "connecting": N_("Menyambungkan…"),
    "reconnecting": N_("Menyambungkan kembali…"),
    "printer_alert": N_("Printer {kiosk} bermasalah: {reason}. Mohon diperiksa."),
    "printer_paper_out": N_("kertas habis"),
    "printer_offline": N_("printer mati, tutupnya terbuka, atau terputus"),
    "printer_timeout": N_("tidak menjawab"),
    "printer_other": N_("tidak bisa mencetak"),
    "hide": N_("Sembunyikan"),
}


# A booking's status in words (the statuses of services/bookings.py; "expired" is never listed).
BOOKING_STATUS: dict[str, str] = {
    "pending": N_("Menunggu konfirmasi kode"),
    "confirmed": N_("Terkonfirmasi"),
    "checking_in": N_("Sedang check-in"),
    "checked_in": N_("Sudah check-in"),
    "cancelled": N_("Dibatalkan"),
    "no_show": N_("Tidak datang"),
}
# What staff see after checking a booked visitor in (front desk and the day's bookings).
CHECKIN_TEXT: dict[str, str] = {
    "taken": COUNTER_TEXT["taken"],
    "failed": COUNTER_TEXT["failed"],
    **LINE_TEXT,
    "checked_in_due": N_("Nomor {number} dibuat. Nomor ini masuk antrean pukul {time}."),
    "checkin_closed": N_(
        "Kode ini sudah dipakai untuk check-in, atau janji temunya sudah dibatalkan."
    ),
    "checkin_other_day": N_("Janji temu ini bukan untuk hari ini."),
}
BOOKINGS_TEXT: dict[str, str] = {
    **CHECKIN_TEXT,
    "summary": N_("{n} janji temu · {done} sudah check-in"),
    "check_in": N_("Check-in"),
}


def signed_in(ctx: Context, request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    who = ctx.principal_for(token) if token else None
    return who if who is not None and who.is_staff else None


def _to_login(request: Request) -> Response:
    return RedirectResponse(f"/masuk?next={request.url.path}", status_code=303)


class NoOffice(Exception):
    """An admin on a server with no office yet."""


def _office(ctx: Context, who: Principal, slug: str | None) -> Any:
    """The office a staff page is for: the caller's own, or (admins and regency supervisors) the
    one asked for, else the first. Whoever has an office gets theirs, whatever `slug` says."""
    if not who.sees_every_office:
        if who.office_id is None:  # an officer without an office sees none
            raise NoOffice
        return ctx.admin.get_office(who.office_id)
    offices = ctx.admin.list_offices()
    for office in offices:
        if office.slug == slug:
            return office
    if not offices:
        raise NoOffice
    return offices[0]


def report_period(
    ctx: Context, office_id: int, start: str | None, end: str | None
) -> tuple[date, date]:
    """The dates a report covers: as asked, else this month so far (in order, always)."""
    today = ctx.queue.read(office_id).service_date
    try:
        first = date.fromisoformat(start) if start else today.replace(day=1)
        last = date.fromisoformat(end) if end else today
    except ValueError:
        first, last = today.replace(day=1), today
    return (first, last) if first <= last else (last, first)


def _words(table: dict[str, str], lang: str) -> dict[str, str]:
    return {key: translate(msgid, lang) for key, msgid in table.items()}


def _controls(controls: tuple[Control, ...], lang: str) -> list[dict[str, Any]]:
    return [
        {"action": c.action, "label": translate(c.label, lang), "key": c.key, "icon": c.icon}
        for c in controls
    ]


@router.get("/masuk", response_class=HTMLResponse, dependencies=[allow(public=True)])
def login_page(request: Request, lang: str | None = None, next: str = "/loket") -> Response:
    """Sign in (officers, supervisors, admins)."""
    language = normalize_lang(lang)
    safe = next.startswith("/") and not next.startswith("//") and "\\" not in next
    target = next if safe else "/loket"
    config = {
        "lang": language,
        "next": target,
        "text": texts({"failed": COUNTER_TEXT["failed"]}, language),
    }
    return pages.TemplateResponse(request, "login.html", {"lang": language, "config": config})


@router.get("/loket", response_class=HTMLResponse, dependencies=[allow(roles=STAFF, page=True)])
def counter_picker(
    request: Request, ctx: Ctx, lang: str | None = None, office: str | None = None
) -> Response:
    """Pick the counter to work at."""
    who = signed_in(ctx, request)
    if who is None:
        return _to_login(request)
    language = normalize_lang(lang)
    found = _office(ctx, who, office)
    state = ctx.queue.read(found.id)
    counters = [state.counters[n] for n in sorted(state.counters)]
    return pages.TemplateResponse(
        request,
        "counters.html",
        {"lang": language, "office": found, "counters": counters, "who": who},
    )


@router.get(
    "/loket/{number}", response_class=HTMLResponse, dependencies=[allow(roles=STAFF, page=True)]
)
def counter_page(
    request: Request, number: int, ctx: Ctx, lang: str | None = None, office: str | None = None
) -> Response:
    """The counter screen: call, serve, transfer, hold, reprint; live lists; shortcuts."""
    who = signed_in(ctx, request)
    if who is None:
        return _to_login(request)
    language = normalize_lang(lang)
    found = _office(ctx, who, office)
    state = ctx.queue.read(found.id)
    counter = state.counters.get(number)
    if counter is None:
        return RedirectResponse("/loket", status_code=303)
    services = sorted(state.services.values(), key=lambda s: (s.sort_order, s.code))
    config = {
        "office": found.slug,
        "counter": number,
        "officer": who.name,
        "lang": language,
        "serves": list(counter.services),
        "services": {
            s.code: {
                "prefix": s.prefix,
                "name": s.name_en if language == "en" else s.name_id,
                "documents": list(s.documents),
                "target": s.target_minutes,
            }
            for s in services
        },
        "controls": _controls(COUNTER_CONTROLS, language),
        "priority": _words(PRIORITY_WORDS, language),
        "channel": _words(CHANNEL_WORDS, language),
        "status": _words(STATUS_WORDS, language),
        "timezone": found.timezone,
        "text": texts({**COUNTER_TEXT, **CHECKIN_TEXT}, language),
    }
    controls = {c["action"]: c for c in config["controls"]}
    return pages.TemplateResponse(
        request,
        "counter.html",
        {
            "lang": language,
            "office": found,
            "counter": counter,
            "services": services,
            "controls": controls,
            "config": config,
            "who": who,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get(
    "/meja-depan", response_class=HTMLResponse, dependencies=[allow(roles=STAFF, page=True)]
)
def front_desk(
    request: Request, ctx: Ctx, lang: str | None = None, office: str | None = None
) -> Response:
    """The front desk: take a ticket for a visitor who cannot use the kiosk, print it."""
    who = signed_in(ctx, request)
    if who is None:
        return _to_login(request)
    language = normalize_lang(lang)
    found = _office(ctx, who, office)
    state = ctx.queue.read(found.id)
    services = [
        s for s in sorted(state.services.values(), key=lambda s: (s.sort_order, s.code)) if s.active
    ]
    config = {
        "office": found.slug,
        "lang": language,
        "controls": _controls(FRONT_DESK_CONTROLS, language),
        "timezone": found.timezone,
        "text": texts({**COUNTER_TEXT, **CHECKIN_TEXT}, language),
    }
    return pages.TemplateResponse(
        request,
        "front_desk.html",
        {
            "lang": language,
            "consent_text": consent.wording(Channel.STAFF, language),
            "office": found,
            "services": services,
            "priorities": list(_words(PRIORITY_WORDS, language).items()),
            "controls": {c["action"]: c for c in config["controls"]},
            "config": config,
            "who": who,
        },
    )


@router.get(
    "/janji-temu", response_class=HTMLResponse, dependencies=[allow(roles=STAFF, page=True)]
)
def bookings_page(
    request: Request,
    ctx: Ctx,
    lang: str | None = None,
    office: str | None = None,
    day: str | None = None,
) -> Response:
    """The day's bookings by slot, with a check-in for a visitor who shows their code."""
    who = signed_in(ctx, request)
    if who is None:
        return _to_login(request)
    language = normalize_lang(lang)
    found = _office(ctx, who, office)
    today = ctx.queue.read(found.id).service_date
    try:
        shown = date.fromisoformat(day) if day else today
    except ValueError:
        shown = today
    config = {
        "office": found.slug,
        "lang": language,
        "timezone": found.timezone,
        "today": today.isoformat(),
        "day": shown.isoformat(),
        "refresh_seconds": 30,
        "status": _words(BOOKING_STATUS, language),
        "text": texts(BOOKINGS_TEXT, language),
    }
    return pages.TemplateResponse(
        request,
        "bookings.html",
        {
            "lang": language,
            "office": found,
            "today": today,
            "tomorrow": today + timedelta(days=1),
            "day": shown,
            "config": config,
            "who": who,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get(
    "/loket-layar",
    response_class=HTMLResponse,
    dependencies=[allow(devices=(DeviceKind.COUNTER,), page=True)],
)
def counter_display(request: Request, ctx: Ctx, lang: str | None = None) -> Response:
    """The small screen above a counter: its number and the ticket it serves now."""
    who = paired(ctx, request, DeviceKind.COUNTER)
    if who is None or who.office_id is None or who.counter is None:
        return RedirectResponse("/loket-layar/pair", status_code=303)
    language = normalize_lang(lang)
    found = ctx.admin.get_office(who.office_id)
    config = {
        "office": found.slug,
        "counter": who.counter,
        "lang": language,
        "text": texts(
            {
                k: COUNTER_TEXT[k]
                for k in (
                    "state_open",
                    "state_paused",
                    "state_closed",
                    "reconnecting",
                    "connecting",
                )
            },
            language,
        ),
    }
    return pages.TemplateResponse(
        request,
        "counter_display.html",
        {"lang": language, "office": found, "number": who.counter, "config": config},
    )


MESSAGE_KINDS: dict[str, str] = {
    "joined": N_("Nomor diambil"),
    "near": N_("Giliran hampir tiba"),
    "called": N_("Dipanggil"),
    "missed": N_("Terlewat"),
    "finished": N_("Selesai"),
    "cancelled": N_("Dibatalkan"),
    "reply": N_("Balasan pesan"),
    "delay": N_("Pemberitahuan gangguan"),
    "callback": N_("Kabar layanan pulih"),
    "callback_link": N_("Kabar layanan pulih"),
    "consult_ack": N_("Konsultasi: tanda terima otomatis"),
    "consult": N_("Konsultasi: balasan petugas"),
}
MESSAGE_STATUS: dict[str, str] = {
    "pending": N_("Menunggu dikirim"),
    "sending": N_("Sedang dikirim"),
    "sent": N_("Terkirim"),
    "failed": N_("Gagal"),
    "dropped": N_("Tidak dikirim (sudah tidak berlaku)"),
}


REASONS: dict[str, str] = {
    "joined near the front": N_("Sudah disampaikan dalam pesan nomor diambil."),
    "opted out": N_("Pengunjung meminta berhenti dikirimi pesan."),
    "stale": N_("Tidak dikirim: nomor antrean sudah {status}."),
}


def reason_words(error: str | None, lang: str) -> str:
    """Why a message was not sent, in the staff's language (gateway errors stay technical)."""
    from queue_server.i18n.errors import STATUS_TEXT

    if not error:
        return ""
    if error.startswith("stale: ticket is "):
        status = error.removeprefix("stale: ticket is ")
        words = STATUS_TEXT.get(status)
        msgid = REASONS["stale"]
        return translate(msgid, lang, status=translate(words, lang) if words else status)
    known = REASONS.get(error)
    return translate(known, lang) if known else error


@router.get("/pesan", response_class=HTMLResponse, dependencies=[allow(roles=STAFF, page=True)])
def messages_page(
    request: Request,
    ctx: Ctx,
    lang: str | None = None,
    office: str | None = None,
    status: str | None = None,
) -> Response:
    """Text messages to visitors: what went out, what waits, what failed and why."""
    from queue_server.api.routes.messages import list_messages

    who = signed_in(ctx, request)
    if who is None:
        return _to_login(request)
    language = normalize_lang(lang)
    found = _office(ctx, who, office)
    wanted = status if status in MESSAGE_STATUS else None
    rows = list_messages(found.slug, ctx, who, status=wanted, limit=200)
    zone = ZoneInfo(found.timezone)
    for row in rows:  # the office's own clock, with the date: the list spans days
        row["local_time"] = row["created_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        row["reason"] = reason_words(row["last_error"], language)
    return pages.TemplateResponse(
        request,
        "messages.html",
        {
            "lang": language,
            "office": found,
            "rows": rows,
            "status": wanted,
            "kinds": _words(MESSAGE_KINDS, language),
            "statuses": _words(MESSAGE_STATUS, language),
            "who": who,
        },
    )


@router.get(
    "/survei/{counter}",
    response_class=HTMLResponse,
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.COUNTER,), page=True)],
)
def counter_survey(request: Request, counter: int, ctx: Ctx, lang: str | None = None) -> Response:
    """A tablet on the counter's desk: the survey for the visitor this counter just served."""
    from sqlalchemy import select

    from queue_server.services import survey
    from queue_server.store.repository import find_ticket, tickets
    from queue_server.web.routes import survey_page

    who = signed_in(ctx, request) or paired(ctx, request, DeviceKind.COUNTER)
    if who is None or (who.device is DeviceKind.COUNTER and who.counter != counter):
        return _to_login(request)
    language = normalize_lang(lang)
    found = _office(ctx, who, None)
    state = ctx.queue.read(found.id)
    since = ctx.clock.now() - timedelta(minutes=20)
    with ctx.queue.db.read() as conn:
        ids = conn.execute(
            select(tickets.c.id)
            .where(
                tickets.c.office_id == found.id, tickets.c.service_date == state.service_date,
                tickets.c.counter == counter, tickets.c.status == "done",
                tickets.c.finished_at >= since,
            )
            .order_by(tickets.c.finished_at.desc())
            .limit(5)
        ).scalars().all()  # fmt: skip
        ticket = None
        for ticket_id in ids:
            if not survey.answered(conn, ticket_id):
                ticket = find_ticket(conn, ticket_id=ticket_id)[1]
                break
    page_state = "open" if ticket is not None else "waiting"
    return survey_page(request, ctx, found, ticket, page_state, language, tablet=True)


@router.get(
    "/laporan/skm", response_class=HTMLResponse, dependencies=[allow(roles=SUPERVISORS, page=True)]
)
def skm_recap(
    request: Request,
    ctx: Ctx,
    lang: str | None = None,
    office: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Response:
    """The SKM recap as offices publish it: per element, the IKM and its grade; printable."""
    from queue_server.domain import skm
    from queue_server.services import survey
    from queue_server.web.texts import PERIOD_TEXT, PROFILE_TEXT, ROMAN, UNSUR_TEXT

    who = signed_in(ctx, request)
    if who is None:
        return _to_login(request)
    if who.role is Role.OFFICER:
        return RedirectResponse("/loket", status_code=303)
    language = normalize_lang(lang)
    found = _office(ctx, who, office)
    first, last = report_period(ctx, found.id, start, end)
    with ctx.queue.db.read() as conn:
        result = survey.recap(conn, found.id, first, last)
    state = ctx.queue.read(found.id)
    names = {
        code: (s.name_en if language == "en" else s.name_id) for code, s in state.services.items()
    }
    return pages.TemplateResponse(
        request,
        "skm.html",
        {
            "lang": language,
            "office": found,
            "start": first,
            "end": last,
            "result": result["index"],
            "services": [
                (code, names.get(code, code), i) for code, i in result["services"].items()
            ],
            "profile": [
                (translate(PROFILE_TEXT[f], language), result["profile"][f]) for f in survey.PROFILE
            ],
            "unsur": [(key, translate(UNSUR_TEXT[key], language)) for key in skm.KEYS],
            "weight": "1/9",
            "periods": [
                (
                    translate(PERIOD_TEXT[p.kind], language).format(
                        roman=ROMAN[p.number], year=p.year
                    ),
                    p.first,
                    p.last,
                )
                for p in skm.periods(state.service_date)
            ],
            "who": who,
        },
    )
