"""Every paired device of an office, whether it is online, and each kiosk's printer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from queue_server.store.tables import DeviceRow, PrintJobRow

devices = DeviceRow.__table__  # type: ignore[attr-defined]
jobs = PrintJobRow.__table__  # type: ignore[attr-defined]


def board(conn: Connection, office_id: int, now: datetime, online_within: float) -> list[Any]:
    """One entry per device not revoked: online when seen within `online_within` seconds (live
    connections are stamped at each heartbeat); kiosks with their printer's latest job."""
    latest = (
        select(jobs.c.kiosk_id, func.max(jobs.c.created_at).label("at"))
        .where(jobs.c.office_id == office_id)
        .group_by(jobs.c.kiosk_id)
        .subquery()
    )
    last_job = dict(
        (row.kiosk_id, row)
        for row in conn.execute(
            select(
                jobs.c.kiosk_id, jobs.c.status, jobs.c.error, jobs.c.created_at, jobs.c.done_at
            ).join(
                latest, (latest.c.kiosk_id == jobs.c.kiosk_id) & (latest.c.at == jobs.c.created_at)
            )
        )
    )
    since = now - timedelta(seconds=online_within)
    out = []
    for d in conn.execute(
        select(devices)
        .where(devices.c.office_id == office_id, devices.c.revoked_at.is_(None))
        .order_by(devices.c.kind, devices.c.name)
    ):
        job = last_job.get(d.id)
        out.append({
            "id": d.id, "kind": d.kind, "name": d.name, "counter": d.counter_number,
            "online": d.last_seen_at is not None and d.last_seen_at >= since,
            "last_seen_at": d.last_seen_at.isoformat() if d.last_seen_at else None,
            "printer": None if d.kind != "kiosk" else (
                {"status": "unknown"} if job is None else {
                    "status": "ok" if job.status == "printed" else
                              ("waiting" if job.status == "pending" else "failing"),
                    "error": job.error,
                    "at": (job.done_at or job.created_at).isoformat(),
                }
            ),
        })  # fmt: skip
    return out
