"""The two-note chime before each call ("ting-tong"), synthesised here: nothing downloaded."""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import cache

from .wav import RATE, encode

NOTES = ((784.0, 0.0), (659.25, 0.45))  # G5 then E5, like an airport/bank chime
LENGTH = 1.4  # seconds


def _samples() -> Iterator[float]:
    for i in range(int(RATE * LENGTH)):
        t = i / RATE
        value = 0.0
        for frequency, start in NOTES:
            if t >= start:
                age = t - start
                envelope = min(1.0, age / 0.01) * math.exp(-3.2 * age)  # soft attack, bell decay
                value += envelope * (
                    math.sin(2 * math.pi * frequency * age)
                    + 0.3 * math.sin(2 * math.pi * 2 * frequency * age)  # a bell's overtone
                )
        yield 0.35 * value


@cache
def chime_wav() -> bytes:
    return encode(_samples())
