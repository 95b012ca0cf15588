"""Service disruptions (gangguan layanan): a supervisor marks a service or the whole office
disrupted and restored; waiting visitors get one text about the delay, the callback list one
text when the service is back. Every change is a configuration change, so the kiosk, the lobby
display and visitors' phones take a fresh snapshot at once (docs/realtime.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from queue_server import consent
from queue_server.domain import calendar
from queue_server.domain.disruptions import (
    NOT_YET_SERVED,
    Disruption,
    MonthFigures,
    OpenTicket,
    Reason,
    active_for,
    clashes,
    month_figures,
)
from queue_server.domain.errors import ConsentRequired
from queue_server.domain.model import Office, Service
from queue_server.i18n import N_, translate
from queue_server.notifications import outbox
from queue_server.notifications.rules import Kind, render
from queue_server.phones import normalise
from queue_server.store import codec
from queue_server.store import repository as repo
from queue_server.store.tables import DisruptionCallbackRow

from .queue import QueueService

callbacks = DisruptionCallbackRow.__table__  # type: ignore[attr-defined]
disruptions = repo.disruptions
tickets = repo.tickets

# The reasons in words: on the kiosk, the display, the phone page and in the delay text (plain
# GSM-7, short: they sit inside a 160-character SMS).
REASON_WORDS: dict[str, str] = {
    Reason.JARINGAN.value: N_("jaringan/internet"),
    Reason.SISTEM_PUSAT.value: N_("sistem pusat/OSS"),
    Reason.LISTRIK.value: N_("listrik padam"),
    Reason.LAINNYA.value: N_("gangguan teknis"),
}
UNKNOWN_END = N_("belum diketahui")  # the delay text's expected end when none was given


class DisruptionNotFound(LookupError):
    pass


class DisruptionActive(Exception):
    """That service (or the whole office) is already marked disrupted."""


class NotDisrupted(Exception):
    """A callback was asked for a service that is running normally."""

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service


class ExpectedEndPast(ValueError):
    pass


@dataclass(frozen=True)
class Record:
    """A disruption as its history shows it."""

    disruption: Disruption
    started_by: str
    ended_by: str | None
    changes: list[dict[str, Any]]
    callbacks: int
    told: int


def reason_words(disruption: Disruption, lang: str) -> str:
    return translate(REASON_WORDS[disruption.reason.value], lang)


def end_time(office: Office, at: datetime | None, now: datetime) -> str | None:
    """An expected end as the office's clock shows it: "10:30", with the date if not today."""
    if at is None:
        return None
    return calendar.clock_text(office, at, calendar.local_time(office, now).date())


def expected_end_at(office: Office, text: str | None, now: datetime) -> datetime | None:
    """Read an expected end: "HH:MM" on the office's clock (the next such time from now), or
    an ISO date-time (without a zone: the office's). Raises ValueError when it is neither."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    zone = calendar.zone(office.timezone)
    if len(text) <= 5:
        clock = time.fromisoformat(text)
        local = calendar.local_time(office, now)
        at = datetime.combine(local.date(), clock, tzinfo=zone)
        return at if at > local else at + timedelta(days=1)
    at = datetime.fromisoformat(text)
    return at if at.tzinfo is not None else at.replace(tzinfo=zone)


def _insert_ignoring_twins(conn: Connection, row: dict[str, Any]) -> bool:
    """Insert a callback unless that phone is already on the disruption's list."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    done = conn.execute(
        dialect.insert(callbacks)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["disruption_id", "phone"])
        .returning(callbacks.c.id)
    )
    return done.first() is not None


