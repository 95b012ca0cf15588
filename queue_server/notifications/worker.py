"""Delivery after commit: claim due messages, drop stale ones, send, retry with backoff.

One thread per server process. Messages wait in the database, so nothing is lost while the
gateway or the internet is down, or across restarts; a message claimed by a process that died
is claimed again when its lease runs out (at least once, with the same id every time).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from queue_server.clock import Clock
from queue_server.store.db import Database

from . import outbox
from .gateways import Gateway, GatewayError, Outgoing, from_settings
from .rules import Kind, still_meant

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
        """A commit may have queued messages: look now rather than at the next tick."""
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
        """One pass: settle up to `limit` due messages; return how many were handled."""
        now = self.clock.now()
        with self.db.write() as conn:
            claimed = outbox.claim_due(conn, now, limit)
            settings = {m.office_id: outbox.settings_for(conn, m.office_id) for m in claimed}
        for message in claimed:
            self._deliver(message, settings[message.office_id])
        return len(claimed)

    def _deliver(self, message: outbox.Claimed, settings: Any) -> None:
        now = self.clock.now()
        attempts = message.attempts + 1
        if message.ticket_status is not None and not still_meant(
            Kind(message.kind), message.ticket_status
        ):
            with self.db.write() as conn:  # the visitor has moved on: not sent late
                outbox.settle(conn, message.id, "dropped", now, attempts=message.attempts,
                              error=f"stale: ticket is {message.ticket_status}")  # fmt: skip
            return
        outgoing = Outgoing(message.id, message.phone, message.body, message.kind, message.language)
        try:
            self.gateway_for(settings.gateway).send(outgoing)
        except (GatewayError, ValueError, TypeError) as error:
            reason = str(error)[:300]
            with self.db.write() as conn:
                if attempts >= settings.max_attempts:
                    outbox.settle(conn, message.id, "failed", now, attempts=attempts, error=reason)
                    log.warning("message %s given up after %d attempts: %s", message.id,
                                attempts, reason)  # fmt: skip
                else:
                    retry_at = now + timedelta(seconds=backoff(attempts, self.backoff_base))
                    outbox.settle(conn, message.id, "pending", now, attempts=attempts,
                                  error=reason, retry_at=retry_at)  # fmt: skip
            return
        with self.db.write() as conn:
            outbox.settle(conn, message.id, "sent", now, attempts=attempts)
