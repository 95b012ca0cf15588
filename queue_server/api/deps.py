"""Request dependencies: the app context, who is asking, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from queue_server.clock import Clock
from queue_server.config import Settings
from queue_server.services import auth
from queue_server.services.admin import Admin
from queue_server.services.auth import ANONYMOUS, DeviceKind, Principal, Role
from queue_server.services.queue import QueueService

from .errors import ApiError
from .limits import Gate

SESSION_COOKIE = "antrean_session"
CSRF_HEADER = "x-requested-with"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Context:
    settings: Settings
    clock: Clock
    queue: QueueService
    admin: Admin
    principals: auth.PrincipalCache
    gate: Gate

    def principal_for(self, token: str) -> Principal | None:
        """The user session or device behind `token` (cached briefly), or None."""
        hit, principal = self.principals.get(token)
        if not hit:
            with self.queue.db.read() as conn:
                principal = auth.resolve(conn, token, self.clock.now())
            self.principals.put(token, principal)
        return principal


def get_context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(get_context)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else None


def get_principal(request: Request, ctx: Ctx) -> Principal:
    """Resolve the bearer token or session cookie; no credential at all is the anonymous public."""
    token = _bearer(request)
    if token is None and SESSION_COOKIE in request.cookies:
        token = request.cookies[SESSION_COOKIE]
        # A cookie rides along on cross-site requests; a custom header cannot without CORS.
        if request.method in UNSAFE and CSRF_HEADER not in request.headers:
            raise ApiError(403, "forbidden")
    if not token:
        return ANONYMOUS
    principal = ctx.principal_for(token)
    if principal is None:
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    request.state.who = principal  # for the audit trail
    return principal


Who = Annotated[Principal, Depends(get_principal)]


def address(request: Request) -> str:
    """The client's address (as uvicorn reports it; behind a proxy run with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


def office_of(ctx: Context, slug: str, who: Principal) -> int:
    """Return the office id for `slug`; staff and devices of other offices get 404 as if absent."""
    office_id = ctx.queue.office_id(slug)
    if not who.is_anonymous and not who.may_see_office(office_id):
        raise ApiError(404, "office_not_found", office=slug)
    return office_id


def public_caller(
    ctx: Context, request: Request, office_id: int, who: Principal | None = None, *,
    missing: str = "unknown_ticket",
) -> Principal:  # fmt: skip
    """Who calls a public route about `office_id` (named by a visitor's ticket token, or a call's
    sound), as that office sees them.

    Anyone may call these, so a credential matters only when it is this office's own. A bearer
    token of another office is refused (404 `missing`, as if nothing were there): no script,
    device or screen of office A acts on office B. A session cookie of another office rides
    along on its own (a staff member's phone following their own ticket at another office), so
    it counts as no credential: the caller is the visitor, with the visitor's limits.
    """
    if who is None:
        token = _bearer(request)
        credential = token if token is not None else request.cookies.get(SESSION_COOKIE)
        found = ctx.principal_for(credential) if credential else None
        if token is not None and found is None:
            raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
        who = found or ANONYMOUS
    if who.is_anonymous or who.may_see_office(office_id):
        return who
    if _bearer(request) is not None:
        raise ApiError(404, missing)
    return ANONYMOUS


def require_staff(who: Principal, *roles: Role) -> Principal:
    """Allow signed-in users with one of `roles` (admin always)."""
    if who.is_anonymous:
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    if who.role is None or (who.role is not Role.ADMIN and who.role not in roles):
        raise ApiError(403, "forbidden")
    return who


def require_admin(who: Principal) -> Principal:
    return require_staff(who)


def require_device_or_staff(who: Principal, *kinds: DeviceKind) -> Principal:
    if who.is_anonymous:
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    if who.is_staff or who.device in kinds:
        return who
    raise ApiError(403, "forbidden")


ALL_STAFF = (Role.ADMIN, Role.SUPERVISOR, Role.OFFICER)
