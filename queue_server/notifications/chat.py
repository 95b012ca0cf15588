"""Taking and following a ticket by text message: ANTRE <kode>, STATUS, BATAL, INFO, BERHENTI
(and QUEUE, CANCEL, STOP in English); JANJI (BOOKING) lists the phone's appointments and
BATAL <kode janji> cancels one. Replies go out through the outbox like every message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from queue_server.domain import queue as domain
from queue_server.domain.errors import DomainError
from queue_server.domain.model import Channel, Language
from queue_server.i18n import N_, translate
from queue_server.i18n.errors import error_messages
from queue_server.notifications.media import Incoming
from queue_server.phones import InvalidPhone, normalise
from queue_server.services.queue import QueueService
from queue_server.store.repository import tickets

from . import outbox

ACTIVE = ("waiting", "called", "serving", "on_hold", "missed")
HELP_REPLIES = 5  # help texts one phone gets in 24 hours (commands are always answered)

COMMANDS: dict[str, tuple[str, str]] = {
    "ANTRE": ("take", "id"), "ANTRI": ("take", "id"), "QUEUE": ("take", "en"),
    "STATUS": ("status", "id"), "BATAL": ("cancel", "id"), "CANCEL": ("cancel", "en"),
    "INFO": ("info", "id"), "BERHENTI": ("stop", "id"), "STOP": ("stop", "en"),
    "JANJI": ("booking", "id"), "BOOKING": ("booking", "en"),
    "BANTUAN": ("help", "id"), "HELP": ("help", "en"), "MENU": ("help", "id"),
}  # fmt: skip

REPLY: dict[str, str] = {
    "help": N_(
        "Ketik ANTRE <kode layanan> untuk mengambil nomor antrean, STATUS untuk melihat "
        "antrean Anda, BATAL untuk membatalkan, JANJI untuk janji temu Anda, INFO untuk daftar "
        "layanan, BERHENTI agar tidak dikirimi pesan lagi."
    ),
    "no_code": N_(
        "Ketik ANTRE diikuti kode layanan, misalnya ANTRE B. Ketik INFO untuk daftar layanan."
    ),
    "status": N_("Nomor {number} ({service}): {status}, {ahead} orang di depan. Pantau: {link}"),
    "none": N_("Anda tidak punya nomor antrean aktif hari ini."),
    "stopped": N_("Anda tidak akan dikirimi pesan lagi. Ketik ANTRE <kode> untuk mengambil nomor."),
    "info_line": N_("{code}: {name}. Dokumen: {documents}"),
    "info_remote": N_("Bisa diambil lewat pesan: {codes}."),
    "info_none": N_("Saat ini tidak ada layanan yang bisa diambil lewat pesan."),
    "booking_line": N_("Janji temu {service} {day} {time}, kode {code}. Ubah/batal: {link}"),
    "no_booking": N_("Anda tidak punya janji temu. Buat di {link}"),
}
STATUS_WORDS = {
    "waiting": N_("menunggu"), "called": N_("dipanggil ke loket"), "serving": N_("sedang dilayani"),
    "on_hold": N_("ditunda"), "missed": N_("terlewat"),
}  # fmt: skip
_PLAIN = str.maketrans({"–": "-", "—": "-", "…": "...", "“": '"', "”": '"', "‘": "'", "’": "'"})


def _status_word(status: str, lang: str) -> str:
    msgid = STATUS_WORDS.get(status, "")
    return translate(msgid, lang) if msgid else status


def _reply(key: str, lang: str, **params: Any) -> str:
    msgid = REPLY[key]
    return translate(msgid, lang, **params)


def plain(text: str) -> str:
    """Keep an SMS in the GSM-7 alphabet: dashes, ellipses and curly quotes made plain."""
    return text.translate(_PLAIN)


@dataclass(frozen=True)
class Command:
    action: str  # take | status | cancel | info | stop | booking | help | ask (for the desk)
    lang: str
    argument: str = ""


def parse(text: str) -> Command:
    words = re.split(r"\s+", text.strip())
    head = words[0].upper() if words and words[0] else ""
    action, lang = COMMANDS.get(head, ("ask" if head else "help", "id"))
    argument = words[1].upper() if len(words) > 1 else ""
    return Command(action, lang, argument)


class Chat:
    def __init__(self, queue: QueueService, base_url: str) -> None:
        self.queue = queue
        self.base_url = base_url

    def handle(
        self, office_id: int, sender: str, text: str, file: Incoming | None = None
    ) -> str | None:
        """Act on one incoming message; queue the reply; return the reply's text (None when the
        ticket's own messages answer, e.g. "joined" after ANTRE). A question (not a command)
        or a file goes to the consultation desk, which acknowledges a new conversation."""
        try:
            phone = normalise(sender)
        except InvalidPhone:
            return None  # not a phone we can answer
        command = parse(text)
        if file is not None or command.action == "ask":
            from queue_server.services.consultation import Consultations

            return Consultations(self.queue).receive(office_id, phone, text, file).answer
        if command.action == "help" and self._replies_today(office_id, phone) >= HELP_REPLIES:
            return None  # two auto-responders must not ping-pong at the office's expense
        reply: str | None = getattr(self, f"_{command.action}")(office_id, phone, command)
        if reply is not None:
            with self.queue.db.write() as conn:
                outbox.queue_reply(conn, office_id, phone, command.lang, plain(reply),
                                   self.queue.clock.now())  # fmt: skip
        return reply

    def _replies_today(self, office_id: int, phone: str) -> int:
        since = self.queue.clock.now() - timedelta(hours=24)
        with self.queue.db.read() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        outbox.messages.c.office_id == office_id,
                        outbox.messages.c.phone == phone,
                        outbox.messages.c.kind.in_(("reply", "consult_ack")),
                        outbox.messages.c.created_at >= since,
                    )
                ).scalar()
                or 0
            )

    def _active(self, conn: Connection, office_id: int, phone: str) -> list[Any]:
        day = self.queue.read(office_id).service_date
        return list(
            conn.execute(
                select(tickets.c.id, tickets.c.token, tickets.c.language).where(
                    tickets.c.office_id == office_id, tickets.c.service_date == day,
                    tickets.c.phone == phone, tickets.c.status.in_(ACTIVE),
                ).order_by(tickets.c.issued_at.desc())
            )
        )  # fmt: skip

    def _help(self, _office_id: int, _phone: str, command: Command) -> str:
        return _reply("help", command.lang)

    def _take(self, office_id: int, phone: str, command: Command) -> str | None:
        if not command.argument:
            return _reply("no_code", command.lang)
        state = self.queue.read(office_id)
        code = next(
            (s.code for s in state.services.values()
             if command.argument in (s.code.upper(), s.prefix.upper())),
            command.argument,
        )  # fmt: skip
        try:  # the rules of every ticket taken from afar, the per-phone cap among them
            self.queue.issue(
                office_id, service=code, channel=Channel.CHAT, actor=f"chat:{phone[-4:]}",
                phone=phone, notify_consent=True, language=Language(command.lang),
            )  # fmt: skip
        except DomainError as refused:
            return error_messages(refused.code, **refused.params)[command.lang]
        return None  # the ticket's "joined" message is the answer

    def _status(self, office_id: int, phone: str, command: Command) -> str:
        with self.queue.db.read() as conn:
            active = self._active(conn, office_id, phone)
        if not active:
            return _reply("none", command.lang)
        _office, view = self.queue.find(active[0].token)
        lang = active[0].language
        ticket, service = view.ticket, view.service
        return _reply("status", lang, number=ticket.number,
            service=(service.name_en if lang == "en" else service.name_id) if service else "",
            status=_status_word(ticket.status.value, lang),
            ahead=view.ahead, link=f"{self.base_url}/t/{ticket.token}",
        )  # fmt: skip

    def _booking(self, office_id: int, phone: str, command: Command) -> str:
        """JANJI: the phone's coming bookings with their codes and links."""
        from queue_server.services.bookings import Bookings

        state = self.queue.read(office_id)
        found = Bookings(self.queue, self.base_url).of_phone(office_id, phone, state.service_date)
        if not found:
            link = f"{self.base_url}/janji/{state.office.slug}"
            return _reply("no_booking", command.lang, link=link)
        lines = []
        for booking in found[:2]:
            svc = state.services.get(booking.service)
            name = (
                (svc.name_en if command.lang == "en" else svc.name_id) if svc else booking.service
            )
            lines.append(_reply(
                "booking_line", command.lang, service=name, day=booking.day.isoformat(),
                time=booking.slot.strftime("%H:%M"), code=booking.code,
                link=f"{self.base_url}/b/{booking.token}",
            ))  # fmt: skip
        return "\n".join(lines)

    def _cancel_booking(self, office_id: int, phone: str, command: Command) -> str | None:
        """BATAL <kode janji>: cancel that booking, when it is this phone's."""
        from queue_server.services.bookings import BookingClosed, Bookings

        bookings = Bookings(self.queue, self.base_url)
        state = self.queue.read(office_id)
        mine = {b.code: b for b in bookings.of_phone(office_id, phone, state.service_date)}
        booking = mine.get(command.argument)
        if booking is None:
            return error_messages("booking_not_found")[command.lang]
        try:
            bookings.cancel(booking.token, self.queue.clock.now())
        except BookingClosed:
            return error_messages("booking_closed")[command.lang]
        return None  # the "booking cancelled" message is the answer

    def _cancel(self, office_id: int, phone: str, command: Command) -> str | None:
        if len(command.argument) == 6:  # BATAL K7Q2MX: a booking's code
            return self._cancel_booking(office_id, phone, command)
        with self.queue.db.read() as conn:
            active = self._active(conn, office_id, phone)
        if not active:
            return _reply("none", command.lang)
        ticket_id = active[0].id
        try:
            self.queue.execute(office_id, lambda s, now: domain.cancel(s, ticket_id, now), "chat")
        except DomainError as refused:
            return error_messages(refused.code, **refused.params)[command.lang]
        return None  # the "cancelled" message is the answer

    def _info(self, office_id: int, _phone: str, command: Command) -> str:
        state = self.queue.read(office_id)
        lang = command.lang
        services = sorted(state.services.values(), key=lambda s: (s.sort_order, s.code))
        lines = [
            _reply(
                "info_line",
                lang,
                code=s.prefix,
                name=s.name_en if lang == "en" else s.name_id,
                documents=", ".join(s.documents[:3]) or "-",
            )
            for s in services
            if s.active
        ]
        remote = [s.prefix for s in services if s.active and s.remote_allowed]
        lines.append(
            _reply("info_remote", lang, codes=", ".join(remote))
            if remote
            else _reply("info_none", lang)
        )
        return "\n".join(lines)

    def _stop(self, office_id: int, phone: str, command: Command) -> str:
        now = self.queue.clock.now()
        with self.queue.db.write() as conn:
            conn.execute(
                update(tickets)
                .where(tickets.c.office_id == office_id, tickets.c.phone == phone)
                .values(notify_consent=False)
            )
            conn.execute(
                update(outbox.messages)
                .where(
                    and_(
                        outbox.messages.c.phone == phone,
                        outbox.messages.c.office_id == office_id,
                        outbox.messages.c.status.in_(("pending", "sending")),
                        outbox.messages.c.kind != "reply",
                    )
                )
                .values(status="dropped", last_error="opted out", next_attempt_at=now)
            )
        return _reply("stopped", command.lang)
