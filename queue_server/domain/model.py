"""The office's things: offices, services, counters (loket) and tickets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from itertools import pairwise

from .disruptions import CallbackMode, Disruption
from .speech import VoiceSettings


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    ON_HOLD = "on_hold"
    MISSED = "missed"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL


TERMINAL = frozenset(
    {TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED, TicketStatus.EXPIRED}
)
ACTIVE = frozenset(TicketStatus) - TERMINAL


class PriorityGroup(StrEnum):
    """The groups UU 25/2009 art. 29 entitles to special treatment."""

    NONE = "none"
    LANSIA = "lansia"
    DISABILITAS = "disabilitas"
    IBU_HAMIL = "ibu_hamil"
    BALITA = "balita"
    KORBAN_BENCANA = "korban_bencana"


class Channel(StrEnum):
    KIOSK = "kiosk"
    WEB = "web"
    CHAT = "chat"
    STAFF = "staff"
    BOOKING = "booking"  # a booked visitor checked in (domain/appointments.py)


# Ways of taking a ticket away from the office: the visitor is not in the lobby, so these share
# one set of rules (remote_allowed, a phone with consent, the per-phone cap, no priority lane).
REMOTE = frozenset({Channel.WEB, Channel.CHAT})
PHONE_DAILY_CAP = 2  # open tickets one phone may hold from afar, unless the office says otherwise


class Language(StrEnum):
    ID = "id"
    EN = "en"


class CounterState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class NormalOrder(StrEnum):
    """How a counter picks among normal tickets of its services."""

    PREFERENCE = "preference"  # first service in the counter's order that has anyone waiting
    LONGEST_WAIT = "longest_wait"  # oldest ticket across the counter's services


@dataclass(frozen=True)
class DayHours:
    """Opening hours of one weekday, in the office's local time."""

    opens: time
    closes: time | None  # None: open until midnight
    last_ticket: time | None = None  # None: until closing
    breaks: tuple[tuple[time, time], ...] = ()


ALL_DAY = DayHours(opens=time(0, 0), closes=None)


@dataclass(frozen=True)
class Schedule:
    """Hours that replace the office's own for a stretch of dates (Ramadan), both ends included.

    A weekday missing from `hours` is closed while the schedule runs.
    """

    name: str
    start: date
    end: date
    hours: dict[int, DayHours] = field(default_factory=dict)  # weekday (0=Monday) -> hours

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"schedule {self.name!r} ends before it starts")
        if any(not 0 <= weekday <= 6 for weekday in self.hours):
            raise ValueError(f"schedule {self.name!r} has a weekday outside 0..6")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def overlapping(schedules: tuple[Schedule, ...]) -> tuple[Schedule, Schedule] | None:
    """Return two schedules that share a date, if any do."""
    ordered = sorted(schedules, key=lambda s: (s.start, s.end))
    for before, after in pairwise(ordered):
        if after.start <= before.end:
            return before, after
    return None


NUMBER_DIGITS = (3, 4)  # A001 or A0001


@dataclass(frozen=True)
class QueuePolicy:
    """Office-wide rules for who is called next and what happens to missed visitors."""

    fairness_after: int = 3  # K: after K priority calls in a row, an older normal ticket goes
    reenter_after_calls: int = 5  # N: a missed ticket re-enters after N more calls
    max_reentries: int = 2  # M: how often a missed ticket may re-enter before no_show
    normal_order: NormalOrder = NormalOrder.PREFERENCE
    # Anti-calo: tickets one person (NIK) may take per day; None: no NIK is asked at all.
    person_daily_cap: int | None = None


@dataclass(frozen=True)
class Office:
    id: int
    slug: str
    name: str
    timezone: str  # IANA name: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)
    hours: dict[int, DayHours] = field(default_factory=dict)  # weekday (0=Monday) -> hours
    closed_dates: frozenset[date] = frozenset()
    policy: QueuePolicy = QueuePolicy()
    voice: VoiceSettings = field(default_factory=VoiceSettings)  # how calls are announced
    ticker: str = ""  # the running text on the lobby display
    schedules: tuple[Schedule, ...] = ()  # date ranges with their own hours (none overlap)
    number_digits: int = 3  # digits after the prefix: 3 (A001) or 4 (A0001)
    # Kept with the office so what reads the loaded state needs no query of its own: the API's
    # rate-limit overrides ("tickets_device" -> "30/minute") and the logo printed on tickets.
    limits: Mapping[str, str] = field(default_factory=dict)
    logo: bytes | None = field(default=None, repr=False)  # PNG, already shrunk for the paper
    # Open tickets one phone may hold when taken from afar (web, chat): the office's message
    # settings (`notify.phone_daily_cap`) set it.
    phone_daily_cap: int = PHONE_DAILY_CAP
    # Services (or the whole office) disrupted now, and what the kiosk offers for them.
    disruptions: tuple[Disruption, ...] = ()
    callback_mode: CallbackMode = CallbackMode.BESIDES

    def __post_init__(self) -> None:
        if self.number_digits not in NUMBER_DIGITS:
            raise ValueError(f"number_digits must be one of {NUMBER_DIGITS}")


