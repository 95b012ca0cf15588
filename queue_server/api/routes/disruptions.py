"""Service disruptions (gangguan layanan): supervisors mark a service or the whole office
disrupted and restored, with the history and the monthly figures; the kiosk puts a visitor's
number on the callback list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from queue_server.api.access import STAFF, SUPERVISORS, allow
from queue_server.domain import calendar
from queue_server.domain.disruptions import Reason
from queue_server.domain.model import Language
from queue_server.i18n import LANGUAGES, translate
from queue_server.phones import mask
from queue_server.services.auth import DeviceKind
from queue_server.services.disruptions import (
    REASON_WORDS,
    DisruptionActive,
    DisruptionNotFound,
    Disruptions,
    ExpectedEndPast,
    NotDisrupted,
    Record,
    expected_end_at,
)

from .. import schemas
from ..deps import Context, Ctx, Who, office_of
from ..errors import ApiError
from .admin import _manage

router = APIRouter(prefix="/api/v1", tags=["disruptions"])

# "HH:MM" on the office's clock, or an ISO date-time; null or "": not known.
ExpectedEnd = Annotated[str | None, Field(default=None, max_length=40)]


class DisruptionIn(schemas.Strict):
    service: str | None = Field(default=None, max_length=8)  # null: the whole office
    reason: Reason
    note: str = Field(default="", max_length=300)
    expected_end: ExpectedEnd = None


class DisruptionPatch(schemas.Strict):
    expected_end: ExpectedEnd = None


class CallbackIn(schemas.Strict):
    service: str = Field(min_length=1, max_length=8)
    phone: str = Field(min_length=1, max_length=40)
    consent: bool = False
    language: Language = Language.ID


def disruptions_of(ctx: Context) -> Disruptions:
    return Disruptions(ctx.queue, ctx.settings.base_url())


def _when(ctx: Context, office_id: int, text: str | None) -> datetime | None:
    try:
        return expected_end_at(ctx.queue.office(office_id), text, ctx.clock.now())
    except ValueError:
        raise ApiError(422, "invalid_request", field="expected_end") from None


def record_out(ctx: Context, office_id: int, record: Record) -> dict[str, Any]:
    state = ctx.queue.read(office_id)
    d = record.disruption
    svc = state.services.get(d.service) if d.service else None
    now = ctx.clock.now()
    until = d.ended_at or now
    return {
        "id": d.id,
        "service": d.service,
        "service_name": {"id": svc.name_id, "en": svc.name_en} if svc else None,
        "reason": d.reason.value,
        "reason_text": {lang: translate(REASON_WORDS[d.reason.value], lang) for lang in LANGUAGES},
        "note": d.note,
        "started_at": d.started_at,
        "started_by": record.started_by,
        "expected_end": d.expected_end,
        "until": calendar.clock_text(state.office, d.expected_end, state.service_date)
        if d.expected_end
        else None,
        "ended_at": d.ended_at,
        "ended_by": record.ended_by,
        "minutes": round((until - d.started_at).total_seconds() / 60, 1),
        "changes": record.changes,
        "callbacks": record.callbacks,
        "told": record.told,
    }


def _one(ctx: Context, office_id: int, disruption_id: str) -> dict[str, Any]:
    for record in disruptions_of(ctx).history(office_id, disruption_id=disruption_id):
        return record_out(ctx, office_id, record)
    raise ApiError(404, "disruption_not_found")


@router.get("/offices/{office}/disruptions", dependencies=[allow(roles=SUPERVISORS)])
def list_disruptions(office: str, ctx: Ctx, who: Who, limit: int = 50) -> dict[str, Any]:
    """The disruptions lasting now and the history (newest first), with who marked each."""
    office_id = _manage(ctx, office, who)
    records = disruptions_of(ctx).history(office_id, limit=max(1, min(limit, 500)))
    out = [record_out(ctx, office_id, r) for r in records]
    return {
        "active": [r for r in out if r["ended_at"] is None],
        "history": [r for r in out if r["ended_at"] is not None],
    }


@router.post(
    "/offices/{office}/disruptions", status_code=201, dependencies=[allow(roles=SUPERVISORS)]
)
def start_disruption(office: str, body: DisruptionIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Mark a service (`service`: null for the whole office) disrupted. Visitors waiting for it
    with a phone and consent get one text about the delay."""
    office_id = _manage(ctx, office, who)
    expected = _when(ctx, office_id, body.expected_end)
    try:
        disruption_id = disruptions_of(ctx).start(
            office_id, service=body.service, reason=body.reason, note=body.note,
            expected_end=expected, actor=who.name,
        )  # fmt: skip
    except LookupError:
        raise ApiError(422, "unknown_service", service=body.service or "") from None
    except DisruptionActive:
        raise ApiError(409, "disruption_active") from None
    except ExpectedEndPast:
        raise ApiError(422, "expected_end_past", field="expected_end") from None
    return _one(ctx, office_id, disruption_id)


