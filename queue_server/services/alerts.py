"""Alerts staff screens show at once: a kiosk's printer that failed (paper out, offline, no
answer), so an officer can go and fix it before the lobby fills with ticketless visitors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from queue_server.store.tables import DeviceRow

devices = DeviceRow.__table__  # type: ignore[attr-defined]

Send = Callable[[int, dict[str, Any]], None]


def printer_failed(
    conn: Connection, send: Send, office_id: int, kiosk_id: int, reason: str, now: datetime
) -> None:
    """Send the printer alert for kiosk `kiosk_id` (its name, the agent's reason, the time)."""
    name = conn.execute(select(devices.c.name).where(devices.c.id == kiosk_id)).scalar()
    send(office_id, {"alert": "printer", "kiosk": name or f"#{kiosk_id}", "reason": reason,
                     "at": now.isoformat()})  # fmt: skip
