"""The consultation desk for an office's staff: the inbox, a conversation's thread, replies,
assignment, document reviews, closing, attachment downloads, saved replies and the figures."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from queue_server.api.access import STAFF, SUPERVISORS, allow
from queue_server.services.consultation import Closed, Consultations, NotFound, UnknownOfficer
from queue_server.web.staff import report_period

from .. import schemas
from ..deps import Ctx, Who, office_of
from ..errors import ApiError

router = APIRouter(prefix="/api/v1/offices/{office}", tags=["consultation"])


class ReplyIn(schemas.Strict):
    body: str = Field(min_length=1, max_length=1000, pattern=r"\S")  # not blank


class AssignIn(schemas.Strict):
    officer: str | None = Field(default=None, max_length=64)  # a username; null: nobody


class ReviewIn(schemas.Strict):
    review: Literal["complete", "incomplete"]
    note: str = Field(default="", max_length=300)


class SavedReplyIn(schemas.Strict):
    title: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=1000)


def _desk(ctx: Ctx) -> Consultations:
    return Consultations(ctx.queue)


@router.get("/conversations", dependencies=[allow(roles=STAFF)])
def inbox(
    office: str, ctx: Ctx, who: Who, closed: bool = False, limit: int = Query(200, ge=1, le=500)
) -> list[dict[str, Any]]:
    """The inbox: open conversations by least time left (overdue first), phones masked."""
    office_id = office_of(ctx, office, who)
    return _desk(ctx).inbox(office_id, closed=closed, limit=limit)


@router.get("/conversations/{conversation}", dependencies=[allow(roles=STAFF)])
def thread(office: str, conversation: int, ctx: Ctx, who: Who) -> dict[str, Any]:
    """One conversation: its messages and attachments, the visitor's tickets and bookings."""
    office_id = office_of(ctx, office, who)
    try:
        return _desk(ctx).thread(office_id, conversation)
    except NotFound:
        raise ApiError(404, "conversation_not_found") from None


@router.post("/conversations/{conversation}/reply", dependencies=[allow(roles=STAFF)])
def reply(office: str, conversation: int, body: ReplyIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Send the visitor a reply (through the outbox); the first one is the first response."""
    office_id = office_of(ctx, office, who)
    try:
        sent = _desk(ctx).reply(office_id, conversation, who.name, body.body)
    except NotFound:
        raise ApiError(404, "conversation_not_found") from None
    except Closed:
        raise ApiError(409, "conversation_closed") from None
    return {"ok": True, "message": sent}


@router.post("/conversations/{conversation}/assign", dependencies=[allow(roles=STAFF)])
def assign(office: str, conversation: int, body: AssignIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    office_id = office_of(ctx, office, who)
    try:
        _desk(ctx).assign(office_id, conversation, body.officer)
    except NotFound:
        raise ApiError(404, "conversation_not_found") from None
    except UnknownOfficer:
        raise ApiError(422, "officer_not_found") from None
    return {"ok": True}


@router.post("/conversations/{conversation}/close", dependencies=[allow(roles=STAFF)])
def close(office: str, conversation: int, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Close it; the visitor's next message opens a new conversation."""
    office_id = office_of(ctx, office, who)
    try:
        _desk(ctx).close(office_id, conversation)
    except NotFound:
        raise ApiError(404, "conversation_not_found") from None
    return {"ok": True}


@router.post("/attachments/{attachment}/review", dependencies=[allow(roles=STAFF)])
def review(office: str, attachment: int, body: ReviewIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Mark a document complete or incomplete (with a note); the visitor gets a text."""
    office_id = office_of(ctx, office, who)
    try:
        _desk(ctx).review(office_id, attachment, body.review, body.note, who.name)
    except NotFound:
        raise ApiError(404, "not_found") from None
    except Closed:
        raise ApiError(409, "conversation_closed") from None
    return {"ok": True}


@router.get("/attachments/{attachment}", dependencies=[allow(roles=STAFF)])
def download(office: str, attachment: int, ctx: Ctx, who: Who) -> Response:
    """The file, for this office's signed-in staff only: always a download, of its checked
    type, never sniffed."""
    office_id = office_of(ctx, office, who)
    try:
        media_type, name, data = _desk(ctx).attachment(office_id, attachment)
    except NotFound:
        raise ApiError(404, "not_found") from None
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@router.get("/saved-replies", dependencies=[allow(roles=STAFF)])
def saved(office: str, ctx: Ctx, who: Who, lang: str = "id") -> list[dict[str, Any]]:
    """The office's saved replies, then each service's requirements (made from its list)."""
    office_id = office_of(ctx, office, who)
    return _desk(ctx).saved(office_id, "en" if lang == "en" else "id")


@router.post("/saved-replies", status_code=201, dependencies=[allow(roles=SUPERVISORS)])
def add_saved(office: str, body: SavedReplyIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    office_id = office_of(ctx, office, who)
    return {"id": _desk(ctx).add_saved(office_id, body.title, body.body)}


@router.delete("/saved-replies/{reply_id}", dependencies=[allow(roles=SUPERVISORS)])
def remove_saved(office: str, reply_id: int, ctx: Ctx, who: Who) -> dict[str, Any]:
    office_id = office_of(ctx, office, who)
    try:
        _desk(ctx).remove_saved(office_id, reply_id)
    except NotFound:
        raise ApiError(404, "not_found") from None
    return {"ok": True}


@router.get("/consultation/figures", dependencies=[allow(roles=SUPERVISORS)])
def figures(
    office: str, ctx: Ctx, who: Who, start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    """Conversations per day, first-response median and 90th percentile (minutes), % answered
    within the target, per officer (the first responder)."""
    office_id = office_of(ctx, office, who)
    first, last = report_period(
        ctx, office_id, start.isoformat() if start else None, end.isoformat() if end else None
    )
    found = _desk(ctx).figures(office_id, first, last)
    return {
        "start": first,
        "end": last,
        "total": found.total.__dict__,
        "per_day": {day.isoformat(): n for day, n in found.per_day.items()},
        "per_officer": {name: f.__dict__ for name, f in found.per_officer.items()},
    }
