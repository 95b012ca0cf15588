"""Acceptance: many kiosks and many counters at once, through real server processes.

SQLite runs one server process; PostgreSQL runs two processes sharing one database, with the
clients alternating between them. Every state change must get exactly one office version and
every ticket exactly one number.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from queue_server.testing import ServerProcess

OFFICE = "winongan"
ADMIN_PASSWORD = "kunci-kantor-1"
DEMO_PASSWORD = "rahasia-demo-1"
SERVER_ENV = {"ANTREAN_ADMIN_PASSWORD": ADMIN_PASSWORD, "ANTREAN_DEMO_PASSWORD": DEMO_PASSWORD}
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)
LOAD_DEADLINE = 120.0  # seconds for one whole phase of concurrent requests

pytestmark = pytest.mark.slow

BACKENDS = [
    pytest.param(("sqlite", 1), id="sqlite"),
    pytest.param(("postgresql", 2), id="postgresql-2proc", marks=pytest.mark.postgres),
]


# ---- servers and clients ----
@pytest.fixture
def servers(request: pytest.FixtureRequest, databases: Any) -> Iterator[list[ServerProcess]]:
    """`processes` servers on one fresh database; the first seeds it before the others start."""
    kind, processes = request.param
    url = databases.new(kind)
    with ExitStack() as stack:
        started = []
        for _ in range(processes):
            server = ServerProcess(url, env=SERVER_ENV)
            stack.callback(server.stop)
            started.append(server.start())  # healthy (migrated + seeded) before the next
        yield started


def session(limit: int) -> aiohttp.ClientSession:
    # No cookie jar: the login cookie must not leak between the users sharing a session.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=REQUEST_TIMEOUT,
    )


async def login(http: aiohttp.ClientSession, base: str, username: str, password: str) -> dict:
    body = {"username": username, "password": password}
    async with http.post(f"{base}/api/v1/auth/login", json=body) as response:
        assert response.status == 200, await response.text()
        return {"Authorization": f"Bearer {(await response.json())['token']}"}


async def admin_post(http: aiohttp.ClientSession, base: str, admin: dict, path: str, body: dict):
    async with http.post(f"{base}/api/v1{path}", json=body, headers=admin) as response:
        assert response.status == 201, (path, response.status, await response.text())
        return await response.json()


async def kiosk(http: aiohttp.ClientSession, base: str) -> dict:
    admin = await login(http, base, "admin", ADMIN_PASSWORD)
    device = await admin_post(
        http, base, admin, f"/offices/{OFFICE}/devices", {"kind": "kiosk", "name": "kiosk"}
    )
    return {"Authorization": f"Bearer {device['token']}"}


async def take(
    http: aiohttp.ClientSession, base: str, headers: dict, service: str
) -> tuple[int, Any]:
    """One ticket request: (status, JSON body or text); transport errors give status 0."""
    try:
        async with http.post(
            f"{base}/api/v1/offices/{OFFICE}/tickets", json={"service": service}, headers=headers
        ) as response:
            if response.status == 201:
                return 201, await response.json()
            return response.status, await response.text()
    except (aiohttp.ClientError, TimeoutError) as exc:
        return 0, repr(exc)


async def issue_load(
    http: aiohttp.ClientSession, bases: list[str], headers: dict, plan: list[list[str]]
) -> list[tuple[int, Any]]:
    """Each issuer takes its planned services one after another, hopping between servers."""

    async def issuer(i: int, services: list[str]) -> list[tuple[int, Any]]:
        return [
            await take(http, bases[(i + k) % len(bases)], headers, service)
            for k, service in enumerate(services)
        ]

    per_issuer = await asyncio.wait_for(
        asyncio.gather(*(issuer(i, services) for i, services in enumerate(plan))),
        LOAD_DEADLINE,
    )
    return [result for results in per_issuer for result in results]


def failures(results: list[tuple[int, Any]], expected: int) -> list[tuple[int, Any]]:
    return [(status, body) for status, body in results if status != expected]


def summary(bad: list[tuple[int, Any]]) -> str:
    """The distinct failures with how often each came (bodies shortened)."""
    kinds = Counter((status, str(body)[:160]) for status, body in bad)
    return "; ".join(f"{n}x {status} {body}" for (status, body), n in kinds.most_common(5))


# ---- what the database says ----
def db_rows(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            office = conn.execute(
                text("SELECT id FROM offices WHERE slug = :slug"), {"slug": OFFICE}
            ).scalar_one()
            return list(conn.execute(text(sql), {"office": office}).all())
    finally:
        engine.dispose()


def assert_versions_gap_free(url: str) -> list[Any]:
    """The office's event versions are exactly 1..max; return the events (version, type, id)."""
    events = db_rows(
        url,
        "SELECT version, type, ticket_id FROM ticket_events WHERE office_id = :office"
        " ORDER BY version",
    )
    versions = [int(e.version) for e in events]
    duplicates = [v for v, n in Counter(versions).items() if n > 1]
    assert not duplicates, f"duplicate event versions: {duplicates[:20]}"
    assert versions == list(range(1, len(versions) + 1)), (
        f"event versions have gaps: {sorted(set(range(1, max(versions) + 1)) - set(versions))[:20]}"
    )
    (office_version,) = db_rows(url, "SELECT version FROM offices WHERE id = :office")
    assert int(office_version[0]) == len(versions), "office version differs from its event log"
    return events


