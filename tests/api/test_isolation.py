"""Office isolation: staff and devices of office A can never read or act on office B.

Two offices share the server. Every route that names an office in its path is called with
office B's slug by each of office A's callers (officer, supervisor, kiosk, display, print agent,
counter device), with a body that would be accepted were the caller B's own: each answer must be
a refusal (403) or "no such office" (404), and nothing of office B may change. A new route with
an `{office}` in its path fails here until it is given a request below. Routes that take B's
ticket token, B's pages asked for with `?office=`, and B's live connection are refused too.
"""

from __future__ import annotations

import inspect
import io
import re
import time
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlmodel import SQLModel
from starlette.websockets import WebSocketDisconnect

from queue_server.store.db import Database
from tests.api.test_access import api_routes, declared
from tests.conftest import ADMIN_PASSWORD, login

A, B = "winongan", "sukorejo"
B_NAME = "Kantor Kecamatan Sukorejo"
PASSWORD = "pelayanan-prima-7"
TABLES = (
    "offices",
    "services",
    "counters",
    "tickets",
    "ticket_events",
    "devices",
    "users",
    "print_jobs",
    "messages",
    "survey_responses",
    "conversations",
    "conversation_messages",
    "attachments",
    "saved_replies",
)
SCORES = [4, 3, 4, 3, 4, 3, 4, 3, 4]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (40, 40), 0).save(out, format="PNG")
    return out.getvalue()


