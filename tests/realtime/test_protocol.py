"""The events alone keep every screen right: apply(snapshot_before, events) == snapshot_after."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from queue_server.clock import FrozenClock
from tests.conftest import ADMIN_PASSWORD, device, login
from tests.realtime.live import follow, normalise, receive
from tests.realtime.test_js_client import js_replay, node_available

JS_CLIENT = node_available()
OFFICE = "/api/v1/offices/winongan"
WS = "/ws/v1/offices/winongan"

Action = Callable[[TestClient, dict[str, Any]], None]


@pytest.fixture
def people(client: TestClient) -> dict[str, Any]:
    kiosk = device(client, "kiosk")
    p = {
        "kiosk": kiosk,
        "display": device(client, "display", "tv"),
        "one": login(client, "petugas1"),
        "three": login(client, "petugas3"),
        "admin": login(client, "admin", ADMIN_PASSWORD),
    }

    def take(service: str, **extra: Any) -> Any:
        body = {"service": service, **extra}
        return client.post(f"{OFFICE}/tickets", json=body, headers=kiosk).json()

    p["a1"], p["a2"] = take("A"), take("A", priority_group="lansia")
    p["c1"] = take("C", phone="081234567890", notify_consent=True)
    client.post(f"{OFFICE}/counters/1/open", headers=p["one"])
    client.post(f"{OFFICE}/counters/3/open", headers=p["three"])
    return p


def _token(headers: dict[str, str]) -> str:
    return headers["Authorization"].split()[1]


def _post(client: TestClient, path: str, who: dict[str, str], body: Any = None) -> Any:
    response = client.post(path, json=body, headers=who)
    assert response.status_code < 300, response.text
    return response


def _called(client: TestClient, p: dict[str, Any], counter: int = 1) -> dict[str, Any]:
    who = p["one"] if counter == 1 else p["three"]
    ticket: dict[str, Any] = _post(client, f"{OFFICE}/counters/{counter}/call-next", who).json()[
        "ticket"
    ]
    return ticket


ACTIONS: dict[str, Action] = {
    "issue": lambda c, p: _post(c, f"{OFFICE}/tickets", p["kiosk"], {"service": "B"}),
    "call_next": lambda c, p: _called(c, p),
    "call_next_finishing_previous": lambda c, p: (_called(c, p), _called(c, p)),
    "recall": lambda c, p: _post(c, f"{OFFICE}/tickets/{_called(c, p)['token']}/recall", p["one"]),
    "start": lambda c, p: _post(c, f"{OFFICE}/tickets/{_called(c, p)['token']}/start", p["one"]),
    "finish": lambda c, p: _post(c, f"{OFFICE}/tickets/{_called(c, p)['token']}/finish", p["one"]),
    "no_show": lambda c, p: _post(
        c, f"{OFFICE}/tickets/{_called(c, p)['token']}/no-show", p["one"]
    ),
    "call_specific": lambda c, p: _post(
        c, f"{OFFICE}/tickets/{p['c1']['token']}/call", p["one"], {"counter": 1}
    ),
    "transfer": lambda c, p: _post(
        c, f"{OFFICE}/tickets/{_called(c, p)['token']}/transfer", p["one"], {"service": "B"}
    ),
    "transfer_to_front": lambda c, p: _post(
        c,
        f"{OFFICE}/tickets/{_called(c, p)['token']}/transfer",
        p["one"],
        {"service": "C", "to_front": True},
    ),
    "hold_and_resume": lambda c, p: (
        _post(c, f"{OFFICE}/tickets/{(t := _called(c, p))['token']}/hold", p["one"]),
        _post(c, f"{OFFICE}/tickets/{t['token']}/resume", p["one"]),
    ),
    "visitor_cancel": lambda c, p: _post(c, f"/api/v1/tickets/{p['c1']['token']}/cancel", {}),
    "staff_cancel": lambda c, p: _post(c, f"{OFFICE}/tickets/{p['a1']['token']}/cancel", p["one"]),
    "pause": lambda c, p: _post(c, f"{OFFICE}/counters/3/pause", p["three"]),
    "close": lambda c, p: _post(c, f"{OFFICE}/counters/3/close", p["three"]),
    "open": lambda c, p: _post(c, f"{OFFICE}/counters/2/open", login(c, "petugas2")),
    "end_day": lambda c, p: _post(c, f"{OFFICE}/end-day", p["admin"]),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_events_alone_keep_every_screen_right(
    client: TestClient, people: dict[str, Any], action: str
) -> None:
    display = f"{WS}?role=display&token={_token(people['display'])}"
    screens = {
        "display": display,
        "narrow display": f"{display}&counters=3&services=B,C",
        "counter": f"{WS}?role=counter&token={_token(people['one'])}",
        "visitor": f"{WS}?role=track&ticket={people['c1']['token']}",
    }
    sockets = {name: client.websocket_connect(url) for name, url in screens.items()}
    try:
        before = {name: receive(ws.__enter__()) for name, ws in sockets.items()}
        assert all(b["type"] == "snapshot" for b in before.values())
        ACTIONS[action](client, people)
        version = client.get(f"{OFFICE}/snapshot", headers=people["display"]).json()["version"]
        assert version > before["display"]["version"]
        for name, ws in sockets.items():
            state = {k: v for k, v in before[name].items() if k != "type"}
            after, seen = follow(ws, state, version)
            versions = [m["version"] for m in seen]
            assert versions == list(range(before[name]["version"] + 1, version + 1)), name
            with client.websocket_connect(screens[name]) as fresh_ws:
                fresh = {k: v for k, v in receive(fresh_ws).items() if k != "type"}
            assert normalise(after) == normalise(fresh), f"{name} after {action}"
            if JS_CLIENT:  # the browsers' client reaches the same state from the same messages
                assert normalise(js_replay(before[name], seen)) == normalise(fresh), name
    finally:
        for ws in sockets.values():
            ws.__exit__(None, None, None)


def test_narrow_display_sees_only_its_counters_but_every_version(
    client: TestClient, people: dict[str, Any]
) -> None:
    url = f"{WS}?role=display&token={_token(people['display'])}&counters=3"
    with client.websocket_connect(url) as ws:
        snap = receive(ws)
        assert [c["number"] for c in snap["counters"]] == [3]
        _called(client, people, counter=1)
        message = receive(ws)
        assert message["version"] == snap["version"] + 1
        assert "call" not in message and "counters" not in message
        _called(client, people, counter=3)
        seen = receive(ws)
        assert seen["call"]["counter"] == 3


def test_visitor_sees_own_ticket_move_and_nothing_personal(
    client: TestClient, people: dict[str, Any]
) -> None:
    url = f"{WS}?role=track&ticket={people['c1']['token']}"
    with client.websocket_connect(url) as ws:
        snap = receive(ws)
        assert snap["ticket"]["number"] == people["c1"]["number"]
        assert "tickets" not in snap and "0812" not in str(snap)
        _post(
            client,
            f"{OFFICE}/tickets/{people['c1']['token']}/call",
            people["three"],
            {"counter": 3},
        )
        message = receive(ws)
        assert message["event"] == "ticket_called"
        assert message["ticket"]["status"] == "called" and message["ticket"]["counter"] == 3
        assert "call" not in message  # other visitors' calls are not the visitor's business


def test_day_rollover_and_config_change_send_a_fresh_snapshot(
    client: TestClient, people: dict[str, Any], clock: FrozenClock
) -> None:
    url = f"{WS}?role=display&token={_token(people['display'])}"
    with client.websocket_connect(url) as ws:
        first = receive(ws)
        client.patch(f"{OFFICE}/services/B", json={"name_en": "Licences"}, headers=people["admin"])
        again = receive(ws)
        assert again["type"] == "snapshot" and again["version"] > first["version"]
        assert [s["name"]["en"] for s in again["services"] if s["code"] == "B"] == ["Licences"]
        clock.advance(days=1)
        _post(client, f"{OFFICE}/tickets", people["kiosk"], {"service": "A"})
        message = receive(ws)
        while message["type"] != "snapshot":
            message = receive(ws)
        assert message["office"]["service_date"] > first["office"]["service_date"]


def test_reconnect_with_since_replays_missing_events(
    client: TestClient, people: dict[str, Any]
) -> None:
    url = f"{WS}?role=display&token={_token(people['display'])}"
    with client.websocket_connect(url) as ws:
        snap = receive(ws)
    _called(client, people)
    _post(client, f"{OFFICE}/tickets", people["kiosk"], {"service": "D"})
    with client.websocket_connect(f"{url}&since={snap['version']}") as ws:
        first = receive(ws)
        assert first["type"] == "event" and first["version"] == snap["version"] + 1


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("role=display", 4401),
        ("role=display&token=wrong", 4401),
        ("role=track&ticket=nope", 4404),
        ("role=wizard&token=x", 4400),
    ],
)
def test_refusals_close_with_a_reason(client: TestClient, query: str, code: int) -> None:
    from starlette.websockets import WebSocketDisconnect

    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"{WS}?{query}") as ws,
    ):
        ws.receive_json()
    assert closed.value.code == code


def test_kiosk_token_cannot_follow_as_counter(client: TestClient, people: dict[str, Any]) -> None:
    from starlette.websockets import WebSocketDisconnect

    url = f"{WS}?role=counter&token={_token(people['kiosk'])}"
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url) as ws:
        ws.receive_json()
    assert closed.value.code == 4403


_ = timedelta


def test_a_screen_that_loads_the_office_gets_one_snapshot(client: TestClient) -> None:
    """The first screen of an office on a worker that has not loaded it yet: loading tells the
    screens to start afresh, which the snapshot being taken already does (one, not two)."""
    kiosk, display = device(client, "kiosk"), device(client, "display", "tv")
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    office_id = ctx.queue.office_id("winongan")
    ctx.queue._states.pop(office_id, None)  # as on a worker that has not served the office yet
    with client.websocket_connect(f"{WS}?role=display&token={_token(display)}") as ws:
        first = receive(ws)
        assert first["type"] == "snapshot"
        _post(client, f"{OFFICE}/tickets", kiosk, {"service": "A"})
        message = receive(ws)
        assert message["type"] == "event", message["type"]
        assert message["version"] == first["version"] + 1
