"""The audit trail for admins: who changed what, when and from where; as JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Response

from queue_server.api.access import ADMINS, allow
from queue_server.domain import calendar

from .. import audit
from ..deps import Ctx
from ..errors import ApiError

router = APIRouter(prefix="/api/v1", tags=["audit"])
COLUMNS = ("at", "office", "actor", "role", "action", "target", "status", "address", "device")


def _rows(
    ctx: Ctx, office: str | None, start: date | None, end: date | None
) -> list[dict[str, Any]]:
    office_id = ctx.queue.office_id(office) if office else None
    zone = "Asia/Jakarta"
    if office_id is not None:
        zone = ctx.queue.read(office_id).office.timezone
    since = datetime.combine(start, time(0), tzinfo=calendar.zone(zone)) if start else None
    until = (
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=calendar.zone(zone))
        if end
        else None
    )
    if since is not None and until is not None and until <= since:
        raise ApiError(422, "invalid_request")
    slugs = {o.id: o.slug for o in ctx.admin.list_offices()}
    with ctx.queue.db.read() as conn:
        found = audit.entries(conn, office_id, since, until)
    return [
        {
            "at": row.at.isoformat(),
            "office": slugs.get(row.office_id) if row.office_id is not None else None,
            "actor": row.actor,
            "role": row.role,
            "action": row.action,
            "target": row.target,
            "status": row.status,
            "address": row.address,
            "device": row.device,
        }
        for row in found
    ]


def _cell(value: Any) -> Any:
    """A spreadsheet must not run what someone typed (a User-Agent of "=HYPERLINK(...)")."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@router.get("/audit", dependencies=[allow(roles=ADMINS)])
def audit_log(
    ctx: Ctx, office: str | None = None, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    """The newest 1,000 entries (optionally one office's, between two dates)."""
    return _rows(ctx, office, start, end)


@router.get("/audit.csv", dependencies=[allow(roles=ADMINS)])
def audit_csv(
    ctx: Ctx, office: str | None = None, start: date | None = None, end: date | None = None
) -> Response:
    """The same as a CSV file for a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(
        {k: _cell(v) for k, v in row.items()} for row in _rows(ctx, office, start, end)
    )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
