"""Erasing visitors' personal data after the retention period (UU 27/2022 on personal data
protection): phone numbers and their consent on tickets, bookings and disruption callback
lists, and the text messages sent to them.
What is kept — the tickets themselves, their times, services and counters, the survey scores —
holds no one's identity, so every report and the SKM recap stay as they were.

Each office keeps them for its own period (`offices.retention_days`, set by its supervisors)
or the server's default (ANTREAN_RETENTION_DAYS). Run hourly by the server and by
`antrean retention` from cron.
NIKs are never stored; their keyed hashes are already erased when each service day ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, select, update

from queue_server.notifications import inbound
from queue_server.store.tables import (
    AttachmentRow,
    BookingRow,
    ConversationMessageRow,
    ConversationRow,
    DisruptionCallbackRow,
    MessageRow,
    OfficeRow,
    TicketRow,
)

offices = OfficeRow.__table__  # type: ignore[attr-defined]
tickets = TicketRow.__table__  # type: ignore[attr-defined]
messages = MessageRow.__table__  # type: ignore[attr-defined]
bookings = BookingRow.__table__  # type: ignore[attr-defined]
callbacks = DisruptionCallbackRow.__table__  # type: ignore[attr-defined]
conversations = ConversationRow.__table__  # type: ignore[attr-defined]
conversation_log = ConversationMessageRow.__table__  # type: ignore[attr-defined]
attachments = AttachmentRow.__table__  # type: ignore[attr-defined]

ERASED = ""  # what an erased phone number or message text becomes


@dataclass(frozen=True)
class Erased:
    tickets: int
    messages: int
    bookings: int = 0
    callbacks: int = 0  # numbers left on a disruption's callback list (the rows stay, counted)
    conversations: int = 0


def _erase_conversations(conn: Connection, chosen: Any) -> int:
    """Erase the consultation desk's conversations picked by `chosen` (a WHERE clause): the
    phone, every message's text, the files' bytes and names. What the figures count stays:
    when each was opened, answered and by whom, and each file's type and size."""
    ids = [int(i) for i in conn.execute(select(conversations.c.id).where(chosen)).scalars()]
    if not ids:
        return 0
    conn.execute(
        update(conversation_log)
        .where(conversation_log.c.conversation_id.in_(ids))
        .values(body=ERASED)
    )
    conn.execute(
        update(attachments)
        .where(attachments.c.conversation_id.in_(ids))
        .values(data=None, filename=ERASED, note=ERASED)
    )
    conn.execute(
        update(conversations)
        .where(conversations.c.id.in_(ids))
        .values(phone=ERASED, open_key=None, status="closed", waiting=False)
    )
    return len(ids)


def retention_by_office(conn: Connection, days: int) -> dict[int, int]:
    """Each office's retention period in days: its own, else `days` (the server's default)."""
    rows = conn.execute(select(offices.c.id, offices.c.retention_days)).all()
    return {int(office_id): int(own or days) for office_id, own in rows}


def erase_older_than(conn: Connection, now: datetime, days: int) -> Erased:
    """Erase personal data from tickets taken and messages made longer ago than each office's
    retention period (`offices.retention_days`; `days` for offices that set none)."""
    inbound.forget_older_than(conn, now)  # ids only, kept while a gateway may still retry
    periods: dict[int, list[int]] = {}
    for office_id, keep in retention_by_office(conn, days).items():
        periods.setdefault(keep, []).append(office_id)
    done_tickets = done_messages = done_bookings = done_callbacks = done_conversations = 0
    for keep, office_ids in sorted(periods.items()):
        cutoff = now - timedelta(days=keep)
        done_bookings += (  # bookings whose day is that long past (a future one keeps its phone)
            conn.execute(
                update(bookings)
                .where(
                    bookings.c.office_id.in_(office_ids),
                    bookings.c.day < cutoff.date(),
                    bookings.c.phone.is_not(None),
                )
                .values(phone=None, consent_text=None, consent_at=None)
            ).rowcount
            or 0
        )
        done_tickets += (
            conn.execute(
                update(tickets)
                .where(
                    tickets.c.office_id.in_(office_ids),
                    tickets.c.issued_at < cutoff,
                    tickets.c.phone.is_not(None),
                )
                .values(phone=None, notify_consent=False, consent_text=None, consent_at=None)
            ).rowcount
            or 0
        )
        done_messages += (
            conn.execute(
                update(messages)
                .where(
                    and_(
                        messages.c.office_id.in_(office_ids),
                        messages.c.created_at < cutoff,
                        messages.c.phone != ERASED,
                    )
                )
                .values(phone=ERASED, body=ERASED)
            ).rowcount
            or 0
        )
        done_callbacks += (
            conn.execute(
                update(callbacks)
                .where(
                    callbacks.c.office_id.in_(office_ids),
                    callbacks.c.created_at < cutoff,
                    callbacks.c.phone.is_not(None),
                )
                .values(phone=None, consent_text=None, consent_at=None)
            ).rowcount
            or 0
        )
        done_conversations += _erase_conversations(
            conn,
            and_(
                conversations.c.office_id.in_(office_ids),
                conversations.c.last_message_at < cutoff,
                conversations.c.phone != ERASED,
            ),
        )
    return Erased(
        int(done_tickets), int(done_messages), int(done_bookings), int(done_callbacks),
        done_conversations,
    )  # fmt: skip


