"""Text messages as staff see them: what was sent, what is waiting, what failed and why."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from queue_server.api.access import STAFF, allow
from queue_server.notifications.outbox import messages
from queue_server.phones import mask
from queue_server.store.repository import tickets

from ..deps import ALL_STAFF, Ctx, Who, office_of, require_staff

router = APIRouter(prefix="/api/v1", tags=["messages"])


@router.get("/offices/{office}/messages", dependencies=[allow(roles=STAFF)])
def list_messages(
    office: str,
    ctx: Ctx,
    who: Who,
    status: str | None = Query(default=None, pattern="^(pending|sending|sent|failed|dropped)$"),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """The office's newest messages (phone numbers masked); `?status=failed` for the ones given
    up after every retry, with the reason."""
    office_id = office_of(ctx, office, who)
    require_staff(who, *ALL_STAFF)
    stmt = (
        select(messages, tickets.c.number)
        .select_from(messages.outerjoin(tickets, tickets.c.id == messages.c.ticket_id))
        .where(messages.c.office_id == office_id)
        .order_by(messages.c.created_at.desc())
        .limit(limit)
    )
    if status is not None:
        stmt = stmt.where(messages.c.status == status)
    with ctx.queue.db.read() as conn:
        rows = conn.execute(stmt).all()
    return [
        {
            "id": r.id,
            "number": r.number,
            "kind": r.kind,
            "phone": mask(r.phone),
            "language": r.language,
            "status": r.status,
            "attempts": r.attempts,
            "last_error": r.last_error,
            "created_at": r.created_at,
            "sent_at": r.sent_at,
        }
        for r in rows
    ]
