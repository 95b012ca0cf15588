"""`bench/regency_load.py --quick` still works: PostgreSQL, Redis, 2 workers behind the shipped
nginx site, 3 offices driven by the simulator with their displays, 4-second steps.

Checks that the set-up runs and measures without errors, not the benchmark's targets (4-second
steps on a shared machine say nothing about those). Without nginx: skipped on a developer's
machine, failed in CI; without PostgreSQL or Redis: skipped (as the other tests that need them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, pg_available
from tests.deploy.test_nginx import require_nginx

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/14", socket_timeout=2).ping())
    except redis.RedisError:
        return False


def test_quick_regency_load_runs_clean(tmp_path: Path) -> None:
    require_nginx()
    if not pg_available():
        if IN_CI:
            pytest.fail("PostgreSQL is required in CI")
        pytest.skip("PostgreSQL not reachable")
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    out = tmp_path / "figures.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
           os.environ.get("PYTHONPATH")]))}  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "regency_load.py"), "--quick", "--json", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr[-3000:]  # 1: a target missed, not a failure
    steps = json.loads(out.read_text())
    assert [(s["label"], s["offices"], s["speed"]) for s in steps] == [
        ("baseline", 1, 30.0), ("regency", 3, 10.0), ("regency", 3, 30.0), ("regency", 3, 60.0),
    ]  # fmt: skip
    for step in steps:
        assert step["errors"] == 0, (step["label"], step["speed"], step["error_kinds"])
        assert step["connected"] == step["offices"]
        assert step["issued"] > 0 and step["push_issue_n"] == step["issued"]
        assert step["rss_mb"] > 0 and step["cpu"]["server"] > 0
    assert sum(s["push_n"] for s in steps) > 0  # calls were made and reached the displays
    assert "## Regency load" in done.stdout
