"""Settings pages (pengaturan) for supervisors and admins: set an office up without touching files.

Each page shows the office's current settings as forms; `static/js/admin.js` sends a form as
JSON to the same API the command line and other tools use (`/api/v1/offices/...`), so every
rule, check and audit entry lives in one place. The pages only draw and post.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from queue_server.api.access import SUPERVISORS, allow
from queue_server.api.deps import Context, Ctx
from queue_server.i18n import N_, normalize_lang
from queue_server.services.auth import DeviceKind, Principal, Role
from queue_server.web.staff import NoOffice, _office, signed_in
from queue_server.web.templating import TEMPLATE_DIR, templates, texts
from queue_server.web.texts import WEEKDAY_WORDS

router = APIRouter(include_in_schema=False)
pages = templates(TEMPLATE_DIR)


@dataclass(frozen=True)
class Tab:
    path: str
    label: str  # Indonesian msgid
    admins_only: bool = False


TABS: tuple[Tab, ...] = (
    Tab("kantor", N_("Kantor")),
    Tab("layanan", N_("Layanan")),
    Tab("loket", N_("Loket")),
    Tab("perangkat", N_("Perangkat")),
    Tab("suara", N_("Suara & layar")),
    Tab("pesan", N_("Pesan ke pengunjung")),
    Tab("privasi", N_("Data pribadi")),
    Tab("pengguna", N_("Pengguna"), admins_only=True),
)

# Words the settings pages' script shows (placeholders filled by the script).
ADMIN_TEXT: dict[str, str] = {
    "saved": N_("Tersimpan."),
    "failed": N_("Gagal. Periksa sambungan lalu coba lagi."),
    "check_fields": N_("Periksa isian yang ditandai."),
    "bad_time": N_("Jam harus ditulis JJ:MM, misalnya 08:00."),
    "bad_break": N_("Istirahat ditulis JJ:MM-JJ:MM, dipisah koma, misalnya 12:00-13:00."),
    "bad_date": N_("Tanggal harus ditulis TTTT-BB-HH, misalnya 2026-12-25."),
    "bad_json": N_("Pengaturan gateway bukan JSON yang sah."),
    "confirm_revoke": N_("Cabut perangkat {name}? Layarnya langsung terputus."),
    "confirm_delete_counter": N_("Hapus loket {n}?"),
    "confirm_erase": N_("Hapus semua data pribadi untuk nomor ini? Tidak bisa dibatalkan."),
    "token_once": N_("Token perangkat (hanya ditampilkan sekali): {token}"),
    "online": N_("Tersambung"),
    "offline": N_("Terputus"),
    "never": N_("belum pernah"),
    "printer_ok": N_("Printer baik"),
    "printer_waiting": N_("Menunggu cetak"),
    "printer_failing": N_("Printer bermasalah"),
    "printer_unknown": N_("Belum pernah mencetak"),
    "rename": N_("Ganti nama"),
    "revoke": N_("Cabut"),
    "test_sent": N_("Pesan uji terkirim."),
    "test_failed": N_("Pesan uji gagal: {detail}"),
    "nothing_held": N_("Tidak ada data untuk nomor ini."),
    "erased": N_("Data pribadi dihapus: {tickets} nomor antrean, {messages} pesan."),
    "paired": N_("Perangkat {name} terpasang."),
    "held_tickets": N_("Nomor antrean"),
    "held_messages": N_("Pesan terkirim"),
    "held_bookings": N_("Janji temu"),
    "col_code": N_("Kode"),
    "col_day": N_("Tanggal"),
    "col_slot": N_("Jam"),
    "col_number": N_("Nomor"),
    "col_service_date": N_("Tanggal"),
    "col_service": N_("Layanan"),
    "col_status": N_("Status"),
    "col_consent_at": N_("Persetujuan diberikan"),
    "col_consent_text": N_("Bunyi persetujuan"),
    "col_created_at": N_("Waktu"),
    "col_kind": N_("Jenis"),
    "col_body": N_("Isi pesan"),
}
DEVICE_WORDS: dict[str, str] = {
    DeviceKind.KIOSK.value: N_("Kiosk"),
    DeviceKind.DISPLAY.value: N_("Layar ruang tunggu"),
    DeviceKind.COUNTER.value: N_("Layar loket"),
    DeviceKind.AGENT.value: N_("Agen printer"),
}
ROLE_WORDS: dict[str, str] = {
    Role.ADMIN.value: N_("Admin"),
    Role.SUPERVISOR.value: N_("Supervisor"),
    Role.OFFICER.value: N_("Petugas"),
}
# Offered first in the time-zone list: Indonesia's three zones.
ZONES: tuple[tuple[str, str], ...] = (
    ("Asia/Jakarta", "WIB · Asia/Jakarta"),
    ("Asia/Pontianak", "WIB · Asia/Pontianak"),
    ("Asia/Makassar", "WITA · Asia/Makassar"),
    ("Asia/Jayapura", "WIT · Asia/Jayapura"),
)
GATEWAY_KINDS: tuple[tuple[str, str], ...] = (
    ("log", N_("Catat saja (uji coba, tidak mengirim)")),
    ("http", N_("Gateway SMS/WhatsApp lewat HTTP")),
    ("gammu", N_("Modem GSM (Gammu)")),
    ("whatsapp", N_("WhatsApp Cloud API")),
    ("apprise", N_("Apprise")),
)


def _manager(ctx: Context, request: Request) -> Principal | None:
    who = signed_in(ctx, request)
    return who if who is not None and who.role in (Role.ADMIN, Role.SUPERVISOR) else None


def _page(
    ctx: Context,
    request: Request,
    tab: str,
    office: str | None,
    lang: str | None,
    fill: Any,
) -> Response:
    """Draw settings page `tab`: sign-in and office checks, the tab bar, then `fill`'s part."""
    who = _manager(ctx, request)
    if who is None:
        return RedirectResponse(f"/masuk?next={request.url.path}", status_code=303)
    current = next(t for t in TABS if t.path == tab)
    if current.admins_only and who.role is not Role.ADMIN:
        return RedirectResponse("/pengaturan/kantor", status_code=303)
    language = normalize_lang(lang)
    try:
        found = _office(ctx, who, office)
    except NoOffice:
        found = None
    tabs = [t for t in TABS if who.role is Role.ADMIN or not t.admins_only]
    offices = ctx.admin.list_offices() if who.sees_every_office else []
    data: dict[str, Any] = {
        "lang": language,
        "who": who,
        "office": found,
        "offices": offices,
        "tabs": tabs,
        "tab": tab,
        "weekdays": WEEKDAY_WORDS,
        "config": {
            "office": found.slug if found is not None else None,
            "lang": language,
            "text": texts(ADMIN_TEXT, language),
        },
    }
    if found is not None:
        data.update(fill(found, data["config"]))
    return pages.TemplateResponse(
        request, f"admin/{tab}.html", data, headers={"Cache-Control": "no-store"}
    )


