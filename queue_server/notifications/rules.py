"""Which message a change deserves, its words, and whether it is still worth sending. Pure."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from queue_server.domain.events import EventType
from queue_server.domain.model import PHONE_DAILY_CAP
from queue_server.i18n import N_, translate


class Kind(StrEnum):
    JOINED = "joined"
    NEAR = "near"
    CALLED = "called"
    MISSED = "missed"
    NO_SHOW = "no_show"  # missed once too often: the ticket is closed
    FINISHED = "finished"
    CANCELLED = "cancelled"
    REPLY = "reply"  # an answer to a chat message
    # Bookings (janji temu): no ticket yet, so no stale rule; each at most once per booking.
    BOOKING_CODE = "booking_otp"  # the one-time code that confirms the phone number
    BOOKED = "booked"
    REMINDER_DAY = "reminder_day"
    REMINDER_HOUR = "reminder_hour"
    BOOKING_CANCELLED = "booking_cancel"
    # Disruptions (gangguan layanan): each at most once per ticket or callback and disruption.
    DELAY = "delay"  # to visitors already waiting when a disruption starts
    CALLBACK = "callback"  # to the callback list when the service is back
    CALLBACK_LINK = "callback_link"  # the same, with the link to take a ticket from afar
    # The consultation desk: the automatic acknowledgement of a new conversation (answers the
    # visitor at once, so inside WhatsApp's 24-hour window) and an officer's reply or review.
    CONSULT_ACK = "consult_ack"
    CONSULT = "consult"


# The event that queues each kind (NEAR is queued by position, not by an event).
BY_EVENT: dict[EventType, Kind] = {
    EventType.TICKET_ISSUED: Kind.JOINED,
    EventType.TICKET_CALLED: Kind.CALLED,
    EventType.TICKET_MISSED: Kind.MISSED,
    EventType.TICKET_NO_SHOW: Kind.NO_SHOW,
    EventType.TICKET_FINISHED: Kind.FINISHED,
    EventType.TICKET_CANCELLED: Kind.CANCELLED,
}

# A message is dropped, not sent late, when the ticket has moved on (a "turn near" for a ticket
# already called or served, a "called" for a visitor already at the counter).
STILL_MEANT: dict[Kind, frozenset[str]] = {
    Kind.JOINED: frozenset({"waiting", "on_hold", "missed"}),
    Kind.NEAR: frozenset({"waiting", "on_hold", "missed"}),
    Kind.CALLED: frozenset({"called"}),
    Kind.MISSED: frozenset({"missed", "no_show"}),
    Kind.NO_SHOW: frozenset({"no_show"}),
    Kind.DELAY: frozenset({"waiting", "on_hold", "missed"}),
}

# Default words: plain GSM-7 (no "…", "—" or curly quotes) so an SMS stays one 160-character
# part. Offices may replace any of them (NotifySettings.templates).
TEMPLATES: dict[Kind, str] = {
    Kind.JOINED: N_(
        "{office}: nomor antrean Anda {number} ({service}), {ahead} orang di depan. Pantau: {link}"
    ),
    Kind.NEAR: N_(
        "{office}: giliran {number} segera tiba ({ahead} orang lagi). "
        "Silakan kembali ke ruang tunggu."
    ),
    Kind.CALLED: N_("{office}: nomor {number} dipanggil. Silakan menuju loket {counter}."),
    Kind.MISSED: N_(
        "{office}: nomor {number} terlewat. Segera lapor ke petugas; nomor Anda dipanggil "
        "lagi setelah beberapa nomor."
    ),
    Kind.NO_SHOW: N_(
        "{office}: nomor {number} tidak hadir saat dipanggil dan sudah ditutup. Silakan ambil "
        "nomor baru bila masih perlu dilayani."
    ),
    Kind.FINISHED: N_(
        "{office}: layanan nomor {number} selesai. Terima kasih. Nilai layanan kami: {survey}"
    ),
    Kind.CANCELLED: N_("{office}: nomor antrean {number} sudah dibatalkan."),
    Kind.BOOKING_CODE: N_(
        "{office}: kode verifikasi janji temu {otp}, berlaku 10 menit. Jangan berikan kepada "
        "siapa pun."
    ),
    Kind.BOOKED: N_("{office}: janji temu {service} {day} {time}. Kode {code}. Ubah/batal: {link}"),
    Kind.REMINDER_DAY: N_(
        "{office}: besok {time} janji temu {service}. Kode {code}. Ubah/batal: {link}"
    ),
    Kind.REMINDER_HOUR: N_(
        "{office}: janji temu {service} pukul {time}, 1 jam lagi. Kode {code}. Check-in di "
        "kiosk saat tiba."
    ),
    Kind.BOOKING_CANCELLED: N_("{office}: janji temu {service} {day} pukul {time} dibatalkan."),
    Kind.DELAY: N_(
        "{office}: layanan {service} sedang terganggu ({reason}). Perkiraan pulih: {time}. "
        "Nomor {number} tetap berlaku."
    ),
    Kind.CALLBACK: N_(
        "{office}: layanan {service} sudah pulih. Silakan datang kembali. Terima kasih telah "
        "menunggu."
    ),
    Kind.CALLBACK_LINK: N_("{office}: layanan {service} sudah pulih. Ambil nomor antrean: {link}"),
    Kind.CONSULT_ACK: N_(
        "Pesan Anda telah kami terima dan akan kami jawab paling lambat {time}. "
        "Nomor antrean: ketik ANTRE <kode> atau STATUS."
    ),
}
# Kinds that answer a message the visitor has just sent (inside WhatsApp's 24-hour window).
ANSWERS = frozenset({Kind.REPLY.value, Kind.CONSULT_ACK.value})

GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    "^{}\\[~]|€"  # the extension table (each counts twice)
)
SMS_LIMIT = 160


def is_gsm7(text: str) -> bool:
    """Whether `text` fits the GSM-7 alphabet (else the SMS is UCS-2: 70 characters a part)."""
    return all(ch in GSM7 for ch in text)


@dataclass(frozen=True)
class NotifySettings:
    """An office's notification settings (the administration pages edit them)."""

    near_people: int = 3  # "turn near" when this many or fewer are ahead ...
    near_minutes: int | None = None  # ... or the expected wait is at most this (None: unused)
    max_attempts: int = 8  # then the message is given up and shown to staff as failed
    phone_daily_cap: int = PHONE_DAILY_CAP  # open tickets one phone may hold from afar (web, chat)
    gateway: dict[str, Any] = field(default_factory=lambda: {"kind": "log"})
    templates: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> lang -> text


