"""Group commit: requests for one key (an office) queue up; one thread at a time, the leader,
runs them together in batches, then hands leadership to the oldest waiter.

A batch costs one transaction and one disk flush however many requests it holds, so a busy
office does not pay a flush per ticket; no thread ever waits on another's request order
beyond the batch in front of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Job:
    """One request waiting for its batch; `run_batch` sets `result` or `error`."""

    payload: Any
    result: Any = None
    error: BaseException | None = None
    settled: bool = False
    finished: bool = False
    lead: bool = False
    wake: threading.Event = field(default_factory=threading.Event)

    def resolve(self, result: Any) -> None:
        self.result, self.settled = result, True

    def reject(self, error: BaseException) -> None:
        self.error, self.settled = error, True


@dataclass(eq=False)
class _Line:
    jobs: list[Job] = field(default_factory=list)
    leading: bool = False


class Combiner:
    def __init__(
        self, run_batch: Callable[[Hashable, list[Job]], None], max_batch: int = 64
    ) -> None:
        self._run_batch = run_batch
        self._max_batch = max_batch
        self._guard = threading.Lock()
        self._lines: dict[Hashable, _Line] = {}

    def submit(self, key: Hashable, payload: Any) -> Any:
        """Run `payload` in a batch for `key`; return its result or raise its error."""
        job = Job(payload)
        with self._guard:
            line = self._lines.setdefault(key, _Line())
            line.jobs.append(job)
            job.lead = not line.leading
            line.leading = True
        while True:
            if job.lead:
                self._lead(key, line, job)
            job.wake.wait()
            if job.finished:
                break
            job.wake.clear()  # woken to lead, not finished yet
        if job.error is not None:
            raise job.error
        return job.result

    def _lead(self, key: Hashable, line: _Line, me: Job) -> None:
        while not me.finished:
            with self._guard:
                batch = line.jobs[: self._max_batch]
                del line.jobs[: self._max_batch]
            try:
                self._run_batch(key, batch)
            except BaseException as exc:  # a failed batch fails each request it did not settle
                for job in batch:
                    if not job.settled:
                        job.reject(exc)
            for job in batch:
                job.finished = True
                job.wake.set()
        with self._guard:
            if line.jobs:
                successor = line.jobs[0]
                successor.lead = True
                successor.wake.set()
            else:
                line.leading = False
        me.lead = False
