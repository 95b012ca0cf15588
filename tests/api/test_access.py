"""Every route declares who may call it, and calling every route as every kind of caller agrees.

The kinds: admin, supervisor, regency supervisor (a supervisor with no office: every office),
officer; kiosk, display, print agent and counter devices; and the anonymous public (a visitor
holds only their ticket's token, which public routes take in the path). A route without a
declared rule fails the first test, so a new route cannot slip in unguarded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from queue_server.api.access import Access, rule_of
from queue_server.services.auth import DeviceKind, Principal, Role
from tests.conftest import ADMIN_PASSWORD, DEMO_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
# end the caller's own sessions: called last, in this order
LAST = [("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/logout-everywhere")]


def api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) for every HTTP route, through included routers."""

    def walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, APIRoute]]:
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:  # FastAPI >= 0.16x keeps included routers as they were
                extra = getattr(getattr(route, "include_context", None), "prefix", "") or ""
                yield from walk(original.routes, prefix + extra)
            elif isinstance(route, APIRoute):
                yield prefix + route.path, route

    yield from walk(app.router.routes, "")


def declared(app: FastAPI) -> list[tuple[str, str, Access]]:
    found = []
    for path, route in api_routes(app):
        rule = rule_of(route.dependencies)
        assert rule is not None, f"{sorted(route.methods)} {path} declares no access rule"
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, path, rule))
    return found


def test_every_route_declares_who_may_call_it(client: TestClient) -> None:
    routes = declared(client.app)  # type: ignore[arg-type]  # fails on a route without a rule
    assert len(routes) >= 95


# Setting an office up: its supervisors and admins; its staff may look at its logo.
SETUP = {
    ("PATCH", f"{OFFICE}/devices/{{device_id}}"): {Role.ADMIN, Role.SUPERVISOR},
    ("PUT", f"{OFFICE}/logo"): {Role.ADMIN, Role.SUPERVISOR},
    ("DELETE", f"{OFFICE}/logo"): {Role.ADMIN, Role.SUPERVISOR},
    ("GET", f"{OFFICE}/logo"): {Role.ADMIN, Role.SUPERVISOR, Role.OFFICER},
    ("GET", f"{OFFICE}/ticket-preview.png"): {Role.ADMIN, Role.SUPERVISOR},
    ("GET", f"{OFFICE}/voice-test.wav"): {Role.ADMIN, Role.SUPERVISOR},
    ("POST", f"{OFFICE}/notify/test"): {Role.ADMIN, Role.SUPERVISOR},
}


def test_office_setup_routes_are_for_the_office_managers(client: TestClient) -> None:
    rules = {(m, p.replace("{office}", "winongan")): r for m, p, r in declared(client.app)}  # type: ignore[arg-type]
    for route, roles in SETUP.items():
        rule = rules[route]
        assert set(rule.roles) == roles and not rule.devices and not rule.public, route


# Pages for visitors, who hold nothing: open to everyone.
PUBLIC_PAGES = {
    ("GET", "/t/{token}"),
    ("GET", "/s/{token}"),
    ("GET", "/ambil/{office}"),  # take a number from home
}


def test_visitor_pages_are_public(client: TestClient) -> None:
    rules = {(m, p): r for m, p, r in declared(client.app)}  # type: ignore[arg-type]
    for route in PUBLIC_PAGES:
        assert rules[route].public, route


CALLERS: dict[str, Principal] = {
    "admin": Principal("admin", role=Role.ADMIN),
    "supervisor": Principal("kasi", role=Role.SUPERVISOR, office_id=1),
    "regency": Principal("kabid", role=Role.SUPERVISOR),
    "officer": Principal("petugas1", role=Role.OFFICER, office_id=1),
    "kiosk": Principal("device:k", device=DeviceKind.KIOSK, office_id=1),
    "display": Principal("device:d", device=DeviceKind.DISPLAY, office_id=1),
    "agent": Principal("device:a", device=DeviceKind.AGENT, office_id=1),
    "counter": Principal("device:c", device=DeviceKind.COUNTER, office_id=1, counter=1),
    "anonymous": Principal("anonymous"),
}


