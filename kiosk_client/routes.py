"""The kiosk's pages and the few API calls only a kiosk makes.

`/kiosk` is the touch screen (kiosk devices only; an unpaired browser is sent to
`/kiosk/pair`). Tickets are taken through the ordinary `POST /api/v1/offices/{office}/tickets`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from queue_server import consent
from queue_server.api.access import STAFF, allow
from queue_server.api.deps import Context, Ctx, Who, office_of
from queue_server.api.errors import ApiError
from queue_server.domain import public
from queue_server.domain.model import Channel, PriorityGroup
from queue_server.i18n import N_, normalize_lang
from queue_server.i18n.errors import error_messages
from queue_server.services import alerts, printing
from queue_server.services.auth import DeviceKind, Principal
from queue_server.services.bookings import CODE_LENGTH, CODE_LETTERS
from queue_server.web.pairing import paired
from queue_server.web.templating import templates, texts
from queue_server.web.texts import DISRUPTION_TEXT, LINE_TEXT

KIOSK_DIR = Path(__file__).resolve().parent
STATIC_DIR = KIOSK_DIR / "static"
pages = templates(KIOSK_DIR / "templates")
router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["kiosk"])

# (group, words, icon): the priority lane of UU 25/2009 art. 29, "Umum" (none) first.
PRIORITY_CHOICES: tuple[tuple[PriorityGroup, str, str], ...] = (
    (PriorityGroup.NONE, N_("Umum"), "users"),
    (PriorityGroup.LANSIA, N_("Lansia (60+)"), "old"),
    (PriorityGroup.DISABILITAS, N_("Penyandang disabilitas"), "wheelchair"),
    (PriorityGroup.IBU_HAMIL, N_("Ibu hamil"), "woman"),
    (PriorityGroup.BALITA, N_("Membawa balita"), "baby-carriage"),
    (PriorityGroup.KORBAN_BENCANA, N_("Korban bencana"), "home-exclamation"),
)

# Text the kiosk's script fills in; `{name}` placeholders are filled by the script.
SCRIPT_TEXT: dict[str, str] = {
    "waiting": N_("{n} orang menunggu"),
    "waiting_none": N_("Tidak ada yang menunggu"),
    **LINE_TEXT,
    "printing": N_("Tiket sedang dicetak…"),
    "printed": N_("Silakan ambil tiket Anda."),
    "print_failed": N_("Printer bermasalah — foto layar ini atau pindai kode QR"),
    "back_in": N_("Kembali ke awal dalam {s} detik"),
    "sending": N_("Mohon tunggu, nomor antrean sedang dibuat…"),
    "offline": N_("Tidak terhubung ke server. Mencoba lagi…"),
    "retrying": N_("Server tidak dapat dihubungi. Mencoba lagi… ({n})"),
    "gave_up": N_(
        "Server belum dapat dihubungi. Silakan coba lagi atau hubungi petugas informasi."
    ),
    "phone_invalid": N_("Nomor HP tidak valid. Contoh: 0812 3456 7890"),
    "phone_consent": N_("Centang persetujuan untuk menerima pesan, atau hapus nomor HP."),
    "phone_none": N_("Tidak ada"),
    "phone_title": N_("Nomor HP (tidak wajib)"),
    "phone_hint": N_(
        "Kami kirim pesan saat giliran Anda hampir tiba, agar Anda tidak perlu menunggu di ruang "
        "tunggu."
    ),
    "nik_title": N_("NIK (16 angka, lihat KTP-el atau KK)"),
    "nik_hint": N_(
        "NIK hanya dipakai untuk membatasi {cap} nomor antrean per orang per hari. NIK tidak "
        "dicetak dan tidak ditampilkan."
    ),
    "nik_invalid": N_("NIK harus 16 angka. Periksa kembali KTP-el atau KK Anda."),
    "nik_shown": N_("NIK diisi: •••• •••• •••• {last}"),
    "checking": N_("Mohon tunggu, kode janji temu sedang diperiksa…"),
    "due": N_("Nomor Anda masuk antrean pukul {time}"),
    "code_length": N_("Kode janji temu terdiri dari {n} huruf dan angka. Periksa kembali kodenya."),
    # a check-in refused as the API words it for staff, put to the visitor at the kiosk
    "checkin_closed": N_(
        "Kode ini sudah dipakai untuk check-in, atau janji temunya sudah dibatalkan. Bila Anda "
        "belum mendapat nomor antrean, silakan tanya petugas."
    ),
    "checkin_other_day": N_(
        "Janji temu Anda bukan untuk hari ini. Periksa tanggal pada pesan janji temu Anda."
    ),
    # a disrupted service: its notice, and the callback list ("kami kabari saat layanan pulih")
    **DISRUPTION_TEXT,
    "callback_title": N_("Nomor HP untuk dikabari saat layanan pulih"),
    "callback_hint": N_(
        "Kami kirim satu pesan SMS/WhatsApp saat layanan {service} kembali normal. Nomor HP "
        "hanya dipakai untuk itu."
    ),
    "callback_empty": N_("Ketik nomor HP Anda dulu. Contoh: 0812 3456 7890"),
    "callback_consent": N_("Centang persetujuan agar kami boleh mengirim pesan ke nomor ini."),
    "callback_sending": N_("Mohon tunggu, nomor HP Anda sedang disimpan…"),
    "callback_done": N_("Terima kasih. Kami kabari nomor {phone} saat layanan {service} pulih."),
    "callback_back": N_(
        "Layanan ini sudah kembali normal. Silakan ambil nomor antrean seperti biasa."
    ),
}


def bookings_offered(ctx: Context, office_id: int) -> bool:
    """Whether any service takes bookings: then the kiosk offers check-in."""
    return bool(
        ctx.queue.inspect(
            office_id,
            lambda state: any(s.active and s.booking.enabled for s in state.services.values()),
        )
    )


def menu(ctx: Context, office_id: int) -> list[dict[str, Any]]:
    """The services as the kiosk shows them, with the refusal put into words."""
    now = ctx.clock.now()
    services: list[dict[str, Any]] = ctx.queue.inspect(
        office_id, lambda state: public.kiosk_services(state, now)
    )
    for service in services:
        refused = service.pop("refusal")
        service["refusal"] = (
            None
            if refused is None
            else {
                "code": refused["code"],
                "text": error_messages(refused["code"], **refused["params"]),
            }
        )
    return services


@router.get(
    "/kiosk",
    response_class=HTMLResponse,
    dependencies=[allow(devices=(DeviceKind.KIOSK,), page=True)],
)
def kiosk_page(
    request: Request,
    ctx: Ctx,
    lang: str | None = None,
    service: str | None = None,
    checkin: bool = False,
) -> Response:
    """The touch screen. `?lang=en` shows it in English; `?service=A` opens that service,
    `?checkin=1` the check-in of a booking."""
    who = paired(ctx, request, DeviceKind.KIOSK)
    if who is None or who.office_id is None:
        return RedirectResponse("/kiosk/pair", status_code=303)
    language = normalize_lang(lang)
    office = ctx.admin.get_office(who.office_id)
    services = menu(ctx, who.office_id)
    nik_cap = ctx.queue.inspect(who.office_id, lambda s: s.office.policy.person_daily_cap)
    snap = ctx.queue.snapshot(who.office_id)
    config = {
        "office": office.slug,
        "timezone": office.timezone,
        "lang": language,
        "service": service,
        "text": texts(SCRIPT_TEXT, language),
        "idle_seconds": 60,
        "result_seconds": 20,
        "failed_seconds": 60,
        "print_wait_seconds": 8,
        "refresh_seconds": 30,
        "nik_cap": nik_cap,
        "checkin": checkin,
        "code_letters": CODE_LETTERS,
        "code_length": CODE_LENGTH,
        "disruptions": snap["disruptions"],
        "callback_mode": snap["disruption_callback"],
        "consent": {
            "ticket": consent.wording(Channel.KIOSK, language),
            "callback": consent.callback_wording(language),
        },
    }
    return pages.TemplateResponse(
        request,
        "kiosk.html",
        {
            "lang": language,
            "consent_text": consent.wording(Channel.KIOSK, language),
            "other_lang": "en" if language == "id" else "id",
            "office": office,
            "services": services,
            "priorities": PRIORITY_CHOICES,
            "config": config,
            "nik_cap": nik_cap,
            "bookings": bookings_offered(ctx, who.office_id),
            "code_letters": CODE_LETTERS,
        },
        headers={"Cache-Control": "no-store"},
    )


@api.get(
    "/offices/{office}/kiosk/services",
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.KIOSK,))],
)
def kiosk_services(office: str, ctx: Ctx, who: Who) -> dict[str, Any]:
    """The kiosk's menu now: waiting counts, which services take tickets and why not, and
    whether booked visitors check in here."""
    office_id = office_of(ctx, office, who)
    if who.device is not DeviceKind.KIOSK and not who.is_staff:
        raise ApiError(401 if who.is_anonymous else 403, "forbidden")
    return {"services": menu(ctx, office_id), "bookings": bookings_offered(ctx, office_id)}


def _own_job(ctx: Context, office: str, token: str, who: Principal) -> tuple[str, dict[str, Any]]:
    office_id = office_of(ctx, office, who)
    if who.device is not DeviceKind.KIOSK or who.device_id is None:
        raise ApiError(401 if who.is_anonymous else 403, "forbidden")
    found_office, view = ctx.queue.find(token)
    if found_office != office_id:
        raise ApiError(404, "unknown_ticket")
    with ctx.queue.db.read() as conn:
        job = printing.latest_for_ticket(conn, view.ticket.id, who.device_id)
    if job is None:  # not a ticket this kiosk printed
        raise ApiError(404, "unknown_ticket")
    return view.ticket.id, job


@api.get(
    "/offices/{office}/tickets/{token}/print", dependencies=[allow(devices=(DeviceKind.KIOSK,))]
)
async def print_status(office: str, token: str, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Whether this kiosk's printer printed the ticket: pending, printed, failed (or none)."""
    _ticket_id, job = await run_in_threadpool(_own_job, ctx, office, token, who)
    return {"status": job["status"], "error": job["error"]}


@api.post(
    "/offices/{office}/tickets/{token}/print/give-up",
    dependencies=[allow(devices=(DeviceKind.KIOSK,))],
)
def give_up(office: str, token: str, request: Request, ctx: Ctx, who: Who) -> dict[str, Any]:
    """The kiosk stopped waiting: a job not printed yet will not come out later by surprise,
    and the staff screens hear that this kiosk's printer did not answer."""
    _ticket_id, job = _own_job(ctx, office, token, who)
    if job["status"] == "pending" and who.device_id is not None:
        with ctx.queue.db.write() as conn:
            printing.give_up(conn, job["job"], who.device_id, ctx.clock.now())
            alerts.printer_failed(conn, request.app.state.hub.alert, ctx.queue.office_id(office),
                                  who.device_id, "timeout", ctx.clock.now())  # fmt: skip
        return {"status": "failed", "error": "timeout"}
    return {"status": job["status"], "error": job["error"]}
