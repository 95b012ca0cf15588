"""Taking tickets, following them, and everything an officer does at a counter."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from sqlalchemy import select

from queue_server.api.access import STAFF, SUPERVISORS, allow
from queue_server.domain import queue as domain
from queue_server.domain.errors import InvalidTransition
from queue_server.domain.events import Event
from queue_server.domain.model import Channel, Ticket, TicketStatus
from queue_server.domain.ordering import call_order
from queue_server.domain.queue import OfficeQueue
from queue_server.phones import mask, normalise
from queue_server.services import printing
from queue_server.services.auth import DeviceKind, Principal, Role
from queue_server.services.queue import TicketNotFound, TicketView
from queue_server.store.repository import tickets

from .. import schemas
from ..deps import (
    ALL_STAFF,
    Context,
    Ctx,
    Who,
    address,
    office_of,
    public_caller,
    require_device_or_staff,
    require_staff,
)
from ..errors import ApiError

router = APIRouter(prefix="/api/v1", tags=["queue"])
OVERRIDE = (Role.ADMIN, Role.SUPERVISOR)  # may cancel or transfer without sitting at the counter


def ticket_out(ctx: Context, view: TicketView) -> dict[str, Any]:
    t, svc = view.ticket, view.service
    return {
        "number": t.number,
        "token": t.token,
        "status": t.status.value,
        "service": t.service,
        "service_name": {"id": svc.name_id, "en": svc.name_en} if svc else None,
        "priority_group": t.priority,
        "channel": t.channel.value,
        "language": t.language.value,
        "ahead": view.ahead,
        "estimate_minutes": {"low": view.estimate.low, "high": view.estimate.high},
        "issued_at": t.issued_at,
        "called_at": t.called_at,
        "counter": t.counter,
        "recall_count": t.recall_count,
        "tracking_url": f"{ctx.settings.base_url()}/t/{t.token}",
        "office": view.office_slug,
        "due_at": t.due_at.astimezone(UTC) if t.due_at is not None else None,
    }


def office_printer(ctx: Context, office_id: int, printer: int) -> int:
    """A printer (its kiosk's id) staff chose to print on; refused unless it is the office's."""
    with ctx.queue.db.read() as conn:
        if printer not in {p["id"] for p in printing.printers(conn, office_id)}:
            raise ApiError(422, "unknown_printer")
    return printer


def _idempotency_key(who: Principal, request: Request, header: str | None) -> str | None:
    if not header:
        return None
    scope = who.name
    if who.is_anonymous:
        if len(header) < 16:  # short public keys could be guessed to fish for others' tickets
            return None
        scope = f"anonymous:{request.client.host if request.client else ''}"
    return hashlib.sha256(f"{scope}\0{header}".encode()).hexdigest()[:40]


@router.post(
    "/offices/{office}/tickets",
    status_code=201,
    response_model=schemas.TicketOut,
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.KIOSK,), anonymous=True)],
)
def take_ticket(
    office: str,
    body: schemas.TicketIn,
    request: Request,
    response: Response,
    ctx: Ctx,
    who: Who,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    """Take a number: kiosks, staff for a visitor, or anyone for services that allow it.

    Anyone (a phone, away from the office) follows the rules of every ticket taken from afar,
    as the chat command does: the service allows it, a phone number with consent to messages,
    at most the office's number of open tickets per phone, no priority lane.
    """
    if "language" in body.model_fields_set:  # refusals in the language the visitor chose
        request.state.language = body.language.value
    office_id = office_of(ctx, office, who)
    if who.device is DeviceKind.KIOSK:
        channel = Channel.KIOSK
        ctx.gate.check_office("tickets_device", ctx.queue.office(office_id), str(who.device_id))
    elif who.is_staff:
        channel = Channel.STAFF
    elif who.is_anonymous:
        channel = Channel.WEB
        ctx.gate.check_office("tickets_address", ctx.queue.office(office_id), address(request))
    else:
        raise ApiError(403, "forbidden")
    phone = normalise(body.phone) if body.phone else None
    printer = who.device_id if channel is Channel.KIOSK else None
    if body.printer is not None and channel is Channel.STAFF:  # the front desk prints for a visitor
        printer = office_printer(ctx, office_id, body.printer)
    view, replayed = ctx.queue.issue(
        office_id,
        service=body.service,
        channel=channel,
        actor=who.name,
        priority=body.priority_group,
        language=body.language,
        phone=phone,
        notify_consent=body.notify_consent,
        key=_idempotency_key(who, request, idempotency_key),
        kiosk_id=printer,
        nik=body.nik,
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return ticket_out(ctx, view)


@router.get("/tickets/{token}", response_model=schemas.TicketOut, dependencies=[allow(public=True)])
def track_ticket(token: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    """A visitor follows their own ticket; the token is the only credential needed."""
    office_id, view = find_counted(ctx, token, address(request))
    public_caller(ctx, request, office_id)
    return ticket_out(ctx, view)


def find_counted(ctx: Context, token: str, where: str) -> tuple[int, TicketView]:
    """Find a ticket by its token, counting the read against its office's tracking limit (a
    token that finds nothing counts against the server's, so guessing is limited too)."""
    try:
        office_id, view = ctx.queue.find(token)
    except TicketNotFound:
        ctx.gate.check(ctx.gate.limits.track_address, "unknown", where)
        raise
    ctx.gate.check_office("track_address", ctx.queue.office(office_id), where)
    return office_id, view


@router.post(
    "/tickets/{token}/cancel",
    response_model=schemas.TicketEnvelope,
    dependencies=[allow(public=True)],
)
def visitor_cancel(token: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    """The visitor gives up their own ticket."""
    office_id, view = ctx.queue.find(token)
    public_caller(ctx, request, office_id)
    _refuse_if_ended(view.ticket, TicketStatus.CANCELLED)
    ticket_id = view.ticket.id
    committed = ctx.queue.execute(
        office_id, lambda s, now: domain.cancel(s, ticket_id, now), "visitor"
    )
    return _envelope(ctx, office_id, committed.ticket() or view.ticket)


@router.get(
    "/offices/{office}/snapshot",
    dependencies=[
        allow(roles=STAFF, devices=(DeviceKind.KIOSK, DeviceKind.DISPLAY, DeviceKind.COUNTER))
    ],
)
def snapshot(office: str, ctx: Ctx, who: Who) -> dict[str, Any]:
    """The office as the lobby sees it (devices and staff)."""
    office_id = office_of(ctx, office, who)
    require_device_or_staff(who, DeviceKind.KIOSK, DeviceKind.DISPLAY, DeviceKind.COUNTER)
    return ctx.queue.snapshot(office_id)


@router.get(
    "/offices/{office}/tickets",
    response_model=list[schemas.StaffTicketOut],
    dependencies=[allow(roles=STAFF)],
)
def open_tickets(office: str, ctx: Ctx, who: Who) -> list[dict[str, Any]]:
    """Staff see the day's open tickets in the order they would be called."""
    office_id = office_of(ctx, office, who)
    require_staff(who, *ALL_STAFF)
    state = ctx.queue.read(office_id)
    with ctx.queue._lock(office_id):
        return _staff_list(ctx, state)


def _staff_list(ctx: Context, state: OfficeQueue) -> list[dict[str, Any]]:
    order = call_order(
        state.tickets.values(),
        state.counters.values(),
        state.calls,
        state.office.policy,
        lines=state.lines(),
    )
    position = {ticket_id: i for i, ticket_id in enumerate(order)}
    tickets = sorted(
        state.tickets.values(), key=lambda t: (position.get(t.id, len(position)), t.issued_at)
    )
    result = []
    now = ctx.clock.now()
    for t in tickets:
        ahead = position.get(t.id, 0)
        view = TicketView(t, state.services.get(t.service), ahead, state.estimate(t, ahead, now),
                          state.office.slug)  # fmt: skip
        out = ticket_out(ctx, view)
        out.update(
            id=t.id,
            phone=mask(t.phone),
            officer=t.officer,
            transferred_from=t.transferred_from,
            missed_count=t.missed_count,
        )
        result.append(out)
    return result


# ---- counters ----
def _counter_actor(who: Principal, counter: int) -> str | None:
    """The officer acting at `counter`: a user by name, or a counter device for its own counter."""
    if who.role is not None:
        return who.name
    if who.device is DeviceKind.COUNTER and who.counter == counter:
        return None
    if who.is_anonymous:
        raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
    raise ApiError(403, "forbidden")


def _counter_out(state: OfficeQueue, number: int) -> dict[str, Any]:
    c = state.counter(number)
    return {
        "counter": {
            "number": c.number,
            "name": c.name,
            "services": list(c.services),
            "state": c.state.value,
            "officer": c.officer,
            "current_ticket": c.current_ticket,
        }
    }


@router.post(
    "/offices/{office}/counters/{counter}/call-next",
    response_model=schemas.TicketEnvelope,
    responses={204: {"description": "Nobody is waiting for this counter"}},
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.COUNTER,))],
)
def call_next(office: str, counter: int, ctx: Ctx, who: Who) -> Any:
    """Call the next visitor to this counter (finishing the one being served)."""
    office_id = office_of(ctx, office, who)
    officer = _counter_actor(who, counter)
    committed = ctx.queue.execute(
        office_id, lambda s, now: domain.call_next(s, counter, officer, now), who.name
    )
    called = committed.called()
    if called is None:
        return Response(status_code=204)
    return _envelope(ctx, office_id, called)