@pytest.fixture
def callers(client: TestClient) -> dict[str, str]:
    """A token for every kind of caller ("" for the anonymous public)."""
    admin = login(client, "admin", ADMIN_PASSWORD)
    client.post("/api/v1/users", json={"username": "kasi", "password": "pelayanan-prima-7",
                                       "role": "supervisor", "office": "winongan"},
                headers=admin)  # fmt: skip
    client.post("/api/v1/users", json={"username": "kabid", "password": "pelayanan-prima-7",
                                       "role": "supervisor", "office": None},
                headers=admin)  # fmt: skip
    kiosk = device(client, "kiosk", name="kios")
    kiosk_id = next(d["id"] for d in client.get(f"{OFFICE}/devices", headers=admin).json()
                    if d["name"] == "kios")  # fmt: skip
    made = client.post(f"{OFFICE}/devices", json={"kind": "agent", "name": "agen",
                                                  "kiosk": kiosk_id}, headers=admin)  # fmt: skip
    tokens = {
        "admin": admin,
        "supervisor": login(client, "kasi", "pelayanan-prima-7"),
        "regency": login(client, "kabid", "pelayanan-prima-7"),
        "officer": login(client, "petugas1", DEMO_PASSWORD),
        "kiosk": kiosk,
        "display": device(client, "display", name="tv"),
        "agent": {"Authorization": f"Bearer {made.json()['token']}"},
        "counter": device(client, "counter", name="tablet", counter=1),
        "anonymous": {},
    }
    return {kind: h.get("Authorization", "")[7:] for kind, h in tokens.items()}


SIGN_IN = {"admin": ("admin", ADMIN_PASSWORD), "supervisor": ("kasi", "pelayanan-prima-7"),
           "regency": ("kabid", "pelayanan-prima-7"),
           "officer": ("petugas1", DEMO_PASSWORD)}  # fmt: skip


def _url(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)


def refused(rule: Access, url: str, status: int, location: str) -> bool:
    if status in (401, 403):
        return True
    if rule.page and 300 <= status < 400:  # a page sends the caller to sign in or pair
        target = location.split("?")[0]
        return target != url and (
            target.startswith("/masuk") or target.endswith("/pair") or target == "/loket"
        )
    return False


def test_every_route_as_every_caller(client: TestClient, callers: dict[str, str]) -> None:
    admin = {"Authorization": f"Bearer {callers['admin']}"}
    kiosk = {"Authorization": f"Bearer {callers['kiosk']}"}
    ticket = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()
    spare = client.post(f"{OFFICE}/devices", json={"kind": "display", "name": "cadangan"},
                        headers=admin).json()  # fmt: skip
    users = client.get("/api/v1/users", headers=admin).json()
    values = {
        "office": "winongan", "token": ticket["token"], "counter": "1", "code": "A",
        "number": "1", "name": "tidak-ada.png", "device_id": str(spare["id"]),
        "user_id": str(next(u["id"] for u in users if u["username"] == "petugas4")),
        "disruption": "0" * 32,
        "conversation": "1", "attachment": "1", "reply_id": "1",
    }  # fmt: skip
    # what removes things (a counter, a service) and signing out come last, so earlier calls
    # find everything still there
    routes = sorted(declared(client.app),  # type: ignore[arg-type]
                    key=lambda r: (LAST.index((r[0], r[1])) if (r[0], r[1]) in LAST else -1,
                                   r[0] == "DELETE"))  # fmt: skip
    wrong: list[str] = []
    for method, path, rule in routes:
        for kind, token in callers.items():
            if (method, path) in LAST and kind in SIGN_IN:  # a fresh session to end each time
                token = login(client, *SIGN_IN[kind])["Authorization"][7:]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            client.cookies.clear()
            if token:
                client.cookies.set("antrean_session", token)  # pages read the cookie
            url = _url(path, values)
            answer = client.request(method, url, headers=headers,
                                    json={} if method != "GET" else None,
                                    follow_redirects=False)  # fmt: skip
            expected = rule.permits(CALLERS[kind])
            got = not refused(rule, url, answer.status_code, answer.headers.get("location", ""))
            if expected != got or answer.status_code >= 500:
                wrong.append(f"{method} {path} as {kind}: {answer.status_code} "
                             f"(declared {'allow' if expected else 'deny'})")  # fmt: skip
    client.cookies.clear()
    assert not wrong, "\n".join(wrong)


# Figures across every office: admins and regency supervisors only; the public list: anyone.
REGENCY = {
    ("GET", "/api/v1/regency/summary"): (True, False),
    ("GET", "/kabupaten"): (True, True),
}


def test_regency_routes_are_for_those_who_see_every_office(client: TestClient) -> None:
    rules = {(m, p): r for m, p, r in declared(client.app)}  # type: ignore[arg-type]
    for route, (regency, page) in REGENCY.items():
        rule = rules[route]
        assert rule.regency == regency and rule.page == page, route
        assert set(rule.roles) == {Role.ADMIN, Role.SUPERVISOR} and not rule.devices, route
        assert rule.permits(CALLERS["regency"]) and rule.permits(CALLERS["admin"])
        assert not rule.permits(CALLERS["supervisor"]), route
    for route in (("GET", "/api/v1/offices-public"), ("GET", "/kantor")):
        assert rules[route].public, route
