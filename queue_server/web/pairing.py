"""Pairing a screen (kiosk, lobby display, counter display) with its device token.

An administrator registers the device (`antrean devices create --kind display ...`) and opens the
printed link on the screen once: `/display/pair#token=...`. The token is then kept in this
browser as an http-only cookie, and the screen's page knows which office and device it is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import HTMLResponse

from queue_server.api.access import allow
from queue_server.api.deps import CSRF_HEADER, SESSION_COOKIE, Context, Ctx
from queue_server.api.errors import ApiError
from queue_server.i18n import N_, normalize_lang
from queue_server.services.auth import DeviceKind, Principal
from queue_server.web.templating import TEMPLATE_DIR, templates, texts

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["devices"])
pages = templates(TEMPLATE_DIR)
COOKIE_DAYS = 400  # browsers cap cookie lifetimes near this

# The page each kind of screen shows, and what its pairing page is called.
SCREENS: dict[DeviceKind, tuple[str, str]] = {
    DeviceKind.KIOSK: ("/kiosk", N_("Pasang kiosk")),
    DeviceKind.DISPLAY: ("/display", N_("Pasang layar ruang tunggu")),
    DeviceKind.COUNTER: ("/loket-layar", N_("Pasang layar loket")),
}
PAIR_TEXT = {"offline": N_("Tidak terhubung ke server. Mencoba lagi…")}


def paired(ctx: Context, request: Request, kind: DeviceKind) -> Principal | None:
    """The device of `kind` this browser was paired as, if any (and not revoked)."""
    token = request.cookies.get(SESSION_COOKIE)
    who = ctx.principal_for(token) if token else None
    if who is None or who.device is not kind or who.office_id is None:
        return None
    return who


def _pair_page(kind: DeviceKind) -> object:
    path, title = SCREENS[kind]

    def page(request: Request, lang: str | None = None) -> Response:
        language = normalize_lang(lang)
        config = {
            "lang": language,
            "kind": kind.value,
            "next": path,
            "text": texts(PAIR_TEXT, language),
        }
        context = {"lang": language, "title": title, "kind": kind.value, "config": config}
        return pages.TemplateResponse(request, "pair.html", context)

    page.__name__ = f"pair_{kind.value}"
    return page


for _kind, (_path, _title) in SCREENS.items():
    router.add_api_route(
        f"{_path}/pair",
        _pair_page(_kind),  # type: ignore[arg-type]
        response_class=HTMLResponse,
        dependencies=[allow(public=True)],
    )


@api.post("/devices/pair", status_code=204, dependencies=[allow(public=True)])
def pair(
    request: Request,
    ctx: Ctx,
    token: Annotated[str, Body(max_length=200)],
    kind: Annotated[DeviceKind, Body()],
) -> Response:
    """Keep a device token in this browser (an http-only cookie) for the screen of `kind`."""
    if CSRF_HEADER not in request.headers:
        raise ApiError(403, "forbidden")
    if kind not in SCREENS:
        raise ApiError(422, "invalid_request")
    who = ctx.principal_for(token.strip())
    if who is None or who.device is not kind:
        raise ApiError(401, "wrong_device")
    response = Response(status_code=204)
    response.set_cookie(
        SESSION_COOKIE,
        token.strip(),
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
    )
    return response