@router.post("/offices/{office}/counters/{counter}/open", dependencies=[allow(roles=STAFF)])
def open_counter(office: str, counter: int, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Sign in at this counter and start calling (also ends a break)."""
    office_id = office_of(ctx, office, who)
    require_staff(who, *ALL_STAFF)
    ctx.queue.execute(
        office_id, lambda s, now: domain.open_counter(s, counter, who.name, now), who.name
    )
    return _counter_out(ctx.queue.read(office_id), counter)


@router.post(
    "/offices/{office}/counters/{counter}/pause",
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.COUNTER,))],
)
def pause_counter(office: str, counter: int, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Take a break (istirahat)."""
    office_id = office_of(ctx, office, who)
    officer = _counter_actor(who, counter)
    ctx.queue.execute(
        office_id, lambda s, now: domain.pause_counter(s, counter, officer, now), who.name
    )
    return _counter_out(ctx.queue.read(office_id), counter)


@router.post(
    "/offices/{office}/counters/{counter}/close",
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.COUNTER,))],
)
def close_counter(office: str, counter: int, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Sign out and close the counter; a supervisor may close it for an officer who left."""
    office_id = office_of(ctx, office, who)
    officer = None if who.role in OVERRIDE else _counter_actor(who, counter)
    ctx.queue.execute(
        office_id, lambda s, now: domain.close_counter(s, counter, officer, now), who.name
    )
    return _counter_out(ctx.queue.read(office_id), counter)


@router.post("/offices/{office}/end-day", dependencies=[allow(roles=SUPERVISORS)])
def end_day(office: str, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Close the service day now: open tickets expire, counters close."""
    office_id = office_of(ctx, office, who)
    require_staff(who, Role.SUPERVISOR)
    committed = ctx.queue.execute(office_id, domain.end_day, who.name)
    return {"expired": sum(1 for _, e in committed.events if e.type.value == "ticket_expired")}


# ---- ticket actions ----
Command = Callable[[OfficeQueue, Ticket, str | None, datetime], list[Event]]


def _refuse_if_ended(ticket: Ticket, target: TicketStatus) -> None:
    """An ended ticket is no longer in the live line; say why the action cannot happen."""
    if ticket.status.is_terminal:
        raise InvalidTransition(current=ticket.status.value, target=target.value)


def _ticket_action(
    ctx: Context,
    office: str,
    token: str,
    who: Principal,
    command: Command,
    *,
    override: bool,
    target: TicketStatus,
) -> dict[str, Any]:
    office_id = office_of(ctx, office, who)
    _found_office, view = ctx.queue.find(token)
    if _found_office != office_id:
        raise ApiError(404, "unknown_ticket")
    ticket = view.ticket
    _refuse_if_ended(ticket, target)
    if override and who.role in OVERRIDE:
        officer = None
    elif who.device is DeviceKind.COUNTER:
        officer = _counter_actor(who, ticket.counter or 0)
    else:
        require_staff(who, *ALL_STAFF)
        officer = who.name
    committed = ctx.queue.execute(
        office_id, lambda s, now: command(s, s.ticket(ticket.id), officer, now), who.name
    )
    return _envelope(ctx, office_id, committed.ticket() or ticket)


def _envelope(ctx: Context, office_id: int, ticket: Ticket) -> dict[str, Any]:
    return {"ticket": ticket_out(ctx, ctx.queue.ticket_view(office_id, ticket))}


def _simple(
    name: str, command: Command, target: TicketStatus, doc: str, *, override: bool = False
) -> None:
    def handler(office: str, token: str, ctx: Ctx, who: Who) -> dict[str, Any]:
        return _ticket_action(ctx, office, token, who, command, override=override, target=target)

    handler.__doc__ = doc
    handler.__name__ = f"ticket_{name.replace('-', '_')}"
    router.add_api_route(
        f"/offices/{{office}}/tickets/{{token}}/{name}",
        handler,
        methods=["POST"],
        response_model=schemas.TicketEnvelope,
        name=handler.__name__,
        dependencies=[allow(roles=STAFF, devices=(DeviceKind.COUNTER,))],
    )


S = TicketStatus
_simple("recall", lambda s, t, o, n: domain.recall(s, t.id, o, n), S.CALLED, "Announce again.")
_simple("start", lambda s, t, o, n: domain.start(s, t.id, o, n), S.SERVING, "Visitor arrived.")
_simple("finish", lambda s, t, o, n: domain.finish(s, t.id, o, n), S.DONE, "Service is done.")
_simple("no-show", lambda s, t, o, n: domain.no_show(s, t.id, o, n), S.MISSED, "Did not come.")
_simple("hold", lambda s, t, o, n: domain.hold(s, t.id, o, n), S.ON_HOLD, "Set aside.")
_simple(
    "cancel",
    lambda s, t, o, n: domain.cancel(s, t.id, n),
    S.CANCELLED,
    "Cancel the ticket for the visitor.",
    override=True,
)


@router.post(
    "/offices/{office}/tickets/{token}/transfer",
    response_model=schemas.TicketEnvelope,
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.COUNTER,))],
)
def ticket_transfer(
    office: str, token: str, body: schemas.TransferIn, ctx: Ctx, who: Who
) -> dict[str, Any]:
    """Send the visitor to another service's line, keeping the number and place."""
    return _ticket_action(
        ctx, office, token, who,
        lambda s, t, o, n: domain.transfer(s, t.id, body.service, o, n, to_front=body.to_front),
        override=True, target=TicketStatus.WAITING,
    )  # fmt: skip


