"""The audit trail: every change staff (or a counter device acting for an officer) ask for —
who, what, when, from which address and browser, and what the answer was — appended to
`audit_log` after the answer is sent. Reads, visitors, kiosks and displays are not recorded
(the ticket event log already says what happened to each ticket).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_server.services.auth import DeviceKind, Principal
from queue_server.store.tables import AuditRow

from .deps import UNSAFE, Context

log = logging.getLogger(__name__)
audit_log = AuditRow.__table__  # type: ignore[attr-defined]


def recorded(who: Principal | None) -> bool:
    return who is not None and (who.role is not None or who.device is DeviceKind.COUNTER)


class AuditTrail:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        status = 500

        async def keep_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, keep_status)
        finally:
            who = scope.get("state", {}).get("who")
            if recorded(who):
                try:
                    await run_in_threadpool(_record, scope, who, status)
                except Exception:
                    log.exception("could not write the audit log")


def _record(scope: Scope, who: Principal, status: int) -> None:
    ctx: Context = scope["app"].state.ctx
    route = scope.get("route")
    params: dict[str, Any] = dict(scope.get("path_params") or {})
    office_id = who.office_id
    if "office" in params:
        try:
            office_id = ctx.queue.office_id(str(params["office"]))
        except Exception:
            office_id = who.office_id  # an office that does not exist: keep the caller's
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
    client = scope.get("client")
    row = {
        "at": ctx.clock.now(),
        "office_id": office_id,
        "actor": who.name[:120],
        "role": (who.role.value if who.role is not None else "counter"),
        "action": f"{scope['method']} {getattr(route, 'path', scope['path'])}"[:200],
        "target": " ".join(f"{k}={v}" for k, v in sorted(params.items()))[:500],
        "status": status,
        "address": (client[0] if client else "")[:64],
        "device": headers.get("user-agent", "")[:200],
    }
    with ctx.queue.db.write() as conn:
        conn.execute(insert(audit_log).values(**row))


def entries(
    conn: Connection,
    office_id: int | None,
    since: datetime | None,
    until: datetime | None,
    limit: int = 1000,
) -> list[Any]:
    """The newest entries first, optionally for one office and a time window."""
    query = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
    if office_id is not None:
        query = query.where(audit_log.c.office_id == office_id)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if until is not None:
        query = query.where(audit_log.c.at < until)
    return list(conn.execute(query).all())
