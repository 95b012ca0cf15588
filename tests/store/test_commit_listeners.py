"""Listeners hear every change; commit listeners only the changes their own worker committed
(the announcer starts each call's clip once, on the worker that made the call)."""

from __future__ import annotations

from typing import Any

from queue_server.clock import FrozenClock
from queue_server.domain.model import Channel
from queue_server.services.queue import QueueService
from queue_server.store.db import Database


def test_commit_listeners_skip_other_workers_changes(
    database: Database, clock: FrozenClock, demo_office: int, queue: QueueService
) -> None:
    other = QueueService(database, clock)  # a second worker on the same database
    other.read(demo_office)
    heard: list[str] = []
    committed: list[str] = []
    other.listeners.append(lambda _o, _s, changes: heard.extend("c" for _ in changes))
    other.commit_listeners.append(lambda _o, _s, changes: committed.extend("c" for _ in changes))

    def take(service: QueueService) -> Any:
        return service.issue(demo_office, service="A", channel=Channel.KIOSK, actor="kiosk")

    take(queue)  # made by the first worker ...
    other.read(demo_office)  # ... and caught up by the second
    assert heard and not committed
    heard.clear()
    take(other)
    assert heard and committed
