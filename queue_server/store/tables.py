"""The schema. Alembic migrations are generated from and checked against these tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from .types import UTCDateTime


def _utc(nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


class OfficeRow(SQLModel, table=True):
    __tablename__ = "offices"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    timezone: str = Field(max_length=64)
    hours: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    closed_dates: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    policy: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    service_date: date | None = None
    created_at: datetime | None = _utc()
    # The key that turns a NIK into a ticket's person_key; replaced every service day, so
    # yesterday's keys (also in the event log) can no longer be matched to anyone.
    person_salt: str | None = Field(default=None, max_length=64)
    person_salt_date: date | None = None
    voice: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ticker: str = Field(default="", max_length=500)
    notify: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Date-range hours (Ramadan): [{"name", "start", "end", "hours"}], none overlapping.
    schedules: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    number_digits: int = Field(default=3, sa_column=Column(Integer, nullable=False, default=3))
    retention_days: int | None = None  # None: the server's ANTREAN_RETENTION_DAYS
    # The office's own public rate limits ({"tickets_device": "30/minute"}); others: settings.
    limits: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    logo: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))  # PNG
    # What the kiosk offers for a disrupted service: "besides" a ticket, or "instead" of one.
    disruption_callback: str = Field(default="besides", max_length=16)


class ServiceRow(SQLModel, table=True):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("office_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    code: str = Field(max_length=8)
    prefix: str = Field(max_length=2)
    name_id: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    description_id: str = ""
    description_en: str = ""
    documents: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    fee: int = 0
    fee_note: str = ""
    target_minutes: int = 15
    daily_quota: int | None = None
    hours: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    remote_allowed: bool = False
    active: bool = True
    sort_order: int = 0
    # Booking rules (domain.model.BookingRules as JSON); {} takes no bookings.
    booking: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CounterRow(SQLModel, table=True):
    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("office_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    number: int
    name: str = Field(max_length=100)
    services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="closed", max_length=16)
    officer: str | None = Field(default=None, max_length=64)
    current_ticket: str | None = Field(default=None, max_length=32)
    priority_streak: int = 0


class TicketRow(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("office_id", "origin_service", "service_date", "seq"),
        UniqueConstraint("office_id", "idempotency_key"),
        Index("ix_tickets_office_day_status", "office_id", "service_date", "status"),
    )

    id: str = Field(primary_key=True, max_length=32)
    office_id: int = Field(foreign_key="offices.id")
    token: str = Field(max_length=64, unique=True, index=True)
    service: str = Field(max_length=8)
    origin_service: str = Field(max_length=8)
    service_date: date
    seq: int
    number: str = Field(max_length=16)
    status: str = Field(max_length=16)
    priority: str = Field(max_length=24)
    channel: str = Field(max_length=8)
    language: str = Field(max_length=4)
    phone: str | None = Field(default=None, max_length=20)
    notify_consent: bool = False
    person_key: str | None = Field(default=None, max_length=64)  # cleared when the day ends
    idempotency_key: str | None = Field(default=None, max_length=200)
    issued_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    front_at: datetime | None = _utc()
    called_at: datetime | None = _utc()
    started_at: datetime | None = _utc()
    finished_at: datetime | None = _utc()
    ended_at: datetime | None = _utc()
    counter: int | None = None
    officer: str | None = Field(default=None, max_length=64)
    recall_count: int = 0
    call_count: int = 0
    missed_count: int = 0
    reenter_at_call: int | None = None
    transferred_from: str | None = Field(default=None, max_length=8)
    forecast_minutes: float | None = None  # the wait forecast when taken (learning its error)
    consent_text: str | None = Field(default=None, max_length=300)  # the words agreed to
    consent_at: datetime | None = _utc()  # when (both erased with the phone number)
    due_at: datetime | None = _utc()  # a booked visitor's slot: into the line ahead from then


class BookingRow(SQLModel, table=True):
    """A visitor's booked slot (janji temu). A seat number from 1 to the slot's capacity is
    unique per slot while the booking holds it: two bookings racing for the last seat cannot
    both be stored (no overbooking, whatever the database's isolation level)."""

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("office_id", "service", "day", "slot", "seat"),
        Index("ix_bookings_office_day", "office_id", "day"),
    )

    id: str = Field(primary_key=True, max_length=32)
    office_id: int = Field(foreign_key="offices.id")
    service: str = Field(max_length=8)
    day: date
    slot: str = Field(max_length=5)  # "HH:MM", the office's local time
    seat: int | None = None  # None once the booking no longer holds its seat
    code: str = Field(max_length=12, unique=True)  # typed or scanned at the kiosk
    token: str = Field(max_length=64, unique=True, index=True)  # the visitor's manage link
    # pending | confirmed | checking_in | checked_in | cancelled | no_show | expired
    status: str = Field(max_length=16)
    phone: str | None = Field(default=None, max_length=20)  # erased after the retention period
    language: str = Field(max_length=4)
    consent_text: str | None = Field(default=None, max_length=300)
    consent_at: datetime | None = _utc()
    otp_hash: str | None = Field(default=None, max_length=64)
    otp_expires_at: datetime | None = _utc()
    otp_attempts: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    confirmed_at: datetime | None = _utc()
    checked_in_at: datetime | None = _utc()
    cancelled_at: datetime | None = _utc()
    ticket_id: str | None = Field(default=None, max_length=32)
    reminded: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class TicketEventRow(SQLModel, table=True):
    """Append-only: triggers in the migration refuse UPDATE and DELETE."""

    __tablename__ = "ticket_events"
    __table_args__ = (UniqueConstraint("office_id", "version"),)

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    office_id: int = Field(foreign_key="offices.id")
    version: int = Field(sa_column=Column(BigInteger, nullable=False))
    type: str = Field(max_length=32)
    ticket_id: str | None = Field(default=None, max_length=32, index=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    actor: str | None = Field(default=None, max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(sa_column=Column(String(200), nullable=False))
    role: str = Field(max_length=16)
    office_id: int | None = Field(default=None, foreign_key="offices.id")
    display_name: str = ""
    active: bool = True
    created_at: datetime | None = _utc()


class DeviceRow(SQLModel, table=True):
    __tablename__ = "devices"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    kind: str = Field(max_length=16)
    name: str = Field(max_length=100)
    counter_number: int | None = None
    kiosk_id: int | None = Field(default=None, foreign_key="devices.id")  # agent: prints for it
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime | None = _utc()
    revoked_at: datetime | None = _utc()
    last_seen_at: datetime | None = _utc()  # stamped while it is connected (each heartbeat)


class PairingCodeRow(SQLModel, table=True):
    """A screen waiting to be paired: it shows `code`; an admin enters it; the screen, holding
    the claim secret (stored hashed), collects its new device token once, and the row goes."""

    __tablename__ = "pairing_codes"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=6, index=True)
    claim_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    device_id: int | None = Field(default=None, foreign_key="devices.id")
    token: str | None = Field(default=None, max_length=64)  # until the screen collects it


class SessionRow(SQLModel, table=True):
    """A signed-in user's token (bearer header or cookie); only its hash is stored."""

    __tablename__ = "sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = _utc()


class AuditRow(SQLModel, table=True):
    """Who did what, when, from where: one row per change made by staff or a counter device.
    Append-only: triggers in the migration refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_office_at", "office_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    office_id: int | None = Field(default=None, index=True)  # None: regency-wide (users, offices)
    actor: str = Field(max_length=120)  # username, or "device:<name>"
    role: str = Field(max_length=16)  # admin | supervisor | officer | counter (a device)
    action: str = Field(max_length=200)  # "PATCH /api/v1/offices/{office}/services/{code}"
    target: str = Field(default="", max_length=500)  # the path's values: "office=winongan code=A"
    status: int  # the answer's HTTP status (refusals are kept too)
    address: str = Field(default="", max_length=64)
    device: str = Field(default="", max_length=200)  # the browser or program (User-Agent)


class PrintJobRow(SQLModel, table=True):
    """A ticket to print on a kiosk's printer: written with the ticket, sent to its agent."""

    __tablename__ = "print_jobs"

    id: str = Field(primary_key=True, max_length=32)
    office_id: int = Field(foreign_key="offices.id")
    ticket_id: str = Field(foreign_key="tickets.id", max_length=32)
    kiosk_id: int = Field(foreign_key="devices.id", index=True)
    status: str = Field(default="pending", max_length=16)  # pending | printed | failed
    reprint: bool = False
    copies: int = 0  # confirmed prints; more than one means the agent printed a duplicate
    error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    done_at: datetime | None = _utc()


class MessageRow(SQLModel, table=True):
    """A text message to a visitor: written with the change that caused it, sent after commit."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_due", "status", "next_attempt_at"),)

    id: str = Field(primary_key=True, max_length=32)  # stable: gateways deduplicate on it
    office_id: int = Field(foreign_key="offices.id", index=True)
    ticket_id: str | None = Field(default=None, foreign_key="tickets.id", max_length=32)
    kind: str = Field(max_length=16)
    dedupe_key: str = Field(max_length=80, unique=True)  # "<ticket>:<kind>": at most once
    phone: str = Field(max_length=20)
    language: str = Field(max_length=4)
    body: str = Field(max_length=1000)
    status: str = Field(default="pending", max_length=16)  # pending | sent | failed | dropped
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = _utc()


class SurveyResponseRow(SQLModel, table=True):
    """One SKM answer (Permenpan RB 14/2017): nine scores 1-4 and the optional respondent fields;
    at most one per ticket."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_office_day", "office_id", "service_date"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id")
    ticket_id: str = Field(foreign_key="tickets.id", max_length=32, unique=True)
    service_date: date
    service: str = Field(max_length=8)
    counter: int | None = None
    officer: str | None = Field(default=None, max_length=64)
    u1: int
    u2: int
    u3: int
    u4: int
    u5: int
    u6: int
    u7: int
    u8: int
    u9: int
    age_group: str | None = Field(default=None, max_length=8)
    sex: str | None = Field(default=None, max_length=1)
    education: str | None = Field(default=None, max_length=8)
    occupation: str | None = Field(default=None, max_length=24)
    channel: str = Field(max_length=8)  # phone | counter
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class DisruptionRow(SQLModel, table=True):
    """A service (or, with no service, the whole office) marked disrupted by a supervisor, until
    restored: the history is kept, with who started and ended it and each new expected end."""

    __tablename__ = "disruptions"
    __table_args__ = (Index("ix_disruptions_office_started", "office_id", "started_at"),)

    id: str = Field(primary_key=True, max_length=32)
    office_id: int = Field(foreign_key="offices.id")
    service: str | None = Field(default=None, max_length=8)  # None: every service
    reason: str = Field(max_length=16)  # jaringan | sistem_pusat | listrik | lainnya
    note: str = Field(default="", max_length=300)
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    started_by: str = Field(max_length=120)
    expected_end: datetime | None = _utc()
    ended_at: datetime | None = _utc()
    ended_by: str | None = Field(default=None, max_length=120)
    # Each change of the expected end: [{"at", "by", "expected_end"}]
    changes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )


