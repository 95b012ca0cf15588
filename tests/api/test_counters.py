"""An officer's day at a counter through the HTTP API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import device, login

OFFICE = "/api/v1/offices/winongan"


def _take(client: TestClient, kiosk: dict[str, str], service: str, **extra: object) -> dict:
    response = client.post(f"{OFFICE}/tickets", json={"service": service, **extra}, headers=kiosk)
    assert response.status_code == 201, response.text
    return response.json()


def test_call_serve_finish_and_call_next(client: TestClient) -> None:
    kiosk, officer = device(client, "kiosk"), login(client, "petugas1")
    a1, a2 = _take(client, kiosk, "A"), _take(client, kiosk, "A")
    assert client.post(f"{OFFICE}/counters/1/call-next", headers=officer).status_code == 409
    opened = client.post(f"{OFFICE}/counters/1/open", headers=officer)
    assert opened.json()["counter"] == {
        **opened.json()["counter"],
        "state": "open",
        "officer": "petugas1",
    }
    called = client.post(f"{OFFICE}/counters/1/call-next", headers=officer)
    assert called.status_code == 200
    assert called.json()["ticket"]["number"] == a1["number"]
    assert called.json()["ticket"]["counter"] == 1
    assert client.get(f"/api/v1/tickets/{a1['token']}").json()["status"] == "called"
    started = client.post(f"{OFFICE}/tickets/{a1['token']}/start", headers=officer)
    assert started.json()["ticket"]["status"] == "serving"
    recall = client.post(f"{OFFICE}/tickets/{a1['token']}/recall", headers=officer)
    assert recall.status_code == 409  # only a called (not yet arrived) visitor is recalled
    nxt = client.post(f"{OFFICE}/counters/1/call-next", headers=officer)
    assert nxt.json()["ticket"]["number"] == a2["number"]
    assert client.get(f"/api/v1/tickets/{a1['token']}").json()["status"] == "done"
    finished = client.post(f"{OFFICE}/tickets/{a2['token']}/finish", headers=officer)
    assert finished.json()["ticket"]["status"] == "done"
    assert client.post(f"{OFFICE}/counters/1/call-next", headers=officer).status_code == 204
    snap = client.get(f"{OFFICE}/snapshot", headers=officer).json()
    assert [c["number"] for c in snap["recent_calls"]] == [a2["number"], a1["number"]]


def test_priority_first_and_fairness_through_the_api(client: TestClient) -> None:
    kiosk, officer = device(client, "kiosk"), login(client, "petugas1")
    normal = _take(client, kiosk, "A")
    priority = [_take(client, kiosk, "A", priority_group="lansia") for _ in range(4)]
    client.post(f"{OFFICE}/counters/1/open", headers=officer)
    called = [
        client.post(f"{OFFICE}/counters/1/call-next", headers=officer).json()["ticket"]["number"]
        for _ in range(5)
    ]
    # K = 3 priority calls, then the older normal ticket, then the last priority ticket.
    expected = [p["number"] for p in priority[:3]] + [normal["number"], priority[3]["number"]]
    assert called == expected


def test_only_the_signed_in_officer_acts_at_a_counter(client: TestClient) -> None:
    kiosk = device(client, "kiosk")
    one, two = login(client, "petugas1"), login(client, "petugas2")
    ticket = _take(client, kiosk, "A")
    client.post(f"{OFFICE}/counters/1/open", headers=one)
    taken = client.post(f"{OFFICE}/counters/1/open", headers=two)
    assert taken.status_code == 409 and taken.json()["code"] == "counter_taken"
    assert client.post(f"{OFFICE}/counters/1/call-next", headers=two).status_code == 403
    client.post(f"{OFFICE}/counters/1/call-next", headers=one)
    finish = client.post(f"{OFFICE}/tickets/{ticket['token']}/finish", headers=two)
    assert finish.status_code == 403 and finish.json()["code"] == "not_signed_in"
    assert client.post(f"{OFFICE}/counters/1/call-next", headers=kiosk).status_code == 403


def test_no_show_reenters_then_closes(client: TestClient) -> None:
    kiosk, officer = device(client, "kiosk"), login(client, "petugas1")
    ticket = _take(client, kiosk, "A")
    client.post(f"{OFFICE}/counters/1/open", headers=officer)
    for _ in range(2):  # M = 2 re-entries by default
        client.post(f"{OFFICE}/counters/1/call-next", headers=officer)
        missed = client.post(f"{OFFICE}/tickets/{ticket['token']}/no-show", headers=officer)
        assert missed.json()["ticket"]["status"] == "missed"
    again = client.post(f"{OFFICE}/counters/1/call-next", headers=officer)
    assert again.json()["ticket"]["number"] == ticket["number"]  # nobody else waits: at once
    gone = client.post(f"{OFFICE}/tickets/{ticket['token']}/no-show", headers=officer)
    assert gone.json()["ticket"]["status"] == "no_show"


def test_transfer_hold_resume_and_call_specific(client: TestClient) -> None:
    kiosk = device(client, "kiosk")
    one, three = login(client, "petugas1"), login(client, "petugas3")
    early_c = _take(client, kiosk, "C")
    a = _take(client, kiosk, "A")
    client.post(f"{OFFICE}/counters/1/open", headers=one)
    client.post(f"{OFFICE}/tickets/{a['token']}/call", json={"counter": 1}, headers=one)
    moved = client.post(
        f"{OFFICE}/tickets/{a['token']}/transfer", json={"service": "B"}, headers=one
    ).json()["ticket"]
    assert (moved["number"], moved["service"], moved["status"]) == (a["number"], "B", "waiting")
    client.post(f"{OFFICE}/counters/3/open", headers=three)
    # Counter 3 serves B before C: the transferred ticket comes first at its old place.
    got = client.post(f"{OFFICE}/counters/3/call-next", headers=three).json()["ticket"]
    assert got["number"] == a["number"]
    held = client.post(f"{OFFICE}/tickets/{a['token']}/hold", headers=three)
    assert held.json()["ticket"]["status"] == "on_hold"
    nxt = client.post(f"{OFFICE}/counters/3/call-next", headers=three).json()["ticket"]
    assert nxt["number"] == early_c["number"]
    busy = client.post(f"{OFFICE}/tickets/{a['token']}/resume", headers=three)
    assert busy.status_code == 409 and busy.json()["code"] == "counter_busy"
    client.post(f"{OFFICE}/tickets/{early_c['token']}/finish", headers=three)
    resumed = client.post(f"{OFFICE}/tickets/{a['token']}/resume", headers=three)
    assert resumed.json()["ticket"]["status"] == "called"


def test_counter_device_acts_only_for_its_counter(client: TestClient) -> None:
    kiosk, officer = device(client, "kiosk"), login(client, "petugas2")
    tablet = device(client, "counter", "tablet-2", counter=2)
    _take(client, kiosk, "B")
    client.post(f"{OFFICE}/counters/2/open", headers=officer)
    assert client.post(f"{OFFICE}/counters/1/call-next", headers=tablet).status_code == 403
    called = client.post(f"{OFFICE}/counters/2/call-next", headers=tablet)
    assert called.status_code == 200 and called.json()["ticket"]["counter"] == 2


def test_pause_close_and_supervisor_end_day(client: TestClient) -> None:
    kiosk, officer = device(client, "kiosk"), login(client, "petugas4")
    ticket = _take(client, kiosk, "D")
    client.post(f"{OFFICE}/counters/4/open", headers=officer)
    paused = client.post(f"{OFFICE}/counters/4/pause", headers=officer)
    assert paused.json()["counter"]["state"] == "paused"
    assert client.post(f"{OFFICE}/counters/4/call-next", headers=officer).status_code == 409
    client.post(f"{OFFICE}/counters/4/open", headers=officer)
    assert (
        client.post(f"{OFFICE}/counters/4/close", headers=officer).json()["counter"]["state"]
        == "closed"
    )
    assert client.post(f"{OFFICE}/end-day", headers=officer).status_code == 403
    admin = login(client, "admin", "kunci-kantor-1")
    assert client.post(f"{OFFICE}/end-day", headers=admin).json() == {"expired": 1}
    assert client.get(f"/api/v1/tickets/{ticket['token']}").json()["status"] == "expired"


def test_officer_of_another_office_sees_nothing(client: TestClient) -> None:
    admin = login(client, "admin", "kunci-kantor-1")
    made = client.post(
        "/api/v1/offices",
        json={"slug": "gondangwetan", "name": "Kecamatan Gondangwetan", "timezone": "Asia/Jakarta"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    created = client.post(
        "/api/v1/users",
        json={
            "username": "lain1",
            "password": "lain-rahasia-7",
            "role": "officer",
            "office": "gondangwetan",
        },
        headers=admin,
    )
    assert created.status_code == 201
    other = login(client, "lain1", "lain-rahasia-7")
    assert client.get(f"{OFFICE}/snapshot", headers=other).status_code == 404
    assert client.post(f"{OFFICE}/counters/1/open", headers=other).status_code == 404