@router.patch("/offices/{office}/disruptions/{disruption}", dependencies=[allow(roles=SUPERVISORS)])
def update_disruption(
    office: str, disruption: str, body: DisruptionPatch, ctx: Ctx, who: Who
) -> dict[str, Any]:
    """Change the expected end (shown at once; nobody is texted again)."""
    office_id = _manage(ctx, office, who)
    expected = _when(ctx, office_id, body.expected_end)
    try:
        disruptions_of(ctx).set_expected_end(office_id, disruption, expected, who.name)
    except DisruptionNotFound:
        raise ApiError(404, "disruption_not_found") from None
    except ExpectedEndPast:
        raise ApiError(422, "expected_end_past", field="expected_end") from None
    return _one(ctx, office_id, disruption)


@router.post(
    "/offices/{office}/disruptions/{disruption}/restore",
    dependencies=[allow(roles=SUPERVISORS)],
)
def restore_disruption(office: str, disruption: str, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Mark the service back to normal: its callback list gets one text each (restoring again
    sends nothing)."""
    office_id = _manage(ctx, office, who)
    try:
        disruptions_of(ctx).restore(office_id, disruption, who.name)
    except DisruptionNotFound:
        raise ApiError(404, "disruption_not_found") from None
    return _one(ctx, office_id, disruption)


@router.post(
    "/offices/{office}/disruptions/callbacks",
    status_code=201,
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.KIOSK,))],
)
def add_callback(office: str, body: CallbackIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Leave a phone number to be texted once the disrupted service is back (the kiosk, or staff
    for a visitor). The same number twice on one disruption is kept once."""
    office_id = office_of(ctx, office, who)
    try:
        disruption_id, added = disruptions_of(ctx).add_callback(
            office_id, service=body.service, phone=body.phone, agreed=body.consent,
            language=body.language.value,
        )  # fmt: skip
    except LookupError:
        raise ApiError(422, "unknown_service", service=body.service) from None
    except NotDisrupted:
        raise ApiError(409, "not_disrupted", service=body.service) from None
    return {"disruption": disruption_id, "added": added, "phone": mask(body.phone)}


@router.get("/offices/{office}/disruptions/figures", dependencies=[allow(roles=SUPERVISORS)])
def disruption_figures(
    office: str, ctx: Ctx, who: Who, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    """Disruption time per service and month (office-wide ones count for every service), the
    number of disruptions and the tickets that were open during one."""
    office_id = _manage(ctx, office, who)
    today = ctx.queue.read(office_id).service_date
    first, last = start or today.replace(day=1), end or today
    if last < first:
        first, last = last, first
    return [
        {
            "service": f.service,
            "month": f.month.strftime("%Y-%m"),
            "disruptions": f.count,
            "minutes": round(f.minutes, 1),
            "hours": round(f.hours, 2),
            "tickets_affected": f.tickets,
        }
        for f in disruptions_of(ctx).figures(office_id, first, last)
    ]
