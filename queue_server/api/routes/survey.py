"""The SKM survey: a visitor (or a counter-side tablet) answers once per finished ticket;
supervisors read the IKM."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from queue_server.api.access import SUPERVISORS, allow
from queue_server.domain import skm
from queue_server.services import survey
from queue_server.services.auth import DeviceKind, Role
from queue_server.services.queue import TicketNotFound

from ..deps import Ctx, Who, address, office_of, public_caller, require_staff
from ..errors import ApiError
from ..schemas import Strict

router = APIRouter(prefix="/api/v1", tags=["survey"])


class SurveyIn(Strict):
    scores: list[int] = Field(min_length=9, max_length=9)
    age_group: str | None = None
    sex: str | None = None
    education: str | None = None
    occupation: str | None = None


@router.post("/tickets/{token}/survey", status_code=201, dependencies=[allow(public=True)])
def answer(token: str, body: SurveyIn, request: Request, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Answer the survey for this finished ticket: the token is the visitor's credential; a
    counter device or an officer passes the tablet at the counter."""
    try:
        office_id, view = ctx.queue.find(token)
    except TicketNotFound:
        if not who.is_staff and who.device is None:  # guessing counts too, against the server's
            ctx.gate.check(ctx.gate.limits.survey_address, "unknown", address(request))
        raise
    who = public_caller(ctx, request, office_id, who)  # another office's staff: the visitor's
    limited = not who.is_staff and who.device is None
    if limited:
        ctx.gate.check_office("survey_address", ctx.queue.office(office_id), address(request))
    channel = "counter" if who.is_staff or who.device is DeviceKind.COUNTER else "phone"
    profile = body.model_dump(exclude={"scores"})
    try:
        with ctx.queue.db.write() as conn:
            survey.record(conn, office_id, view.ticket, body.scores, profile, channel,
                          ctx.clock.now())  # fmt: skip
    except survey.NotServedYet:
        raise ApiError(409, "survey_not_yet") from None
    except survey.AlreadyAnswered:
        raise ApiError(409, "survey_answered") from None
    except skm.InvalidAnswer:
        raise ApiError(422, "invalid_request") from None
    return {"recorded": True}


@router.get("/offices/{office}/skm", dependencies=[allow(roles=SUPERVISORS)])
def ikm(
    office: str,
    ctx: Ctx,
    who: Who,
    start: date = Query(alias="from"),
    end: date = Query(alias="to"),
    service: str | None = None,
) -> dict[str, Any]:
    """The IKM between two dates (inclusive), overall and per service."""
    office_id = office_of(ctx, office, who)
    require_staff(who, Role.SUPERVISOR)
    with ctx.queue.db.read() as conn:
        result = survey.recap(conn, office_id, start, end, service)
    return {
        **survey.index_json(result["index"]),
        "services": {code: survey.index_json(i) for code, i in result["services"].items()},
        "profile": {field: dict(counts) for field, counts in result["profile"].items()},
    }
