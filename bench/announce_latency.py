"""Time from an officer's call request to the call's audio being ready to play.

One `antrean serve` (SQLite) runs the real voice (pyttsx3 on eSpeak NG). For each round, in
one run and interleaved:
- uncached: `POST .../counters/1/call-next` for a new number, then `GET` its audio URL (the
  clip is started when the call commits; the GET waits for it if needed). Latency = request sent
  to the last byte of the WAV received.
- cached: `POST .../tickets/{t}/recall` (the same words again), then `GET` the same URL.
- engine alone: this process's own pyttsx3 engine speaking the same texts (the floor).

    python bench/announce_latency.py [--calls 200] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine, machine_markdown, percentile, write_section
from queue_server.announcer.engine import Pyttsx3Engine
from queue_server.domain.speech import VoiceSettings, announcement
from queue_server.testing import ServerProcess

SECTION = "announce_latency"
OFFICE = "/api/v1/offices/winongan"
UNCACHED_RATIO = 5.0
CACHED_P95_MS = 20.0


def _call(url: str, method: str = "POST", body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
    return raw if method == "GET" else (json.loads(raw) if raw else None)


def run(calls: int) -> dict[str, Any]:
    engine = Pyttsx3Engine()
    engine.synthesize("satu", "id")  # started, like the server's
    uncached: list[float] = []
    cached: list[float] = []
    alone: list[float] = []
    with (
        tempfile.TemporaryDirectory(prefix="antrean-bench-announce-") as tmp,
        ServerProcess(f"sqlite:///{Path(tmp) / 'bench.db'}") as server,
    ):
        base = server.url + OFFICE
        login = {"username": "petugas1", "password": "rahasia-demo-1"}
        token = _call(server.url + "/api/v1/auth/login", body=login)["token"]
        _call(f"{base}/counters/1/open", token=token)
        for _ in range(calls):
            _call(f"{base}/tickets", body={"service": "A"}, token=token)
        for _ in range(calls):
            start = time.perf_counter()
            ticket = _call(f"{base}/counters/1/call-next", token=token)["ticket"]
            audio = f"{server.url}/audio/offices/winongan/calls/1/{ticket['number']}.wav"
            wav = _call(audio, "GET")
            uncached.append((time.perf_counter() - start) * 1000)
            assert wav[:4] == b"RIFF"

            start = time.perf_counter()
            _call(f"{base}/tickets/{ticket['token']}/recall", token=token)
            _call(audio, "GET")
            cached.append((time.perf_counter() - start) * 1000)

            ((_lang, text),) = announcement(VoiceSettings(), ticket["number"], 1)
            start = time.perf_counter()
            engine.synthesize(text, "id")
            alone.append((time.perf_counter() - start) * 1000)
    engine.close()
    for values in (uncached, cached, alone):
        values.sort()
    return {
        "calls": calls,
        "uncached": (percentile(uncached, 50), percentile(uncached, 95)),
        "cached": (percentile(cached, 50), percentile(cached, 95)),
        "alone": (percentile(alone, 50), percentile(alone, 95)),
    }


def report(r: dict[str, Any]) -> str:
    ratio = r["uncached"][1] / r["alone"][1]
    ok_uncached = ratio <= UNCACHED_RATIO
    ok_cached = r["cached"][1] <= CACHED_P95_MS
    verdict = "PASS" if ok_uncached and ok_cached else "MISS"
    rows = "\n".join(
        f"| {name} | {r[key][0]:.1f} | {r[key][1]:.1f} |"
        for name, key in (
            ("call -> audio ready, uncached (new number)", "uncached"),
            ("recall -> audio ready, cached (same words)", "cached"),
            ("engine alone, same texts", "alone"),
        )
    )
    return f"""## Call to announcement audio (`bench/announce_latency.py`)

{r["calls"]} calls on `antrean serve` (SQLite, 1 worker, pyttsx3 on eSpeak NG's Indonesian voice).
Uncached: the officer's `call-next` request sent, then the call's WAV fetched from its URL, until
its last byte (the clip is started when the call commits). Cached: a recall (the same words),
then the same URL. Engine alone: pyttsx3 in the benchmark's own process speaking the same texts.
Rounds interleaved in one run.

| | p50 ms | p95 ms |
|---|---:|---:|
{rows}

Uncached p95 / engine-alone p95 = **{ratio:.2f}x** (target <= {UNCACHED_RATIO:.0f}x); cached p95
{r["cached"][1]:.1f} ms (target <= {CACHED_P95_MS:.0f} ms): **{verdict}**.

{machine_markdown(machine(("sqlite",)))}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    text = report(run(args.calls))
    print(text)
    if args.write:
        write_section(args.write if args.write.is_absolute() else ROOT / args.write, SECTION, text)
    sys.exit(0 if "PASS" in text else 1)


if __name__ == "__main__":
    main()
