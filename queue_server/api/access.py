"""Who may call each route, declared on the route itself and checked before anything else.

    @router.post("/offices/{office}/end-day", dependencies=[allow(roles=(Role.SUPERVISOR,))])

Every route declares one rule (`tests/api/test_access.py` fails on a route without one, and
calls every route as every kind of caller to check the rule is what the route does). The rule
is the coarse gate: staff roles (an admin passes wherever any staff role does), device kinds,
or the public; `regency=True` narrows the roles to those with no office of their own (admins and
regency supervisors), for pages and figures that span every office. Handlers then check what
the rule cannot see: which office, which counter.

A visitor's ticket token in the path is a credential of its own: such routes are `public`,
and the token (unguessable) decides what they show. Webhooks (`secret=True`) are let in by the
gateway's shared secret or signature alone. HTML pages are declared with `page=True`:
they send a caller without the right sign-in to /masuk (or to the pairing page) instead of
answering 401, so the dependency only declares and the page itself refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends

from queue_server.services.auth import DeviceKind, Principal, Role

from .deps import Who
from .errors import ApiError


@dataclass(frozen=True)
class Access:
    roles: frozenset[Role] = frozenset()
    devices: frozenset[DeviceKind] = frozenset()
    public: bool = False  # anyone at all
    page: bool = False
    anonymous: bool = False  # callers with no credential too (besides `roles` and `devices`)
    secret: bool = False  # a webhook: only the gateway's shared secret or signature lets in
    regency: bool = False  # only callers who see every office (admins, regency supervisors)

    def permits(self, who: Principal) -> bool:
        if self.secret:
            return False  # no caller's token is enough
        if self.public or (self.anonymous and who.is_anonymous):
            return True
        if self.regency and not who.sees_every_office:
            return False
        if who.role is Role.ADMIN:
            return bool(self.roles)
        if who.role is not None:
            return who.role in self.roles
        if who.device is not None:
            return who.device in self.devices
        return False

    def enforce(self, who: Principal) -> None:
        if not self.permits(who):
            if who.is_anonymous:
                raise ApiError(401, "not_authenticated", headers={"WWW-Authenticate": "Bearer"})
            raise ApiError(403, "forbidden")


def allow(
    *,
    roles: Iterable[Role] = (),
    devices: Iterable[DeviceKind] = (),
    public: bool = False,
    page: bool = False,
    anonymous: bool = False,
    secret: bool = False,
    regency: bool = False,
) -> Any:
    """The route's rule, as a dependency that refuses (401/403) before the body is read."""
    rule = Access(frozenset(roles), frozenset(devices), public, page, anonymous, secret, regency)
    declared: Callable[..., None]
    if public or page or secret:

        def declared() -> None:
            return None
    else:

        def declared(who: Who) -> None:
            rule.enforce(who)

    declared.access = rule  # type: ignore[union-attr]
    return Depends(declared)


def rule_of(dependencies: Iterable[Any]) -> Access | None:
    """The rule a route declared among its dependencies, if any."""
    for dependency in dependencies:
        rule = getattr(getattr(dependency, "dependency", None), "access", None)
        if isinstance(rule, Access):
            return rule
    return None


STAFF = (Role.ADMIN, Role.SUPERVISOR, Role.OFFICER)
DEVICES = tuple(DeviceKind)
SUPERVISORS = (Role.ADMIN, Role.SUPERVISOR)
ADMINS = (Role.ADMIN,)
