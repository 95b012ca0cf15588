"""Request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from queue_server.domain.model import Language, PriorityGroup
from queue_server.services.auth import DeviceKind, Role

Code = Field(min_length=1, max_length=8, pattern=r"^[A-Za-z0-9]+$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        """No NUL characters in any text (PostgreSQL cannot store them; no person types one)."""
        if _holds_nul(data):
            raise ValueError("text must not contain NUL characters")
        return data


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class LoginOut(BaseModel):
    token: str
    username: str
    role: Role
    office: str | None = None


class TicketIn(Strict):
    service: str = Code
    priority_group: PriorityGroup = PriorityGroup.NONE
    phone: str | None = Field(default=None, max_length=32)
    notify_consent: bool = False
    language: Language = Language.ID
    nik: str | None = Field(default=None, pattern=r"^\d{16}$")  # where the office caps per person
    printer: int | None = Field(default=None, ge=1)  # staff: print on this kiosk's printer


class Estimate(BaseModel):
    low: int
    high: int


class Names(BaseModel):
    id: str
    en: str


class TicketOut(BaseModel):
    number: str
    token: str
    status: str
    service: str
    service_name: Names | None = None
    priority_group: PriorityGroup
    channel: str
    language: str
    ahead: int
    estimate_minutes: Estimate
    issued_at: datetime
    called_at: datetime | None = None
    counter: int | None = None
    recall_count: int = 0
    tracking_url: str
    office: str
    due_at: datetime | None = None  # a booked visitor's ticket enters the line then


class StaffTicketOut(TicketOut):
    id: str
    phone: str | None = None  # masked
    officer: str | None = None
    transferred_from: str | None = None
    missed_count: int = 0


class TicketEnvelope(BaseModel):
    ticket: TicketOut


class TransferIn(Strict):
    service: str = Code
    to_front: bool = False


class PrintIn(Strict):
    printer: int = Field(ge=1)  # the kiosk whose printer prints it (GET .../printers)


class CallIn(Strict):
    counter: int = Field(ge=1, le=9999)


class ResumeIn(Strict):
    counter: int | None = Field(default=None, ge=1, le=9999)


class UserIn(Strict):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: Role
    office: str | None = Field(default=None, max_length=64)
    display_name: str = Field(default="", max_length=100)


class UserPatch(Strict):
    password: str | None = Field(default=None, min_length=8, max_length=200)
    role: Role | None = None
    display_name: str | None = Field(default=None, max_length=100)
    active: bool | None = None


class UserOut(BaseModel):
    id: int
    username: str
    role: Role
    office: str | None
    display_name: str
    active: bool


class DeviceIn(Strict):
    kind: DeviceKind
    name: str = Field(min_length=1, max_length=100)
    counter: int | None = Field(default=None, ge=1, le=9999)  # counter devices: their counter
    kiosk: int | None = Field(default=None, ge=1)  # print agents: the kiosk device they print for


class DeviceClaim(Strict):
    code: str = Field(pattern=r"^[0-9]{6}$")  # shown on the screen being paired
    name: str = Field(min_length=1, max_length=100)
    counter: int | None = Field(default=None, ge=1, le=9999)  # a counter screen: its counter


class DeviceRename(Strict):
    name: str = Field(min_length=1, max_length=100)


class NotifyTestIn(Strict):
    phone: str = Field(min_length=1, max_length=32)


class NotifyTestOut(BaseModel):
    ok: bool
    detail: str  # the gateway's error when it refused; "" when it took the message


class DeviceOut(BaseModel):
    id: int
    kind: DeviceKind
    name: str
    counter: int | None
    kiosk: int | None = None
    created_at: datetime | None
    revoked_at: datetime | None


class DeviceCreated(DeviceOut):
    token: str


HHMM = r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$"


class DayHoursIn(Strict):
    opens: str = Field(pattern=HHMM)
    closes: str = Field(default="24:00", pattern=HHMM)
    last_ticket: str | None = Field(default=None, pattern=HHMM)
    breaks: list[tuple[str, str]] = Field(default_factory=list, max_length=10)


class PolicyIn(Strict):
    fairness_after: int = Field(default=3, ge=1, le=100)
    reenter_after_calls: int = Field(default=5, ge=0, le=100)
    max_reentries: int = Field(default=2, ge=0, le=10)
    normal_order: str = Field(default="preference", pattern="^(preference|longest_wait)$")
    person_daily_cap: int | None = Field(default=None, ge=1, le=20)


class VoiceIn(Strict):
    style: str = Field(default="whole", pattern="^(whole|digits)$")
    counter_words: str = Field(default="number", pattern="^(number|name)$")
    template_id: str = Field(
        default="Nomor antrean {nomor}, silakan menuju {loket}", max_length=300
    )
    template_en: str = Field(default="Number {nomor}, please go to {loket}", max_length=300)
    english: bool = False


class ConsultationIn(Strict):
    """The consultation desk's response target: hours, counted on the calendar or only in the
    office's working hours."""

    target_hours: int = Field(default=24, ge=1, le=720)
    count: Literal["calendar", "working"] = "calendar"


