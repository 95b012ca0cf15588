"""Signing in and out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from queue_server.api.access import DEVICES, STAFF, allow
from queue_server.services import auth

from .. import schemas
from ..deps import SESSION_COOKIE, Ctx, Who, address
from ..errors import ApiError

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/login",
    response_model=schemas.LoginOut,
    responses={429: {"description": "Too many failed sign-ins: locked out for a while"}},
    dependencies=[allow(public=True)],
)
def login(body: schemas.LoginIn, request: Request, response: Response, ctx: Ctx) -> dict[str, Any]:
    """Exchange a username and password for a token (also set as a session cookie).

    Too many failed attempts for a username, or from an address, lock it out for a while."""
    gate, limits = ctx.gate, ctx.gate.limits
    username, where = body.username.strip().lower(), address(request)
    gate.refuse_if_spent(limits.login_user, username)
    gate.refuse_if_spent(limits.login_address, where)
    with ctx.queue.db.write() as conn:
        result = auth.login(
            conn, body.username, body.password, ctx.clock.now(), ctx.settings.session_hours
        )
    if result is None:
        gate.count(limits.login_user, username)
        gate.count(limits.login_address, where)
        raise ApiError(401, "invalid_credentials")
    gate.clear(limits.login_user, username)
    token, who = result
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ctx.settings.session_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
    )
    office = None
    if who.office_id is not None:
        office = ctx.admin.get_office(who.office_id).slug
    return {"token": token, "username": who.name, "role": who.role, "office": office}


@router.post("/logout", status_code=204, dependencies=[allow(public=True)])
def logout(request: Request, response: Response, ctx: Ctx, who: Who) -> Response:
    """End this session."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else None
    token = token or request.cookies.get(SESSION_COOKIE)
    if token and who.user_id is not None:
        with ctx.queue.db.write() as conn:
            auth.logout(conn, token, ctx.clock.now())
        ctx.principals.forget(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/logout-everywhere", dependencies=[allow(roles=STAFF)])
def logout_everywhere(ctx: Ctx, who: Who) -> dict[str, int]:
    """End every session of the signed-in user, on every device."""
    assert who.user_id is not None
    with ctx.queue.db.write() as conn:
        ended = auth.logout_everywhere(conn, who.user_id, ctx.clock.now())
    ctx.principals.forget()
    return {"ended": ended}


@router.get("/me", dependencies=[allow(roles=STAFF, devices=DEVICES)])
def me(who: Who, ctx: Ctx) -> dict[str, Any]:
    """Who this credential is."""
    if who.is_anonymous:
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    office = ctx.admin.get_office(who.office_id).slug if who.office_id is not None else None
    return {
        "name": who.name,
        "role": who.role,
        "device": who.device,
        "office": office,
        "counter": who.counter,
    }
