"""Fan-out across workers sharing one PostgreSQL database: NOTIFY on commit, LISTEN and catch up.

A commit NOTIFYs inside its own transaction (PostgreSQL delivers it only if the transaction
commits) with ids and a version only, far below the 8,000-byte payload limit. Each worker keeps
one listening connection in a thread; on a notice from another worker it catches the office up
from the event log, which publishes the changes to its own screens exactly as its own commits
are. After a (re)connect it catches up every office it holds, since notices may have been
missed meanwhile.
"""

from __future__ import annotations

import logging
import threading
import uuid

import psycopg
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from queue_server.services.queue import QueueService

log = logging.getLogger(__name__)
CHANNEL = "antrean_office"
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


class PostgresFanout:
    def __init__(self, database_url: str, queue: QueueService) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self.queue = queue
        self.worker = uuid.uuid4().hex[:12]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    def notify(self, conn: Connection, office_id: int, version: int) -> None:
        """Announce `version` of `office_id`; call inside the committing transaction."""
        conn.execute(
            _NOTIFY, {"channel": CHANNEL, "payload": f"{office_id}:{version}:{self.worker}"}
        )

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="antrean-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._wake()
            self._thread.join(timeout=5)

    def _wake(self) -> None:
        """End the listener's wait for notices now (not at its next 1 s timeout): a notice of
        our own, which it ignores before seeing it should stop. Shutdown and every test that
        starts a server on PostgreSQL wait that much less."""
        try:
            with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=2) as conn:
                conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"0:0:{self.worker}"))
        except psycopg.Error:
            pass  # unreachable: the listener ends at its timeout instead

    def _run(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connected.set()
                    backoff = 0.2
                    for office_id in self.queue.loaded_offices():
                        self.queue.sync(office_id)
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=1.0):
                            if self._stop.is_set():
                                break
                            self._handle(notice.payload)
            except Exception:
                self.connected.clear()
                if self._stop.is_set():
                    return
                log.warning("live fan-out listener lost PostgreSQL; retrying in %.1fs", backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)

    def _handle(self, payload: str) -> None:
        try:
            office, version, worker = payload.split(":")
            office_id, newest = int(office), int(version)
        except ValueError:
            log.warning("ignoring a malformed notice: %r", payload)
            return
        if worker == self.worker:
            return  # our own commit, already published
        known = self.queue.loaded_version(office_id)
        if known is not None and known < newest:
            self.queue.sync(office_id)