@router.get(
    "/pengaturan", response_class=HTMLResponse, dependencies=[allow(roles=SUPERVISORS, page=True)]
)
def settings_home(
    request: Request, ctx: Ctx, office: str | None = None, lang: str | None = None
) -> Response:
    if _manager(ctx, request) is None:
        return RedirectResponse("/masuk?next=/pengaturan/kantor", status_code=303)
    query = "&".join(f"{k}={v}" for k, v in (("office", office), ("lang", lang)) if v)
    return RedirectResponse("/pengaturan/kantor" + (f"?{query}" if query else ""), 303)


@router.get(
    "/pengaturan/kantor",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, page=True)],
)
def office_page(
    request: Request, ctx: Ctx, office: str | None = None, lang: str | None = None
) -> Response:
    """The office: name, time zone, number style, hours, holidays, date-range schedules, the
    queue's rules, the logo and the printed ticket's preview."""

    def fill(found: Any, config: dict[str, Any]) -> dict[str, Any]:
        zones = list(ZONES)
        if found.timezone not in {z for z, _ in zones}:
            zones.append((found.timezone, found.timezone))
        return {
            "zones": zones,
            "schedules": found.schedules or [],
            "number_digits": found.number_digits,
            "sample_prefix": next(
                (s.prefix for s in ctx.admin.list_services(found.id) if s.active), "A"
            ),
        }

    return _page(ctx, request, "kantor", office, lang, fill)


@router.get(
    "/pengaturan/layanan",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, page=True)],
)
def services_page(
    request: Request, ctx: Ctx, office: str | None = None, lang: str | None = None
) -> Response:
    """Services: code, prefix, names, requirements, fee, time limit, quota, hours, remote."""

    def fill(found: Any, config: dict[str, Any]) -> dict[str, Any]:
        services = sorted(ctx.admin.list_services(found.id), key=lambda s: (s.sort_order, s.code))
        return {"services": services}

    return _page(ctx, request, "layanan", office, lang, fill)


