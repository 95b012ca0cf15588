"""Administration: offices, services, counters, users and devices."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from limits import parse as parse_limit

from queue_server.api.access import ADMINS, STAFF, SUPERVISORS, allow
from queue_server.domain.calendar import zone
from queue_server.domain.model import overlapping
from queue_server.notifications import gateways, outbox
from queue_server.notifications.rules import Kind, broken_templates
from queue_server.services import health, pairing_codes
from queue_server.services.admin import PrefixTaken
from queue_server.services.auth import Principal, Role
from queue_server.store import codec

from .. import schemas
from ..deps import Context, Ctx, Who, office_of, require_admin, require_staff
from ..errors import ApiError

router = APIRouter(prefix="/api/v1", tags=["admin"])


def _manage(ctx: Context, office: str, who: Principal) -> int:
    """Offices are set up by admins and by their own supervisors."""
    office_id = office_of(ctx, office, who)
    require_staff(who, Role.SUPERVISOR)
    return office_id


def _hours(hours: dict[int, schemas.DayHoursIn] | None) -> dict[str, Any] | None:
    if hours is None:
        return None
    for weekday in hours:
        if not 0 <= weekday <= 6:
            raise ApiError(422, "invalid_request")
    try:
        return codec.hours_to_json(
            codec.hours_from_json({str(k): v.model_dump() for k, v in hours.items()})
        )
    except ValueError:
        raise ApiError(422, "invalid_request") from None


def _schedules(items: list[schemas.ScheduleIn]) -> list[dict[str, Any]]:
    """Schedules as stored; 422 for a bad date or time, end before start, or an overlap."""
    for item in items:
        if any(not 0 <= weekday <= 6 for weekday in item.hours):
            raise ApiError(422, "invalid_request")
    try:
        schedules = codec.schedules_from_json(
            [{**item.model_dump(exclude={"hours"}), "hours": _hours(item.hours)} for item in items]
        )
    except ValueError:
        raise ApiError(422, "invalid_request") from None
    if overlapping(schedules) is not None:
        raise ApiError(422, "invalid_request")
    return codec.schedules_to_json(schedules)


def _limits(overrides: Mapping[schemas.LimitKey, str]) -> dict[str, str]:
    """The office's own rate limits, each one limit in the `limits` library's notation."""
    for text in overrides.values():
        try:
            parse_limit(text)
        except ValueError:
            raise ApiError(422, "invalid_request") from None
    return {str(key): text for key, text in sorted(overrides.items())}


def _check_zone(name: str) -> None:
    try:
        zone(name)
    except (ValueError, KeyError, OSError):
        raise ApiError(422, "invalid_request") from None


def _check_dates(dates: list[str]) -> None:
    try:
        for d in dates:
            date.fromisoformat(d)
    except ValueError:
        raise ApiError(422, "invalid_request") from None


SECRET_KEYS = ("token", "password", "secret", "key", "authorization")


def _without_secrets(value: Any) -> Any:
    """Settings as shown back: passwords, tokens and API keys masked."""
    if isinstance(value, dict):
        return {
            k: "****" if any(s in k.lower() for s in SECRET_KEYS) and v else _without_secrets(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    if isinstance(value, str) and "://" in value and "@" in value:  # user:token@ in a URL
        scheme, _, rest = value.partition("://")
        return f"{scheme}://****@{rest.rpartition('@')[2]}"
    return value


def _keep_secrets(new: Any, old: Any) -> Any:
    """Settings sent back as shown ("****") keep the stored secret."""
    if isinstance(new, dict):
        return {k: _keep_secrets(v, old.get(k) if isinstance(old, dict) else None)
                for k, v in new.items()}  # fmt: skip
    if isinstance(new, list):
        olds = old if isinstance(old, list) else []
        return [_keep_secrets(v, olds[i] if i < len(olds) else None) for i, v in enumerate(new)]
    if isinstance(new, str) and isinstance(old, str) and (new == "****" or "://****@" in new):
        return old
    return new


def _office_out(ctx: Context, row: Any, who: Principal | None = None) -> dict[str, Any]:
    settings = ctx.settings
    return {
        "slug": row.slug,
        "name": row.name,
        "timezone": row.timezone,
        "hours": row.hours,
        "closed_dates": row.closed_dates,
        "policy": row.policy,
        "voice": codec.voice_to_json(codec.voice_from_json(row.voice)),
        "ticker": row.ticker,
        # The gateway's settings (and its secrets, even masked) are for those who manage them.
        "notify": _without_secrets(row.notify or {})
        if who is None or who.role in (Role.ADMIN, Role.SUPERVISOR)
        else {},
        "schedules": row.schedules or [],
        "number_digits": row.number_digits,
        "retention_days": row.retention_days,
        "retention_default": settings.retention_days,
        "limits": dict(row.limits or {}),
        "limit_defaults": {key: getattr(settings, f"limit_{key}") for key in schemas.LIMIT_KEYS},
        "has_logo": row.logo is not None,
        "disruption_callback": row.disruption_callback,
        "version": row.version,
    }


# ---- offices ----
@router.get("/offices", response_model=list[schemas.OfficeOut], dependencies=[allow(roles=STAFF)])
def list_offices(ctx: Ctx, who: Who) -> list[dict[str, Any]]:
    require_staff(who, Role.SUPERVISOR, Role.OFFICER)
    return [_office_out(ctx, r, who) for r in ctx.admin.list_offices() if who.may_see_office(r.id)]


@router.post(
    "/offices",
    status_code=201,
    response_model=schemas.OfficeOut,
    dependencies=[allow(roles=ADMINS)],
)
def create_office(body: schemas.OfficeIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    require_admin(who)
    _check_zone(body.timezone)
    _check_dates(body.closed_dates)
    hours = _hours(body.hours)
    office_id = ctx.admin.create_office(
        slug=body.slug,
        name=body.name,
        timezone=body.timezone,
        hours=codec.hours_from_json(hours) if hours is not None else None,
        closed_dates=body.closed_dates,
        policy=codec.policy_from_json(body.policy.model_dump()),
        voice=codec.voice_from_json(body.voice.model_dump()),
        ticker=body.ticker,
        schedules=_schedules(body.schedules),
        number_digits=body.number_digits,
        retention_days=body.retention_days,
        limits=_limits(body.limits),
    )
    return _office_out(ctx, ctx.admin.get_office(office_id))


@router.get(
    "/offices/{office}", response_model=schemas.OfficeOut, dependencies=[allow(roles=STAFF)]
)
def get_office(office: str, ctx: Ctx, who: Who) -> dict[str, Any]:
    require_staff(who, Role.SUPERVISOR, Role.OFFICER)
    return _office_out(ctx, ctx.admin.get_office(office_of(ctx, office, who)), who)


@router.patch(
    "/offices/{office}", response_model=schemas.OfficeOut, dependencies=[allow(roles=SUPERVISORS)]
)
def update_office(office: str, body: schemas.OfficePatch, ctx: Ctx, who: Who) -> dict[str, Any]:
    office_id = _manage(ctx, office, who)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if "timezone" in changes:
        _check_zone(changes["timezone"])
    if "closed_dates" in changes:
        _check_dates(changes["closed_dates"])
    if body.hours is not None:
        changes["hours"] = _hours(body.hours)
    if body.policy is not None:
        changes["policy"] = body.policy.model_dump()
    if body.voice is not None:
        changes["voice"] = body.voice.model_dump()
    if body.schedules is not None:
        changes["schedules"] = _schedules(body.schedules)
    if body.limits is not None:
        changes["limits"] = _limits(body.limits)
    if "retention_days" in body.model_fields_set:  # null: back to the server's default
        changes["retention_days"] = body.retention_days
    if body.notify is not None:
        # Only what was sent changes (a PATCH): left out, the gateway and its secrets, the
        # templates and the response target stay as stored, not back to the defaults.
        stored = ctx.admin.get_office(office_id).notify or {}
        sent = body.notify.model_dump(exclude_unset=True)
        notify = {**body.notify.model_dump(), **stored, **sent}
        notify["gateway"] = (
            _keep_secrets(sent["gateway"], stored.get("gateway") or {})
            if "gateway" in sent
            else notify["gateway"]
        )
        try:
            gateways.from_settings(notify["gateway"])
        except (TypeError, ValueError):
            raise ApiError(422, "invalid_request") from None
        if set(body.notify.templates) - {k.value for k in Kind}:
            raise ApiError(422, "invalid_request")
        if broken_templates(outbox.settings_from_json(notify)):
            raise ApiError(422, "invalid_request")
        changes["notify"] = notify
    if changes:  # an empty change changes nothing
        ctx.admin.update_office(office_id, changes, who.name)
    return _office_out(ctx, ctx.admin.get_office(office_id))


# ---- services ----
def _service_out(row: Any) -> dict[str, Any]:
    out = {name: getattr(row, name) for name in schemas.ServiceOut.model_fields}
    out["booking"] = codec.booking_to_json(codec.booking_from_json(row.booking))
    return out


@contextmanager
def _prefix_checked() -> Iterator[None]:
    try:
        yield
    except PrefixTaken as taken:
        raise ApiError(
            409, "prefix_taken", field="prefix", prefix=taken.prefix, service=taken.service
        ) from None


def _check_service_codes(ctx: Context, office_id: int, codes: list[str]) -> None:
    known = {r.code for r in ctx.admin.list_services(office_id)}
    if not codes or any(code not in known for code in codes) or len(set(codes)) != len(codes):
        raise ApiError(
            422, "unknown_service", service=", ".join(c for c in codes if c not in known)
        )


@router.get(
    "/offices/{office}/services",
    response_model=list[schemas.ServiceOut],
    dependencies=[allow(public=True)],
)
def list_services(office: str, ctx: Ctx, who: Who) -> list[dict[str, Any]]:
    """Services with their requirements, fee and time limit: public, as the law asks."""
    office_id = office_of(ctx, office, who)
    return [_service_out(r) for r in ctx.admin.list_services(office_id)]


@router.post(
    "/offices/{office}/services",
    status_code=201,
    response_model=schemas.ServiceOut,
    dependencies=[allow(roles=SUPERVISORS)],
)
def create_service(office: str, body: schemas.ServiceIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    office_id = _manage(ctx, office, who)
    fields = body.model_dump()
    fields["hours"] = _hours(body.hours)
    with _prefix_checked():
        ctx.admin.create_service(office_id, fields, who.name)
    return next(_service_out(r) for r in ctx.admin.list_services(office_id) if r.code == body.code)


@router.patch(
    "/offices/{office}/services/{code}",
    response_model=schemas.ServiceOut,
    dependencies=[allow(roles=SUPERVISORS)],
)
def update_service(
    office: str, code: str, body: schemas.ServicePatch, ctx: Ctx, who: Who
) -> dict[str, Any]:
    office_id = _manage(ctx, office, who)
    changes = body.model_dump(exclude_unset=True)
    if "hours" in changes:
        changes["hours"] = _hours(body.hours)
    for name in ("prefix", "name_id", "name_en", "documents", "fee", "target_minutes",
                 "remote_allowed", "active", "sort_order", "description_id", "description_en",
                 "fee_note", "booking"):  # fmt: skip
        if name in changes and changes[name] is None:
            raise ApiError(422, "invalid_request")
    if changes:
        with _prefix_checked():
            ctx.admin.update_service(office_id, code, changes, who.name)
    found = [r for r in ctx.admin.list_services(office_id) if r.code == code]
    if not found:
        raise ApiError(404, "unknown_service", service=code)
    return _service_out(found[0])


@router.delete(
    "/offices/{office}/services/{code}", status_code=204, dependencies=[allow(roles=SUPERVISORS)]
)
def deactivate_service(office: str, code: str, ctx: Ctx, who: Who) -> Response:
    """Services are deactivated, never deleted: reports keep their history."""
    office_id = _manage(ctx, office, who)
    ctx.admin.update_service(office_id, code, {"active": False}, who.name)
    return Response(status_code=204)


# ---- counters ----
def _counter_out(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in schemas.CounterOut.model_fields}


@router.get(
    "/offices/{office}/counters",
    response_model=list[schemas.CounterOut],
    dependencies=[allow(roles=STAFF)],
)
def list_counters(office: str, ctx: Ctx, who: Who) -> list[dict[str, Any]]:
    office_id = office_of(ctx, office, who)
    require_staff(who, Role.SUPERVISOR, Role.OFFICER)
    return [_counter_out(r) for r in ctx.admin.list_counters(office_id)]


@router.post(
    "/offices/{office}/counters",
    status_code=201,
    response_model=schemas.CounterOut,
    dependencies=[allow(roles=SUPERVISORS)],
)
def create_counter(office: str, body: schemas.CounterIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    office_id = _manage(ctx, office, who)
    _check_service_codes(ctx, office_id, body.services)
    ctx.admin.create_counter(office_id, body.model_dump(), who.name)
    return next(
        _counter_out(r) for r in ctx.admin.list_counters(office_id) if r.number == body.number
    )


@router.patch(
    "/offices/{office}/counters/{counter}",
    response_model=schemas.CounterOut,
    dependencies=[allow(roles=SUPERVISORS)],
)
def update_counter(
    office: str, counter: int, body: schemas.CounterPatch, ctx: Ctx, who: Who
) -> dict[str, Any]:
    office_id = _manage(ctx, office, who)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if "services" in changes:
        _check_service_codes(ctx, office_id, changes["services"])
    if changes:
        ctx.admin.update_counter(office_id, counter, changes, who.name)
    found = [r for r in ctx.admin.list_counters(office_id) if r.number == counter]
    if not found:
        raise ApiError(404, "unknown_counter", counter=counter)
    return _counter_out(found[0])


@router.delete(
    "/offices/{office}/counters/{counter}", status_code=204, dependencies=[allow(roles=SUPERVISORS)]
)
def delete_counter(office: str, counter: int, ctx: Ctx, who: Who) -> Response:
    office_id = _manage(ctx, office, who)
    ctx.admin.delete_counter(office_id, counter, who.name)
    return Response(status_code=204)


# ---- users ----
def _user_out(ctx: Context, row: Any) -> dict[str, Any]:
    office = ctx.admin.get_office(row.office_id).slug if row.office_id is not None else None
    return {
        "id": row.id,
        "username": row.username,
        "role": row.role,
        "office": office,
        "display_name": row.display_name,
        "active": row.active,
    }


@router.get("/users", response_model=list[schemas.UserOut], dependencies=[allow(roles=ADMINS)])
def list_users(ctx: Ctx, who: Who) -> list[dict[str, Any]]:
    require_admin(who)
    return [_user_out(ctx, r) for r in ctx.admin.list_users()]


@router.post(
    "/users", status_code=201, response_model=schemas.UserOut, dependencies=[allow(roles=ADMINS)]
)
def create_user(body: schemas.UserIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    require_admin(who)
    office_id = ctx.queue.office_id(body.office) if body.office else None
    # An officer works at one office; a supervisor without one is the regency's (every office).
    if body.role is Role.OFFICER and office_id is None:
        raise ApiError(422, "invalid_request")
    user_id = ctx.admin.create_user(
        username=body.username,
        password=body.password,
        role=body.role,
        office_id=office_id,
        display_name=body.display_name,
    )
    return next(_user_out(ctx, r) for r in ctx.admin.list_users() if r.id == user_id)


@router.patch(
    "/users/{user_id}", response_model=schemas.UserOut, dependencies=[allow(roles=ADMINS)]
)
def update_user(user_id: int, body: schemas.UserPatch, ctx: Ctx, who: Who) -> dict[str, Any]:
    require_admin(who)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if changes.get("role") == Role.OFFICER:  # an officer works at one office: it must have one
        found = [r for r in ctx.admin.list_users() if r.id == user_id]
        if found and found[0].office_id is None:
            raise ApiError(422, "invalid_request")
    if changes:
        ctx.admin.update_user(user_id, changes)
        ctx.principals.forget()
    found = [r for r in ctx.admin.list_users() if r.id == user_id]
    if not found:
        raise ApiError(404, "not_found")
    return _user_out(ctx, found[0])


# ---- devices ----
def _device_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "counter": row.counter_number,
        "kiosk": row.kiosk_id,
        "created_at": row.created_at,
        "revoked_at": row.revoked_at,
    }


@router.get(
    "/offices/{office}/devices",
    response_model=list[schemas.DeviceOut],
    dependencies=[allow(roles=SUPERVISORS)],
)
def list_devices(office: str, ctx: Ctx, who: Who) -> list[dict[str, Any]]:
    office_id = _manage(ctx, office, who)
    return [_device_out(r) for r in ctx.admin.list_devices(office_id)]


@router.post(
    "/offices/{office}/devices",
    status_code=201,
    response_model=schemas.DeviceCreated,
    dependencies=[allow(roles=SUPERVISORS)],
)
def create_device(office: str, body: schemas.DeviceIn, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Register a kiosk, display, print agent or counter device; the token is shown once."""
    office_id = _manage(ctx, office, who)
    if (body.kind.value == "counter") != (body.counter is not None):
        raise ApiError(422, "invalid_request")
    if (body.kind.value == "agent") != (body.kiosk is not None):
        raise ApiError(422, "invalid_request")
    if body.kiosk is not None:
        kiosks = {r.id for r in ctx.admin.list_devices(office_id) if r.kind == "kiosk"}
        if body.kiosk not in kiosks:
            raise ApiError(422, "invalid_request")
    device_id, token = ctx.admin.create_device(
        office_id, kind=body.kind, name=body.name, counter_number=body.counter,
        kiosk_id=body.kiosk,
    )  # fmt: skip
    row = next(r for r in ctx.admin.list_devices(office_id) if r.id == device_id)
    return {**_device_out(row), "token": token}


