"""Delivery after commit: claim due messages, drop stale ones, send, retry with backoff.

One thread per server process. Messages wait in the database, so nothing is lost while the
gateway or the internet is down, or across restarts; a message claimed by a process that died
is claimed again when its lease runs out (at least once, with the same id every time).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from queue_server.clock import Clock
from queue_server.store.db import Database

from . import outbox
from .gateways import Gateway, GatewayError, Outgoing, from_settings
from .rules import Kind, NotifySettings, still_meant

log = logging.getLogger(__name__)
GatewayFactory = Callable[[Mapping[str, Any]], Gateway]


def backoff(attempts: int, base: float, cap: float = 3600.0) -> float:
    """Seconds before attempt `attempts + 1`: base, 2x base, 4x base ... capped at an hour."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


class Deliverer:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        gateway_for: GatewayFactory = from_settings,
        backoff_base: float = 30.0,
        interval: float = 1.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.gateway_for = gateway_for
        self.backoff_base = backoff_base
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._committing = threading.local()  # did this thread's transaction queue messages?
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="messages", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def wake(self, *_args: Any) -> None:
        """Messages were queued: look now rather than at the next tick."""
        self._wake.set()

    def queued(self, count: int) -> None:
        """Inside a committing transaction: it queued `count` messages (an effect hook)."""
        if count:
            self._committing.queued = True

    def after_commit(self, *_args: Any) -> None:
        """A QueueService listener (the committing thread, after the commit): wake the worker
        when that commit queued messages. Commits that queued none, and other workers' commits
        caught up here (their own worker delivers theirs), leave it asleep: under load it would
        otherwise claim (a write transaction) after every change."""
        if getattr(self._committing, "queued", False):
            self._committing.queued = False
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                while self.deliver_due() and not self._stop.is_set():
                    pass
            except Exception:
                log.exception("message delivery failed; will try again")

    def deliver_due(self, limit: int = 50) -> int:
        """One pass: settle up to `limit` due messages; return how many were handled.

        Claiming and settling are one short transaction each for the whole batch, so the
        worker does not compete with the counters for the database on every message.
        """
        now = self.clock.now()
        with self.db.write() as conn:
            claimed = outbox.claim_due(conn, now, limit)
            settings = {m.office_id: outbox.settings_for(conn, m.office_id) for m in claimed}
        if not claimed:
            return 0
        outcomes = [self._deliver(m, settings[m.office_id]) for m in claimed]
        now = self.clock.now()
        with self.db.write() as conn:
            for message_id, status, attempts, error, retry_at in outcomes:
                outbox.settle(conn, message_id, status, now, attempts=attempts, error=error,
                              retry_at=retry_at)  # fmt: skip
        return len(claimed)

    def _deliver(
        self, message: outbox.Claimed, settings: NotifySettings
    ) -> tuple[str, str, int, str | None, datetime | None]:
        """Try one message; return how to settle it: (id, status, attempts, error, retry at)."""
        attempts = message.attempts + 1
        status = message.ticket_status
        if status is not None and not still_meant(Kind(message.kind), status):
            return message.id, "dropped", message.attempts, f"stale: ticket is {status}", None
        outgoing = Outgoing(message.id, message.phone, message.body, message.kind, message.language)
        try:
            self.gateway_for(settings.gateway).send(outgoing)
        except Exception as error:  # whatever went wrong, this message is retried, alone
            reason = (str(error) if isinstance(error, GatewayError) else type(error).__name__)[:300]
            if attempts >= settings.max_attempts:
                log.warning("message %s given up after %d attempts: %s", message.id, attempts,
                            reason)  # fmt: skip
                return message.id, "failed", attempts, reason, None
            retry_at = self.clock.now() + timedelta(seconds=backoff(attempts, self.backoff_base))
            return message.id, "pending", attempts, reason, retry_at
        return message.id, "sent", attempts, None, None