@router.get(
    "/pengaturan/loket",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, page=True)],
)
def counters_page(
    request: Request, ctx: Ctx, office: str | None = None, lang: str | None = None
) -> Response:
    """Counters (loket) and which services each serves, in the order it prefers them."""

    def fill(found: Any, config: dict[str, Any]) -> dict[str, Any]:
        services = sorted(ctx.admin.list_services(found.id), key=lambda s: (s.sort_order, s.code))
        counters = sorted(ctx.admin.list_counters(found.id), key=lambda c: c.number)
        config["text"].update({f"counter_{c.number}": c.name or str(c.number) for c in counters})
        return {"services": services, "counters": counters}

    return _page(ctx, request, "loket", office, lang, fill)


@router.get(
    "/pengaturan/perangkat",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, page=True)],
)
def devices_page(
    request: Request, ctx: Ctx, office: str | None = None, lang: str | None = None
) -> Response:
    """Devices: the health board, pairing by a screen's code, new device tokens, renaming and
    revoking."""

    def fill(found: Any, config: dict[str, Any]) -> dict[str, Any]:
        language = config["lang"]
        config["kinds"] = texts(DEVICE_WORDS, language)
        counters = sorted(ctx.admin.list_counters(found.id), key=lambda c: c.number)
        kiosks = [d for d in ctx.admin.list_devices(found.id) if d.kind == "kiosk"]
        return {
            "counters": counters,
            "kiosks": [k for k in kiosks if k.revoked_at is None],
            "kinds": list(texts(DEVICE_WORDS, language).items()),
        }

    return _page(ctx, request, "perangkat", office, lang, fill)


@router.get(
    "/pengaturan/suara",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, page=True)],
)
def voice_page(
    request: Request, ctx: Ctx, office: str | None = None, lang: str | None = None
) -> Response:
    """How calls are announced (with a voice test) and what the lobby display shows."""
    from display_client.routes import media

    def fill(found: Any, config: dict[str, Any]) -> dict[str, Any]:
        counters = sorted(ctx.admin.list_counters(found.id), key=lambda c: c.number)
        prefix = next((s.prefix for s in ctx.admin.list_services(found.id) if s.active), "A")
        return {
            "voice": found.voice or {},
            "media": media(ctx),
            "media_dir": ctx.settings.media_dir,
            "sample_number": f"{prefix}015",
            "sample_counter": counters[0].number if counters else 1,
        }

    return _page(ctx, request, "suara", office, lang, fill)


@router.get(
    "/pengaturan/pesan",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, page=True)],
)
def notify_page(
    request: Request, ctx: Ctx, office: str | None = None, lang: str | None = None
) -> Response:
    """Text messages to visitors: when to send, the gateway (secrets masked), a test message."""
    from queue_server.api.routes.admin import _without_secrets

    def fill(found: Any, config: dict[str, Any]) -> dict[str, Any]:
        notify = dict(found.notify or {})
        gateway = _without_secrets(dict(notify.get("gateway") or {"kind": "log"}))
        kind = gateway.pop("kind", "log")
        return {
            "notify": notify,
            "gateway_kind": kind,
            "gateway_options": gateway,
            "gateway_kinds": GATEWAY_KINDS,
        }

    return _page(ctx, request, "pesan", office, lang, fill)


@router.get(
    "/pengaturan/privasi",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, page=True)],
)
def privacy_page(
    request: Request, ctx: Ctx, office: str | None = None, lang: str | None = None
) -> Response:
    """Personal data: how long it is kept, and a visitor's request to see or erase theirs."""

    def fill(found: Any, config: dict[str, Any]) -> dict[str, Any]:
        return {
            "retention_days": found.retention_days,
            "retention_default": ctx.settings.retention_days,
        }

    return _page(ctx, request, "privasi", office, lang, fill)


@router.get(
    "/pengaturan/pengguna",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, page=True)],
)
def users_page(
    request: Request, ctx: Ctx, office: str | None = None, lang: str | None = None
) -> Response:
    """Users and their roles (admins only): create, change role, reset password, deactivate."""

    def fill(found: Any, config: dict[str, Any]) -> dict[str, Any]:
        slugs = {o.id: o.slug for o in ctx.admin.list_offices()}
        users = [
            {
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "office": slugs.get(u.office_id),
                "active": u.active,
            }
            for u in ctx.admin.list_users()
        ]
        return {"users": users, "roles": list(texts(ROLE_WORDS, config["lang"]).items())}

    return _page(ctx, request, "pengguna", office, lang, fill)