# For each route with {office}: (query, body) that office B's own caller could send successfully.
# "png" sends a logo as the raw body.
REQUESTS: dict[tuple[str, str], tuple[dict[str, str], Any]] = {
    ("POST", "/api/v1/offices/{office}/tickets"): ({}, {"service": "A"}),
    ("GET", "/api/v1/offices/{office}/snapshot"): ({}, None),
    ("GET", "/api/v1/offices/{office}/tickets"): ({}, None),
    ("POST", "/api/v1/offices/{office}/counters/{counter}/call-next"): ({}, None),
    ("POST", "/api/v1/offices/{office}/counters/{counter}/open"): ({}, None),
    ("POST", "/api/v1/offices/{office}/counters/{counter}/pause"): ({}, None),
    ("POST", "/api/v1/offices/{office}/counters/{counter}/close"): ({}, None),
    ("POST", "/api/v1/offices/{office}/end-day"): ({}, None),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/recall"): ({}, None),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/start"): ({}, None),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/finish"): ({}, None),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/no-show"): ({}, None),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/hold"): ({}, None),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/cancel"): ({}, None),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/transfer"): ({}, {"service": "B"}),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/call"): ({}, {"counter": 1}),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/resume"): ({}, {"counter": 1}),
    ("GET", "/api/v1/offices/{office}/printers"): ({}, None),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/reprint"): ({}, {"printer": "{kiosk}"}),
    ("GET", "/api/v1/offices/{office}/counters/{counter}/today"): ({}, None),
    ("GET", "/api/v1/offices/{office}"): ({}, None),
    ("PATCH", "/api/v1/offices/{office}"): ({}, {"name": "Diambil alih", "ticker": "x"}),
    ("GET", "/api/v1/offices/{office}/services"): ({}, None),
    ("POST", "/api/v1/offices/{office}/services"): (
        {},
        {"code": "Z", "prefix": "Z", "name_id": "Sisipan", "name_en": "Inserted"},
    ),
    ("PATCH", "/api/v1/offices/{office}/services/{code}"): ({}, {"name_id": "Diubah"}),
    ("DELETE", "/api/v1/offices/{office}/services/{code}"): ({}, None),
    ("GET", "/api/v1/offices/{office}/counters"): ({}, None),
    ("POST", "/api/v1/offices/{office}/counters"): (
        {},
        {"number": 9, "name": "Sisipan", "services": ["A"]},
    ),
    ("PATCH", "/api/v1/offices/{office}/counters/{counter}"): ({}, {"name": "Diubah"}),
    ("DELETE", "/api/v1/offices/{office}/counters/{counter}"): ({}, None),
    ("GET", "/api/v1/offices/{office}/devices"): ({}, None),
    ("POST", "/api/v1/offices/{office}/devices"): ({}, {"kind": "display", "name": "Sisipan"}),
    ("GET", "/api/v1/offices/{office}/devices/health"): ({}, None),
    ("POST", "/api/v1/offices/{office}/devices/claim"): ({}, {"code": "123456", "name": "X"}),
    ("PATCH", "/api/v1/offices/{office}/devices/{device_id}"): ({}, {"name": "Diubah"}),
    ("DELETE", "/api/v1/offices/{office}/devices/{device_id}"): ({}, None),
    ("PUT", "/api/v1/offices/{office}/logo"): ({}, "png"),
    ("DELETE", "/api/v1/offices/{office}/logo"): ({}, None),
    ("GET", "/api/v1/offices/{office}/logo"): ({}, None),
    ("GET", "/api/v1/offices/{office}/ticket-preview.png"): ({}, None),
    ("GET", "/api/v1/offices/{office}/voice-test.wav"): ({"number": "A001", "counter": "1"}, None),
    ("POST", "/api/v1/offices/{office}/notify/test"): ({}, {"phone": "081234567890"}),
    ("GET", "/audio/offices/{office}/calls/{counter}/{number}.wav"): ({}, None),
    ("GET", "/api/v1/offices/{office}/messages"): ({}, None),
    ("POST", "/api/v1/offices/{office}/chat/http"): ({}, {"from": "081234567890", "text": "A"}),
    ("GET", "/api/v1/offices/{office}/chat/whatsapp"): (
        {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"},
        None,
    ),
    ("POST", "/api/v1/offices/{office}/chat/whatsapp"): ({}, {"entry": []}),
    ("GET", "/api/v1/offices/{office}/skm"): ({"from": "2026-11-01", "to": "2026-11-30"}, None),
    ("GET", "/api/v1/offices/{office}/personal-data"): ({"phone": "081234567890"}, None),
    ("DELETE", "/api/v1/offices/{office}/personal-data"): ({"phone": "081234567890"}, None),
    ("GET", "/api/v1/offices/{office}/kiosk/services"): ({}, None),
    ("GET", "/api/v1/offices/{office}/tickets/{token}/print"): ({}, None),
    ("POST", "/api/v1/offices/{office}/tickets/{token}/print/give-up"): ({}, None),
    ("GET", "/api/v1/offices/{office}/services/{code}/slots"): ({"day": "2026-11-24"}, None),
    ("POST", "/api/v1/offices/{office}/bookings"): (
        {},
        {
            "service": "A",
            "day": "2026-11-24",
            "slot": "10:00",
            "phone": "081234567890",
            "consent": True,
        },
    ),
    ("POST", "/api/v1/offices/{office}/bookings/check-in"): ({}, {"code": "ACDEFH"}),
    ("GET", "/api/v1/offices/{office}/bookings"): ({}, None),
    ("GET", "/api/v1/offices/{office}/conversations"): ({}, None),
    ("GET", "/api/v1/offices/{office}/conversations/{conversation}"): ({}, None),
    ("POST", "/api/v1/offices/{office}/conversations/{conversation}/reply"): (
        {},
        {"body": "Diambil alih"},
    ),
    ("POST", "/api/v1/offices/{office}/conversations/{conversation}/assign"): (
        {},
        {"officer": "petugas-b"},
    ),
    ("POST", "/api/v1/offices/{office}/conversations/{conversation}/close"): ({}, None),
    ("POST", "/api/v1/offices/{office}/attachments/{attachment}/review"): (
        {},
        {"review": "complete"},
    ),
    ("GET", "/api/v1/offices/{office}/attachments/{attachment}"): ({}, None),
    ("GET", "/api/v1/offices/{office}/saved-replies"): ({}, None),
    ("POST", "/api/v1/offices/{office}/saved-replies"): ({}, {"title": "x", "body": "y"}),
    ("DELETE", "/api/v1/offices/{office}/saved-replies/{reply_id}"): ({}, None),
    ("GET", "/api/v1/offices/{office}/consultation/figures"): ({}, None),
    ("GET", "/janji/{office}"): ({}, None),
    ("GET", "/api/v1/offices/{office}/disruptions"): ({}, None),
    ("POST", "/api/v1/offices/{office}/disruptions"): ({}, {"service": "A", "reason": "jaringan"}),
    ("PATCH", "/api/v1/offices/{office}/disruptions/{disruption}"): ({}, {"expected_end": "23:00"}),
    ("POST", "/api/v1/offices/{office}/disruptions/{disruption}/restore"): ({}, None),
    ("POST", "/api/v1/offices/{office}/disruptions/callbacks"): (
        {},
        {"service": "A", "phone": "081234567890", "consent": True},
    ),
    ("GET", "/api/v1/offices/{office}/disruptions/figures"): ({}, None),
    ("GET", "/ambil/{office}"): ({}, None),
}
# Ticket routes named by the ticket's token alone (the token is the visitor's credential): a
# credential of another office must not act on them either.
TOKEN_ROUTES: dict[tuple[str, str], Any] = {
    ("GET", "/api/v1/tickets/{token}"): None,
    ("POST", "/api/v1/tickets/{token}/cancel"): None,
    ("POST", "/api/v1/tickets/{token}/survey"): {"scores": SCORES},
}
A_CALLERS = ("officer", "supervisor", "kiosk", "display", "agent", "counter")


