"""The browser's live client (queue_server/web/static/js/antrean-live.js), tested under node.

`node --test` runs the JS unit tests in tests/realtime/js/. `js_replay()` applies server
messages to a snapshot with the client's own `applyMessage`, so Python tests can prove the
browser and the server agree: `js_replay(snapshot_before, events) == snapshot_after`.

Without `node` on PATH these tests skip on a laptop and fail in CI (CI=true).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
JS_DIR = Path(__file__).resolve().parent / "js"
REPLAY = JS_DIR / "replay.mjs"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NODE_TIMEOUT = 120


def _no_node(message: str) -> NoReturn:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def node_available() -> bool:
    """Whether node is here (tests that need it as a hard requirement call node_command)."""
    return shutil.which("node") is not None


def node_command() -> list[str]:
    """`node` and the flags it needs; skips the calling test without it (fails it in CI).

    antrean-live.js is a `.js` ES module with no package.json beside it: node loads it by
    syntax detection, on by default from Node 20.19 and 22.7, behind a flag since 20.10.
    """
    node = shutil.which("node")
    if node is None:
        _no_node("node is not on PATH: the JS client tests need Node.js 20.10 or later")
    found = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    match = re.fullmatch(r"v(\d+)\.(\d+)\.\d+.*", found)
    version = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if version < (20, 10):
        _no_node(f"node {found or '?'} is too old: the JS client tests need 20.10 or later")
    if version < (20, 19) or (21, 0) <= version < (22, 7):
        return [node, "--experimental-detect-module"]
    return [node]


def js_replay(snapshot: dict[str, Any], messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The state the JS client reaches from `snapshot` after applying `messages` in order.

    `snapshot` is a bare snapshot or a `snapshot` message; the result never carries `type`.
    Messages without `type` count as events. Raises AssertionError when an event does not follow
    on from the version before it (the client would resync instead) or node fails.
    """
    node = node_command()
    with tempfile.TemporaryDirectory(prefix="antrean-js-replay-") as tmp:
        path = Path(tmp) / "replay.json"
        path.write_text(json.dumps({"snapshot": snapshot, "messages": messages}), "utf-8")
        result = subprocess.run(
            [*node, str(REPLAY), str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=NODE_TIMEOUT,
            check=False,
        )
    if result.returncode != 0:
        raise AssertionError(
            f"replay.mjs exited {result.returncode}:\n{result.stderr}{result.stdout}"
        )
    state: dict[str, Any] = json.loads(result.stdout)
    return state


def test_node_unit_tests_pass() -> None:
    node = node_command()
    files = sorted(JS_DIR.glob("test_*.mjs"))
    # Node 20's `node --test DIR` only finds files named like `test-*.mjs` or `*.test.mjs`
    # (and exits 0 having run nothing), so the files are named one by one.
    assert len(files) >= 2, f"no JS test files in {JS_DIR}"
    command = [*node, "--test", "--test-reporter=tap", *(str(f.relative_to(ROOT)) for f in files)]
    try:
        result = subprocess.run(
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=NODE_TIMEOUT,
            check=False,
            env={**os.environ, "NO_COLOR": "1"},
        )
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"node --test took over {NODE_TIMEOUT} s:\n{error.stdout}\n{error.stderr}")
    failures = "\n".join(line for line in result.stdout.splitlines() if "not ok" in line)
    output = f"{failures}\n\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"node --test failed:\n{output}"
    tests = re.search(r"^# tests (\d+)$", result.stdout, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", result.stdout, re.MULTILINE)
    assert tests is not None and int(tests.group(1)) > 0, f"node ran no tests:\n{output}"
    assert failed is not None and int(failed.group(1)) == 0, f"node --test failed:\n{output}"


def _snapshot() -> dict[str, Any]:
    return {
        "version": 4,
        "office": {
            "slug": "kcp-depok",
            "name": "KCP Depok",
            "timezone": "Asia/Jakarta",
            "service_date": "2024-11-22",
        },
        "services": [
            {
                "code": "KTP",
                "prefix": "A",
                "name": {"id": "KTP-el", "en": "E-ID card"},
                "active": True,
                "waiting": 2,
            },
            {
                "code": "KK",
                "prefix": "B",
                "name": {"id": "Kartu Keluarga", "en": "Family card"},
                "active": True,
                "waiting": 0,
            },
        ],
        "counters": [
            {"number": 1, "name": "Loket 1", "state": "open", "services": ["KTP"], "serving": None},
        ],
        "recent_calls": [],
    }


def test_js_replay_applies_events_in_order() -> None:
    call = {"number": "A-001", "service": "KTP", "counter": 1, "at": "2024-11-22T08:05:00+07:00"}
    serving = {"number": "A-001", "service": "KTP", "status": "called"}
    counter = {
        "number": 1,
        "name": "Loket 1",
        "state": "open",
        "services": ["KTP"],
        "serving": serving,
    }
    messages = [
        {
            "type": "event",
            "version": 5,
            "event": "ticket_issued",
            "at": "t",
            "services": [{"code": "KK", "waiting": 1}],
        },
        {
            "type": "event",
            "version": 6,
            "event": "ticket_called",
            "at": "t",
            "services": [{"code": "KTP", "waiting": 1}],
            "counters": [counter],
            "call": call,
        },
        {"type": "event", "version": 7, "event": "hidden", "at": "t"},
    ]
    expected = _snapshot()
    expected["version"] = 7
    expected["services"][0]["waiting"] = 1
    expected["services"][1]["waiting"] = 1
    expected["counters"] = [counter]
    expected["recent_calls"] = [call]

    assert js_replay(_snapshot(), messages) == expected
    assert js_replay({"type": "snapshot", **_snapshot()}, messages) == expected
    assert js_replay(_snapshot(), []) == _snapshot()


def test_js_replay_refuses_a_gap() -> None:
    with pytest.raises(AssertionError, match="gap at message 1"):
        js_replay(
            _snapshot(), [{"version": 5, "event": "hidden"}, {"version": 7, "event": "hidden"}]
        )
