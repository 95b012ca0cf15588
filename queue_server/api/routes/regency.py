"""Every office at once: the regency dashboard's figures, and the public list of offices."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from queue_server.api.access import SUPERVISORS, allow
from queue_server.services import regency

from ..deps import Ctx, address

router = APIRouter(prefix="/api/v1", tags=["regency"])


@router.get("/regency/summary", dependencies=[allow(roles=SUPERVISORS, regency=True)])
def regency_summary(ctx: Ctx, response: Response) -> dict[str, Any]:
    """Each office now: waiting, average wait today (minutes), counters open of all, served
    today, and the IKM of the last 30 days with its respondents. For admins and regency
    supervisors (a supervisor with no office); the dashboard /kabupaten asks every 10 s."""
    response.headers["Cache-Control"] = "no-store"
    return regency.summary(ctx.queue)


@router.get("/offices-public", dependencies=[allow(public=True)])
def offices_public(request: Request, ctx: Ctx, response: Response) -> list[dict[str, Any]]:
    """Every office as anyone may see it, least busy open office first: open now, today's hours,
    waiting per service, counters open, and where to take a number from a phone. Counts only,
    nothing personal; reads per address are limited as ticket tracking's are."""
    ctx.gate.check(ctx.gate.limits.track_address, "offices-public", address(request))
    response.headers["Cache-Control"] = "no-store"
    return board(request).public()


def board(request: Request) -> regency.Board:
    """The app's one public board (its short cache is shared by every request)."""
    found: regency.Board = request.app.state.board
    return found