class LateRule(StrEnum):
    WALK_IN = "walk_in"  # past the grace period: an ordinary ticket at the back of the line
    NO_SHOW = "no_show"  # past the grace period: the booking has lapsed


@dataclass(frozen=True)
class BookingRules:
    """How a service takes bookings (the settings pages edit them)."""

    enabled: bool = False
    slot_minutes: int = 30
    capacity: int = 4  # bookings per slot
    days_ahead: int = 14  # the last day bookable, counted from today
    reserved_share: int = 0  # % of the daily quota held for bookings (walk-ins get the rest)
    grace_minutes: int = 15  # a booked visitor may arrive this late and keep the slot
    early_minutes: int = 60  # check-in opens this long before the slot
    late: LateRule = LateRule.WALK_IN

    def __post_init__(self) -> None:
        if not 5 <= self.slot_minutes <= 240:
            raise ValueError("slot_minutes must be 5..240")
        if not 1 <= self.capacity <= 500:
            raise ValueError("capacity must be 1..500")
        if not 0 <= self.days_ahead <= 90:
            raise ValueError("days_ahead must be 0..90")
        if not 0 <= self.reserved_share <= 100:
            raise ValueError("reserved_share must be 0..100")
        if not 0 <= self.grace_minutes <= 240 or not 0 <= self.early_minutes <= 480:
            raise ValueError("grace_minutes must be 0..240 and early_minutes 0..480")


@dataclass(frozen=True)
class Service:
    code: str
    prefix: str
    name_id: str
    name_en: str
    description_id: str = ""
    description_en: str = ""
    documents: tuple[str, ...] = ()
    fee: int = 0  # rupiah; 0 is free of charge
    fee_note: str = ""
    target_minutes: int = 15
    daily_quota: int | None = None
    hours: dict[int, DayHours] | None = None  # None: the office's hours
    remote_allowed: bool = False
    active: bool = True
    sort_order: int = 0
    booking: BookingRules = BookingRules()


@dataclass(frozen=True)
class Counter:
    number: int
    name: str
    services: tuple[str, ...]  # service codes in order of preference
    state: CounterState = CounterState.CLOSED
    officer: str | None = None
    current_ticket: str | None = None  # ticket id called to or served at this counter
    priority_streak: int = 0  # consecutive priority calls, for the fairness bound


@dataclass(frozen=True)
class Ticket:
    id: str
    token: str
    service: str  # the service whose line it is in now
    origin_service: str  # the service that numbered it (kept across transfers)
    service_date: date
    seq: int
    number: str
    status: TicketStatus
    priority: PriorityGroup
    channel: Channel
    language: Language
    issued_at: datetime
    phone: str | None = None
    notify_consent: bool = False
    front_at: datetime | None = None  # sent to the front of its line by an officer
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    ended_at: datetime | None = None
    counter: int | None = None
    officer: str | None = None
    recall_count: int = 0
    call_count: int = 0
    missed_count: int = 0
    reenter_at_call: int | None = None  # service call count at which a missed ticket re-enters
    transferred_from: str | None = None
    # A keyed hash of the visitor's NIK, valid for one service day only (the key is replaced
    # every day), kept just to count tickets per person; the NIK itself is never stored.
    person_key: str | None = None
    # The replay's forecast of the wait (minutes) when the ticket was taken: comparing it with
    # the wait that followed is how the office learns how right its forecasts are.
    forecast_minutes: float | None = None
    # Consent to be texted: the words the visitor agreed to, and when (erased with the phone).
    consent_text: str | None = None
    consent_at: datetime | None = None
    # A booked visitor's ticket: the slot's start, when it enters the line ahead of walk-ins.
    due_at: datetime | None = None

    @property
    def is_priority(self) -> bool:
        return self.priority is not PriorityGroup.NONE

    def line_key(self) -> tuple[int, datetime]:
        """Order within a line: sent-to-front first, then by original issue time."""
        if self.front_at is not None:
            return (0, self.front_at)
        return (1, self.issued_at)