@router.post(
    "/offices/{office}/tickets/{token}/call",
    response_model=schemas.TicketEnvelope,
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.COUNTER,))],
)
def ticket_call(
    office: str, token: str, body: schemas.CallIn, ctx: Ctx, who: Who
) -> dict[str, Any]:
    """Call this ticket to a counter (chosen from the list)."""
    if who.device is DeviceKind.COUNTER and who.counter != body.counter:
        raise ApiError(403, "forbidden")
    return _ticket_action(
        ctx, office, token, who,
        lambda s, t, o, n: domain.call_ticket(s, t.id, body.counter, o, n),
        override=False, target=TicketStatus.CALLED,
    )  # fmt: skip


@router.post(
    "/offices/{office}/tickets/{token}/resume",
    response_model=schemas.TicketEnvelope,
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.COUNTER,))],
)
def ticket_resume(
    office: str, token: str, ctx: Ctx, who: Who, body: schemas.ResumeIn | None = None
) -> dict[str, Any]:
    """Call a held visitor back to a counter."""
    counter = body.counter if body is not None else None
    return _ticket_action(
        ctx, office, token, who,
        lambda s, t, o, n: domain.resume(s, t.id, counter, o, n),
        override=False, target=TicketStatus.CALLED,
    )  # fmt: skip