class NotifyIn(Strict):
    near_people: int = Field(default=3, ge=0, le=50)
    near_minutes: int | None = Field(default=None, ge=1, le=600)
    max_attempts: int = Field(default=8, ge=1, le=50)
    phone_daily_cap: int = Field(default=2, ge=1, le=20)
    gateway: dict[str, Any] = Field(default_factory=lambda: {"kind": "log"})
    templates: dict[str, dict[str, str]] = Field(default_factory=dict)
    consultation: ConsultationIn = Field(default_factory=ConsultationIn)


DATE = r"^\d{4}-\d{2}-\d{2}$"


class ScheduleIn(Strict):
    """Hours for a stretch of dates (Ramadan), both ends included; a weekday left out of
    `hours` is closed while it runs."""

    name: str = Field(min_length=1, max_length=100)
    start: str = Field(pattern=DATE)  # YYYY-MM-DD
    end: str = Field(pattern=DATE)
    hours: dict[int, DayHoursIn] = Field(default_factory=dict)


# The public rate limits an office may set for itself (see queue_server/api/limits.py).
LimitKey = Literal[
    "tickets_device", "tickets_address", "chat_phone", "survey_address", "track_address"
]
LIMIT_KEYS: tuple[str, ...] = LimitKey.__args__  # type: ignore[attr-defined]
# The `limits` library's notation, one limit: "20/minute", "5/10minutes", "100/hour", "500/day".
LimitText = Annotated[
    str, Field(pattern=r"^[1-9][0-9]{0,5} ?/ ?([1-9][0-9]{0,3} ?)?(second|minute|hour|day)s?$")
]


class OfficeIn(Strict):
    slug: str = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=200)
    timezone: str = Field(default="Asia/Jakarta", max_length=64)
    hours: dict[int, DayHoursIn] | None = None
    closed_dates: list[str] = Field(default_factory=list, max_length=400)
    policy: PolicyIn = Field(default_factory=PolicyIn)
    voice: VoiceIn = Field(default_factory=VoiceIn)
    ticker: str = Field(default="", max_length=500)
    schedules: list[ScheduleIn] = Field(default_factory=list, max_length=50)
    number_digits: int = Field(default=3, ge=3, le=4)
    retention_days: int | None = Field(default=None, ge=1, le=3650)  # None: the server's
    limits: dict[LimitKey, LimitText] = Field(default_factory=dict)


class OfficePatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    hours: dict[int, DayHoursIn] | None = None
    closed_dates: list[str] | None = Field(default=None, max_length=400)
    policy: PolicyIn | None = None
    voice: VoiceIn | None = None
    ticker: str | None = Field(default=None, max_length=500)
    notify: NotifyIn | None = None
    schedules: list[ScheduleIn] | None = Field(default=None, max_length=50)  # the whole list
    number_digits: int | None = Field(default=None, ge=3, le=4)
    retention_days: int | None = Field(default=None, ge=1, le=3650)  # null: the server's default
    limits: dict[LimitKey, LimitText] | None = None  # the whole set; {} clears every override
    # While a service is disrupted the kiosk offers a callback "besides" or "instead" of a ticket
    disruption_callback: Literal["besides", "instead"] | None = None


class OfficeOut(BaseModel):
    slug: str
    name: str
    timezone: str
    hours: dict[str, Any]
    closed_dates: list[str]
    policy: dict[str, Any]
    voice: dict[str, Any]
    ticker: str
    notify: dict[str, Any]
    schedules: list[dict[str, Any]]
    number_digits: int
    retention_days: int | None  # None: the server's default (retention_default) applies
    retention_default: int
    limits: dict[str, str]  # the office's own
    limit_defaults: dict[str, str]  # the server's, for every key an office may set
    has_logo: bool
    disruption_callback: str  # "besides" | "instead": the kiosk's offer while disrupted
    version: int


