"""Pairing a screen (kiosk, lobby display, counter display) with its device token.

An administrator registers the device (`antrean devices create --kind display ...`) and opens the
printed link on the screen once: `/display/pair#token=...`. The token is then kept in this
browser as an http-only cookie, and the screen's page knows which office and device it is.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import HTMLResponse

from queue_server.api.access import allow
from queue_server.api.deps import CSRF_HEADER, SESSION_COOKIE, Context, Ctx, address
from queue_server.api.errors import ApiError
from queue_server.i18n import N_, normalize_lang
from queue_server.services import pairing_codes
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
    _keep(ctx, response, token.strip())
    return response


def _keep(ctx: Context, response: Response, token: str) -> None:
    """The device token, kept in this browser as an http-only cookie."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
    )


@api.post("/devices/pairing-codes", status_code=201, dependencies=[allow(public=True)])
def open_pairing_code(
    request: Request, ctx: Ctx, kind: Annotated[DeviceKind, Body(embed=True)]
) -> dict[str, Any]:
    """A screen not yet paired asks for a 6-digit code to show; an admin enters it at
    `POST /api/v1/offices/{office}/devices/claim`. The claim is this screen's secret for
    collecting its token (`POST /api/v1/devices/pairing-codes/collect`)."""
    if CSRF_HEADER not in request.headers:
        raise ApiError(403, "forbidden")
    if kind not in SCREENS:
        raise ApiError(422, "invalid_request")
    ctx.gate.check(ctx.gate.limits.pairing_address, address(request))
    with ctx.queue.db.write() as conn:
        opened = pairing_codes.open_code(conn, kind.value, ctx.clock.now())
    return {"code": opened.code, "claim": opened.claim,
            "expires_at": opened.expires_at.isoformat()}  # fmt: skip


@api.post("/devices/pairing-codes/collect", dependencies=[allow(public=True)])
def collect_pairing(
    request: Request, ctx: Ctx, claim: Annotated[str, Body(embed=True, max_length=100)]
) -> Response:
    """The waiting screen asks whether its code was entered: 202 while waiting; then 200 with
    its device token kept in this browser (an http-only cookie), once; 404 when expired."""
    if CSRF_HEADER not in request.headers:
        raise ApiError(403, "forbidden")
    with ctx.queue.db.write() as conn:
        found = pairing_codes.collect(conn, claim, ctx.clock.now())
    if found is None:
        raise ApiError(404, "pairing_code_unknown")
    kind, token = found
    if token is None:
        return Response(status_code=202)
    response = Response(
        content=json.dumps({"next": SCREENS[DeviceKind(kind)][0]}), media_type="application/json"
    )
    _keep(ctx, response, token)
    return response
