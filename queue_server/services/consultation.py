"""The consultation desk: visitors' questions and documents sent through the chat channel,
answered by officers from the staff inbox.

A message that is not a command (or a photo or PDF) opens a conversation for that phone at that
office, or continues the open one. A new conversation is acknowledged at once with its due time
(the office's response target); the acknowledgement is not a response. Officers reply, assign,
review documents (the visitor is texted whether a document is complete) and close. Everything
the visitor is sent goes through the outbox; everything said is logged in
`conversation_messages`, from which the figures can be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from queue_server.domain import consultation as rules
from queue_server.domain.calendar import day_start, local_time
from queue_server.i18n import N_, translate
from queue_server.notifications import outbox
from queue_server.notifications.chat import plain
from queue_server.notifications.media import FileRefused, Incoming, media_type, safe_name
from queue_server.notifications.rules import Kind, render
from queue_server.phones import mask
from queue_server.services.queue import QueueService
from queue_server.store.repository import offices, services, tickets
from queue_server.store.tables import (
    AttachmentRow,
    BookingRow,
    ConversationMessageRow,
    ConversationRow,
    SavedReplyRow,
    UserRow,
)

conversations = ConversationRow.__table__  # type: ignore[attr-defined]
log = ConversationMessageRow.__table__  # type: ignore[attr-defined]
attachments = AttachmentRow.__table__  # type: ignore[attr-defined]
saved_replies = SavedReplyRow.__table__  # type: ignore[attr-defined]
users = UserRow.__table__  # type: ignore[attr-defined]
bookings = BookingRow.__table__  # type: ignore[attr-defined]

AUTO_REPLIES = 5  # automatic texts (help, acknowledgements, refusals) one phone gets in 24 h
NOTE_LIMIT = 200
REVIEWS = ("complete", "incomplete")

TEXT = {
    "too_big": N_(
        "Berkas tidak kami terima: ukurannya lebih dari 5 MB. Kirim foto yang lebih kecil atau "
        "PDF yang lebih ringkas."
    ),
    "wrong_type": N_(
        "Berkas tidak kami terima: hanya foto (JPEG, PNG, WebP) atau dokumen PDF yang bisa dikirim."
    ),
    "fetch_failed": N_("Berkas Anda gagal kami ambil. Mohon kirim ulang."),
    "complete": N_("Dokumen {file} sudah kami periksa: lengkap."),
    "incomplete": N_(
        "Dokumen {file} belum lengkap: {note}. Mohon lengkapi sebelum datang ke kantor."
    ),
    "requirements_title": N_("Persyaratan {service}"),
    "requirements": N_("Persyaratan {service}: {documents}."),
}


class NotFound(Exception):
    """No such conversation, attachment or saved reply at this office."""


class Closed(Exception):
    """The conversation is closed: no reply goes out on it."""


class UnknownOfficer(Exception):
    """Assigned to someone who is not staff of this office."""


@dataclass(frozen=True)
class Received:
    conversation_id: int | None  # None: refused, nothing stored
    opened: bool  # a new conversation
    answer: str | None  # the text sent back at once (acknowledgement or refusal), if any


def _insert_ignore(conn: Connection, table: Any, row: dict[str, Any], key: str) -> bool:
    """Insert `row` unless one with the same `key` is there; say whether it was inserted."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).on_conflict_do_nothing(index_elements=[key])
    return conn.execute(stmt.returning(table.c.id), row).first() is not None


def due_text(when: datetime, office: Any) -> str:
    """The due time as the visitor reads it: the office's date, time and zone (WIB, WITA...)."""
    local = local_time(office, when)
    return f"{local:%d-%m-%Y %H:%M} {local.tzname() or ''}".strip()


