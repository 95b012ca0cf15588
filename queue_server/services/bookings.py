"""Bookings (janji temu): a visitor takes a slot, confirms the phone number with a one-time
code, may cancel or move it by the link sent, and checks in at the kiosk (or a counter) with
the booking code; reminders go out the day before and an hour before; bookings never checked
in lapse into no-shows. The rules are in `domain/appointments.py`; this module keeps them.

No overbooking: the service's row is locked while a booking is taken (PostgreSQL), and each
booking holds a seat number unique per slot (both databases), so two visitors racing for the
last seat cannot both get it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, select, update
from sqlalchemy.exc import IntegrityError

from queue_server import consent
from queue_server.domain import appointments as rules
from queue_server.domain import queue as domain
from queue_server.domain.errors import DomainError
from queue_server.domain.events import Event
from queue_server.domain.model import Channel, Language, Office, Service
from queue_server.domain.queue import OfficeQueue
from queue_server.notifications import outbox
from queue_server.notifications.rules import Kind, render
from queue_server.services import printing
from queue_server.services.queue import Committed, QueueService, TicketView
from queue_server.store import repository as repo
from queue_server.store.tables import BookingRow

bookings = BookingRow.__table__  # type: ignore[attr-defined]

CODE_WINDOW = timedelta(minutes=10)  # a one-time code is valid this long; the seat is held
CODE_TRIES = 5  # wrong codes before the booking is given up
CODE_LETTERS = "ACDEFHJKLMNPQRTUVWXY3479"  # no 0/O, 1/I, 2/Z, 5/S, 6/G, 8/B mix-ups
CODE_LENGTH = 6  # the kiosk's keyboard and check-in screen assume it
OPEN = ("pending", "confirmed")  # statuses that hold a seat


class BookingNotFound(LookupError):
    """No booking with that code or link."""


class WrongCode(DomainError):
    code = "booking_code_wrong"


class AlreadyBooked(DomainError):
    code = "booking_exists"


class BookingClosed(DomainError):
    """The booking can no longer be changed (cancelled, lapsed, already checked in)."""

    code = "booking_closed"


@dataclass(frozen=True)
class Booking:
    id: str
    office_id: int
    service: str
    day: date
    slot: time
    code: str
    token: str
    status: str
    phone: str | None
    language: str
    ticket_id: str | None
    created_at: datetime
    confirmed_at: datetime | None


def _booking(row: Any) -> Booking:
    return Booking(
        id=row.id, office_id=row.office_id, service=row.service, day=row.day,
        slot=time.fromisoformat(row.slot), code=row.code, token=row.token, status=row.status,
        phone=row.phone, language=row.language, ticket_id=row.ticket_id,
        created_at=row.created_at, confirmed_at=row.confirmed_at,
    )  # fmt: skip


def _hash(booking_id: str, otp: str) -> str:
    return hmac.new(booking_id.encode(), otp.encode(), hashlib.sha256).hexdigest()


def _free_seat(conn: Connection, office_id: int, service: str, day: date, slot: str) -> int:
    """The lowest seat number of the slot no booking holds."""
    b = bookings.c
    held = conn.execute(
        select(b.seat).where(
            and_(b.office_id == office_id, b.service == service, b.day == day, b.slot == slot),
            b.seat.is_not(None),
        )
    ).scalars()
    seats = set(held)
    return next(n for n in range(1, len(seats) + 2) if n not in seats)


def new_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


class Bookings:
    def __init__(self, queue: QueueService, base_url: str) -> None:
        self.queue = queue
        self.db = queue.db
        self.base_url = base_url

    # ---- reading ----
    def _config(self, office_id: int, service: str) -> tuple[Office, Service]:
        state = self.queue.read(office_id)
        return state.office, state.service(service)

    def availability(
        self, office_id: int, service: str, day: date, now: datetime
    ) -> list[tuple[rules.Slot, int]]:
        """Each bookable slot of `day` with its seats still free (0 when full or past)."""
        office, svc = self._config(office_id, service)
        day_slots = rules.slots(office, svc, svc.booking, day)
        with self.db.read() as conn:
            taken = self._taken(conn, office_id, service, day, now)
        room = rules.day_capacity(svc, svc.booking, day_slots) - sum(taken.values())
        found = []
        for slot in day_slots:
            key = slot.start.strftime("%H:%M")
            free = max(0, min(slot.capacity - taken.get(key, 0), room))
            if rules.slot_at(office, day, slot.start) <= now:
                free = 0
            found.append((slot, free))
        return found

    def _taken(
        self, conn: Connection, office_id: int, service: str, day: date, now: datetime
    ) -> dict[str, int]:
        b = bookings.c
        holding = and_(
            b.office_id == office_id, b.service == service, b.day == day, b.seat.is_not(None),
            ~and_(b.status == "pending", b.otp_expires_at <= now),
        )  # fmt: skip
        rows = conn.execute(select(b.slot, func.count()).where(holding).group_by(b.slot)).all()
        return {slot: int(n) for slot, n in rows}

    def find(self, token: str) -> Booking:
        with self.db.read() as conn:
            row = conn.execute(select(bookings).where(bookings.c.token == token)).one_or_none()
        if row is None:
            raise BookingNotFound(token)
        return _booking(row)

    def of_phone(self, office_id: int, phone: str, today: date) -> list[Booking]:
        """A phone's confirmed bookings from `today` on, soonest first (chat: JANJI, BATAL)."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(bookings)
                .where(bookings.c.office_id == office_id, bookings.c.phone == phone)
                .where(bookings.c.status == "confirmed", bookings.c.day >= today)
                .order_by(bookings.c.day, bookings.c.slot)
            ).all()
        return [_booking(r) for r in rows]

    def day_list(self, office_id: int, day: date) -> list[Booking]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(bookings)
                .where(bookings.c.office_id == office_id, bookings.c.day == day)
                .where(bookings.c.status != "expired")
                .order_by(bookings.c.slot, bookings.c.created_at)
            ).all()
        return [_booking(r) for r in rows]

    # ---- taking a slot ----
    def book(
        self, office_id: int, *, service: str, day: date, slot: time, phone: str,
        language: Language, now: datetime,
    ) -> Booking:  # fmt: skip
        """Hold a seat and text a one-time code to `phone`; `confirm` with it within 10 minutes."""
        office, svc = self._config(office_id, service)
        otp = f"{secrets.randbelow(1_000_000):06d}"
        for attempt in range(5):
            try:
                with self.db.write() as conn:
                    booking = self._take_seat(conn, office, svc, day, slot, phone, language, now)
                    self._send(conn, office, svc, booking, Kind.BOOKING_CODE, now, otp=otp)
                    conn.execute(
                        update(bookings)
                        .where(bookings.c.id == booking.id)
                        .values(otp_hash=_hash(booking.id, otp))
                    )
                    return booking
            except IntegrityError:  # another visitor took the same seat (or code) first
                if attempt == 4:
                    raise
        raise AssertionError("unreachable")

    def _take_seat(
        self, conn: Connection, office: Office, svc: Service, day: date, slot: time,
        phone: str, language: Language, now: datetime,
    ) -> Booking:  # fmt: skip
        self._lock_service(conn, office.id, svc.code)
        b = bookings.c
        conn.execute(  # codes never confirmed give their seats back
            update(bookings)
            .where(b.office_id == office.id, b.service == svc.code, b.day == day)
            .where(b.status == "pending", b.otp_expires_at <= now)
            .values(status="expired", seat=None)
        )
        same_day = and_(b.office_id == office.id, b.service == svc.code, b.day == day)
        mine = conn.execute(
            select(func.count()).where(same_day, b.phone == phone, b.status.in_(OPEN))
        ).scalar_one()
        if mine:
            raise AlreadyBooked(service=svc.code)
        key, seat = self._seat(conn, office, svc, day, slot, now)
        booking_id = uuid.uuid4().hex
        values = {
            "id": booking_id, "office_id": office.id, "service": svc.code, "day": day,
            "slot": key, "seat": seat, "code": new_code(), "token": secrets.token_urlsafe(16),
            "status": "pending", "phone": phone, "language": language.value,
            "consent_text": consent.wording(Channel.BOOKING, language.value), "consent_at": now,
            "otp_expires_at": now + CODE_WINDOW, "created_at": now, "reminded": [],
        }  # fmt: skip
        conn.execute(bookings.insert().values(**values))
        row = conn.execute(select(bookings).where(bookings.c.id == booking_id)).one()
        return _booking(row)

    def _seat(
        self, conn: Connection, office: Office, svc: Service, day: date, slot: time,
        now: datetime,
    ) -> tuple[str, int]:  # fmt: skip
        """Check the slot takes one more booking now (call with the service locked); return
        the slot's key and the seat to hold."""
        key = slot.strftime("%H:%M")
        taken = self._taken(conn, office.id, svc.code, day, now)
        rules.check_bookable(
            office, svc, svc.booking, now, day, slot, taken.get(key, 0), sum(taken.values())
        )
        return key, _free_seat(conn, office.id, svc.code, day, key)

    def _lock_service(self, conn: Connection, office_id: int, service: str) -> None:
        """One booking at a time per service (PostgreSQL; SQLite writes one at a time anyway)."""
        if conn.dialect.name == "postgresql":
            conn.execute(
                select(repo.services.c.id)
                .where(repo.services.c.office_id == office_id, repo.services.c.code == service)
                .with_for_update()
            )

    def confirm(self, token: str, otp: str, now: datetime) -> Booking:
        """The visitor typed the code texted to them: the booking is theirs."""
        with self.db.write() as conn:
            row = self._row(conn, token)
            if row.status != "pending" or row.otp_expires_at is None or row.otp_expires_at <= now:
                raise BookingClosed()
            if not hmac.compare_digest(row.otp_hash or "", _hash(row.id, otp.strip())):
                tries = row.otp_attempts + 1
                gone = tries >= CODE_TRIES
                conn.execute(
                    update(bookings)
                    .where(bookings.c.id == row.id)
                    .values(
                        otp_attempts=tries,
                        **({"status": "expired", "seat": None} if gone else {}),
                    )
                )
                raise WrongCode(left=max(0, CODE_TRIES - tries))
            conn.execute(
                update(bookings)
                .where(bookings.c.id == row.id)
                .values(status="confirmed", confirmed_at=now, otp_hash=None)
            )
            booking = _booking(self._row(conn, token))
            office, svc = self._config(booking.office_id, booking.service)
            self._send(conn, office, svc, booking, Kind.BOOKED, now)
            return booking

    def _row(self, conn: Connection, token: str) -> Any:
        row = conn.execute(select(bookings).where(bookings.c.token == token)).one_or_none()
        if row is None:
            raise BookingNotFound(token)
        return row

    def cancel(self, token: str, now: datetime) -> Booking:
        with self.db.write() as conn:
            row = self._row(conn, token)
            if row.status not in OPEN:
                raise BookingClosed()
            conn.execute(
                update(bookings)
                .where(bookings.c.id == row.id)
                .values(status="cancelled", seat=None, cancelled_at=now)
            )
            booking = _booking(self._row(conn, token))
            if row.status == "confirmed":
                office, svc = self._config(booking.office_id, booking.service)
                self._send(conn, office, svc, booking, Kind.BOOKING_CANCELLED, now)
            return booking

    def reschedule(self, token: str, day: date, slot: time, now: datetime) -> Booking:
        """Move a confirmed booking to another slot: the new seat is taken before the old one
        is given back, in one transaction (a full slot leaves the booking as it was)."""
        with self.db.write() as conn:
            row = self._row(conn, token)
            if row.status != "confirmed":
                raise BookingClosed()
            office, svc = self._config(row.office_id, row.service)
            self._lock_service(conn, office.id, svc.code)
            b = bookings.c
            conn.execute(update(bookings).where(b.id == row.id).values(seat=None))
            key, seat = self._seat(conn, office, svc, day, slot, now)
            conn.execute(
                update(bookings)
                .where(b.id == row.id)
                .values(day=day, slot=key, seat=seat, reminded=[])
            )
            booking = _booking(self._row(conn, token))
            moves = len([r for r in (row.reminded or []) if r.startswith("moved")]) + 1
            self._send(conn, office, svc, booking, Kind.BOOKED, now, once=f":{moves}")
            conn.execute(update(bookings).where(b.id == row.id).values(reminded=[f"moved{moves}"]))
            return booking

    # ---- arriving ----
    def check_in(
        self, office_id: int, code: str, *, actor: str, kiosk_id: int | None = None
    ) -> TicketView:
        """The booked visitor arrived: a ticket due at the slot's start (ahead of walk-ins from
        then), or an ordinary one when late past the grace period and the service allows it.

        The booking is claimed first (one check-in wins when a code is typed twice at once)
        and given back when the rules refuse the ticket (too early, lapsed).
        """
        code = code.strip().upper()
        with self.db.write() as conn:
            row = conn.execute(
                select(bookings).where(bookings.c.office_id == office_id, bookings.c.code == code)
            ).one_or_none()
            if row is None:
                raise BookingNotFound(code)
            claimed = conn.execute(
                update(bookings)
                .where(bookings.c.id == row.id, bookings.c.status == "confirmed")
                .values(status="checking_in")
            ).rowcount
        if claimed != 1:
            raise BookingClosed()
        booking = _booking(row)
        ticket_id, token = uuid.uuid4().hex, secrets.token_urlsafe(16)

        def decide(state: OfficeQueue, now: datetime) -> list[Event]:
            if booking.day != state.service_date:
                raise rules.SlotUnavailable(time=booking.slot.strftime("%H:%M"))
            svc = state.service(booking.service)
            start = rules.slot_at(state.office, booking.day, booking.slot)
            late = rules.on_arrival(svc.booking, start, now) is rules.Arrival.WALK_IN
            return domain.issue(
                state, service=booking.service, now=now, ticket_id=ticket_id, token=token,
                channel=Channel.KIOSK if late else Channel.BOOKING,
                language=Language(booking.language), phone=booking.phone,
                notify_consent=booking.phone is not None,
                consent_text=consent.wording(Channel.BOOKING, booking.language),
                due_at=None if late else start,
            )  # fmt: skip

        def effects(conn: Connection, committed: Committed) -> None:
            at = committed.events[0][1].at
            conn.execute(
                update(bookings)
                .where(bookings.c.id == booking.id)
                .values(status="checked_in", checked_in_at=at, ticket_id=ticket_id)
            )
            if kiosk_id is not None:
                printing.create_job(conn, office_id, ticket_id, kiosk_id, at)

        def after(state: OfficeQueue, committed: Committed) -> TicketView:
            ticket = committed.ticket()
            assert ticket is not None
            return self.queue.view(state, ticket)

        try:
            view: TicketView = self.queue.execute(office_id, decide, actor, after, effects)
        except BaseException:
            with self.db.write() as conn:  # refused: the booking stands as it was
                conn.execute(
                    update(bookings)
                    .where(bookings.c.id == booking.id, bookings.c.status == "checking_in")
                    .values(status="confirmed")
                )
            raise
        return view

    # ---- the clock's work ----
    def sweep(self, now: datetime) -> dict[str, int]:
        """Give back seats of unconfirmed bookings, lapse the ones never checked in, send the
        reminders due (run every minute or so by the server, and safe to run anywhere)."""
        counts = {"expired": 0, "no_show": 0, "reminded": 0}
        with self.db.write() as conn:
            counts["expired"] = int(
                conn.execute(
                    update(bookings)
                    .where(bookings.c.status == "pending", bookings.c.otp_expires_at <= now)
                    .values(status="expired", seat=None)
                ).rowcount
                or 0
            )
            horizon = (now + timedelta(days=2)).date()
            rows = conn.execute(
                select(bookings).where(bookings.c.status == "confirmed", bookings.c.day <= horizon)
            ).all()
            offices: dict[int, OfficeQueue] = {}
            for row in rows:
                if row.office_id not in offices:
                    offices[row.office_id] = self.queue.read(row.office_id)
                state = offices[row.office_id]
                svc = state.services.get(row.service)
                if svc is None:
                    continue
                booking = _booking(row)
                start = rules.slot_at(state.office, booking.day, booking.slot)
                if rules.lapsed(svc.booking, start, now):
                    conn.execute(
                        update(bookings)
                        .where(bookings.c.id == row.id, bookings.c.status == "confirmed")
                        .values(status="no_show", seat=None)
                    )
                    counts["no_show"] += 1
                    continue
                booked_at = booking.confirmed_at or booking.created_at
                sent = set(row.reminded or [])
                for reminder in rules.reminders_due(start, booked_at, now):
                    if reminder.value in sent or booking.phone is None:
                        continue
                    self._send(conn, state.office, svc, booking, Kind(reminder.value), now)
                    sent.add(reminder.value)
                    counts["reminded"] += 1
                if sent != set(row.reminded or []):
                    again = update(bookings).where(bookings.c.id == row.id)
                    conn.execute(again.values(reminded=sorted(sent)))
        return counts

    def _send(
        self, conn: Connection, office: Office, svc: Service, booking: Booking, kind: Kind,
        now: datetime, otp: str = "", once: str = "",
    ) -> None:  # fmt: skip
        if booking.phone is None:
            return
        lang = booking.language
        values = {
            "office": office.name, "service": svc.name_en if lang == "en" else svc.name_id,
            "day": booking.day.isoformat(), "time": booking.slot.strftime("%H:%M"),
            "code": booking.code, "otp": otp, "link": f"{self.base_url}/b/{booking.token}",
        }  # fmt: skip
        settings = outbox.settings_for(conn, office.id)
        body = render(kind, lang, values, settings)
        if kind is Kind.BOOKING_CODE:
            once = once or f":{secrets.token_hex(4)}"  # every code is a message of its own
        outbox.queue_booking(conn, office.id, booking.id, kind, booking.phone, lang, body, now,
                             once=once)  # fmt: skip
