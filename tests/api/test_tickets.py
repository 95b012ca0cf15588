"""Taking and following tickets through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import device, login

OFFICE = "/api/v1/offices/winongan"
FROM_AFAR = {"phone": "0812-3456-7890", "notify_consent": True}  # what a phone must give


def test_kiosk_takes_numbered_tickets_with_place_and_estimate(client: TestClient) -> None:
    kiosk = device(client, "kiosk")
    first = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
    second = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
    other = client.post(f"{OFFICE}/tickets", json={"service": "B"}, headers=kiosk)
    assert [r.status_code for r in (first, second, other)] == [201, 201, 201]
    a1, a2, b1 = first.json(), second.json(), other.json()
    assert (a1["number"], a2["number"], b1["number"]) == ("A001", "A002", "B001")
    assert a1["channel"] == "kiosk" and a1["status"] == "waiting"
    assert a1["ahead"] == 0 and a2["ahead"] >= 1
    assert a2["estimate_minutes"]["low"] <= a2["estimate_minutes"]["high"]
    assert a1["tracking_url"] == f"http://antrean.test/t/{a1['token']}"
    assert len(a1["token"]) >= 20


def test_idempotency_key_returns_the_same_ticket(client: TestClient) -> None:
    kiosk = device(client, "kiosk")
    headers = {**kiosk, "Idempotency-Key": "kiosk-1-req-42"}
    first = client.post(f"{OFFICE}/tickets", json={"service": "C"}, headers=headers)
    retry = client.post(f"{OFFICE}/tickets", json={"service": "C"}, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json()["token"] == first.json()["token"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    fresh = client.post(f"{OFFICE}/tickets", json={"service": "C"}, headers=kiosk)
    assert fresh.json()["number"] == "C002"
    clash = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=headers)
    assert clash.status_code == 409 and clash.json()["code"] == "idempotency_conflict"


def test_phone_is_normalised_and_bad_phone_refused_in_both_languages(client: TestClient) -> None:
    kiosk = device(client, "kiosk")
    for raw in ("0812-3456-7890", "+6281234567890", "6281234567890"):
        response = client.post(
            f"{OFFICE}/tickets",
            json={"service": "A", "phone": raw, "notify_consent": True},
            headers=kiosk,
        )
        assert response.status_code == 201, response.text
    staff = login(client, "petugas1")
    listed = client.get(f"{OFFICE}/tickets", headers=staff).json()
    assert {t["phone"] for t in listed} == {"0812****7890"}
    bad = client.post(
        f"{OFFICE}/tickets",
        json={"service": "A", "phone": "12345"},
        headers={**kiosk, "Accept-Language": "en-US,en;q=0.9"},
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "invalid_phone"
    assert body["message"] == body["messages"]["en"] != body["messages"]["id"]


def test_channels_follow_the_credential(client: TestClient) -> None:
    staff = login(client, "petugas2")
    taken = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=staff)
    assert taken.json()["channel"] == "staff"
    web = client.post(f"{OFFICE}/tickets", json={"service": "C", **FROM_AFAR})
    assert web.status_code == 201 and web.json()["channel"] == "web"
    refused = client.post(f"{OFFICE}/tickets", json={"service": "A", **FROM_AFAR})
    assert refused.status_code == 403 and refused.json()["code"] == "remote_not_allowed"
    display = device(client, "display")
    assert (
        client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=display).status_code == 403
    )


def test_tracking_shows_only_that_ticket(client: TestClient) -> None:
    kiosk = device(client, "kiosk")
    ticket = client.post(f"{OFFICE}/tickets", json={"service": "B"}, headers=kiosk).json()
    tracked = client.get(f"/api/v1/tickets/{ticket['token']}")
    assert tracked.status_code == 200
    body = tracked.json()
    assert body["number"] == "B001" and body["status"] == "waiting"
    assert "phone" not in body and "id" not in body
    missing = client.get("/api/v1/tickets/not-a-real-token")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_ticket"


def test_visitor_cancels_own_ticket(client: TestClient) -> None:
    ticket = client.post(f"{OFFICE}/tickets", json={"service": "D", **FROM_AFAR}).json()
    cancelled = client.post(f"/api/v1/tickets/{ticket['token']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["ticket"]["status"] == "cancelled"
    again = client.post(f"/api/v1/tickets/{ticket['token']}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_malformed_input_never_500(client: TestClient) -> None:
    kiosk = device(client, "kiosk")
    cases = [
        (b"{bad json", {"content-type": "application/json"}),
        (b'{"service": 5}', {"content-type": "application/json"}),
        (b'{"service": "A", "priority_group": "vip"}', {"content-type": "application/json"}),
        (b'{"service": "A", "extra": 1}', {"content-type": "application/json"}),
        (b'{"service": "ZZ"}', {"content-type": "application/json"}),
        (b'{"service": "A" , "language": "fr"}', {"content-type": "application/json"}),
        (b"service=A", {"content-type": "application/x-www-form-urlencoded"}),
        (b"[]", {"content-type": "application/json"}),
    ]
    for body, headers in cases:
        response = client.post(f"{OFFICE}/tickets", content=body, headers={**kiosk, **headers})
        assert 400 <= response.status_code < 500, (body, response.status_code, response.text)
        assert {"code", "message", "messages"} <= response.json().keys()
    assert client.get("/api/v1/offices/nowhere/snapshot", headers=kiosk).status_code == 404
    bad_token = {"Authorization": "Bearer nope"}
    assert (
        client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=bad_token).status_code
        == 401
    )


def test_errors_default_to_indonesian(client: TestClient) -> None:
    response = client.post(f"{OFFICE}/tickets", json={"service": "A"})
    body = response.json()
    assert body["message"] == body["messages"]["id"]
    assert "antrean" in body["messages"]["id"].lower()


def test_snapshot_needs_a_device_or_staff_and_has_no_personal_data(client: TestClient) -> None:
    kiosk = device(client, "kiosk")
    client.post(f"{OFFICE}/tickets", json={"service": "A", "phone": "081234567890"}, headers=kiosk)
    assert client.get(f"{OFFICE}/snapshot").status_code == 401
    snap = client.get(f"{OFFICE}/snapshot", headers=device(client, "display", "tv")).json()
    assert snap["version"] >= 1
    assert {s["code"]: s["waiting"] for s in snap["services"]} == {"A": 1, "B": 0, "C": 0, "D": 0}
    assert [c["number"] for c in snap["counters"]] == [1, 2, 3, 4]
    assert "0812" not in str(snap) and "7890" not in str(snap)
