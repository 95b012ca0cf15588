"""Acceptance: a server killed (SIGKILL) in the middle of a rush loses no ticket it handed out.

Every 201 the kiosks received before the kill must survive a restart with the same number, and
numbering must continue after the restart without giving any number out a second time.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest

from queue_server.testing import ServerProcess

from .test_concurrency import (
    LOAD_DEADLINE,
    SERVER_ENV,
    assert_numbering,
    assert_versions_gap_free,
    failures,
    issue_load,
    kiosk,
    session,
    summary,
    take,
)

pytestmark = pytest.mark.slow

ISSUERS = 20
MAX_PER_ISSUER = 300  # bounds the load if the kill never comes
KILL_AFTER_TICKETS = 300
KILL_AFTER_SECONDS = 2.5
AFTER_RESTART = 10 * 20  # tickets taken once the server is back


def service_of(i: int) -> str:
    return "A" if i % 2 else "B"


async def load_then_kill(server: ServerProcess) -> tuple[list[dict], list, int, float]:
    """Issue tickets from ISSUERS kiosks and SIGKILL the server mid-load.

    Return the 201 bodies received, requests that failed before the kill (should be none), how
    many failed after it, and when the kill came (seconds into the load).
    """
    got: list[dict] = []
    failed_before: list[tuple[int, Any]] = []
    failed_after: list[tuple[int, Any]] = []
    killed = asyncio.Event()

    async with session(ISSUERS + 5) as http:
        headers = await kiosk(http, server.url)
        started = time.monotonic()

        async def issuer(i: int) -> None:
            for _ in range(MAX_PER_ISSUER):
                was_killed = killed.is_set()
                status, body = await take(http, server.url, headers, service_of(i))
                if status == 201:
                    got.append(body)
                elif status == 0 and (was_killed or killed.is_set()):
                    failed_after.append((status, body))
                    return  # the server is gone
                else:
                    failed_before.append((status, body))  # an HTTP error is never expected
                    if killed.is_set():
                        return

        async def killer() -> float:
            deadline = started + KILL_AFTER_SECONDS
            while len(got) < KILL_AFTER_TICKETS and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            killed.set()
            at = time.monotonic() - started
            await asyncio.to_thread(server.kill)
            return at

        kill_task = asyncio.create_task(killer())
        await asyncio.wait_for(asyncio.gather(*(issuer(i) for i in range(ISSUERS))), LOAD_DEADLINE)
        kill_at = await kill_task
    return got, failed_before, len(failed_after), kill_at


async def track_all(base: str, tokens: list[str]) -> list[tuple[int, Any]]:
    async with session(ISSUERS) as http:
        limit = asyncio.Semaphore(ISSUERS)

        async def track(token: str) -> tuple[int, Any]:
            async with limit, http.get(f"{base}/api/v1/tickets/{token}") as response:
                if response.status == 200:
                    return 200, await response.json()
                return response.status, await response.text()

        return await asyncio.wait_for(asyncio.gather(*(track(t) for t in tokens)), LOAD_DEADLINE)


async def issue_after(base: str) -> list[tuple[int, Any]]:
    async with session(ISSUERS) as http:
        plan = [[service_of(i)] * 20 for i in range(AFTER_RESTART // 20)]
        return await issue_load(http, [base], await kiosk(http, base), plan)


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def test_sigkill_mid_load_loses_no_ticket_that_got_201(kind: str, databases: Any) -> None:
    url = databases.new(kind)
    server = ServerProcess(url, env=SERVER_ENV)
    try:
        server.start()
        got, failed_before, failed_after, kill_at = asyncio.run(load_then_kill(server))
        assert not failed_before, (
            f"{len(failed_before)} failed before the kill: {summary(failed_before)}"
        )
        assert got, "no ticket was issued before the kill"
        assert failed_after, "the kill came after the load had finished: nothing was in flight"
        assert server.proc is not None and server.proc.returncode is not None

        restart = time.monotonic()
        server.start()
        restarted_in = time.monotonic() - restart

        # every ticket that got a 201 is still there, with the number printed on it
        tracked = asyncio.run(track_all(server.url, [t["token"] for t in got]))
        lost = [
            (t["number"], status, body)
            for t, (status, body) in zip(got, tracked, strict=True)
            if status != 200 or body["number"] != t["number"]
        ]
        assert not lost, f"{len(lost)} of {len(got)} issued tickets lost: {lost[:5]}"
        rows = assert_numbering(url)
        in_db = {r.token: r.number for r in rows}
        assert all(in_db.get(t["token"]) == t["number"] for t in got)
        assert len(rows) >= len(got)  # plus any committed whose answer the kill cut off

        # numbering continues after the restart and never repeats a number
        after = asyncio.run(issue_after(server.url))
        bad = failures(after, 201)
        assert not bad, f"{len(bad)} of {AFTER_RESTART} failed after the restart: {summary(bad)}"
        numbers = Counter([t["number"] for t in got] + [body["number"] for _, body in after])
        assert not [n for n, c in numbers.items() if c > 1], "a number was handed out twice"
        for service in ("A", "B"):
            before = [int(t["number"][1:]) for t in got if t["service"] == service]
            later = [int(b["number"][1:]) for _, b in after if b["service"] == service]
            assert later, service
            assert not before or min(later) > max(before), f"{service} numbering went back"
        rows = assert_numbering(url)
        assert len(rows) >= len(got) + AFTER_RESTART
        assert_versions_gap_free(url)
        print(
            f"\n{kind}: {len(got)} issued, killed at {kill_at:.1f}s with {failed_after} in flight,"
            f" {len(rows)} in the database, restarted in {restarted_in:.1f}s"
        )
    finally:
        server.stop()
