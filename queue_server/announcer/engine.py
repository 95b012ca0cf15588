"""Speech engines: pyttsx3 on eSpeak NG (offline), and a tone engine that stands in for it."""

from __future__ import annotations

import functools
import logging
import math
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from .wav import RATE, encode, frames_of, from_frames

log = logging.getLogger(__name__)


class Engine(Protocol):
    name: str

    def synthesize(self, text: str, lang: str) -> bytes:
        """`text` spoken in `lang` ("id" or "en") as a 16-bit mono WAV."""
        ...

    def close(self) -> None: ...


class Pyttsx3Engine:
    """pyttsx3 with eSpeak NG's Indonesian voice.

    The engine is not thread-safe, and queueing several files before one `runAndWait` writes only
    the last: so one dedicated thread owns it and speaks one clip per run, in order. eSpeak NG
    keeps global state in the process (and pyttsx3.init hands out one shared engine), so there is
    one such engine per process: use `shared_pyttsx3()`.
    """

    name = "pyttsx3"

    def __init__(self, rate: int = 150, timeout: float = 30.0) -> None:
        self.rate = rate
        self.timeout = timeout
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyttsx3")
        self._engine: Any = None
        self._voices: dict[str, str] = {}
        self._dir = Path(tempfile.mkdtemp(prefix="antrean-voice-"))

    def synthesize(self, text: str, lang: str) -> bytes:
        return self._thread.submit(self._speak, text, lang).result(timeout=self.timeout)

    def _start(self) -> None:
        import pyttsx3
        import pyttsx3.drivers.espeak as driver

        # The driver prints "Audio saved to ..." for every clip: keep the server's log clean.
        driver.print = lambda *args, **kwargs: None
        self._engine = pyttsx3.init("espeak")
        self._engine.setProperty("rate", self.rate)
        for voice in self._engine.getProperty("voices"):
            for language in voice.languages or ():
                code = str(language).split("-")[0].lower()
                self._voices.setdefault(code, voice.id)
        if "id" not in self._voices:
            raise RuntimeError("eSpeak NG has no Indonesian voice (apt install espeak-ng)")

    def _speak(self, text: str, lang: str) -> bytes:
        if self._engine is None:
            self._start()
        self._engine.setProperty("voice", self._voices.get(lang, self._voices["id"]))
        path = self._dir / "clip.wav"
        path.unlink(missing_ok=True)
        self._engine.save_to_file(text, str(path))
        self._engine.runAndWait()
        return path.read_bytes()

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        shutil.rmtree(self._dir, ignore_errors=True)


class ToneEngine:
    """A fake voice: a tone per syllable-ish, so clips have length that grows with the text.

    For tests and for machines without eSpeak NG (the display still chimes and shows calls).
    """

    name = "tone"
    STEP = 0.1  # seconds per piece: a tone, a tone, a softer tone ...

    def synthesize(self, text: str, lang: str) -> bytes:
        pieces = self._pieces(330.0 if lang == "id" else 392.0)
        count = int((0.3 + 0.06 * len(text)) / self.STEP)
        return from_frames(b"".join(pieces[i % 3] for i in range(count)))

    @staticmethod
    @functools.cache
    def _pieces(pitch: float) -> tuple[bytes, bytes, bytes]:
        """Three 0.1 s pieces of PCM, made once (cheap enough to run beside the counters)."""
        n = int(RATE * ToneEngine.STEP)

        def piece(level: float) -> bytes:
            samples = (level * math.sin(2 * math.pi * pitch * i / RATE) for i in range(n))
            return frames_of(encode(samples))[0]

        loud = piece(0.3)
        return loud, loud, piece(0.06)

    def close(self) -> None:
        pass


class _Shared:
    """The process's one pyttsx3 engine, for every app in it; never closed by one of them."""

    name = Pyttsx3Engine.name

    def __init__(self, engine: Pyttsx3Engine) -> None:
        self.engine = engine

    def synthesize(self, text: str, lang: str) -> bytes:
        return self.engine.synthesize(text, lang)

    def close(self) -> None:
        pass


_shared: Engine | None = None
_shared_lock = threading.Lock()


def shared_pyttsx3() -> Engine:
    """The process-wide pyttsx3 engine, started (and checked) on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            engine = Pyttsx3Engine()
            try:
                engine.synthesize("satu", "id")  # start it now: the first call should not wait
            except BaseException:
                engine.close()
                raise
            _shared = _Shared(engine)
        return _shared


def make_engine(name: str) -> Engine:
    """ "pyttsx3" (the default; falls back to "tone" when eSpeak NG is missing) or "tone"."""
    if name == "tone":
        return ToneEngine()
    try:
        return shared_pyttsx3()
    except Exception as error:  # no espeak-ng library, no voice: keep the lobby working
        log.warning("voice engine unavailable (%s); calls are announced with a tone", error)
        return ToneEngine()
