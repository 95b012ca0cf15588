"""Appointments (janji temu): free slots, booking with a texted code, the visitor's own booking
by its link (see, confirm, move, cancel), check-in by code at the kiosk or a counter, and the
day's bookings for staff."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from fastapi import APIRouter, Request, Response

from queue_server.api.access import STAFF, allow
from queue_server.domain.model import Language
from queue_server.domain.queue import OfficeQueue
from queue_server.phones import mask, normalise
from queue_server.services.auth import DeviceKind
from queue_server.services.bookings import CODE_WINDOW, Booking, BookingNotFound, Bookings

from .. import schemas
from ..deps import Context, Ctx, Who, address, office_of
from ..errors import ApiError
from .queue import office_printer, ticket_out

router = APIRouter(prefix="/api/v1", tags=["bookings"])


def bookings_of(ctx: Context) -> Bookings:
    return Bookings(ctx.queue, ctx.settings.base_url())


def booking_out(
    ctx: Context, booking: Booking, expires: Any = None, state: OfficeQueue | None = None
) -> dict[str, Any]:
    state = state if state is not None else ctx.queue.read(booking.office_id)
    svc = state.services.get(booking.service)
    names = {"id": svc.name_id, "en": svc.name_en} if svc else {"id": "", "en": ""}
    base = ctx.settings.base_url()
    ticket = number = None
    if booking.ticket_id is not None:
        found = ctx.queue.ticket_by_id(booking.office_id, booking.ticket_id)
        ticket, number = f"{base}/t/{found.token}", found.number
    return {
        "token": booking.token,
        "office": state.office.slug,
        "service": booking.service,
        "service_name": names,
        "day": booking.day,
        "slot": booking.slot.strftime("%H:%M"),
        "status": booking.status,
        "code": booking.code if booking.status not in ("pending", "expired") else None,
        "phone": mask(booking.phone),
        "expires_at": expires,
        "link": f"{base}/b/{booking.token}",
        "ticket": ticket,
        "ticket_number": number,
    }


def _find(ctx: Context, token: str) -> Booking:
    try:
        return bookings_of(ctx).find(token)
    except BookingNotFound:
        raise ApiError(404, "booking_not_found") from None


@router.get(
    "/offices/{office}/services/{code}/slots",
    response_model=list[schemas.SlotOut],
    dependencies=[allow(public=True)],
)
def slots(office: str, code: str, day: date, ctx: Ctx, who: Who) -> list[dict[str, Any]]:
    """The day's bookable slots of a service with the seats still free."""
    office_id = office_of(ctx, office, who)
    if code not in ctx.queue.read(office_id).services:
        raise ApiError(404, "unknown_service", service=code)
    found = bookings_of(ctx).availability(office_id, code, day, ctx.clock.now())
    return [
        {"start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M"), "free": free}
        for s, free in found
    ]


@router.post(
    "/offices/{office}/bookings",
    status_code=201,
    response_model=schemas.BookingOut,
    dependencies=[allow(public=True)],
)
def book(
    office: str, body: schemas.BookingIn, request: Request, ctx: Ctx, who: Who
) -> dict[str, Any]:
    """Hold a slot and text a one-time code to the phone; confirm within 10 minutes."""
    office_id = office_of(ctx, office, who)
    ctx.gate.check_office("tickets_address", ctx.queue.office(office_id), address(request))
    if not body.consent:
        raise ApiError(422, "booking_consent_required", field="consent")
    if body.service not in ctx.queue.read(office_id).services:
        raise ApiError(404, "unknown_service", service=body.service)
    booking = bookings_of(ctx).book(
        office_id, service=body.service, day=body.day, slot=time.fromisoformat(body.slot),
        phone=normalise(body.phone), language=Language(body.language), now=ctx.clock.now(),
    )  # fmt: skip
    return booking_out(ctx, booking, expires=booking.created_at + CODE_WINDOW)


@router.get(
    "/bookings/{token}", response_model=schemas.BookingOut, dependencies=[allow(public=True)]
)
def get_booking(token: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    """A visitor's own booking, by the link texted to them."""
    ctx.gate.check(ctx.gate.limits.track_address, address(request))
    return booking_out(ctx, _find(ctx, token))


@router.post(
    "/bookings/{token}/confirm",
    response_model=schemas.BookingOut,
    dependencies=[allow(public=True)],
)
def confirm(token: str, body: schemas.BookingConfirm, ctx: Ctx) -> dict[str, Any]:
    """The one-time code from the text message: the booking is confirmed."""
    _find(ctx, token)
    return booking_out(ctx, bookings_of(ctx).confirm(token, body.code, ctx.clock.now()))


@router.post(
    "/bookings/{token}/reschedule",
    response_model=schemas.BookingOut,
    dependencies=[allow(public=True)],
)
def reschedule(token: str, body: schemas.BookingMove, ctx: Ctx) -> dict[str, Any]:
    """Move the booking to another free slot (it stays as it was when that one is full)."""
    _find(ctx, token)
    moved = bookings_of(ctx).reschedule(
        token, body.day, time.fromisoformat(body.slot), ctx.clock.now()
    )
    return booking_out(ctx, moved)


@router.delete("/bookings/{token}", status_code=204, dependencies=[allow(public=True)])
def cancel(token: str, ctx: Ctx) -> Response:
    _find(ctx, token)
    bookings_of(ctx).cancel(token, ctx.clock.now())
    return Response(status_code=204)


@router.post(
    "/offices/{office}/bookings/check-in",
    status_code=201,
    response_model=schemas.TicketOut,
    dependencies=[allow(roles=STAFF, devices=(DeviceKind.KIOSK,))],
)
def check_in(office: str, body: schemas.CheckIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    """A booked visitor arrived (code typed, or scanned from the QR): their ticket, printed by
    the kiosk that read the code, or by the printer staff chose (`printer`)."""
    office_id = office_of(ctx, office, who)
    if who.device is DeviceKind.KIOSK:
        ctx.gate.check_office("tickets_device", ctx.queue.office(office_id), str(who.device_id))
    code = body.code.strip().upper().rsplit("/", 1)[-1]  # a QR may hold a link ending in it
    printer = who.device_id if who.device is DeviceKind.KIOSK else None
    if body.printer is not None and who.is_staff:  # the front desk prints for the visitor
        printer = office_printer(ctx, office_id, body.printer)
    try:
        view = bookings_of(ctx).check_in(office_id, code, actor=who.name, kiosk_id=printer)
    except BookingNotFound:
        raise ApiError(404, "booking_not_found") from None
    return ticket_out(ctx, view)


@router.get(
    "/offices/{office}/bookings",
    response_model=list[schemas.BookingOut],
    dependencies=[allow(roles=STAFF)],
)
def day_bookings(office: str, ctx: Ctx, who: Who, day: date | None = None) -> list[Any]:
    """The day's bookings (today by default), phone numbers masked."""
    office_id = office_of(ctx, office, who)
    state = ctx.queue.read(office_id)  # once for the whole list
    when = day or state.service_date
    return [booking_out(ctx, b, state=state) for b in bookings_of(ctx).day_list(office_id, when)]