def dedupe_key(kind: Kind, ticket_id: str, missed_count: int) -> str:
    """At most one message per ticket and kind, except that a visitor missed and called again
    hears about each new call and each new miss (the first keeps the plain key)."""
    if kind is Kind.CALLED and missed_count:
        return f"{ticket_id}:{kind.value}:{missed_count}"
    if kind is Kind.MISSED and missed_count > 1:
        return f"{ticket_id}:{kind.value}:{missed_count}"
    return f"{ticket_id}:{kind.value}"


def is_near(ahead: int, estimate_high: int, settings: NotifySettings) -> bool:
    if ahead <= settings.near_people:
        return True
    return settings.near_minutes is not None and estimate_high <= settings.near_minutes


def still_meant(kind: Kind, status: str) -> bool:
    allowed = STILL_MEANT.get(kind)
    return allowed is None or status in allowed


class _Safe(string.Formatter):
    def get_value(self, key: Any, args: Any, kwargs: Mapping[str, Any]) -> Any:
        return kwargs.get(key, "") if isinstance(key, str) else ""


def render(kind: Kind, lang: str, values: Mapping[str, Any], settings: NotifySettings) -> str:
    """The message text: the office's own template for `kind` in `lang`, else the default."""
    own = settings.templates.get(kind.value, {}).get(lang)
    text = own if own else translate(TEMPLATES[kind], lang)
    try:
        return _Safe().vformat(text, (), values).strip()
    except Exception:  # a broken office template ({x.y}, {x[0]}, "{"): fall back to ours
        return _Safe().vformat(translate(TEMPLATES[kind], lang), (), values).strip()


def broken_templates(settings: NotifySettings) -> list[str]:
    """The office templates that do not render with sample values (refused when saved)."""
    sample = {
        **{"office": "Kantor", "number": "A001", "service": "Layanan", "counter": 1},
        **{"ahead": 3, "wait": "5-10", "link": "http://x/t/t", "survey": "http://x/s/t"},
        **{"otp": "123456", "code": "K7Q2MX", "day": "2026-11-24", "time": "09:30"},
        "reason": "listrik padam",
    }
    broken = []
    for kind, texts in settings.templates.items():
        for lang, text in texts.items():
            try:
                _Safe().vformat(text, (), sample)
            except Exception:
                broken.append(f"{kind}.{lang}")
    return broken
