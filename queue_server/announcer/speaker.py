"""The server's own speaker, for offices whose loudspeakers hang off the server PC (optional).

`ANTREAN_SPEAKER="aplay -q"` (or any command that plays a WAV from standard input) plays the
chime and the voice for every call and recall, one after another, on a thread of its own.
"""

from __future__ import annotations

import logging
import queue
import shlex
import subprocess
import threading
from collections.abc import Sequence

from queue_server.domain.public import Change
from queue_server.domain.queue import OfficeQueue

from .announcer import Announcer, Texts
from .chime import chime_wav

log = logging.getLogger(__name__)


class Speaker:
    def __init__(self, announcer: Announcer, command: str) -> None:
        self.announcer = announcer
        self.command = shlex.split(command)
        self._calls: queue.Queue[Texts | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="speaker", daemon=True)
        self._thread.start()

    def on_changes(
        self, _office_id: int, state: OfficeQueue, changes: Sequence[tuple[int, Change]]
    ) -> None:
        """QueueService listener: queue every call (in order) for the speaker."""
        for _version, change in changes:
            if change.call is not None:
                self._calls.put(
                    self.announcer.texts(state, change.call.number, change.call.counter)
                )

    def _play(self, wav: bytes) -> None:
        subprocess.run(self.command, input=wav, check=True, timeout=60, capture_output=True)

    def _run(self) -> None:
        while True:
            texts = self._calls.get()
            if texts is None:
                return
            try:
                self._play(chime_wav())
                self._play(self.announcer.clip(texts))
            except Exception:
                log.exception("the server's speaker could not play %r", texts)

    def close(self) -> None:
        self._calls.put(None)
        self._thread.join(timeout=5)