class Disruptions:
    def __init__(self, queue: QueueService, base_url: str) -> None:
        self.queue = queue
        self.db = queue.db
        self.base_url = base_url

    def _office(self, office_id: int) -> tuple[Office, dict[str, Service]]:
        state = self.queue.read(office_id)
        return state.office, dict(state.services)

    # ---- a supervisor's actions ----
    def start(
        self,
        office_id: int,
        *,
        service: str | None,
        reason: Reason,
        note: str = "",
        expected_end: datetime | None = None,
        actor: str,
    ) -> str:
        """Mark `service` (None: the whole office) disrupted; text the visitors waiting for it
        (once each). Returns the disruption's id."""
        office, services = self._office(office_id)
        if service is not None and service not in services:
            raise LookupError(service)
        now = self.queue.clock.now()
        if expected_end is not None and expected_end <= now:
            raise ExpectedEndPast()
        disruption = Disruption(
            id=uuid.uuid4().hex, service=service, reason=reason, started_at=now,
            note=note.strip(), expected_end=expected_end,
        )  # fmt: skip
        try:
            with self.db.write() as conn:
                # the version bump first: it holds the office's row, so a ticket taken at this
                # moment is either before the start (and texted) or after it (and not)
                self.queue.config_changed(conn, office_id, actor)
                if clashes(repo.active_disruptions(conn, office_id), service) is not None:
                    raise DisruptionActive()
                conn.execute(
                    insert(disruptions).values(
                        id=disruption.id, office_id=office_id, service=service,
                        reason=reason.value, note=disruption.note, started_at=now,
                        started_by=actor, expected_end=expected_end, changes=[],
                    )
                )  # fmt: skip
                self._tell_waiting(conn, office, services, disruption, now)
        finally:
            self.queue.after_config_commit(office_id)
        return disruption.id

    def _tell_waiting(
        self,
        conn: Connection,
        office: Office,
        services: dict[str, Service],
        disruption: Disruption,
        now: datetime,
    ) -> int:
        """One delay text to each visitor with a phone and consent still waiting for a service
        the disruption stops (the key makes a second try, or a second worker, a no-op)."""
        wanted = [
            tickets.c.office_id == office.id,
            tickets.c.status.in_(sorted(NOT_YET_SERVED)),
            tickets.c.phone.is_not(None),
            tickets.c.notify_consent.is_(True),
        ]
        if disruption.service is not None:
            wanted.append(tickets.c.service == disruption.service)
        settings = outbox.settings_for(conn, office.id)
        rows = conn.execute(
            select(tickets.c.id, tickets.c.number, tickets.c.service, tickets.c.phone,
                   tickets.c.language).where(*wanted)
        ).all()  # fmt: skip
        for row in rows:
            lang = row.language
            svc = services.get(row.service)
            values = {
                "office": office.name,
                "service": (svc.name_en if lang == "en" else svc.name_id) if svc else row.service,
                "reason": reason_words(disruption, lang),
                "time": end_time(office, disruption.expected_end, now)
                or translate(UNKNOWN_END, lang),
                "number": row.number,
            }
            outbox.queue_once(
                conn, office.id, row.id, Kind.DELAY, f"{row.id}:delay:{disruption.id}",
                row.phone, lang, render(Kind.DELAY, lang, values, settings), now,
            )  # fmt: skip
        return len(rows)

    def set_expected_end(
        self, office_id: int, disruption_id: str, expected_end: datetime | None, actor: str
    ) -> None:
        """Change when the office expects the service back (shown at once; no new texts)."""
        now = self.queue.clock.now()
        try:
            with self.db.write() as conn:
                self.queue.config_changed(conn, office_id, actor)
                row = self._row(conn, office_id, disruption_id)
                if row.ended_at is not None:
                    raise DisruptionNotFound(disruption_id)  # over: nothing left to expect
                if expected_end is not None and expected_end <= now:
                    raise ExpectedEndPast()
                change = {
                    "at": now.isoformat(),
                    "by": actor,
                    "expected_end": expected_end.isoformat() if expected_end else None,
                }
                conn.execute(
                    update(disruptions)
                    .where(disruptions.c.id == disruption_id)
                    .values(expected_end=expected_end, changes=[*(row.changes or []), change])
                )
        finally:
            self.queue.after_config_commit(office_id)

    def restore(self, office_id: int, disruption_id: str, actor: str) -> bool:
        """Mark the disruption over and text its callback list (once each). Returns False when
        it was already over (nothing is sent again)."""
        office, services = self._office(office_id)
        now = self.queue.clock.now()
        try:
            with self.db.write() as conn:
                self.queue.config_changed(conn, office_id, actor)
                row = self._row(conn, office_id, disruption_id)
                if row.ended_at is not None:
                    return False
                conn.execute(
                    update(disruptions)
                    .where(disruptions.c.id == disruption_id, disruptions.c.ended_at.is_(None))
                    .values(ended_at=now, ended_by=actor)
                )
                still = repo.active_disruptions(conn, office_id)
                self._tell_callbacks(conn, replace(office, disruptions=still), services, now)
        finally:
            self.queue.after_config_commit(office_id)
        return True

    def _tell_callbacks(
        self, conn: Connection, office: Office, services: dict[str, Service], now: datetime
    ) -> int:
        """Text everyone on a callback list whose service is now back (no disruption of it
        left): one text per phone and service, however many lists they were on."""
        settings = outbox.settings_for(conn, office.id)
        rows = conn.execute(
            select(callbacks)
            .where(
                callbacks.c.office_id == office.id,
                callbacks.c.told_at.is_(None),
                callbacks.c.phone.is_not(None),
            )
            .order_by(callbacks.c.created_at, callbacks.c.id)
        ).all()
        told = 0
        sent: dict[tuple[str, str], str] = {}
        for row in rows:
            if active_for(office.disruptions, row.service) is not None:
                continue  # still down (another disruption): told when that one ends
            message_id = sent.get((row.phone, row.service))
            if message_id is None:
                lang = row.language
                svc = services.get(row.service)
                remote = svc is not None and svc.remote_allowed and svc.active
                kind = Kind.CALLBACK_LINK if remote else Kind.CALLBACK
                values = {
                    "office": office.name,
                    "service": (svc.name_en if lang == "en" else svc.name_id)
                    if svc
                    else row.service,
                    "link": f"{self.base_url}/ambil/{office.slug}?lang={lang}",
                }
                message_id = outbox.queue_once(
                    conn, office.id, None, kind, f"callback:{row.id}", row.phone, lang,
                    render(kind, lang, values, settings), now,
                )  # fmt: skip
                sent[(row.phone, row.service)] = message_id
                told += 1
            conn.execute(
                update(callbacks)
                .where(callbacks.c.id == row.id, callbacks.c.told_at.is_(None))
                .values(told_at=now, message_id=message_id)
            )
        return told

    def _row(self, conn: Connection, office_id: int, disruption_id: str) -> Any:
        row = conn.execute(
            select(disruptions).where(
                disruptions.c.id == disruption_id, disruptions.c.office_id == office_id
            )
        ).one_or_none()
        if row is None:
            raise DisruptionNotFound(disruption_id)
        return row

    # ---- a visitor's number on the callback list ----
    def add_callback(
        self, office_id: int, *, service: str, phone: str, agreed: bool, language: str
    ) -> tuple[str, bool]:
        """Put `phone` on the callback list of the disruption stopping `service`; returns the
        disruption's id and whether the number is new on its list (once per disruption).
        Raises InvalidPhone, ConsentRequired, LookupError (no such service), NotDisrupted."""
        number = normalise(phone)
        if not agreed:
            raise ConsentRequired()
        _, services = self._office(office_id)
        if service not in services:
            raise LookupError(service)
        now = self.queue.clock.now()
        with self.db.write() as conn:
            down = active_for(repo.active_disruptions(conn, office_id), service)
            if down is None:
                raise NotDisrupted(service)
            added = _insert_ignoring_twins(
                conn,
                {
                    "id": uuid.uuid4().hex, "office_id": office_id, "disruption_id": down.id,
                    "service": service, "phone": number, "language": language,
                    "consent_text": consent.callback_wording(language), "consent_at": now,
                    "created_at": now,
                },
            )  # fmt: skip
        return down.id, added

    # ---- reading ----
    def history(
        self, office_id: int, limit: int = 50, disruption_id: str | None = None
    ) -> list[Record]:
        """The office's disruptions, the ones still lasting first, then the newest (or just
        `disruption_id`)."""
        counts: dict[str, tuple[int, int]] = {}
        wanted = [disruptions.c.office_id == office_id]
        if disruption_id is not None:
            wanted.append(disruptions.c.id == disruption_id)
        with self.db.read() as conn:
            rows = conn.execute(
                select(disruptions)
                .where(*wanted)
                .order_by(disruptions.c.ended_at.is_not(None), disruptions.c.started_at.desc())
                .limit(limit)
            ).all()
            ids = [r.id for r in rows]
            for r in conn.execute(
                select(callbacks.c.disruption_id, callbacks.c.told_at).where(
                    callbacks.c.disruption_id.in_(ids)
                )
            ):
                total, told = counts.get(r.disruption_id, (0, 0))
                counts[r.disruption_id] = (total + 1, told + (r.told_at is not None))
        return [
            Record(
                disruption=codec.disruption_from_row(r),
                started_by=r.started_by,
                ended_by=r.ended_by,
                changes=list(r.changes or []),
                callbacks=counts.get(r.id, (0, 0))[0],
                told=counts.get(r.id, (0, 0))[1],
            )
            for r in rows
        ]

    def figures(self, office_id: int, first: date, last: date) -> list[MonthFigures]:
        """Disruption time, disruptions and tickets affected per service and month."""
        office, services = self._office(office_id)
        zone = calendar.zone(office.timezone)
        start = datetime.combine(first.replace(day=1), time(0), tzinfo=zone)
        following = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = datetime.combine(following, time(0), tzinfo=zone)
        now = self.queue.clock.now()
        with self.db.read() as conn:
            found = [
                codec.disruption_from_row(r)
                for r in conn.execute(
                    select(disruptions).where(
                        disruptions.c.office_id == office_id,
                        disruptions.c.started_at < end,
                        or_(disruptions.c.ended_at.is_(None), disruptions.c.ended_at > start),
                    )
                )
            ]
            touched = {d.service for d in found}
            scope = [tickets.c.office_id == office_id, tickets.c.issued_at < end,
                     or_(tickets.c.ended_at.is_(None), tickets.c.ended_at > start)]  # fmt: skip
            if found and None not in touched:
                scope.append(tickets.c.service.in_(sorted(s for s in touched if s)))
            open_tickets = (
                [
                    OpenTicket(r.service, r.issued_at, r.ended_at)
                    for r in conn.execute(
                        select(tickets.c.service, tickets.c.issued_at, tickets.c.ended_at).where(
                            and_(*scope)
                        )
                    )
                ]
                if found
                else []
            )
        codes = sorted(services, key=lambda c: (services[c].sort_order, c))
        codes += sorted({d.service for d in found if d.service and d.service not in services})
        return month_figures(found, codes, open_tickets, first, last, zone, now)
