"""One-time 6-digit codes for pairing a screen: the screen shows a code, an admin types it in,
the screen collects its device token. A code lives 10 minutes; the token is handed over once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from queue_server.services.admin import Admin
from queue_server.services.auth import DeviceKind, token_hash
from queue_server.store.tables import PairingCodeRow

codes = PairingCodeRow.__table__  # type: ignore[attr-defined]
LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class Opened:
    code: str
    claim: str  # the screen's secret for collecting its token
    expires_at: datetime


def open_code(conn: Connection, kind: str, now: datetime) -> Opened:
    """A new code for a screen of `kind`, unique among the codes still open."""
    conn.execute(delete(codes).where(codes.c.expires_at <= now))
    taken = set(conn.execute(select(codes.c.code)).scalars())
    code = f"{secrets.randbelow(10**6):06d}"
    while code in taken:
        code = f"{secrets.randbelow(10**6):06d}"
    claim = secrets.token_urlsafe(32)
    conn.execute(
        insert(codes).values(
            code=code, claim_hash=token_hash(claim), kind=kind, created_at=now,
            expires_at=now + LIFETIME,
        )
    )  # fmt: skip
    return Opened(code, claim, now + LIFETIME)


def waiting(conn: Connection, code: str, now: datetime) -> tuple[int, str] | None:
    """(id, kind) of the open, not yet claimed code `code`."""
    row = conn.execute(
        select(codes.c.id, codes.c.kind).where(
            codes.c.code == code, codes.c.expires_at > now, codes.c.device_id.is_(None)
        )
    ).first()
    return None if row is None else (int(row.id), str(row.kind))


def attach(conn: Connection, code_id: int, device_id: int, token: str) -> None:
    conn.execute(
        update(codes).where(codes.c.id == code_id).values(device_id=device_id, token=token)
    )


class UnknownCode(LookupError):
    """No open code like that (never shown, already used, or expired)."""


class CounterNeeded(ValueError):
    """A counter screen needs its counter number, and only a counter screen takes one."""


def claim(
    admin: Admin, office_id: int, code: str, name: str, counter: int | None, now: datetime
) -> tuple[int, str]:
    """Pair the screen showing `code` as a device of the office; return its id and kind. The
    screen collects the token itself (`collect`)."""
    with admin.db.read() as conn:
        found = waiting(conn, code.strip(), now)
    if found is None:
        raise UnknownCode(code)
    code_id, kind = found
    if (kind == DeviceKind.COUNTER.value) != (counter is not None):
        raise CounterNeeded(kind)
    device_id, token = admin.create_device(
        office_id, kind=DeviceKind(kind), name=name, counter_number=counter
    )
    with admin.db.write() as conn:
        attach(conn, code_id, device_id, token)
    return device_id, kind


def collect(conn: Connection, claim: str, now: datetime) -> tuple[str, str | None] | None:
    """(kind, token) for the screen holding `claim`: the token once an admin has entered its
    code (and the code is gone), None while waiting; None overall if unknown or expired."""
    row = conn.execute(
        select(codes).where(codes.c.claim_hash == token_hash(claim), codes.c.expires_at > now)
    ).first()
    if row is None:
        return None
    if row.token is None:
        return str(row.kind), None
    conn.execute(delete(codes).where(codes.c.id == row.id))
    return str(row.kind), str(row.token)
