"""Audio for calls: the generated chime, real eSpeak NG clips through pyttsx3, the clip cache."""

from __future__ import annotations

import ctypes.util
import io
import os
import threading
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from queue_server.announcer import wav
from queue_server.announcer.announcer import Announcer
from queue_server.announcer.chime import chime_wav
from queue_server.announcer.engine import Engine, ToneEngine, shared_pyttsx3
from queue_server.api.app import create_app
from queue_server.clock import FrozenClock
from queue_server.config import Settings
from queue_server.store.db import Database
from tests.conftest import login

SHORT = "Nomor antrean a satu, silakan menuju loket satu"
LONG = (
    "Nomor antrean be sembilan ribu sembilan ratus sembilan puluh sembilan, silakan menuju "
    "loket pelayanan administrasi kependudukan dua belas"
)
LOUD_ENOUGH = 0.01  # RMS on 0..1; silence is 0


def _valid_wav(data: bytes) -> None:
    with wave.open(io.BytesIO(data), "rb") as reader:
        assert reader.getnchannels() == 1 and reader.getsampwidth() == 2
        assert reader.getnframes() > 0


@pytest.fixture(scope="module")
def espeak() -> Engine:
    if ctypes.util.find_library("espeak-ng") is None and ctypes.util.find_library("espeak") is None:
        if os.environ.get("CI"):
            pytest.fail("eSpeak NG is required in CI (.ci/run installs espeak-ng)")
        pytest.skip("eSpeak NG not installed (apt-get install espeak-ng)")
    return shared_pyttsx3()


def test_chime_is_generated_audible_and_short() -> None:
    clip = chime_wav()
    _valid_wav(clip)
    assert wav.rms(clip) > LOUD_ENOUGH
    assert 1.0 < wav.duration(clip) < 2.0


def test_espeak_clip_is_valid_audible_and_longer_for_longer_text(espeak: Engine) -> None:
    short, long = espeak.synthesize(SHORT, "id"), espeak.synthesize(LONG, "id")
    for clip in (short, long):
        _valid_wav(clip)
        assert wav.rms(clip) > LOUD_ENOUGH
    assert wav.duration(long) > wav.duration(short) * 1.5
    assert wav.duration(espeak.synthesize("Number A one, please go to counter one", "en")) > 1


def test_espeak_from_many_threads_gives_each_caller_its_own_clip(espeak: Engine) -> None:
    """One engine thread, one clip per run: no caller gets another's (or only the last) file."""
    texts = [SHORT, LONG, "Nomor antrean ce dua puluh satu, silakan menuju loket tiga"] * 3
    alone = {text: wav.duration(espeak.synthesize(text, "id")) for text in set(texts)}
    with ThreadPoolExecutor(max_workers=9) as pool:
        clips = list(pool.map(lambda text: espeak.synthesize(text, "id"), texts))
    for clip, text in zip(clips, texts, strict=True):  # eSpeak's trailing silence varies a little
        assert wav.duration(clip) == pytest.approx(alone[text], rel=0.05), text


class CountingEngine(ToneEngine):
    def __init__(self) -> None:
        self.calls = 0
        self.gate = threading.Event()

    def synthesize(self, text: str, lang: str) -> bytes:
        self.calls += 1
        self.gate.wait(5)
        return super().synthesize(text, lang)


def test_announcer_makes_each_clip_once_and_joins_languages() -> None:
    engine = CountingEngine()
    announcer = Announcer(engine, cache_size=2)
    texts = (("id", SHORT),)
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(announcer.clip, texts) for _ in range(4)]
        engine.gate.set()
        clips = {f.result() for f in futures}
    assert len(clips) == 1 and engine.calls == 1  # four requests, one synthesis
    assert announcer.clip(texts) in clips and engine.calls == 1  # cached
    both = (("id", SHORT), ("en", "Number A one, please go to counter one"))
    joined = announcer.clip(both)
    parts = [ToneEngine().synthesize(t, lang) for lang, t in both]
    assert wav.duration(joined) == pytest.approx(sum(map(wav.duration, parts)) + 0.4, abs=0.01)
    for i in range(3):  # the cache keeps the newest clips only
        announcer.clip((("id", f"teks {i}"),))
    assert announcer.cached(texts) is None
    announcer.close()


def test_audio_endpoints(client: TestClient) -> None:
    chime = client.get("/audio/chime.wav")
    assert chime.status_code == 200 and chime.headers["content-type"] == "audio/wav"
    officer = login(client, "petugas1")
    client.post("/api/v1/offices/winongan/tickets", json={"service": "A"}, headers=officer)
    client.post("/api/v1/offices/winongan/counters/1/open", headers=officer)
    called = client.post("/api/v1/offices/winongan/counters/1/call-next", headers=officer).json()
    url = f"/audio/offices/winongan/calls/1/{called['ticket']['number']}.wav"
    voice = client.get(url)
    assert voice.status_code == 200 and voice.headers["content-type"] == "audio/wav"
    _valid_wav(voice.content)
    assert wav.rms(voice.content) > LOUD_ENOUGH
    again = client.get(url, headers={"If-None-Match": voice.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/audio/offices/winongan/calls/1/bukan-nomor.wav").status_code == 404
    assert client.get("/audio/offices/tidak-ada/calls/1/A001.wav").status_code == 404


def test_server_speaker_plays_chime_then_voice_for_each_call_in_order(
    tmp_path: Path, database: Database, clock: FrozenClock, demo_office: int
) -> None:
    played = tmp_path / "played"
    played.mkdir()
    player = f"sh -c 'cat > {played}/$(date +%s%N).wav'"  # stands in for "aplay -q"
    settings = Settings(database_url=database.url, speaker=player, voice="tone")
    app = create_app(settings, clock=clock, database=database, rollover_every=None)
    with TestClient(app) as client:
        officer = login(client, "petugas1")
        office = "/api/v1/offices/winongan"
        client.post(f"{office}/counters/1/open", headers=officer)
        for _ in range(2):
            client.post(f"{office}/tickets", json={"service": "A"}, headers=officer)
            client.post(f"{office}/counters/1/call-next", headers=officer)
        deadline = time.monotonic() + 20
        while len(list(played.iterdir())) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    clips = [path.read_bytes() for path in sorted(played.iterdir())]
    assert len(clips) == 4
    assert clips[0] == clips[2] == chime_wav()  # chime, voice, chime, voice
    assert clips[1] != clips[3] and all(wav.rms(c) > LOUD_ENOUGH for c in clips)
