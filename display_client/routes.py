"""The lobby display page (display devices; an unpaired browser is sent to /display/pair)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from queue_server.api.access import allow
from queue_server.api.deps import Context, Ctx
from queue_server.api.errors import ApiError
from queue_server.i18n import N_, normalize_lang
from queue_server.services.auth import DeviceKind
from queue_server.web.pairing import paired
from queue_server.web.templating import templates, texts
from queue_server.web.texts import DISRUPTION_TEXT

DISPLAY_DIR = Path(__file__).resolve().parent
STATIC_DIR = DISPLAY_DIR / "static"
pages = templates(DISPLAY_DIR / "templates")
router = APIRouter(include_in_schema=False)

SCRIPT_TEXT: dict[str, str] = {
    "counter": N_("Loket {n}"),
    "waiting": N_("{n} menunggu"),
    "state_open": N_("Buka"),
    "state_paused": N_("Istirahat"),
    "state_closed": N_("Tutup"),
    "serving_none": N_("—"),
    "offline": N_("Terputus, menyambungkan kembali…"),
    "sound_blocked": N_("Suara panggilan diblokir oleh peramban."),
    **DISRUPTION_TEXT,
}
MEDIA_KINDS = {
    ".jpg": "image", ".jpeg": "image", ".png": "image", ".webp": "image", ".gif": "image",
    ".mp4": "video", ".webm": "video",
}  # fmt: skip
FRESH_SECONDS = 30  # a call older than this (by the server's clock) is shown but never announced


def _numbers(text: str | None) -> list[int]:
    return [int(part) for part in (text or "").split(",") if part.strip().isdigit()]


def _codes(text: str | None) -> list[str]:
    return [part.strip().upper() for part in (text or "").split(",") if part.strip()]


@router.get(
    "/display",
    response_class=HTMLResponse,
    dependencies=[allow(devices=(DeviceKind.DISPLAY,), page=True)],
)
def display_page(
    request: Request,
    ctx: Ctx,
    lang: str | None = None,
    services: str | None = None,
    counters: str | None = None,
) -> Response:
    """The lobby screen. `?services=A,B` or `?counters=1,2` for one of several lobbies."""
    who = paired(ctx, request, DeviceKind.DISPLAY)
    if who is None or who.office_id is None:
        return RedirectResponse("/display/pair", status_code=303)
    language = normalize_lang(lang)
    office = ctx.admin.get_office(who.office_id)
    only_services, only_counters = _codes(services), _numbers(counters)
    query = "&".join(
        part
        for part in (
            f"services={','.join(only_services)}" if only_services else "",
            f"counters={','.join(map(str, only_counters))}" if only_counters else "",
        )
        if part
    )
    config = {
        "office": office.slug,
        "timezone": office.timezone,
        "lang": language,
        "server_time": ctx.clock.now().isoformat(),
        "fresh_seconds": FRESH_SECONDS,
        "live_url": f"/ws/v1/offices/{office.slug}?role=display" + (f"&{query}" if query else ""),
        "media": media(ctx),
        "media_seconds": 10,
        "text": texts(SCRIPT_TEXT, language),
    }
    return pages.TemplateResponse(
        request,
        "display.html",
        {"lang": language, "office": office, "config": config},
        headers={"Cache-Control": "no-store"},
    )


def _media_dir(ctx: Context) -> Path | None:
    folder = ctx.settings.media_dir
    return Path(folder).resolve() if folder and Path(folder).is_dir() else None


def media(ctx: Context) -> list[dict[str, str]]:
    """The images and videos in ANTREAN_MEDIA_DIR, by name, as the display shows them."""
    folder = _media_dir(ctx)
    if folder is None:
        return []
    return [
        {"url": f"/display/media/{path.name}", "kind": MEDIA_KINDS[path.suffix.lower()]}
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix.lower() in MEDIA_KINDS and not path.name.startswith(".")
    ]


@router.get("/display/media/{name}", dependencies=[allow(public=True)])
def media_file(name: str, ctx: Ctx) -> Response:
    """One file of the display's media folder (no sub-folders, no other files)."""
    folder = _media_dir(ctx)
    if folder is None or "/" in name or "\\" in name or name.startswith("."):
        raise ApiError(404, "not_found")
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file() or path.suffix.lower() not in MEDIA_KINDS:
        raise ApiError(404, "not_found")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
