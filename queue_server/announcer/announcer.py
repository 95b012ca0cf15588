"""Clips for calls: built from the office's voice settings, cached, warmed on each call."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from queue_server.domain.public import Change
from queue_server.domain.queue import OfficeQueue
from queue_server.domain.speech import announcement

from . import wav
from .engine import Engine

log = logging.getLogger(__name__)
Texts = tuple[tuple[str, str], ...]  # (language, text) in the order spoken


class Announcer:
    def __init__(self, engine: Engine, cache_size: int = 256) -> None:
        self.engine = engine
        self.cache_size = cache_size
        self._clips: OrderedDict[str, bytes] = OrderedDict()
        self._inflight: dict[str, Future[bytes]] = {}
        self._lock = threading.Lock()
        self._warmer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="announce-warm")

    @staticmethod
    def texts(state: OfficeQueue, number: str, counter: int) -> Texts:
        """What to say for `number` called to `counter` in this office (a recall: the same)."""
        found = state.counters.get(counter)
        name = found.name if found is not None else ""
        return tuple(announcement(state.office.voice, number, counter, name))

    def key(self, texts: Texts) -> str:
        raw = "\x1f".join(f"{lang}\x1e{text}" for lang, text in texts)
        return hashlib.sha256(f"{self.engine.name}\x1d{raw}".encode()).hexdigest()[:32]

    def cached(self, texts: Texts) -> bytes | None:
        with self._lock:
            clip = self._clips.get(self.key(texts))
            if clip is not None:
                self._clips.move_to_end(self.key(texts))
            return clip

    def clip(self, texts: Texts) -> bytes:
        """The WAV for `texts`: from the cache, from a synthesis already running, or made now."""
        key = self.key(texts)
        with self._lock:
            clip = self._clips.get(key)
            if clip is not None:
                self._clips.move_to_end(key)
                return clip
            future = self._inflight.get(key)
            owner = future is None
            if future is None:
                future = self._inflight[key] = Future()
        if not owner:
            return future.result()
        try:
            clip = wav.join([self.engine.synthesize(text, lang) for lang, text in texts])
        except BaseException as error:
            future.set_exception(error)
            with self._lock:
                self._inflight.pop(key, None)
            raise
        with self._lock:
            self._clips[key] = clip
            while len(self._clips) > self.cache_size:
                self._clips.popitem(last=False)
            self._inflight.pop(key, None)
        future.set_result(clip)
        return clip

    def warm(self, texts: Texts) -> None:
        """Start making the clip now, off the caller's thread."""
        if self.cached(texts) is None:
            self._warmer.submit(self._warm, texts)

    def _warm(self, texts: Texts) -> None:
        try:
            self.clip(texts)
        except Exception:
            log.exception("could not make the announcement %r", texts)

    def on_changes(
        self, _office_id: int, state: OfficeQueue, changes: Sequence[tuple[int, Change]]
    ) -> None:
        """QueueService listener: every call (and recall) starts its clip at once."""
        for _version, change in changes:
            if change.call is not None:
                self.warm(self.texts(state, change.call.number, change.call.counter))

    def close(self) -> None:
        self._warmer.shutdown(wait=False, cancel_futures=True)
        self.engine.close()
