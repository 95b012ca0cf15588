"""Rate limits: a lockout after failed sign-ins, and 429 with Retry-After on public endpoints."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from queue_server.api.app import create_app
from queue_server.clock import FrozenClock
from queue_server.config import Settings
from queue_server.store.db import Database
from tests.conftest import DEMO_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
LOGIN = "/api/v1/auth/login"


@pytest.fixture
def limited(database: Database, clock: FrozenClock, demo_office: int) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database.url,
        limit_login_user="3/1second",
        limit_login_address="6/1second",
        limit_tickets_device="3/minute",
        limit_chat_phone="2/minute",
        limit_track_address="4/minute",
    )
    app = create_app(settings, clock=clock, database=database, rollover_every=None)
    with TestClient(app) as client:
        yield client


def test_failed_sign_ins_lock_the_username_out_for_a_while(limited: TestClient) -> None:
    wrong = {"username": "petugas1", "password": "salah-sandi"}
    assert [limited.post(LOGIN, json=wrong).status_code for _ in range(3)] == [401] * 3
    locked = limited.post(LOGIN, json={"username": "petugas1", "password": DEMO_PASSWORD})
    assert locked.status_code == 429  # even the right password, while locked out
    assert locked.json()["code"] == "locked_out" and int(locked.headers["Retry-After"]) >= 1
    assert "dikunci sementara" in locked.json()["messages"]["id"]
    assert "locked" in locked.json()["messages"]["en"]
    assert (
        limited.post(LOGIN, json={"username": "petugas2", "password": DEMO_PASSWORD}).status_code
        == 200
    )
    time.sleep(1.1)  # the window moves on
    assert (
        limited.post(LOGIN, json={"username": "petugas1", "password": DEMO_PASSWORD}).status_code
        == 200
    )


def test_failed_sign_ins_from_one_address_lock_it_out(limited: TestClient) -> None:
    for n in range(6):  # a different username each time: guessing across accounts
        assert (
            limited.post(LOGIN, json={"username": f"tamu{n}", "password": "x"}).status_code == 401
        )
    again = limited.post(LOGIN, json={"username": "petugas3", "password": DEMO_PASSWORD})
    assert again.status_code == 429 and again.json()["code"] == "locked_out"


def test_a_kiosk_takes_a_limited_number_of_tickets_a_minute(limited: TestClient) -> None:
    kiosk = device(limited, "kiosk")
    taken = [limited.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
             for _ in range(4)]  # fmt: skip
    assert [r.status_code for r in taken] == [201, 201, 201, 429]
    refused = taken[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["messages"]["id"].startswith("Terlalu banyak permintaan")
    other = device(limited, "kiosk", name="kios-2")  # each kiosk counts its own
    assert (
        limited.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=other).status_code == 201
    )
    officer = login(limited, "petugas1")  # staff taking tickets for visitors are not limited
    for _ in range(4):
        assert (
            limited.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=officer).status_code
            == 201
        )


def test_following_a_ticket_is_limited_per_address(limited: TestClient) -> None:
    kiosk = device(limited, "kiosk")
    token = limited.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()["token"]
    reads = [limited.get(f"/api/v1/tickets/{token}").status_code for _ in range(5)]
    assert reads == [200, 200, 200, 200, 429]


def test_signing_out_everywhere_ends_every_session(limited: TestClient) -> None:
    phone = login(limited, "petugas1")
    desk = login(limited, "petugas1")
    other = login(limited, "petugas2")
    ended = limited.post("/api/v1/auth/logout-everywhere", headers=desk)
    assert ended.status_code == 200 and ended.json() == {"ended": 2}
    for headers in (phone, desk):
        assert limited.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert limited.get("/api/v1/auth/me", headers=other).status_code == 200  # others stay in