# ---- printing from the counter or the front desk ----
@router.get("/offices/{office}/printers", dependencies=[allow(roles=STAFF)])
def list_printers(office: str, ctx: Ctx, who: Who) -> list[dict[str, Any]]:
    """The printers staff may print on: the office's kiosks that have a print agent."""
    office_id = office_of(ctx, office, who)
    require_staff(who, *ALL_STAFF)
    with ctx.queue.db.read() as conn:
        return printing.printers(conn, office_id)


def _print_on(ctx: Context, request: Request, office_id: int, ticket: Ticket, printer: int,
              *, reprint: bool) -> None:  # fmt: skip
    with ctx.queue.db.write() as conn:
        if printer not in {p["id"] for p in printing.printers(conn, office_id)}:
            raise ApiError(422, "unknown_printer")
        printing.create_job(conn, office_id, ticket.id, printer, ctx.clock.now(), reprint=reprint)
    request.app.state.printing.nudge(office_id)


@router.post(
    "/offices/{office}/tickets/{token}/reprint", status_code=202, dependencies=[allow(roles=STAFF)]
)
def reprint(
    office: str, token: str, body: schemas.PrintIn, request: Request, ctx: Ctx, who: Who
) -> dict[str, Any]:
    """Print the ticket again (marked as a reprint) on one of the office's printers."""
    office_id = office_of(ctx, office, who)
    require_staff(who, *ALL_STAFF)
    found_office, view = ctx.queue.find(token)
    if found_office != office_id:
        raise ApiError(404, "unknown_ticket")
    _print_on(ctx, request, office_id, view.ticket, body.printer, reprint=True)
    return {"queued": True}


@router.get("/offices/{office}/counters/{counter}/today", dependencies=[allow(roles=STAFF)])
def counter_today(office: str, counter: int, ctx: Ctx, who: Who) -> dict[str, Any]:
    """The signed-in officer's own figures today: visitors served, average service time."""
    office_id = office_of(ctx, office, who)
    require_staff(who, *ALL_STAFF)
    state = ctx.queue.read(office_id)
    with ctx.queue.db.read() as conn:
        rows = conn.execute(
            select(tickets.c.called_at, tickets.c.started_at, tickets.c.finished_at).where(
                tickets.c.office_id == office_id,
                tickets.c.service_date == state.service_date,
                tickets.c.officer == who.name,
                tickets.c.status == TicketStatus.DONE.value,
            )
        ).all()
    minutes = [
        (r.finished_at - (r.started_at or r.called_at)).total_seconds() / 60
        for r in rows
        if r.finished_at is not None and (r.started_at or r.called_at) is not None
    ]
    average = round(sum(minutes) / len(minutes), 1) if minutes else None
    return {"served": len(rows), "average_minutes": average}