@router.get("/offices/{office}/devices/health", dependencies=[allow(roles=SUPERVISORS)])
def device_health(office: str, ctx: Ctx, who: Who) -> list[dict[str, Any]]:
    """Every device: online or not, last seen, and each kiosk's printer (its latest job)."""
    office_id = _manage(ctx, office, who)
    within = 2 * ctx.settings.ws_ping_seconds + 10  # two missed heartbeats: offline
    with ctx.queue.db.read() as conn:
        return health.board(conn, office_id, ctx.clock.now(), within)


@router.post(
    "/offices/{office}/devices/claim",
    status_code=201,
    response_model=schemas.DeviceOut,
    dependencies=[allow(roles=SUPERVISORS)],
)
def claim_device(office: str, body: schemas.DeviceClaim, ctx: Ctx, who: Who) -> dict[str, Any]:
    """Pair the screen showing this 6-digit code: it becomes a device of this office and picks
    up its token by itself. Wrong codes count toward a lockout, as failed sign-ins do."""
    office_id = _manage(ctx, office, who)
    limit = ctx.gate.limits.login_user
    ctx.gate.refuse_if_spent(limit, f"claim:{who.name}")
    try:
        device_id, _kind = pairing_codes.claim(
            ctx.admin, office_id, body.code, body.name, body.counter, ctx.clock.now()
        )
    except pairing_codes.UnknownCode:
        ctx.gate.count(limit, f"claim:{who.name}")
        raise ApiError(404, "pairing_code_unknown") from None
    except pairing_codes.CounterNeeded:
        raise ApiError(422, "invalid_request") from None
    return _device_out(next(r for r in ctx.admin.list_devices(office_id) if r.id == device_id))


