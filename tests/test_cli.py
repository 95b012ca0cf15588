"""The `antrean` command on a fresh SQLite file."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from queue_server.cli import app
from queue_server.testing import ServerProcess


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ANTREAN_DATABASE_URL", url)
    monkeypatch.setenv("ANTREAN_ADMIN_PASSWORD", "kunci-kantor-2")
    monkeypatch.setenv("ANTREAN_DEMO_PASSWORD", "demo-password-1")
    return url


def test_migrate_users_and_devices(env: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    from queue_server.cli import first_start
    from queue_server.config import Settings

    notes = first_start(Settings())
    assert any("winongan" in note for note in notes)
    assert any("/kiosk/pair#token=" in note for note in notes)  # the demo kiosk opens at once
    assert any("antrean-print-agent --server" in note for note in notes)
    assert first_start(Settings()) == []  # only once
    made = runner.invoke(
        app,
        ["users", "create", "--username", "kasi", "--role", "supervisor",
         "--office", "winongan", "--password", "pelayanan-prima-7"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    weak = runner.invoke(
        app,
        [
            "users",
            "create",
            "--username",
            "kasi2",
            "--role",
            "officer",
            "--password",
            "password123",
        ],
    )
    assert weak.exit_code == 1 and "too weak" in weak.output
    nowhere = ["users", "create", "--username", "petugas9", "--role", "officer",
               "--password", "pelayanan-prima-7"]  # fmt: skip
    refused = runner.invoke(app, nowhere)
    assert refused.exit_code == 1 and "needs an office" in refused.output
    regency = ["users", "create", "--username", "kabid", "--role", "supervisor",
               "--password", "pelayanan-prima-7"]  # fmt: skip
    assert runner.invoke(app, regency).exit_code == 0  # the regency's supervisor
    device = runner.invoke(
        app, ["devices", "create", "--office", "winongan", "--kind", "kiosk", "--name", "Kiosk 1"]
    )
    assert device.exit_code == 0, device.output
    token = device.output.strip().splitlines()[-1]
    assert f"/kiosk/pair#token={token}" in device.output  # opens the screen at once
    assert len(token) >= 40 and " " not in token
    bad = runner.invoke(
        app, ["devices", "create", "--office", "winongan", "--kind", "toaster", "--name", "x"]
    )
    assert bad.exit_code != 0


@pytest.mark.slow
def test_serve_answers_with_the_demo_office(tmp_path: Path) -> None:
    with ServerProcess(f"sqlite:///{tmp_path / 'serve.db'}") as server:
        request = urllib.request.Request(
            server.url + "/api/v1/offices/winongan/tickets",
            data=json.dumps(
                {"service": "C", "phone": "081234567890", "notify_consent": True}
            ).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            body = json.load(response)
        assert response.status == 201 and body["number"] == "C001"
        assert body["tracking_url"].startswith(server.url)
        with urllib.request.urlopen(server.url + "/docs") as docs:
            assert docs.status == 200