def assert_numbering(url: str) -> list[Any]:
    """Numbers are unique, formatted prefix + 3+ digits, and per service and day seq is 1..n."""
    rows = db_rows(
        url,
        "SELECT id, token, number, seq, origin_service, service_date, status FROM tickets"
        " WHERE office_id = :office",
    )
    by_day = Counter((r.service_date, r.number) for r in rows)
    assert not [k for k, n in by_day.items() if n > 1], "duplicate numbers in the database"
    seqs: dict[tuple[Any, str], list[int]] = defaultdict(list)
    for r in rows:
        assert r.number == f"{r.origin_service}{r.seq:03d}", r  # demo prefixes equal the codes
        seqs[(r.service_date, r.origin_service)].append(int(r.seq))
    for key, found in seqs.items():
        assert sorted(found) == list(range(1, len(found) + 1)), f"seq gaps or dups in {key}"
    return rows


# ---- 1a: many kiosks at once ----
ISSUERS = 20
PER_ISSUER = 100  # 2,000 tickets: 12 issuers in A (1,200, so A1000.. are printed), 8 in B


@pytest.mark.parametrize("servers", BACKENDS, indirect=True)
def test_concurrent_issuing_numbers_every_ticket_once(servers: list[ServerProcess]) -> None:
    bases = [s.url for s in servers]
    plan = [["A" if i % 5 < 3 else "B"] * PER_ISSUER for i in range(ISSUERS)]

    async def run() -> list[tuple[int, Any]]:
        async with session(ISSUERS + 5) as http:
            headers = await kiosk(http, bases[0])
            return await issue_load(http, bases, headers, plan)

    started = time.monotonic()
    results = asyncio.run(run())
    elapsed = time.monotonic() - started
    total = ISSUERS * PER_ISSUER

    bad = failures(results, 201)
    assert not bad, f"{len(bad)} of {total} requests failed, {summary(bad)}"
    assert len(results) == total
    tickets = [body for _status, body in results]
    numbers = Counter(t["number"] for t in tickets)
    assert not [n for n, c in numbers.items() if c > 1], "a number was handed out twice"
    assert len({t["token"] for t in tickets}) == total
    expected = Counter(s for services in plan for s in services)
    for service, count in expected.items():
        wanted = {f"{service}{seq:03d}" for seq in range(1, count + 1)}
        assert {n for n in numbers if n.startswith(service)} == wanted, f"gaps in {service}"
    assert "A1000" in numbers and "A999" in numbers and "A1200" in numbers

    rows = assert_numbering(servers[0].database_url)
    assert {r.token: r.number for r in rows} == {t["token"]: t["number"] for t in tickets}
    assert all(r.status == "waiting" for r in rows)
    events = assert_versions_gap_free(servers[0].database_url)
    issued = [e.ticket_id for e in events if e.type == "ticket_issued"]
    assert sorted(issued) == sorted(r.id for r in rows)
    print(f"\n{len(servers)} process(es): {total} tickets in {elapsed:.1f}s")


# ---- 1b: many counters calling at once ----
COUNTERS = 10
FIRST_COUNTER = 11
TICKETS = 300
OFFICER_PASSWORD = "loket-rahasia-1"


def officer_body(counter: int) -> dict:
    return {
        "username": f"loket{counter}",
        "password": OFFICER_PASSWORD,
        "role": "officer",
        "office": OFFICE,
    }


