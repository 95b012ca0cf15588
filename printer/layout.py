"""Lay out a queue ticket as printer-neutral elements: pure, no I/O, no printer library."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Size = Literal["normal", "large", "huge"]
Align = Literal["left", "center", "right"]
Language = Literal["id", "en"]
ErrorCorrection = Literal["L", "M", "Q", "H"]

# Every phrase printed on a ticket, per language. Plain characters only: thermal printers' code
# pages have no emoji; the en dash is folded to "-" by the ESC/POS renderer.
LABELS: dict[str, dict[str, str]] = {
    "id": {
        "reprint": "CETAK ULANG / REPRINT",
        "number": "Nomor antrean",
        "ahead": "Di depan Anda: {n} orang",
        "ahead_one": "Di depan Anda: 1 orang",
        "ahead_none": "Tidak ada antrean di depan Anda",
        "estimate": "Perkiraan menunggu: {low}–{high} menit",
        "estimate_upto": "Perkiraan menunggu: hingga {high} menit",
        "joins_at": "Janji temu: masuk antrean pukul {time}",
        "documents": "Bawa dokumen:",
        "track": "Pantau antrean Anda:",
        "footer": "Terima kasih, semoga hari Anda menyenangkan",
    },
    "en": {
        "reprint": "CETAK ULANG / REPRINT",
        "number": "Queue number",
        "ahead": "Ahead of you: {n} people",
        "ahead_one": "Ahead of you: 1 person",
        "ahead_none": "No one is ahead of you",
        "estimate": "Estimated wait: {low}–{high} min",
        "estimate_upto": "Estimated wait: up to {high} min",
        "joins_at": "Appointment: you join the queue at {time}",
        "documents": "Please bring:",
        "track": "Track your queue:",
        "footer": "Thank you, have a nice day",
    },
}

# Day names from Monday (datetime.weekday() == 0), month names from January.
CALENDAR: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "id": (
        ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
        (
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ),
    ),
    "en": (
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
    ),
}

# Indonesia's three zones by IANA name (Asia/Ujung_Pandang is the old name of Asia/Makassar).
ZONE_ABBREVIATIONS: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}

# GS ! scales characters by 1..8 in each direction.
MAX_SCALE = 8


@dataclass(frozen=True)
class Paper:
    """A thermal paper roll: characters per line at normal size and printable dots at 203 dpi."""

    name: str
    width_mm: int
    columns: int
    dots: int
    # Magnification of "huge" text: the largest the printer allows that still fits a
    # five-character number (A1000) on one line.
    huge_scale: int

    def scale(self, size: Size) -> int:
        """Return the character magnification used for a text size on this paper."""
        return {"normal": 1, "large": 2, "huge": self.huge_scale}[size]

    def width(self, size: Size) -> int:
        """Return how many characters of a size fit on one line."""
        return self.columns // self.scale(size)


PAPER_58 = Paper(name="58mm", width_mm=58, columns=32, dots=384, huge_scale=6)
PAPER_80 = Paper(name="80mm", width_mm=80, columns=48, dots=576, huge_scale=MAX_SCALE)
PAPERS: dict[int, Paper] = {58: PAPER_58, 80: PAPER_80}


@dataclass(frozen=True)
class Text:
    """One printed line (already wrapped to the paper width)."""

    text: str
    size: Size = "normal"
    bold: bool = False
    align: Align = "left"


@dataclass(frozen=True)
class Rule:
    """A full-width separator line."""

    char: str = "-"


@dataclass(frozen=True)
class QR:
    """A QR code; size is the module (dot) size, 1..16."""

    payload: str
    size: int = 6
    error_correction: ErrorCorrection = "M"


@dataclass(frozen=True)
class Image:
    """A picture (the office logo), scaled down to at most max_width dots and centred."""

    source: bytes | Path
    max_width: int


@dataclass(frozen=True)
class Feed:
    """Blank lines."""

    lines: int = 1


@dataclass(frozen=True)
class Cut:
    """Feed past the cutter and cut the paper."""


Element = Text | Rule | QR | Image | Feed | Cut


@dataclass(frozen=True)
class Document:
    """A laid-out ticket: its elements in print order and the paper they were laid out for."""

    paper: Paper
    elements: tuple[Element, ...]

    def __iter__(self) -> Iterator[Element]:
        return iter(self.elements)

    def __len__(self) -> int:
        return len(self.elements)

    def lines(self) -> list[str]:
        """Return the text lines in order (for logs, tests and on-screen fallbacks)."""
        return [element.text for element in self.elements if isinstance(element, Text)]


@dataclass(frozen=True, kw_only=True)
class TicketData:
    """Everything printed on one ticket; issued_at is aware, timezone is the office's IANA zone."""

    office_name: str
    service_name: str
    number: str
    issued_at: datetime
    timezone: str = "Asia/Jakarta"
    office_logo: bytes | Path | None = None
    ahead: int = 0
    estimate_low: int | None = None
    estimate_high: int | None = None
    documents: Sequence[str] = field(default=())
    tracking_url: str | None = None
    # A booked visitor who checked in before the slot: the line is joined then, so the ticket
    # says when instead of people ahead and a wait (aware, shown in the office's zone).
    joins_at: datetime | None = None
    # None prints the language's default, "Terima kasih, semoga hari Anda menyenangkan" in id.
    footer: str | None = None
    language: Language = "id"
    reprint: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "documents", tuple(self.documents))
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        if self.language not in LABELS:
            raise ValueError(f"language must be one of {sorted(LABELS)}, not {self.language!r}")
        if not self.number.strip():
            raise ValueError("number must not be empty")
        if self.joins_at is not None and self.joins_at.utcoffset() is None:
            raise ValueError("joins_at must be timezone-aware")
        if self.ahead < 0:
            raise ValueError("ahead must not be negative")
        if (self.estimate_low is None) != (self.estimate_high is None):
            raise ValueError("give both estimate_low and estimate_high, or neither")
        low, high = self.estimate_low, self.estimate_high
        if low is not None and high is not None and not 0 <= low <= high:
            raise ValueError("need 0 <= estimate_low <= estimate_high")


