"""Small WAV helpers: 16-bit mono PCM, made and measured with the standard library."""

from __future__ import annotations

import io
import math
import struct
import wave
from collections.abc import Iterable, Sequence

RATE = 22_050  # eSpeak NG's own rate: no resampling when clips are joined


def encode(samples: Iterable[float], rate: int = RATE) -> bytes:
    """Samples in -1..1 as a 16-bit mono WAV file."""
    frames = b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples)
    return _wav(frames, rate)


def from_frames(frames: bytes, rate: int = RATE) -> bytes:
    """16-bit mono PCM frames as a WAV file."""
    return _wav(frames, rate)


def _wav(frames: bytes, rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def frames_of(data: bytes) -> tuple[bytes, int]:
    """The PCM frames and rate of a 16-bit mono WAV."""
    with wave.open(io.BytesIO(data), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError("expected 16-bit mono")
        return w.readframes(w.getnframes()), w.getframerate()


def join(clips: Sequence[bytes], gap_seconds: float = 0.4) -> bytes:
    """Clips one after another with a short pause between (all at the same rate)."""
    if len(clips) == 1:
        return clips[0]
    parts: list[bytes] = []
    rate = RATE
    for i, clip in enumerate(clips):
        frames, rate = frames_of(clip)
        if i:
            parts.append(b"\0\0" * int(rate * gap_seconds))
        parts.append(frames)
    return _wav(b"".join(parts), rate)


def duration(data: bytes) -> float:
    with wave.open(io.BytesIO(data), "rb") as w:
        return w.getnframes() / w.getframerate()


def rms(data: bytes) -> float:
    """Loudness on 0..1 (0 is silence)."""
    frames, _ = frames_of(data)
    count = len(frames) // 2
    if count == 0:
        return 0.0
    values = struct.unpack(f"<{count}h", frames[: count * 2])
    return math.sqrt(sum(v * v for v in values) / count) / 32768
