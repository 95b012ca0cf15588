"""Who is asking: users with roles, device tokens, and the principal each request acts as."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from queue_server.store.db import Database
from queue_server.store.tables import DeviceRow, SessionRow, UserRow

users = UserRow.__table__  # type: ignore[attr-defined]
devices = DeviceRow.__table__  # type: ignore[attr-defined]
sessions = SessionRow.__table__  # type: ignore[attr-defined]

_hasher = PasswordHasher()  # argon2-cffi's defaults (RFC 9106 low-memory profile)


def use_fast_hashing_for_tests() -> None:
    """Swap in cheap argon2 parameters; only test suites call this."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    OFFICER = "officer"


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
    AGENT = "agent"
    COUNTER = "counter"


@dataclass(frozen=True)
class Principal:
    """The credential behind a request: a signed-in user, a device, or nobody."""

    name: str  # username, "device:<name>", or "anonymous"
    role: Role | None = None
    device: DeviceKind | None = None
    office_id: int | None = None  # None for an admin or a regency-wide supervisor
    user_id: int | None = None
    device_id: int | None = None
    counter: int | None = None  # a counter device's counter

    @property
    def is_staff(self) -> bool:
        return self.role is not None

    @property
    def is_anonymous(self) -> bool:
        return self.role is None and self.device is None

    @property
    def sees_every_office(self) -> bool:
        """Admins, and regency supervisors: a supervisor with no office of their own."""
        return self.role is Role.ADMIN or (self.role is Role.SUPERVISOR and self.office_id is None)

    def may_see_office(self, office_id: int) -> bool:
        return self.sees_every_office or (
            self.office_id is not None and office_id == self.office_id
        )


ANONYMOUS = Principal(name="anonymous")


MIN_PASSWORD = 10
# Words people reach for first (Indonesian offices' favourites included); a password that is
# one of these, with or without digits and marks around it, is refused.
COMMON_WORDS = frozenset({
    "password", "passw0rd", "rahasia", "admin", "administrator", "qwerty", "qwertyuiop",
    "asdfghjkl", "bismillah", "indonesia", "antrean", "antrian", "kecamatan", "petugas",
    "pelayanan", "welcome", "letmein", "iloveyou", "sayang", "merdeka", "jakarta", "loket",
})  # fmt: skip


class WeakPassword(ValueError):
    """A password too short, too common, or holding the username."""


def check_password(username: str, password: str) -> None:
    """Refuse weak passwords: under 10 characters, a common word (with digits or marks around
    it), the username inside it, or fewer than 4 different characters."""
    core = password.lower().strip("0123456789!@#$%^&*()-_=+.,;: ")
    if len(password) < MIN_PASSWORD or len(set(password)) < 4:
        raise WeakPassword(password)
    if not core or core in COMMON_WORDS or password.isdigit():
        raise WeakPassword(password)
    if len(username) >= 3 and username.lower() in password.lower():
        raise WeakPassword(password)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """Return a fresh random token and the hash that is stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(
    conn: Connection, username: str, password: str, now: datetime, hours: int
) -> tuple[str, Principal] | None:
    """Check a username and password; on success open a session and return its token."""
    row = conn.execute(select(users).where(users.c.username == username)).one_or_none()
    if row is None or not row.active:
        verify_password(_DUMMY_HASH, password)  # same cost whether or not the user exists
        return None
    if not verify_password(row.password_hash, password):
        return None
    token, digest = new_token()
    conn.execute(
        insert(sessions).values(
            user_id=row.id,
            token_hash=digest,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token, _user_principal(row)


def logout(conn: Connection, token: str, now: datetime) -> None:
    conn.execute(
        update(sessions).where(sessions.c.token_hash == token_hash(token)).values(revoked_at=now)
    )


def logout_everywhere(conn: Connection, user_id: int, now: datetime) -> int:
    """End every open session of this user (a lost phone, a shared PC left signed in)."""
    done = conn.execute(
        update(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(done.rowcount or 0)


def _user_principal(row: object) -> Principal:
    return Principal(
        name=row.username,  # type: ignore[attr-defined]
        role=Role(row.role),  # type: ignore[attr-defined]
        office_id=row.office_id,  # type: ignore[attr-defined]
        user_id=row.id,  # type: ignore[attr-defined]
    )


def resolve(conn: Connection, token: str, now: datetime) -> Principal | None:
    """Find the user session or device a token belongs to."""
    digest = token_hash(token)
    row = conn.execute(
        select(users, sessions.c.expires_at, sessions.c.revoked_at)
        .join(sessions, sessions.c.user_id == users.c.id)
        .where(sessions.c.token_hash == digest)
    ).one_or_none()
    if row is not None:
        if row.revoked_at is not None or row.expires_at <= now or not row.active:
            return None
        return _user_principal(row)
    device = conn.execute(select(devices).where(devices.c.token_hash == digest)).one_or_none()
    if device is None or device.revoked_at is not None:
        return None
    return Principal(
        name=f"device:{device.name}",
        device=DeviceKind(device.kind),
        office_id=device.office_id,
        device_id=device.id,
        counter=device.counter_number,
    )


def heartbeat(db: Database, device_ids: set[int], now: datetime) -> set[int]:
    """These devices are connected now: note that they were seen, and return those revoked."""
    if not device_ids:
        return set()
    ids = sorted(device_ids)
    with db.write() as conn:
        conn.execute(update(devices).where(devices.c.id.in_(ids)).values(last_seen_at=now))
        rows = conn.execute(
            select(devices.c.id).where(devices.c.id.in_(ids), devices.c.revoked_at.is_not(None))
        )
        return {int(row.id) for row in rows}


class PrincipalCache:
    """Remember resolved tokens briefly so the hot path skips a query per request."""

    def __init__(self, ttl_seconds: float = 30.0) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> tuple[bool, Principal | None]:
        entry = self._entries.get(token)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, token: str, principal: Principal | None) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[token] = (time.monotonic() + self.ttl, principal)

    def forget(self, token: str | None = None) -> None:
        with self._lock:
            if token is None:
                self._entries.clear()
            else:
                self._entries.pop(token, None)


_DUMMY_HASH = _hasher.hash("not-a-real-password")
