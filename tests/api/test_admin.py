"""Administration through the API: offices, services, counters, users, devices."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"


def test_service_and_counter_changes_reach_the_live_queue(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    made = client.post(
        f"{OFFICE}/services",
        json={
            "code": "E",
            "prefix": "E",
            "name_id": "Legalisir",
            "name_en": "Certified copies",
            "documents": ["Dokumen asli", "Fotokopi dokumen"],
            "target_minutes": 5,
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    kiosk = device(client, "kiosk")
    ticket = client.post(f"{OFFICE}/tickets", json={"service": "E"}, headers=kiosk)
    assert ticket.json()["number"] == "E001"
    counter = client.post(
        f"{OFFICE}/counters",
        json={"number": 5, "name": "Loket 5", "services": ["E"]},
        headers=admin,
    )
    assert counter.status_code == 201
    officer = login(client, "petugas1")
    client.post(f"{OFFICE}/counters/5/open", headers=officer)
    called = client.post(f"{OFFICE}/counters/5/call-next", headers=officer)
    assert called.json()["ticket"]["number"] == "E001"
    dup = client.post(
        f"{OFFICE}/counters", json={"number": 5, "name": "Lagi", "services": ["E"]}, headers=admin
    )
    assert dup.status_code == 409
    unknown = client.post(
        f"{OFFICE}/counters", json={"number": 6, "name": "X", "services": ["Q"]}, headers=admin
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_service"
    public = client.get(f"{OFFICE}/services").json()
    assert {s["code"] for s in public} == {"A", "B", "C", "D", "E"}
    assert public[0]["documents"]


def test_roles_guard_administration(client: TestClient) -> None:
    officer = login(client, "petugas1")
    body = {"code": "Z", "prefix": "Z", "name_id": "Z", "name_en": "Z"}
    assert client.post(f"{OFFICE}/services", json=body, headers=officer).status_code == 403
    assert client.post(f"{OFFICE}/services", json=body).status_code == 401
    kiosk = device(client, "kiosk")
    assert client.post(f"{OFFICE}/services", json=body, headers=kiosk).status_code == 403
    assert client.get("/api/v1/users", headers=officer).status_code == 403
    admin = login(client, "admin", ADMIN_PASSWORD)
    made = client.post(
        "/api/v1/users",
        json={
            "username": "kasi",
            "password": "pelayanan-prima-7",
            "role": "supervisor",
            "office": "winongan",
        },
        headers=admin,
    )
    assert made.status_code == 201
    supervisor = login(client, "kasi", "pelayanan-prima-7")
    assert client.post(f"{OFFICE}/services", json=body, headers=supervisor).status_code == 201
    assert client.get("/api/v1/users", headers=supervisor).status_code == 403
    weak = client.post(
        "/api/v1/users",
        json={"username": "x1", "password": "short", "role": "officer", "office": "winongan"},
        headers=admin,
    )
    assert weak.status_code == 422


def test_revoked_device_and_logout_lose_access(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    made = client.post(
        f"{OFFICE}/devices", json={"kind": "display", "name": "TV lobi"}, headers=admin
    )
    token = made.json()["token"]
    tv = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{OFFICE}/snapshot", headers=tv).status_code == 200
    listed = client.get(f"{OFFICE}/devices", headers=admin).json()
    assert all("token" not in d for d in listed)
    assert client.delete(f"{OFFICE}/devices/{made.json()['id']}", headers=admin).status_code == 204
    assert client.get(f"{OFFICE}/snapshot", headers=tv).status_code == 401
    officer = login(client, "petugas1")
    assert client.post("/api/v1/auth/logout", headers=officer).status_code == 204
    assert client.get("/api/v1/auth/me", headers=officer).status_code == 401


def test_login_refusals_and_cookie_needs_csrf_header(client: TestClient) -> None:
    wrong = client.post("/api/v1/auth/login", json={"username": "petugas1", "password": "salah"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    nobody = client.post("/api/v1/auth/login", json={"username": "siapa", "password": "salah"})
    assert nobody.status_code == 401
    ok = client.post(
        "/api/v1/auth/login", json={"username": "petugas1", "password": "rahasia-demo-1"}
    )
    assert ok.status_code == 200 and "antrean_session" in ok.cookies
    assert client.get("/api/v1/auth/me").json()["name"] == "petugas1"  # cookie works for reads
    refused = client.post(f"{OFFICE}/counters/1/open")
    assert refused.status_code == 403
    allowed = client.post(f"{OFFICE}/counters/1/open", headers={"X-Requested-With": "antrean"})
    assert allowed.status_code == 200
    client.cookies.clear()


def test_invalid_admin_input_is_refused_cleanly(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    bad = [
        ("/api/v1/offices", {"slug": "x y", "name": "X"}),
        ("/api/v1/offices", {"slug": "ok", "name": "X", "timezone": "Mars/Olympus"}),
        ("/api/v1/offices", {"slug": "ok2", "name": "X", "closed_dates": ["2026-13-40"]}),
        ("/api/v1/offices", {"slug": "ok3", "name": "X", "hours": {"9": {"opens": "08:00"}}}),
        ("/api/v1/offices", {"slug": "ok4", "name": "X", "hours": {"1": {"opens": "25:00"}}}),
        (f"{OFFICE}/services", {"code": "A", "prefix": "A", "name_id": "x", "name_en": "x"}),
        (f"{OFFICE}/services", {"code": "Q", "prefix": "q1", "name_id": "x", "name_en": "x"}),
        (f"{OFFICE}/devices", {"kind": "counter", "name": "no counter"}),
        (f"{OFFICE}/devices", {"kind": "toaster", "name": "x"}),
    ]
    for path, body in bad:
        response = client.post(path, json=body, headers=admin)
        assert response.status_code in (409, 422), (path, body, response.status_code, response.text)
        assert response.json()["messages"]["id"]


@pytest.mark.parametrize(
    "password",
    ["pendek-1", "password123", "Rahasia2026!", "1234567890", "aaaaaaaaaaaa", "budi-kecamatan-9x"],
)
def test_weak_passwords_are_refused_in_both_languages(client: TestClient, password: str) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    body = {"username": "budi", "password": password, "role": "officer", "office": "winongan"}
    made = client.post("/api/v1/users", headers=admin, json=body)
    assert made.status_code == 422
    if len(password) >= 8:  # shorter ones the schema refuses before the rules see them
        assert made.json()["code"] == "weak_password", password
        assert "minimal 10 karakter" in made.json()["messages"]["id"]
        assert "at least 10 characters" in made.json()["messages"]["en"]


def test_a_good_password_and_a_weak_change(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    made = client.post("/api/v1/users", headers=admin, json={
        "username": "budi", "password": "sapi-kuning-terbang-3", "role": "officer",
        "office": "winongan"})  # fmt: skip
    assert made.status_code == 201
    changed = client.patch(f"/api/v1/users/{made.json()['id']}", headers=admin,
                           json={"password": "budi-budi-budi"})  # fmt: skip
    assert changed.status_code == 422 and changed.json()["code"] == "weak_password"


def test_two_active_services_never_share_a_prefix(client: TestClient) -> None:
    """Same prefix, same numbers: "A015" would be called for two visitors in one lobby."""
    admin = login(client, "admin", ADMIN_PASSWORD)
    body = {"code": "IMB", "prefix": "A", "name_id": "Izin", "name_en": "Permit"}
    refused = client.post(f"{OFFICE}/services", json=body, headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "prefix_taken"
    assert refused.json()["details"][0]["loc"] == ["body", "prefix"]
    assert "IMB" not in {s["code"] for s in client.get(f"{OFFICE}/services").json()}
    body["prefix"] = "P"
    assert client.post(f"{OFFICE}/services", json=body, headers=admin).status_code == 201
    moved = client.patch(f"{OFFICE}/services/IMB", json={"prefix": "B"}, headers=admin)
    assert moved.status_code == 409 and "B" in moved.json()["message"]
    # An inactive service keeps its letter but blocks no one; it cannot come back on a taken one.
    assert client.delete(f"{OFFICE}/services/IMB", headers=admin).status_code == 204
    assert client.patch(f"{OFFICE}/services/A", json={"prefix": "P"}, headers=admin).is_success
    back = client.patch(f"{OFFICE}/services/IMB", json={"active": True}, headers=admin)
    assert back.status_code == 409
    service = {s["code"]: s for s in client.get(f"{OFFICE}/services").json()}["IMB"]
    assert service["active"] is False and service["prefix"] == "P"
