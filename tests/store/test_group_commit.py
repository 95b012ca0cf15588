"""Group commit: concurrent commands for one office share a transaction, each on its own terms."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from queue_server.domain.errors import QuotaReached
from queue_server.domain.model import Channel
from queue_server.services.admin import Admin
from queue_server.services.combiner import Combiner, Job
from queue_server.services.queue import QueueService
from queue_server.store import repository


def _office(admin: Admin, quota: int | None = None) -> int:
    office_id = admin.create_office(slug="kantor", name="Kantor", timezone="Asia/Jakarta")
    admin.create_service(
        office_id,
        {"code": "A", "prefix": "A", "name_id": "A", "name_en": "A", "daily_quota": quota},
        actor="test",
    )
    return office_id


def _together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` on n threads released at the same moment; return results or exceptions."""
    start = threading.Barrier(n)

    def run(i: int) -> Any:
        start.wait()
        try:
            return work(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_a_refusal_in_a_batch_refuses_only_itself(queue: QueueService, admin: Admin) -> None:
    office_id = _office(admin, quota=30)
    results = _together(
        40, lambda _i: queue.issue(office_id, service="A", channel=Channel.KIOSK, actor="k")
    )
    issued = [r[0].ticket for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert sorted(t.seq for t in issued) == list(range(1, 31))
    assert len(refused) == 10 and all(isinstance(r, QuotaReached) for r in refused)
    with queue.db.read() as conn:
        versions = [v for v, _ in repository.events_after(conn, office_id, 0)]
    assert versions == list(range(1, len(versions) + 1))


def test_a_failed_commit_fails_its_batch_and_leaves_no_trace(
    queue: QueueService, admin: Admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    office_id = _office(admin)
    queue.issue(office_id, service="A", channel=Channel.KIOSK, actor="k")
    real_save = repository.save_events
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("disk full")
        real_save(*args, **kwargs)

    monkeypatch.setattr(repository, "save_events", flaky)
    with pytest.raises(RuntimeError):
        queue.issue(office_id, service="A", channel=Channel.KIOSK, actor="k")
    view, _ = queue.issue(office_id, service="A", channel=Channel.KIOSK, actor="k")
    assert view.ticket.number == "A002"  # the failed ticket left no number behind
    assert len(queue.read(office_id).tickets) == 2


def test_batches_form_under_contention_and_every_request_finishes() -> None:
    sizes: list[int] = []
    lock = threading.Lock()

    def run_batch(_key: object, jobs: list[Job]) -> None:
        with lock:
            sizes.append(len(jobs))
        threading.Event().wait(0.005)  # a slow commit
        for job in jobs:
            if job.payload % 7 == 0:
                job.reject(ValueError(job.payload))
            else:
                job.resolve(job.payload * 2)

    combiner = Combiner(run_batch)
    results = _together(50, lambda i: combiner.submit("office", i))
    for i, result in enumerate(results):
        if i % 7 == 0:
            assert isinstance(result, ValueError)
        else:
            assert result == i * 2
    assert sum(sizes) == 50 and max(sizes) > 1  # requests shared transactions
