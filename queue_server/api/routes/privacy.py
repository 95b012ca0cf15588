"""A visitor's data requests (UU 27/2022): staff look up what the office holds on a phone
number and, when asked, erase it. Both are kept in the audit trail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from queue_server.api.access import SUPERVISORS, allow
from queue_server.phones import mask, normalise
from queue_server.services import retention

from ..deps import Ctx, Who, office_of

router = APIRouter(prefix="/api/v1", tags=["privacy"])


@router.get("/offices/{office}/personal-data", dependencies=[allow(roles=SUPERVISORS)])
def personal_data(office: str, phone: str, ctx: Ctx, who: Who) -> dict[str, Any]:
    """What the office holds on this phone number: tickets and messages (number masked)."""
    office_id = office_of(ctx, office, who)
    number = normalise(phone)
    with ctx.queue.db.read() as conn:
        held = retention.held_for(conn, office_id, number)
    return {"phone": mask(number), **held}


@router.delete("/offices/{office}/personal-data", dependencies=[allow(roles=SUPERVISORS)])
def erase_personal_data(office: str, phone: str, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Erase this phone number from the office's tickets and messages (the visit stays, without
    the number, in the statistics)."""
    office_id = office_of(ctx, office, who)
    number = normalise(phone)
    with ctx.queue.db.write() as conn:
        erased = retention.erase_phone(conn, office_id, number)
    return {
        "phone": mask(number),
        "tickets": erased.tickets,
        "messages": erased.messages,
        "bookings": erased.bookings,
        "callbacks": erased.callbacks,
        "conversations": erased.conversations,
    }