@router.patch(
    "/offices/{office}/devices/{device_id}",
    response_model=schemas.DeviceOut,
    dependencies=[allow(roles=SUPERVISORS)],
)
def rename_device(
    office: str, device_id: int, body: schemas.DeviceRename, ctx: Ctx, who: Who
) -> dict[str, Any]:
    """Give a device a new name (where it stands: "Kios pintu timur"); 404 for another office's."""
    office_id = _manage(ctx, office, who)
    ctx.admin.rename_device(office_id, device_id, body.name)
    ctx.principals.forget()  # the audit trail names the device by its new name from now on
    return _device_out(next(r for r in ctx.admin.list_devices(office_id) if r.id == device_id))


@router.delete(
    "/offices/{office}/devices/{device_id}",
    status_code=204,
    dependencies=[allow(roles=SUPERVISORS)],
)
def revoke_device(office: str, device_id: int, request: Request, ctx: Ctx, who: Who) -> Response:
    """Revoke a device: its token stops working and its live connection is cut at once (on
    other workers, within their next heartbeat)."""
    office_id = _manage(ctx, office, who)
    ctx.admin.revoke_device(office_id, device_id)
    ctx.principals.forget()
    request.app.state.hub.revoke({device_id})
    request.app.state.printing.revoke({device_id})
    return Response(status_code=204)