class DisruptionCallbackRow(SQLModel, table=True):
    """A visitor who left their number to be texted once the disrupted service is back. One
    phone once per disruption; the phone (and consent) is erased after the retention period."""

    __tablename__ = "disruption_callbacks"
    __table_args__ = (UniqueConstraint("disruption_id", "phone"),)

    id: str = Field(primary_key=True, max_length=32)
    office_id: int = Field(foreign_key="offices.id", index=True)
    disruption_id: str = Field(foreign_key="disruptions.id", max_length=32, index=True)
    service: str = Field(max_length=8)
    phone: str | None = Field(default=None, max_length=20)
    language: str = Field(max_length=4)
    consent_text: str | None = Field(default=None, max_length=300)
    consent_at: datetime | None = _utc()
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    told_at: datetime | None = _utc()  # when the "back to normal" text was queued
    message_id: str | None = Field(default=None, max_length=32)


class ConversationRow(SQLModel, table=True):
    """A visitor's conversation with the consultation desk (one phone, one office). At most one
    is open per phone and office: `open_key` is set while it is not closed (unique)."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_office_status", "office_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id")
    phone: str = Field(max_length=20)  # erased ("") after the retention period
    language: str = Field(max_length=4)
    opened_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)  # first response by then
    status: str = Field(default="open", max_length=16)  # open | answered | closed
    assigned_to: str | None = Field(default=None, max_length=64)  # a username
    first_response_at: datetime | None = _utc()
    first_responder: str | None = Field(default=None, max_length=64)
    last_message_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    waiting: bool = True  # the visitor wrote last
    closed_at: datetime | None = _utc()
    open_key: str | None = Field(default=None, max_length=40, unique=True)


class ConversationMessageRow(SQLModel, table=True):
    """The raw log of a conversation: what the visitor sent (text, attachments) and what went
    back (the acknowledgement, officers' replies and document reviews)."""

    __tablename__ = "conversation_messages"
    __table_args__ = (Index("ix_conversation_messages_conv", "conversation_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id")
    office_id: int = Field(foreign_key="offices.id")
    direction: str = Field(max_length=3)  # in | out
    kind: str = Field(max_length=16)  # text | attachment | ack | reply | review
    body: str = Field(default="", max_length=2000)  # erased ("") after the retention period
    author: str | None = Field(default=None, max_length=64)  # the officer (out, not ack)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    outbox_id: str | None = Field(default=None, max_length=32)  # the text message sent


class AttachmentRow(SQLModel, table=True):
    """A photo or PDF a visitor sent: its type checked from its bytes; only the office's
    signed-in staff may download it; the bytes are erased with the visitor's personal data."""

    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="conversation_messages.id", unique=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    office_id: int = Field(foreign_key="offices.id")
    media_type: str = Field(max_length=40)  # image/jpeg | image/png | image/webp | application/pdf
    size: int
    filename: str = Field(default="", max_length=120)
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    review: str = Field(default="none", max_length=16)  # none | complete | incomplete
    note: str = Field(default="", max_length=300)
    reviewed_by: str | None = Field(default=None, max_length=64)
    reviewed_at: datetime | None = _utc()


class SavedReplyRow(SQLModel, table=True):
    """A reply officers pick instead of typing it again."""

    __tablename__ = "saved_replies"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    title: str = Field(max_length=100)
    body: str = Field(max_length=1000)


metadata = SQLModel.metadata


class InboundMessageRow(SQLModel, table=True):
    """A gateway's id of a message received: a gateway re-sends a webhook it thinks failed
    (WhatsApp for days), and the retry may reach another worker; one row per office and id makes
    each message acted on once. Kept a few days (the retention sweep forgets older ones)."""

    __tablename__ = "inbound_messages"

    office_id: int = Field(foreign_key="offices.id", primary_key=True)
    message_id: str = Field(primary_key=True, max_length=128)
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