class Consultations:
    def __init__(self, queue: QueueService) -> None:
        self.queue = queue
        self.db = queue.db
        self.clock = queue.clock

    # ---- settings ----
    def target(self, conn: Connection, office_id: int) -> rules.Target:
        notify = conn.execute(select(offices.c.notify).where(offices.c.id == office_id)).scalar()
        return rules.target_from_json((notify or {}).get("consultation"))

    def auto_replies_today(self, conn: Connection, office_id: int, phone: str) -> int:
        """Automatic texts to this phone in the last 24 hours (two auto-responders must not
        ping-pong at the office's expense)."""
        since = self.clock.now() - timedelta(hours=24)
        m = outbox.messages
        return int(
            conn.execute(
                select(func.count()).where(
                    m.c.office_id == office_id, m.c.phone == phone,
                    m.c.kind.in_((Kind.REPLY.value, Kind.CONSULT_ACK.value)),
                    m.c.created_at >= since,
                )
            ).scalar() or 0
        )  # fmt: skip

    def language_of(self, conn: Connection, office_id: int, phone: str) -> str:
        """The language this phone last took a ticket in here (Indonesian when none)."""
        found = conn.execute(
            select(tickets.c.language)
            .where(tickets.c.office_id == office_id, tickets.c.phone == phone)
            .order_by(tickets.c.issued_at.desc())
            .limit(1)
        ).scalar()
        return str(found) if found in ("id", "en") else "id"

    # ---- incoming ----
    def receive(
        self, office_id: int, phone: str, text: str, file: Incoming | None = None
    ) -> Received:
        """A visitor's message (text and/or a file) for the desk; `phone` is E.164."""
        now = self.clock.now()
        office = self.queue.office(office_id)
        checked: str | None = None
        if file is not None:
            try:
                checked = media_type(file.data, file.too_big)
            except FileRefused as refused:
                return self._refuse(office_id, phone, refused.reason)
        text = text.strip()[:2000]
        if not text and file is None:
            return Received(None, False, None)
        with self.db.write() as conn:
            lang = self.language_of(conn, office_id, phone)
            key = f"{office_id}:{phone}"
            target = self.target(conn, office_id)
            opened = _insert_ignore(conn, conversations, {
                "office_id": office_id, "phone": phone, "language": lang, "opened_at": now,
                "due_at": rules.due_at(office, now, target), "status": "open",
                "last_message_at": now, "waiting": True, "open_key": key,
            }, "open_key")  # fmt: skip
            found = conn.execute(select(conversations).where(conversations.c.open_key == key)).one()
            if text:
                self._log(conn, found.id, office_id, "in", "text", text, None, now)
            if file is not None and checked is not None:
                name = safe_name(file.filename, checked)
                message_id = self._log(conn, found.id, office_id, "in", "attachment", name, None,
                                       now)  # fmt: skip
                conn.execute(attachments.insert().values(
                    message_id=message_id, conversation_id=found.id, office_id=office_id,
                    media_type=checked, size=len(file.data), filename=name, data=file.data,
                    review="none", note="",
                ))  # fmt: skip
            conn.execute(
                update(conversations)
                .where(conversations.c.id == found.id)
                .values(last_message_at=now, waiting=True)
            )
            answer = None
            if opened and self.auto_replies_today(conn, office_id, phone) < AUTO_REPLIES:
                settings = outbox.settings_for(conn, office_id)
                values = {"office": office.name, "time": due_text(found.due_at, office)}
                answer = plain(render(Kind.CONSULT_ACK, found.language, values, settings))
                sent = outbox.queue_reply(conn, office_id, phone, found.language, answer, now,
                                          Kind.CONSULT_ACK)  # fmt: skip
                self._log(conn, found.id, office_id, "out", "ack", answer, None, now, sent)
        return Received(int(found.id), bool(opened), answer)

    def _refuse(self, office_id: int, phone: str, reason: str) -> Received:
        """A refused file: nothing stored; the visitor is told why (within the daily cap)."""
        with self.db.write() as conn:
            if self.auto_replies_today(conn, office_id, phone) >= AUTO_REPLIES:
                return Received(None, False, None)
            lang = self.language_of(conn, office_id, phone)
            answer = plain(translate(TEXT[reason], lang))
            outbox.queue_reply(conn, office_id, phone, lang, answer, self.clock.now())
        return Received(None, False, answer)

    def fetch_failed(self, office_id: int, phone: str) -> Received:
        return self._refuse(office_id, phone, "fetch_failed")

    def _log(
        self, conn: Connection, conversation_id: int, office_id: int, direction: str, kind: str,
        body: str, author: str | None, at: datetime, outbox_id: str | None = None,
    ) -> int:  # fmt: skip
        result = conn.execute(log.insert().values(
            conversation_id=conversation_id, office_id=office_id, direction=direction, kind=kind,
            body=body[:2000], author=author, at=at, outbox_id=outbox_id,
        ))  # fmt: skip
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    # ---- officers ----
    def _conversation(self, conn: Connection, office_id: int, conversation_id: int) -> Any:
        found = conn.execute(
            select(conversations).where(
                conversations.c.id == conversation_id, conversations.c.office_id == office_id
            )
        ).first()
        if found is None:
            raise NotFound
        return found

    def _respond(
        self, conn: Connection, conv: Any, kind: str, body: str, officer: str, now: datetime
    ) -> str:
        """Send `body` to the visitor as `officer`; the first one is the first response."""
        if conv.status == "closed" or not conv.phone:
            raise Closed
        text = plain(body)
        sent = outbox.queue_reply(conn, conv.office_id, conv.phone, conv.language, text, now,
                                  Kind.CONSULT)  # fmt: skip
        self._log(conn, conv.id, conv.office_id, "out", kind, text, officer, now, sent)
        values: dict[str, Any] = {"last_message_at": now, "waiting": False, "status": "answered"}
        if conv.first_response_at is None:
            values |= {"first_response_at": now, "first_responder": officer}
        if conv.assigned_to is None:
            values["assigned_to"] = officer
        conn.execute(update(conversations).where(conversations.c.id == conv.id).values(**values))
        return sent

    def reply(self, office_id: int, conversation_id: int, officer: str, body: str) -> str:
        """An officer's reply; returns the outbox message's id."""
        with self.db.write() as conn:
            conv = self._conversation(conn, office_id, conversation_id)
            return self._respond(conn, conv, "reply", body, officer, self.clock.now())

    def assign(self, office_id: int, conversation_id: int, username: str | None) -> None:
        with self.db.write() as conn:
            self._conversation(conn, office_id, conversation_id)
            if username is not None:
                ok = conn.execute(  # the office's own staff, or those who see every office
                    select(users.c.id).where(
                        users.c.username == username, users.c.active.is_(True),
                        or_(users.c.office_id == office_id, users.c.office_id.is_(None)),
                    )
                ).first()  # fmt: skip
                if ok is None:
                    raise UnknownOfficer
            conn.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(assigned_to=username)
            )

    def close(self, office_id: int, conversation_id: int) -> None:
        with self.db.write() as conn:
            self._conversation(conn, office_id, conversation_id)
            conn.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(status="closed", closed_at=self.clock.now(), open_key=None, waiting=False)
            )

    def review(
        self, office_id: int, attachment_id: int, verdict: str, note: str, officer: str
    ) -> None:
        """Mark a document complete or incomplete (with a note); the visitor is texted."""
        if verdict not in REVIEWS:
            raise ValueError(verdict)
        note = " ".join(note.split())[:NOTE_LIMIT]
        now = self.clock.now()
        with self.db.write() as conn:
            found = conn.execute(
                select(attachments.c.id, attachments.c.filename, attachments.c.conversation_id)
                .where(attachments.c.id == attachment_id, attachments.c.office_id == office_id)
            ).first()  # fmt: skip
            if found is None:
                raise NotFound
            conv = self._conversation(conn, office_id, found.conversation_id)
            words = TEXT[verdict]
            body = translate(words, conv.language, file=found.filename, note=note or "-")
            self._respond(conn, conv, "review", body, officer, now)
            conn.execute(
                update(attachments).where(attachments.c.id == attachment_id).values(
                    review=verdict, note=note, reviewed_by=officer, reviewed_at=now
                )
            )  # fmt: skip

    # ---- reading ----
    def inbox(self, office_id: int, closed: bool = False, limit: int = 200) -> list[dict[str, Any]]:
        """The office's conversations in the inbox's order (closed ones only when asked)."""
        now = self.clock.now()
        c = conversations
        stmt = select(c).where(c.c.office_id == office_id)
        if not closed:
            stmt = stmt.where(c.c.status != "closed")
        with self.db.read() as conn:
            rows = {r.id: r for r in conn.execute(stmt.order_by(c.c.id.desc()).limit(limit))}
            last = {
                r.conversation_id: r
                for r in conn.execute(
                    select(log.c.conversation_id, log.c.kind, log.c.body, log.c.id)
                    .where(log.c.conversation_id.in_(list(rows)), log.c.direction == "in")
                    .order_by(log.c.id)
                )
            }
            files: dict[int, int] = dict(
                conn.execute(
                    select(attachments.c.conversation_id, func.count())
                    .where(attachments.c.conversation_id.in_(list(rows)))
                    .group_by(attachments.c.conversation_id)
                ).all()
            )
        items = rules.inbox_order(
            rules.InboxItem(r.id, r.status, r.due_at, r.first_response_at is not None,
                            r.waiting, r.last_message_at)
            for r in rows.values()
        )  # fmt: skip
        out = []
        for item in items:
            r = rows[item.id]
            preview = last.get(r.id)
            left = rules.time_left(r.due_at, now)
            out.append({
                "id": r.id, "phone": mask(r.phone) or "", "language": r.language,
                "status": r.status, "assigned_to": r.assigned_to, "opened_at": r.opened_at,
                "due_at": r.due_at, "last_message_at": r.last_message_at,
                "first_response_at": r.first_response_at, "waiting": r.waiting,
                "seconds_left": int(left.total_seconds()),
                "overdue": r.first_response_at is None and left.total_seconds() < 0
                and r.status != "closed",
                "preview": (preview.body[:120] if preview is not None else ""),
                "preview_kind": preview.kind if preview is not None else "text",
                "attachments": int(files.get(r.id, 0)),
            })  # fmt: skip
        return out

    def thread(self, office_id: int, conversation_id: int) -> dict[str, Any]:
        """One conversation: its messages with their attachments, and the visitor's tickets and
        bookings at this office."""
        with self.db.read() as conn:
            conv = self._conversation(conn, office_id, conversation_id)
            files: dict[int, Any] = {
                r.message_id: r
                for r in conn.execute(
                    select(attachments.c.id, attachments.c.message_id, attachments.c.media_type,
                           attachments.c.size, attachments.c.filename, attachments.c.review,
                           attachments.c.note, attachments.c.reviewed_by,
                           attachments.c.data.is_not(None).label("kept"))
                    .where(attachments.c.conversation_id == conv.id)
                )
            }  # fmt: skip
            said = conn.execute(
                select(log).where(log.c.conversation_id == conv.id).order_by(log.c.at, log.c.id)
            ).all()
            statuses: dict[str, str] = dict(
                conn.execute(
                    select(outbox.messages.c.id, outbox.messages.c.status).where(
                        outbox.messages.c.id.in_([m.outbox_id for m in said if m.outbox_id])
                    )
                ).all()
            )
            mine = [] if not conv.phone else conn.execute(
                select(tickets.c.number, tickets.c.service, tickets.c.service_date,
                       tickets.c.status, tickets.c.token)
                .where(tickets.c.office_id == office_id, tickets.c.phone == conv.phone)
                .order_by(tickets.c.issued_at.desc()).limit(10)
            ).all()  # fmt: skip
            booked = [] if not conv.phone else conn.execute(
                select(bookings.c.code, bookings.c.service, bookings.c.day, bookings.c.slot,
                       bookings.c.status)
                .where(bookings.c.office_id == office_id, bookings.c.phone == conv.phone)
                .order_by(bookings.c.day.desc(), bookings.c.slot.desc()).limit(10)
            ).all()  # fmt: skip
            earlier = int(
                conn.execute(
                    select(func.count()).where(
                        conversations.c.office_id == office_id,
                        conversations.c.phone == conv.phone, conversations.c.phone != "",
                        conversations.c.id != conv.id,
                    )
                ).scalar() or 0
            )  # fmt: skip
        messages = []
        for m in said:
            file = files.get(m.id)
            messages.append({
                "id": m.id, "direction": m.direction, "kind": m.kind, "body": m.body,
                "author": m.author, "at": m.at,
                "delivery": statuses.get(m.outbox_id) if m.outbox_id else None,
                "attachment": None if file is None else {
                    "id": file.id, "media_type": file.media_type, "size": file.size,
                    "filename": file.filename, "review": file.review, "note": file.note,
                    "reviewed_by": file.reviewed_by, "kept": bool(file.kept),
                },
            })  # fmt: skip
        left = rules.time_left(conv.due_at, self.clock.now())
        return {
            "id": conv.id, "phone": mask(conv.phone) or "", "language": conv.language,
            "status": conv.status, "assigned_to": conv.assigned_to, "opened_at": conv.opened_at,
            "due_at": conv.due_at, "first_response_at": conv.first_response_at,
            "first_responder": conv.first_responder, "seconds_left": int(left.total_seconds()),
            "overdue": conv.first_response_at is None and left.total_seconds() < 0,
            "messages": messages, "earlier": earlier,
            "tickets": [
                {"number": t.number, "service": t.service, "service_date": t.service_date,
                 "status": t.status, "token": t.token} for t in mine
            ],
            "bookings": [
                {"code": b.code, "service": b.service, "day": b.day, "slot": b.slot,
                 "status": b.status} for b in booked
            ],
        }  # fmt: skip

    def attachment(self, office_id: int, attachment_id: int) -> tuple[str, str, bytes]:
        """(checked media type, file name, bytes) of a kept attachment of this office."""
        with self.db.read() as conn:
            found = conn.execute(
                select(attachments.c.media_type, attachments.c.filename, attachments.c.data)
                .where(attachments.c.id == attachment_id, attachments.c.office_id == office_id)
            ).first()  # fmt: skip
        if found is None or found.data is None:
            raise NotFound
        return str(found.media_type), str(found.filename), bytes(found.data)

    def officers(self, office_id: int) -> list[str]:
        with self.db.read() as conn:
            return [
                str(u)
                for u in conn.execute(
                    select(users.c.username)
                    .where(users.c.office_id == office_id, users.c.active.is_(True))
                    .order_by(users.c.username)
                ).scalars()
            ]

    # ---- saved replies ----
    def saved(self, office_id: int, lang: str) -> list[dict[str, Any]]:
        """The office's saved replies, then each active service's requirements (made from the
        service's documents list, so they never go out of date)."""
        with self.db.read() as conn:
            own = conn.execute(
                select(saved_replies)
                .where(saved_replies.c.office_id == office_id)
                .order_by(saved_replies.c.title)
            ).all()
            found = conn.execute(
                select(services.c.code, services.c.name_id, services.c.name_en,
                       services.c.documents)
                .where(services.c.office_id == office_id, services.c.active.is_(True))
                .order_by(services.c.sort_order, services.c.code)
            ).all()  # fmt: skip
        out: list[dict[str, Any]] = [
            {"id": r.id, "title": r.title, "body": r.body, "own": True} for r in own
        ]
        for s in found:
            if not s.documents:
                continue
            name = s.name_en if lang == "en" else s.name_id
            title, body = TEXT["requirements_title"], TEXT["requirements"]
            out.append({
                "id": None, "own": False,
                "title": translate(title, lang, service=name),
                "body": translate(body, lang, service=name, documents=", ".join(s.documents)),
            })  # fmt: skip
        return out

    def add_saved(self, office_id: int, title: str, body: str) -> int:
        with self.db.write() as conn:
            made = conn.execute(
                saved_replies.insert().values(office_id=office_id, title=title, body=body)
            )
            return int(made.inserted_primary_key[0])  # type: ignore[index]

    def remove_saved(self, office_id: int, reply_id: int) -> None:
        with self.db.write() as conn:
            gone = conn.execute(
                saved_replies.delete().where(
                    saved_replies.c.id == reply_id, saved_replies.c.office_id == office_id
                )
            ).rowcount
        if not gone:
            raise NotFound

    # ---- figures ----
    def figures(self, office_id: int, first: date, last: date) -> rules.ConsultationFigures:
        """The desk's figures for conversations opened from `first` to `last` (local days)."""
        office = self.queue.office(office_id)
        start, end = day_start(office, first), day_start(office, last + timedelta(days=1))
        c = conversations
        with self.db.read() as conn:
            rows = conn.execute(
                select(c.c.opened_at, c.c.due_at, c.c.first_response_at, c.c.first_responder).where(
                    c.c.office_id == office_id, c.c.opened_at >= start, c.c.opened_at < end
                )
            ).all()
        facts = [rules.Facts(r.opened_at, r.due_at, r.first_response_at, r.first_responder)
                 for r in rows]  # fmt: skip
        return rules.figures(facts, office.timezone, self.clock.now())