class BookingRulesIn(Strict):
    """A service's appointments (janji temu): slots, capacity, the quota share held for them."""

    enabled: bool = False
    slot_minutes: int = Field(default=30, ge=5, le=240)
    capacity: int = Field(default=4, ge=1, le=500)  # bookings per slot
    days_ahead: int = Field(default=14, ge=0, le=90)
    reserved_share: int = Field(default=0, ge=0, le=100)  # % of the daily quota
    grace_minutes: int = Field(default=15, ge=0, le=240)
    early_minutes: int = Field(default=60, ge=0, le=480)
    late: str = Field(default="walk_in", pattern="^(walk_in|no_show)$")


class ServiceIn(Strict):
    code: str = Code
    prefix: str = Field(min_length=1, max_length=2, pattern=r"^[A-Z]{1,2}$")
    name_id: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    description_id: str = Field(default="", max_length=500)
    description_en: str = Field(default="", max_length=500)
    documents: list[str] = Field(default_factory=list, max_length=30)
    fee: int = Field(default=0, ge=0, le=1_000_000_000)
    fee_note: str = Field(default="", max_length=200)
    target_minutes: int = Field(default=15, ge=1, le=24 * 60)
    daily_quota: int | None = Field(default=None, ge=1, le=100_000)
    hours: dict[int, DayHoursIn] | None = None
    remote_allowed: bool = False
    active: bool = True
    sort_order: int = Field(default=0, ge=0, le=1000)
    booking: BookingRulesIn = Field(default_factory=BookingRulesIn)


class ServicePatch(Strict):
    prefix: str | None = Field(default=None, min_length=1, max_length=2, pattern=r"^[A-Z]{1,2}$")
    name_id: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, min_length=1, max_length=200)
    description_id: str | None = Field(default=None, max_length=500)
    description_en: str | None = Field(default=None, max_length=500)
    documents: list[str] | None = Field(default=None, max_length=30)
    fee: int | None = Field(default=None, ge=0, le=1_000_000_000)
    fee_note: str | None = Field(default=None, max_length=200)
    target_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    daily_quota: int | None = Field(default=None, ge=1, le=100_000)
    hours: dict[int, DayHoursIn] | None = None
    remote_allowed: bool | None = None
    active: bool | None = None
    sort_order: int | None = Field(default=None, ge=0, le=1000)
    booking: BookingRulesIn | None = None


class ServiceOut(BaseModel):
    code: str
    prefix: str
    name_id: str
    name_en: str
    description_id: str
    description_en: str
    documents: list[str]
    fee: int
    fee_note: str
    target_minutes: int
    daily_quota: int | None
    hours: dict[str, Any] | None
    remote_allowed: bool
    active: bool
    sort_order: int
    booking: dict[str, Any]


class CounterIn(Strict):
    number: int = Field(ge=1, le=9999)
    name: str = Field(min_length=1, max_length=100)
    services: list[str] = Field(min_length=1, max_length=20)


class CounterPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    services: list[str] | None = Field(default=None, min_length=1, max_length=20)


class CounterOut(BaseModel):
    number: int
    name: str
    services: list[str]
    state: str
    officer: str | None
    current_ticket: str | None = None


# ---- bookings (janji temu) ----
class SlotOut(BaseModel):
    start: str  # "HH:MM", the office's local time
    end: str
    free: int  # seats still free (0: full or already begun)


class BookingIn(Strict):
    service: str = Code
    day: date
    slot: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    phone: str = Field(max_length=32)
    consent: bool  # to be texted the code, the confirmation and the reminders: required
    language: Language = Language.ID


class BookingConfirm(Strict):
    code: str = Field(pattern=r"^\s*[0-9]{6}\s*$")  # the one-time code texted to the phone


class BookingMove(Strict):
    day: date
    slot: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class CheckIn(Strict):
    code: str = Field(min_length=4, max_length=40)  # typed, or scanned by a keyboard-wedge reader
    printer: int | None = Field(default=None, ge=1)  # staff: print on this kiosk's printer


class BookingOut(BaseModel):
    token: str
    office: str
    service: str
    service_name: Names
    day: date
    slot: str
    status: str
    code: str | None = None  # shown once confirmed
    phone: str | None = None  # masked
    expires_at: datetime | None = None  # a pending booking's code runs out then
    link: str
    ticket: str | None = None  # the ticket's tracking link once checked in
    ticket_number: str | None = None  # and its number