def held_for(conn: Connection, office_id: int, phone: str) -> dict[str, list[dict[str, object]]]:
    """What the office holds on a phone number (E.164): its tickets and the messages sent."""
    found_tickets = conn.execute(
        select(tickets.c.number, tickets.c.service_date, tickets.c.service, tickets.c.status,
               tickets.c.notify_consent, tickets.c.consent_text, tickets.c.consent_at,
               tickets.c.issued_at)
        .where(tickets.c.office_id == office_id, tickets.c.phone == phone)
        .order_by(tickets.c.issued_at)
    ).all()  # fmt: skip
    found_messages = conn.execute(
        select(messages.c.kind, messages.c.status, messages.c.body, messages.c.created_at)
        .where(messages.c.office_id == office_id, messages.c.phone == phone)
        .order_by(messages.c.created_at)
    ).all()
    return {
        "tickets": [
            {
                "number": t.number,
                "service_date": t.service_date.isoformat(),
                "service": t.service,
                "status": t.status,
                "consent": t.notify_consent,
                "consent_text": t.consent_text,
                "consent_at": t.consent_at.isoformat() if t.consent_at else None,
                "issued_at": t.issued_at.isoformat(),
            }
            for t in found_tickets
        ],
        "bookings": [
            {
                "code": b.code,
                "service": b.service,
                "day": b.day.isoformat(),
                "slot": b.slot,
                "status": b.status,
                "consent_text": b.consent_text,
                "consent_at": b.consent_at.isoformat() if b.consent_at else None,
            }
            for b in conn.execute(
                select(bookings)
                .where(bookings.c.office_id == office_id, bookings.c.phone == phone)
                .order_by(bookings.c.day, bookings.c.slot)
            ).all()
        ],
        "callbacks": [
            {
                "service": c.service,
                "created_at": c.created_at.isoformat(),
                "told_at": c.told_at.isoformat() if c.told_at else None,
                "consent_text": c.consent_text,
            }
            for c in conn.execute(
                select(callbacks)
                .where(callbacks.c.office_id == office_id, callbacks.c.phone == phone)
                .order_by(callbacks.c.created_at)
            ).all()
        ],
        "conversation_messages": [
            {"direction": m.direction, "kind": m.kind, "body": m.body, "at": m.at.isoformat()}
            for m in conn.execute(
                select(conversation_log)
                .select_from(
                    conversation_log.join(
                        conversations, conversations.c.id == conversation_log.c.conversation_id
                    )
                )
                .where(conversations.c.office_id == office_id, conversations.c.phone == phone)
                .order_by(conversation_log.c.at, conversation_log.c.id)
            ).all()
        ],
        "messages": [
            {
                "kind": m.kind,
                "status": m.status,
                "body": m.body,
                "created_at": m.created_at.isoformat(),
            }
            for m in found_messages
        ],
    }


def erase_phone(conn: Connection, office_id: int, phone: str) -> Erased:
    """A visitor's request: erase their number from the office's tickets and messages now."""
    done_tickets = conn.execute(
        update(tickets)
        .where(tickets.c.office_id == office_id, tickets.c.phone == phone)
        .values(phone=None, notify_consent=False, consent_text=None, consent_at=None)
    ).rowcount
    done_messages = conn.execute(
        update(messages)
        .where(messages.c.office_id == office_id, messages.c.phone == phone)
        .values(phone=ERASED, body=ERASED)
    ).rowcount
    done_bookings = conn.execute(
        update(bookings)
        .where(bookings.c.office_id == office_id, bookings.c.phone == phone)
        .values(phone=None, consent_text=None, consent_at=None)
    ).rowcount
    done_callbacks = conn.execute(
        update(callbacks)
        .where(callbacks.c.office_id == office_id, callbacks.c.phone == phone)
        .values(phone=None, consent_text=None, consent_at=None)
    ).rowcount
    done_conversations = _erase_conversations(
        conn, and_(conversations.c.office_id == office_id, conversations.c.phone == phone)
    )
    return Erased(
        int(done_tickets or 0), int(done_messages or 0), int(done_bookings or 0),
        int(done_callbacks or 0), done_conversations,
    )  # fmt: skip