@dataclass
class Offices:
    tokens: dict[str, str]  # office A's callers
    b_tokens: dict[str, str]  # office B's own callers
    values: dict[str, str]  # path and body values naming office B's things
    b_id: int


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _made(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _devices(client: TestClient, office: str, admin: dict[str, str]) -> dict[str, Any]:
    api = f"/api/v1/offices/{office}/devices"
    made = {
        kind: _made(
            client.post(
                api,
                json={
                    "kind": kind,
                    "name": f"{kind}-{office}",
                    **({"counter": 1} if kind == "counter" else {}),
                },
                headers=admin,
            )
        )
        for kind in ("kiosk", "display", "counter")
    }
    made["agent"] = _made(
        client.post(
            api,
            json={"kind": "agent", "name": f"agent-{office}", "kiosk": made["kiosk"]["id"]},
            headers=admin,
        )
    )
    return made


@pytest.fixture
def offices(client: TestClient, database: Database) -> Offices:
    admin = login(client, "admin", ADMIN_PASSWORD)
    _made(client.post("/api/v1/offices", json={"slug": B, "name": B_NAME}, headers=admin))
    b_api = f"/api/v1/offices/{B}"
    for code, remote in (("A", True), ("B", False)):
        _made(
            client.post(
                f"{b_api}/services",
                json={
                    "code": code,
                    "prefix": code,
                    "name_id": f"Layanan {code}",
                    "name_en": f"Service {code}",
                    "remote_allowed": remote,
                },
                headers=admin,
            )
        )
    for number in (1, 2):
        _made(
            client.post(
                f"{b_api}/counters",
                json={"number": number, "name": f"Loket {number}", "services": ["A", "B"]},
                headers=admin,
            )
        )
    for username, role, office in (
        ("kasi-a", "supervisor", A),
        ("petugas-b", "officer", B),
        ("kasi-b", "supervisor", B),
    ):
        _made(
            client.post(
                "/api/v1/users",
                json={"username": username, "password": PASSWORD, "role": role, "office": office},
                headers=admin,
            )
        )
    a_devices, b_devices = _devices(client, A, admin), _devices(client, B, admin)
    tokens = {kind: d["token"] for kind, d in a_devices.items()}
    tokens["officer"] = login(client, "petugas1")["Authorization"][7:]
    tokens["supervisor"] = login(client, "kasi-a", PASSWORD)["Authorization"][7:]
    b_tokens = {kind: d["token"] for kind, d in b_devices.items()}
    b_tokens["officer"] = login(client, "petugas-b", PASSWORD)["Authorization"][7:]
    b_tokens["supervisor"] = login(client, "kasi-b", PASSWORD)["Authorization"][7:]

    # Office B's day so far: one visitor served, one at the counter, one on hold, one waiting.
    kiosk, officer = _bearer(b_tokens["kiosk"]), _bearer(b_tokens["officer"])
    taken = [
        _made(client.post(f"{b_api}/tickets", json={"service": "A"}, headers=kiosk))
        for _ in range(4)
    ]
    _made(client.post(f"{b_api}/counters/1/open", headers=officer))
    for ticket, then in zip(taken[:3], ("finish", "hold", None), strict=True):
        _made(client.post(f"{b_api}/counters/1/call-next", headers=officer))
        if then is not None:
            _made(client.post(f"{b_api}/tickets/{ticket['token']}/{then}", headers=officer))
    # Office B's consultation desk: a visitor's question with a photo, and a saved reply.
    secret = {"kind": "log", "inbound_secret": "rahasia-b"}
    _made(client.patch(b_api, json={"notify": {"gateway": secret}}, headers=admin))
    _made(client.post(f"{b_api}/chat/http", data={"from": "081298765432", "text": "Tanya"},
                      files={"file": ("ktp.png", _png(), "image/png")},
                      headers={"X-Antrean-Secret": "rahasia-b"}))  # fmt: skip
    saved = _made(client.post(f"{b_api}/saved-replies", json={"title": "Salam", "body": "Hai"},
                              headers=admin))  # fmt: skip
    _settle_messages(client, database)  # the acknowledgement sent before the snapshots
    with database.read() as conn:
        conversation = conn.execute(select(_table("conversations").c.id)).scalar_one()
        attachment = conn.execute(select(_table("attachments").c.id)).scalar_one()
    with database.read() as conn:
        b_id = int(
            conn.execute(
                select(_table("offices").c.id).where(_table("offices").c.slug == B)
            ).scalar_one()
        )
    values = {
        "office": B,
        "token": taken[2]["token"],
        "counter": "1",
        "code": "A",
        "number": "A001",
        "device_id": str(b_devices["display"]["id"]),
        "kiosk": str(b_devices["kiosk"]["id"]),
        "done": taken[0]["token"],
        "held": taken[1]["token"],
        "waiting": taken[3]["token"],
        "disruption": "0" * 32,
        "conversation": str(conversation),
        "attachment": str(attachment),
        "reply_id": str(saved["id"]),
    }
    return Offices(tokens, b_tokens, values, b_id)


def _settle_messages(client: TestClient, database: Database) -> None:
    """Deliver what the outbox holds (the server's worker may hold a claim: wait for it)."""
    outbox = _table("messages")
    for _ in range(200):
        client.app.state.deliverer.deliver_due()  # type: ignore[attr-defined]
        with database.read() as conn:
            busy = conn.execute(
                select(outbox.c.id).where(outbox.c.status.in_(("pending", "sending")))
            ).first()
        if busy is None:
            return
        time.sleep(0.05)


def _table(name: str) -> Any:
    return SQLModel.metadata.tables[name]


def snapshot(database: Database, office_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Everything stored for one office (its row, services, counters, tickets, events, devices,
    users, print jobs, messages, survey answers), in a stable order."""
    found = {}
    with database.read() as conn:
        for name in TABLES:
            table = _table(name)
            column = table.c.id if name == "offices" else table.c.office_id
            rows = conn.execute(select(table).where(column == office_id)).all()
            found[name] = sorted((tuple(row) for row in rows), key=repr)
    return found


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)


def _body(body: Any, values: dict[str, str]) -> Any:
    if isinstance(body, dict):
        return {k: _body(v, values) for k, v in body.items()}
    if isinstance(body, str) and body.startswith("{") and body.endswith("}"):
        return int(values[body[1:-1]])
    return body


def call(
    client: TestClient,
    method: str,
    path: str,
    token: str,
    values: dict[str, str],
    query: dict[str, str],
    body: Any,
) -> Any:
    client.cookies.clear()
    headers = _bearer(token) if token else {}
    url = _fill(path, values)
    if body == "png":
        headers["Content-Type"] = "image/png"
        return client.request(method, url, params=query, content=_png(), headers=headers)
    return client.request(
        method, url, params=query, json=_body(body, values), headers=headers, follow_redirects=False
    )


def office_routes(client: TestClient) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _ in declared(client.app) if "{office}" in p]  # type: ignore[arg-type]


def test_every_office_route_has_a_request_here(client: TestClient) -> None:
    routes = office_routes(client)
    missing = [route for route in routes if route not in REQUESTS]
    assert not missing, f"add these routes to REQUESTS in {__name__}: {missing}"
    assert not set(REQUESTS) - set(routes), "REQUESTS names routes that are gone"


def test_office_a_cannot_read_or_act_on_office_b(
    client: TestClient, database: Database, offices: Offices
) -> None:
    before = snapshot(database, offices.b_id)
    wrong: list[str] = []
    for method, path in sorted(office_routes(client), key=lambda r: r[0] == "DELETE"):
        query, body = REQUESTS[(method, path)]
        for kind in A_CALLERS:
            answer = call(client, method, path, offices.tokens[kind], offices.values, query, body)
            if answer.status_code not in (403, 404):
                wrong.append(f"{method} {path} as A's {kind}: {answer.status_code}")
    for (method, path), body in TOKEN_ROUTES.items():
        for kind in A_CALLERS:
            for ticket in ("token", "done", "waiting"):
                values = {**offices.values, "token": offices.values[ticket]}
                answer = call(client, method, path, offices.tokens[kind], values, {}, body)
                if answer.status_code not in (403, 404):
                    wrong.append(f"{method} {path} ({ticket}) as A's {kind}: {answer.status_code}")
    assert not wrong, "\n".join(wrong)
    assert snapshot(database, offices.b_id) == before


def test_the_requests_above_work_for_office_b_itself(
    client: TestClient, database: Database, offices: Offices
) -> None:
    """The refusals above are isolation, not bad requests: B's own callers get through."""
    kinds = {"POST /api/v1/offices/{office}/tickets": "kiosk"}
    for method, path in (
        ("POST", "/api/v1/offices/{office}/tickets"),
        ("GET", "/api/v1/offices/{office}/snapshot"),
        ("POST", "/api/v1/offices/{office}/tickets/{token}/transfer"),
        ("PATCH", "/api/v1/offices/{office}"),
        ("POST", "/api/v1/offices/{office}/services"),
        ("POST", "/api/v1/offices/{office}/counters"),
        ("PUT", "/api/v1/offices/{office}/logo"),
        ("GET", "/api/v1/offices/{office}/voice-test.wav"),
        ("GET", "/api/v1/offices/{office}/skm"),
        ("DELETE", "/api/v1/offices/{office}/personal-data"),
        ("PATCH", "/api/v1/offices/{office}/devices/{device_id}"),
        ("GET", "/api/v1/offices/{office}/conversations/{conversation}"),
        ("POST", "/api/v1/offices/{office}/conversations/{conversation}/reply"),
        ("GET", "/api/v1/offices/{office}/attachments/{attachment}"),
        ("POST", "/api/v1/offices/{office}/attachments/{attachment}/review"),
    ):
        query, body = REQUESTS[(method, path)]
        kind = kinds.get(f"{method} {path}", "supervisor")
        answer = call(client, method, path, offices.b_tokens[kind], offices.values, query, body)
        assert 200 <= answer.status_code < 300, (method, path, answer.text)
    answer = call(
        client,
        "POST",
        "/api/v1/tickets/{token}/survey",
        offices.b_tokens["counter"],
        {**offices.values, "token": offices.values["done"]},
        {},
        {"scores": SCORES},
    )
    assert answer.status_code == 201, answer.text


def test_pages_show_their_own_office_never_the_one_asked_for(
    client: TestClient, offices: Offices
) -> None:
    pages = []
    for path, route in api_routes(client.app):  # type: ignore[arg-type]
        takes_office = "office" in inspect.signature(route.endpoint).parameters
        if (
            "GET" in route.methods
            and "{" not in path
            and takes_office
            and not path.startswith("/api/")
        ):
            pages.append(path)
    assert {"/loket", "/laporan", "/pengaturan/kantor"} <= set(pages)
    leaks = []
    for kind in ("officer", "supervisor"):
        for path in pages:
            client.cookies.clear()
            client.cookies.set("antrean_session", offices.tokens[kind])
            answer = client.get(path, params={"office": B})  # where redirects end too
            text = answer.content.decode("utf-8", "replace")
            if (
                B_NAME in text
                or f"office={B}" in text
                or B in answer.headers.get("content-disposition", "")
            ):
                leaks.append(f"{path}?office={B} as A's {kind}: {answer.status_code}")
            elif kind == "supervisor" and path in ("/loket", "/laporan", "/pengaturan/kantor"):
                assert answer.status_code == 200 and "Winongan" in text, path
            elif kind == "officer" and path.startswith(("/laporan", "/pengaturan")):
                assert str(answer.url.path) in ("/masuk", "/loket"), path
    client.cookies.clear()
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("kind", A_CALLERS)
def test_office_a_cannot_follow_office_b_live(
    client: TestClient, offices: Offices, kind: str
) -> None:
    role = {"officer": "counter", "supervisor": "counter"}.get(kind, kind)
    url = f"/ws/v1/offices/{B}?role={role}&token={offices.tokens[kind]}"
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url) as ws:
        ws.receive_json()
    assert closed.value.code in (4403, 4404)
    # B's own display is let in (the refusal is not a broken URL)
    own = f"/ws/v1/offices/{B}?role=display&token={offices.b_tokens['display']}"
    with client.websocket_connect(own) as ws:
        assert ws.receive_json()["type"] == "snapshot"


def test_a_session_cookie_of_another_office_is_only_the_visitor(
    client: TestClient, database: Database, offices: Offices
) -> None:
    """A staff member's own phone, signed in at office A, follows their own ticket at office B:
    the cookie rides along, so it counts as no credential (the visitor's rights, not A's)."""
    client.cookies.clear()
    client.cookies.set("antrean_session", offices.tokens["officer"])
    done, waiting = offices.values["done"], offices.values["waiting"]
    answer = client.post(f"/api/v1/tickets/{done}/survey", json={"scores": SCORES},
                         headers={"X-Requested-With": "antrean-survey"})  # fmt: skip
    assert answer.status_code == 201, answer.text
    with database.read() as conn:
        channel = conn.execute(select(_table("survey_responses").c.channel)).scalar_one()
    assert channel == "phone"  # not "counter": A's officer holds no tablet at B's counter
    assert client.get(f"/api/v1/tickets/{waiting}").status_code == 200
    assert client.post(f"/api/v1/tickets/{waiting}/cancel").status_code == 200
    client.cookies.clear()
