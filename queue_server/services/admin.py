"""Setting up an office: offices, services, counters, users and devices.

Every change to an office's configuration bumps its version and logs CONFIG_CHANGED in the
same transaction, so every worker reloads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from queue_server.domain import calendar
from queue_server.domain.model import ALL_DAY, DayHours, Office, QueuePolicy
from queue_server.domain.speech import VoiceSettings
from queue_server.store import codec
from queue_server.store import repository as repo
from queue_server.store.tables import CounterRow, DeviceRow, ServiceRow, UserRow

from . import auth
from .queue import QueueService

users = UserRow.__table__  # type: ignore[attr-defined]
devices = DeviceRow.__table__  # type: ignore[attr-defined]

SERVICE_FIELDS = (
    "code", "prefix", "name_id", "name_en", "description_id", "description_en", "documents",
    "fee", "fee_note", "target_minutes", "daily_quota", "hours", "remote_allowed", "active",
    "sort_order", "booking",
)  # fmt: skip
COUNTER_FIELDS = ("number", "name", "services")


class Conflict(Exception):
    """A unique name or number is already taken."""


class NotFound(LookupError):
    pass


class OfficerWithoutOffice(ValueError):
    """An officer works at one office: one without would see none (a supervisor without one is
    the regency's, and sees every office)."""


class PrefixTaken(Conflict):
    """Another active service of the office numbers its tickets with this prefix: two lines
    would hand out the same numbers ("A015" twice in one lobby)."""

    def __init__(self, prefix: str, service: str) -> None:
        super().__init__(prefix)
        self.prefix = prefix
        self.service = service


def _check_prefix(conn: Connection, office_id: int, code: str) -> None:
    """Refuse (roll back) when service `code`, if active, shares its prefix with another."""
    svc = repo.services.c
    row = conn.execute(
        select(svc.prefix, svc.active).where(svc.office_id == office_id, svc.code == code)
    ).one_or_none()
    if row is None or not row.active:
        return
    other = conn.execute(
        select(svc.code).where(
            svc.office_id == office_id, svc.prefix == row.prefix, svc.active, svc.code != code
        )
    ).first()
    if other is not None:
        raise PrefixTaken(row.prefix, other.code)


class Admin:
    def __init__(self, queue: QueueService) -> None:
        self.queue = queue
        self.db = queue.db

    @contextmanager
    def _office_change(self, office_id: int, actor: str | None) -> Iterator[Connection]:
        try:
            with self.db.write() as conn:
                yield conn
                self.queue.config_changed(conn, office_id, actor)
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)) from None
        finally:
            self.queue.after_config_commit(office_id)

    # ---- offices ----
    def create_office(
        self,
        *,
        slug: str,
        name: str,
        timezone: str,
        hours: dict[int, DayHours] | None = None,
        closed_dates: list[str] | None = None,
        policy: QueuePolicy | None = None,
        voice: VoiceSettings | None = None,
        ticker: str = "",
        schedules: list[dict[str, Any]] | None = None,
        number_digits: int = 3,
        retention_days: int | None = None,
        limits: dict[str, str] | None = None,
    ) -> int:
        calendar.zone(timezone)  # refuse unknown zones before writing
        now = self.queue.clock.now()
        hours = hours if hours is not None else {d: ALL_DAY for d in range(7)}
        today = calendar.service_date(Office(0, slug, name, timezone), now)
        try:
            with self.db.write() as conn:
                office_id = conn.execute(
                    insert(repo.offices)
                    .values(
                        slug=slug,
                        name=name,
                        timezone=timezone,
                        hours=codec.hours_to_json(hours),
                        closed_dates=closed_dates or [],
                        policy=codec.policy_to_json(policy or QueuePolicy()),
                        voice=codec.voice_to_json(voice or VoiceSettings()),
                        ticker=ticker,
                        schedules=schedules or [],
                        number_digits=number_digits,
                        retention_days=retention_days,
                        limits=limits or {},
                        version=0,
                        service_date=today,
                        created_at=now,
                    )
                    .returning(repo.offices.c.id)
                ).scalar_one()
        except IntegrityError:
            raise Conflict(slug) from None
        return int(office_id)

    def update_office(self, office_id: int, changes: dict[str, Any], actor: str | None) -> None:
        if "timezone" in changes:
            calendar.zone(changes["timezone"])
        with self._office_change(office_id, actor) as conn:
            conn.execute(
                update(repo.offices).where(repo.offices.c.id == office_id).values(**changes)
            )
        self.queue.forget_office()

    def list_offices(self) -> list[Any]:
        with self.db.read() as conn:
            return list(conn.execute(select(repo.offices).order_by(repo.offices.c.slug)).all())

    def get_office(self, office_id: int) -> Any:
        with self.db.read() as conn:
            row = conn.execute(
                select(repo.offices).where(repo.offices.c.id == office_id)
            ).one_or_none()
        if row is None:
            raise NotFound(office_id)
        return row

    # ---- services ----
    def create_service(self, office_id: int, fields: dict[str, Any], actor: str | None) -> None:
        with self._office_change(office_id, actor) as conn:
            row = ServiceRow(office_id=office_id, **fields)  # fills the model's defaults
            conn.execute(insert(repo.services).values(row.model_dump(exclude={"id"})))
            _check_prefix(conn, office_id, row.code)

    def update_service(
        self, office_id: int, code: str, changes: dict[str, Any], actor: str | None
    ) -> None:
        with self._office_change(office_id, actor) as conn:
            done = conn.execute(
                update(repo.services)
                .where(repo.services.c.office_id == office_id, repo.services.c.code == code)
                .values(**changes)
            )
            if done.rowcount == 0:
                raise NotFound(code)
            _check_prefix(conn, office_id, code)

    def list_services(self, office_id: int) -> list[Any]:
        with self.db.read() as conn:
            return list(
                conn.execute(
                    select(repo.services)
                    .where(repo.services.c.office_id == office_id)
                    .order_by(repo.services.c.sort_order, repo.services.c.code)
                ).all()
            )

    # ---- counters ----
    def create_counter(self, office_id: int, fields: dict[str, Any], actor: str | None) -> None:
        with self._office_change(office_id, actor) as conn:
            row = CounterRow(office_id=office_id, state="closed", **fields)
            conn.execute(insert(repo.counters).values(row.model_dump(exclude={"id"})))

    def update_counter(
        self, office_id: int, number: int, changes: dict[str, Any], actor: str | None
    ) -> None:
        with self._office_change(office_id, actor) as conn:
            done = conn.execute(
                update(repo.counters)
                .where(repo.counters.c.office_id == office_id, repo.counters.c.number == number)
                .values(**changes)
            )
            if done.rowcount == 0:
                raise NotFound(number)

    def delete_counter(self, office_id: int, number: int, actor: str | None) -> None:
        with self._office_change(office_id, actor) as conn:
            row = conn.execute(
                select(repo.counters).where(
                    repo.counters.c.office_id == office_id, repo.counters.c.number == number
                )
            ).one_or_none()
            if row is None:
                raise NotFound(number)
            if row.state != "closed":
                raise Conflict(f"counter {number} is not closed")
            conn.execute(delete(repo.counters).where(repo.counters.c.id == row.id))

    def list_counters(self, office_id: int) -> list[Any]:
        with self.db.read() as conn:
            return list(
                conn.execute(
                    select(repo.counters)
                    .where(repo.counters.c.office_id == office_id)
                    .order_by(repo.counters.c.number)
                ).all()
            )

    # ---- users ----
    def create_user(
        self,
        *,
        username: str,
        password: str,
        role: auth.Role,
        office_id: int | None,
        display_name: str = "",
    ) -> int:
        auth.check_password(username, password)
        if role is auth.Role.OFFICER and office_id is None:
            raise OfficerWithoutOffice(username)
        try:
            with self.db.write() as conn:
                user_id = conn.execute(
                    insert(users)
                    .values(
                        username=username,
                        password_hash=auth.hash_password(password),
                        role=role.value,
                        office_id=office_id,
                        display_name=display_name,
                        active=True,
                        created_at=self.queue.clock.now(),
                    )
                    .returning(users.c.id)
                ).scalar_one()
        except IntegrityError:
            raise Conflict(username) from None
        return int(user_id)

    def update_user(self, user_id: int, changes: dict[str, Any]) -> None:
        if "password" in changes:
            with self.db.read() as conn:
                username = conn.execute(
                    select(users.c.username).where(users.c.id == user_id)
                ).scalar()
            auth.check_password(str(username or ""), changes["password"])
            changes["password_hash"] = auth.hash_password(changes.pop("password"))
        if "role" in changes:
            changes["role"] = auth.Role(changes["role"]).value
        with self.db.write() as conn:
            done = conn.execute(update(users).where(users.c.id == user_id).values(**changes))
            if done.rowcount == 0:
                raise NotFound(user_id)

    def list_users(self, office_id: int | None = None) -> list[Any]:
        stmt = select(users).order_by(users.c.username)
        if office_id is not None:
            stmt = stmt.where(users.c.office_id == office_id)
        with self.db.read() as conn:
            return list(conn.execute(stmt).all())

    def count_users(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(users)).scalar_one())

    # ---- devices ----
    def create_device(
        self,
        office_id: int,
        *,
        kind: auth.DeviceKind,
        name: str,
        counter_number: int | None = None,
        kiosk_id: int | None = None,
    ) -> tuple[int, str]:
        """Register a device; return its id and its token (shown once, stored only hashed)."""
        token, digest = auth.new_token()
        with self.db.write() as conn:
            device_id = conn.execute(
                insert(devices)
                .values(
                    office_id=office_id,
                    kind=kind.value,
                    name=name,
                    counter_number=counter_number,
                    kiosk_id=kiosk_id,
                    token_hash=digest,
                    created_at=self.queue.clock.now(),
                )
                .returning(devices.c.id)
            ).scalar_one()
        return int(device_id), token

    def rename_device(self, office_id: int, device_id: int, name: str) -> None:
        with self.db.write() as conn:
            done = conn.execute(
                update(devices)
                .where(devices.c.id == device_id, devices.c.office_id == office_id)
                .values(name=name)
            )
            if done.rowcount == 0:
                raise NotFound(device_id)

    def revoke_device(self, office_id: int, device_id: int) -> None:
        with self.db.write() as conn:
            done = conn.execute(
                update(devices)
                .where(devices.c.id == device_id, devices.c.office_id == office_id)
                .values(revoked_at=self.queue.clock.now())
            )
            if done.rowcount == 0:
                raise NotFound(device_id)

    def list_devices(self, office_id: int) -> list[Any]:
        with self.db.read() as conn:
            return list(
                conn.execute(
                    select(devices).where(devices.c.office_id == office_id).order_by(devices.c.id)
                ).all()
            )
