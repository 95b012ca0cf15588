"""Reference tickets for the printer tests."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PIL import Image, ImageDraw

from printer.layout import TicketData

TRACKING_URL = "https://antrean.local/t/winongan/2026-11-23/A015"
# 2026-11-23T01:05Z: 08:05 WIB in Jakarta, 09:05 WITA in Makassar, 10:05 WIT in Jayapura.
ISSUED_AT = datetime(2026, 11, 23, 1, 5, tzinfo=UTC)

REFERENCE = TicketData(
    office_name="Kantor Kecamatan Winongan",
    service_name="Kartu Keluarga (KK)",
    number="A015",
    issued_at=ISSUED_AT,
    timezone="Asia/Jakarta",
    ahead=4,
    estimate_low=10,
    estimate_high=20,
    documents=["KTP-el asli dan fotokopi", "Surat pengantar RT/RW"],
    tracking_url=TRACKING_URL,
)


def ticket(**changes: Any) -> TicketData:
    """Return the reference ticket with some fields changed."""
    return replace(REFERENCE, **changes)


def logo_png(width: int = 300, height: int = 120) -> bytes:
    """Draw a small transparent logo: a red disc and a blue bar."""
    picture = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((10, 10, height - 10, height - 10), fill=(200, 0, 0, 255))
    draw.rectangle((height + 10, 20, width - 10, height - 20), fill=(0, 0, 120, 255))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()