def zone_abbreviation(timezone: str, at: datetime) -> str:
    """Return WIB/WITA/WIT for Indonesian zones, else "UTC+7"-style from the offset at `at`."""
    if timezone in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[timezone]
    offset = at.astimezone(ZoneInfo(timezone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _issued_parts(issued_at: datetime, timezone: str, language: Language) -> tuple[str, str]:
    local = issued_at.astimezone(ZoneInfo(timezone))
    days, months = CALENDAR[language]
    day = f"{days[local.weekday()]}, {local.day} {months[local.month - 1]} {local.year}"
    return day, f"{local:%H:%M} {zone_abbreviation(timezone, issued_at)}"


def format_issued(issued_at: datetime, timezone: str, language: Language = "id") -> str:
    """Format the local date and time, e.g. "Senin, 23 November 2026 09:05 WIB"."""
    return " ".join(_issued_parts(issued_at, timezone, language))


def wrap(text: str, width: int, *, indent: str = "", bullet: str = "") -> list[str]:
    """Wrap text to width characters, breaking words longer than a line."""
    return textwrap.wrap(
        " ".join(text.split()),
        width=max(width, 1),
        initial_indent=bullet,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=True,
    )


# Bytes a QR code of each version (1..20) holds in byte mode at error correction M.
_QR_CAPACITY_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504)
_QR_QUIET_ZONE = 4


def qr_module_size(payload: str, paper: Paper) -> int:
    """Pick the largest module size (dots) that fits the payload's QR code on the paper."""
    length = len(payload.encode("utf-8"))
    version = next((v for v, cap in enumerate(_QR_CAPACITY_M, start=1) if length <= cap), None)
    if version is None:
        raise ValueError(f"QR payload of {length} bytes is too long for a ticket")
    modules = 17 + 4 * version + 2 * _QR_QUIET_ZONE
    # A phone reads 6-8 dot modules easily; larger only wastes paper.
    largest = min(8, paper.dots // 64)
    return max(1, min(largest, paper.dots // modules))


def _lines(
    text: str, paper: Paper, *, size: Size = "normal", bold: bool = False, align: Align = "center"
) -> list[Element]:
    return [Text(line, size=size, bold=bold, align=align) for line in wrap(text, paper.width(size))]


def _number_size(number: str, paper: Paper) -> Size:
    for size in ("huge", "large"):
        if len(number) <= paper.width(size):
            return size
    return "normal"


def _service_lines(name: str, paper: Paper) -> list[Element]:
    # Large letters help the visitor find their service, unless the name would take many lines.
    if len(wrap(name, paper.width("large"))) <= 2:
        return _lines(name, paper, size="large", bold=True)
    return _lines(name, paper, bold=True)


def _ahead_text(ahead: int, labels: dict[str, str]) -> str:
    if ahead == 0:
        return labels["ahead_none"]
    if ahead == 1:
        return labels["ahead_one"]
    return labels["ahead"].format(n=ahead)


def layout(ticket: TicketData, paper: Paper = PAPER_80) -> Document:
    """Lay out a ticket for a paper width."""
    labels = LABELS[ticket.language]
    out: list[Element] = []
    if ticket.reprint:
        out += _lines(labels["reprint"], paper, bold=True)
        out.append(Rule("="))
    if ticket.office_logo is not None:
        out.append(Image(ticket.office_logo, max_width=paper.dots // 2))
    out += _lines(ticket.office_name, paper, bold=True)
    day, time = _issued_parts(ticket.issued_at, ticket.timezone, ticket.language)
    if len(f"{day} {time}") <= paper.columns:
        out += _lines(f"{day} {time}", paper)
    else:  # keep the time and its zone together on their own line
        out += _lines(day, paper) + _lines(time, paper)
    out.append(Rule())
    out += _lines(labels["number"], paper)
    number = ticket.number.strip()
    out += _lines(number, paper, size=_number_size(number, paper), bold=True)
    out += _service_lines(ticket.service_name, paper)
    out.append(Rule())
    if ticket.joins_at is not None:
        local = ticket.joins_at.astimezone(ZoneInfo(ticket.timezone))
        out += _lines(labels["joins_at"].format(time=local.strftime("%H:%M")), paper, bold=True)
    else:
        out += _lines(_ahead_text(ticket.ahead, labels), paper)
    if (
        ticket.joins_at is None
        and ticket.estimate_low is not None
        and ticket.estimate_high is not None
    ):
        low, high = ticket.estimate_low, ticket.estimate_high
        key = "estimate" if low < high else "estimate_upto"
        out += _lines(labels[key].format(low=low, high=high), paper)
    documents = [doc for doc in ticket.documents if doc.strip()]
    if documents:
        out.append(Rule())
        out += _lines(labels["documents"], paper, bold=True, align="left")
        for doc in documents:
            out += [Text(line) for line in wrap(doc, paper.columns, bullet="- ", indent="  ")]
    if ticket.tracking_url:
        out.append(Rule())
        out += _lines(labels["track"], paper)
        out.append(QR(ticket.tracking_url, size=qr_module_size(ticket.tracking_url, paper)))
        out += _lines(ticket.tracking_url, paper)
    out.append(Rule())
    footer = labels["footer"] if ticket.footer is None else ticket.footer
    out += _lines(footer, paper)
    out.append(Cut())
    return Document(paper=paper, elements=tuple(out))
