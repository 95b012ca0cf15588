"""Rate limits: a lockout after failed sign-ins, and 429 with Retry-After on public endpoints."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from queue_server.api.app import create_app
from queue_server.api.errors import ApiError
from queue_server.clock import FrozenClock
from queue_server.config import Settings
from queue_server.store.db import Database
from tests.conftest import ADMIN_PASSWORD, DEMO_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
LOGIN = "/api/v1/auth/login"


@pytest.fixture
def limited(database: Database, clock: FrozenClock, demo_office: int) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database.url,
        limit_login_user="3/4seconds",  # wide enough for three slow password checks
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
    time.sleep(4.1)  # the window moves on
    assert (
        limited.post(LOGIN, json={"username": "petugas1", "password": DEMO_PASSWORD}).status_code
        == 200
    )


def test_failed_sign_ins_from_one_address_lock_it_out(
    database: Database, clock: FrozenClock, demo_office: int
) -> None:
    # An hour's window (not a second's): six slow password checks fit in it on a busy machine.
    settings = Settings(database_url=database.url, limit_login_address="6/hour")
    app = create_app(settings, clock=clock, database=database, rollover_every=None)
    with TestClient(app) as client:
        for n in range(6):  # a different username each time: guessing across accounts
            wrong = client.post(LOGIN, json={"username": f"tamu{n}", "password": "x"})
            assert wrong.status_code == 401
        again = client.post(LOGIN, json={"username": "petugas3", "password": DEMO_PASSWORD})
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


def _second_office(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    """Office "grati" with one service A (taken from phones too); its kiosk's headers."""
    made = client.post("/api/v1/offices", json={"slug": "grati", "name": "Kecamatan Grati"},
                       headers=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    service = {"code": "A", "prefix": "A", "name_id": "KTP", "name_en": "ID card",
               "remote_allowed": True}  # fmt: skip
    assert client.post("/api/v1/offices/grati/services", json=service,
                       headers=admin).status_code == 201  # fmt: skip
    kiosk = client.post("/api/v1/offices/grati/devices", json={"kind": "kiosk", "name": "k"},
                        headers=admin)  # fmt: skip
    return {"Authorization": f"Bearer {kiosk.json()['token']}"}


def test_an_office_sets_its_own_kiosk_limit_and_spends_only_its_own(
    limited: TestClient,
) -> None:
    admin = login(limited, "admin", ADMIN_PASSWORD)
    grati_kiosk = _second_office(limited, admin)
    changed = limited.patch(OFFICE, json={"limits": {"tickets_device": "2/minute"}}, headers=admin)
    assert changed.status_code == 200, changed.text
    kiosk = device(limited, "kiosk")
    taken = [limited.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
             for _ in range(3)]  # fmt: skip
    assert [r.status_code for r in taken] == [201, 201, 429]  # at once: no restart
    assert 1 <= int(taken[-1].headers["Retry-After"]) <= 60
    # The other office keeps the server's limit (3 a minute here).
    grati = [limited.post("/api/v1/offices/grati/tickets", json={"service": "A"},
                          headers=grati_kiosk).status_code for _ in range(4)]  # fmt: skip
    assert grati == [201, 201, 201, 429]
    # Raised again: the kiosk takes more at once.
    limited.patch(OFFICE, json={"limits": {"tickets_device": "10/minute"}}, headers=admin)
    assert limited.post(f"{OFFICE}/tickets", json={"service": "A"},
                        headers=kiosk).status_code == 201  # fmt: skip


def _afar(n: int) -> dict[str, Any]:
    """What a phone gives to take a ticket from afar (a phone of its own each time)."""
    return {"phone": f"08123456{n:04d}", "notify_consent": True}


def test_phone_tickets_are_counted_per_office(
    database: Database, clock: FrozenClock, demo_office: int
) -> None:
    settings = Settings(database_url=database.url, limit_tickets_address="2/minute")
    app = create_app(settings, clock=clock, database=database, rollover_every=None)
    with TestClient(app) as client:
        admin = login(client, "admin", ADMIN_PASSWORD)
        _second_office(client, admin)
        client.patch(f"{OFFICE}/services/A", json={"remote_allowed": True}, headers=admin)
        for office in (OFFICE, "/api/v1/offices/grati"):  # the same address at both offices
            got = [client.post(f"{office}/tickets", json={"service": "A", **_afar(n)}).status_code
                   for n in range(3)]  # fmt: skip
            assert got == [201, 201, 429], office
        client.patch(f"{OFFICE}", json={"limits": {"tickets_address": "5/minute"}}, headers=admin)
        assert client.post(f"{OFFICE}/tickets",
                           json={"service": "A", **_afar(4)}).status_code == 201  # fmt: skip


def test_guessing_ticket_tokens_is_limited_too(limited: TestClient) -> None:
    reads = [limited.get(f"/api/v1/tickets/tebakan-{n}").status_code for n in range(5)]
    assert reads == [404, 404, 404, 404, 429]


def test_an_office_sets_its_own_tracking_limit(limited: TestClient) -> None:
    admin = login(limited, "admin", ADMIN_PASSWORD)
    limited.patch(OFFICE, json={"limits": {"track_address": "2/minute"}}, headers=admin)
    kiosk = device(limited, "kiosk")
    token = limited.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()["token"]
    reads = [limited.get(f"/api/v1/tickets/{token}").status_code for _ in range(3)]
    assert reads == [200, 200, 429]


def test_the_public_office_list_is_limited_per_address(limited: TestClient) -> None:
    answers = [limited.get("/api/v1/offices-public").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]


def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_workers_share_counts_through_redis() -> None:
    """Several workers (or hosts) count in Redis: what one counted, the other sees. The Redis
    client is a dependency, so the setting works on a fresh install."""
    from queue_server.api.limits import Gate

    url = "redis://127.0.0.1:6379/15"
    settings = Settings(rate_limit_storage=url, limit_tickets_address="2/minute")
    one, two = Gate(settings), Gate(settings)  # constructing needs the client library only
    if not _redis_up(url):
        pytest.skip("no Redis on 127.0.0.1:6379")
    key = f"test-{time.time_ns()}"
    item = one.limits.tickets_address
    assert one.allow(item, key)
    assert two.allow(item, key)
    assert not one.allow(item, key)  # the third, on either worker, is over the limit
    one.clear(item, key)


def test_a_rate_limit_store_that_stops_answering_does_not_stop_the_office(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Redis down: limits are counted per worker (still refusing past them) instead of every
    limited request answering 500; the shared store is tried again after a while."""
    from queue_server.api.limits import RETRY_SHARED, Gate

    now = [1000.0]
    settings = Settings(
        rate_limit_storage="redis://127.0.0.1:1/0", limit_tickets_address="2/minute"
    )
    gate = Gate(settings, clock=lambda: now[0])
    item = gate.limits.tickets_address
    with caplog.at_level("WARNING", logger="queue_server.api.limits"):
        assert gate.allow(item, "a") and gate.allow(item, "a")
        assert not gate.allow(item, "a")  # still limited, in this worker's memory
    assert gate.degraded
    assert sum("not answering" in r.getMessage() for r in caplog.records) == 1  # said once
    with pytest.raises(ApiError) as refused:
        gate.check(item, "a")
    assert refused.value.status == 429 and "Retry-After" in (refused.value.headers or {})
    now[0] += RETRY_SHARED + 1  # time to try the shared store again: still down, still counting
    assert not gate.allow(item, "a")
    assert gate.degraded


def test_health_says_when_limits_are_counted_per_worker(
    database: Database, clock: FrozenClock, demo_office: int
) -> None:
    settings = Settings(database_url=database.url, rate_limit_storage="redis://127.0.0.1:1/0")
    app = create_app(settings, clock=clock, database=database, rollover_every=None)
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok", "rate_limits": "shared"}
        answers = [client.get("/api/v1/offices-public").status_code for _ in range(2)]
        assert answers == [200, 200]  # not 500
        assert client.get("/healthz").json()["rate_limits"] == "per_worker"