async def call_until_empty(
    http: aiohttp.ClientSession, base: str, officer: dict, counter: int, limit: int
) -> list[tuple[int, Any]]:
    """Call next until this counter hears 204 (nobody waits); bounded by `limit` calls."""
    results: list[tuple[int, Any]] = []
    url = f"{base}/api/v1/offices/{OFFICE}/counters/{counter}/call-next"
    for _ in range(limit):
        try:
            async with http.post(url, headers=officer) as response:
                if response.status == 200:
                    body = await response.json()
                else:
                    body = await response.text()
                results.append((response.status, body))
        except (aiohttp.ClientError, TimeoutError) as exc:
            results.append((0, repr(exc)))
            break
        if results[-1][0] != 200:
            break
    return results


@pytest.mark.parametrize("servers", BACKENDS, indirect=True)
def test_counters_calling_at_once_never_call_a_ticket_twice(servers: list[ServerProcess]) -> None:
    bases = [s.url for s in servers]
    numbers = range(FIRST_COUNTER, FIRST_COUNTER + COUNTERS)
    issuers = 10
    plan = [["A" if i % 2 else "B"] * (TICKETS // issuers) for i in range(issuers)]

    async def run() -> tuple[list[tuple[int, Any]], list[list[tuple[int, Any]]]]:
        async with session(2 * COUNTERS + 5) as http:
            base = bases[0]
            admin = await login(http, base, "admin", ADMIN_PASSWORD)
            for n in numbers:
                counter = {"number": n, "name": f"Loket {n}", "services": ["A", "B"]}
                await admin_post(http, base, admin, f"/offices/{OFFICE}/counters", counter)
            # Password hashing is slow on purpose: create and sign in the officers in parallel.
            await asyncio.gather(
                *(admin_post(http, base, admin, "/users", officer_body(n)) for n in numbers)
            )
            tokens = await asyncio.gather(
                *(
                    login(http, bases[i % len(bases)], f"loket{n}", OFFICER_PASSWORD)
                    for i, n in enumerate(numbers)
                )
            )
            officers = dict(zip(numbers, tokens, strict=True))
            for i, n in enumerate(numbers):
                at = bases[i % len(bases)]
                async with http.post(
                    f"{at}/api/v1/offices/{OFFICE}/counters/{n}/open", headers=officers[n]
                ) as response:
                    assert response.status == 200, await response.text()
                    assert (await response.json())["counter"]["officer"] == f"loket{n}"
            issued = await issue_load(http, bases, await kiosk(http, base), plan)
            calls = await asyncio.wait_for(
                asyncio.gather(
                    *(
                        call_until_empty(http, bases[i % len(bases)], officers[n], n, TICKETS + 5)
                        for i, n in enumerate(numbers)
                    )
                ),
                LOAD_DEADLINE,
            )
            return issued, calls

    started = time.monotonic()
    issued, calls = asyncio.run(run())
    elapsed = time.monotonic() - started

    bad = failures(issued, 201)
    assert not bad, f"{len(bad)} of {TICKETS} ticket requests failed, {summary(bad)}"
    every_call = [result for results in calls for result in results]
    server_errors = [(s, b) for s, b in every_call if s >= 500 or s == 0]
    assert not server_errors, f"{len(server_errors)} calls failed, {summary(server_errors)}"
    for n, results in zip(numbers, calls, strict=True):
        statuses = [status for status, _ in results]
        assert statuses[-1] == 204, f"counter {n} never heard 204: {results[-3:]}"
        assert set(statuses[:-1]) <= {200}, f"counter {n}: {[r for r in results if r[0] != 200]}"
    called = Counter(body["ticket"]["number"] for status, body in every_call if status == 200)
    assert not [n for n, c in called.items() if c > 1], "a ticket was called to two counters"
    assert set(called) == {body["number"] for _, body in issued}

    rows = assert_numbering(servers[0].database_url)
    assert len(rows) == TICKETS
    events = assert_versions_gap_free(servers[0].database_url)
    called_ids = Counter(e.ticket_id for e in events if e.type == "ticket_called")
    assert not [t for t, c in called_ids.items() if c > 1], "ticket_called twice for a ticket"
    assert sum(called_ids.values()) == TICKETS
    assert set(called_ids) == {r.id for r in rows}
    # each counter's last call-next finished its visitor, so the whole day is served
    assert Counter(r.status for r in rows) == {"done": TICKETS}
    print(f"\n{len(servers)} process(es): {TICKETS} tickets called by {COUNTERS} in {elapsed:.1f}s")
