"""`antrean backup` / `antrean restore`: a round trip on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from queue_server.cli import app
from queue_server.domain.model import Channel
from queue_server.services.queue import QueueService
from queue_server.store.db import Database
from queue_server.store.tables import TicketRow

tickets = TicketRow.__table__  # type: ignore[attr-defined]


def _count(database: Database) -> int:
    with database.read() as conn:
        return int(conn.execute(select(func.count()).select_from(tickets)).scalar_one())


def test_backup_then_restore_gives_back_what_was_there(
    queue: QueueService, database: Database, demo_office: int, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("ANTREAN_DATABASE_URL", database.url)
    for _ in range(2):
        queue.issue(demo_office, service="A", channel=Channel.STAFF, actor="t")
    file = tmp_path / "antrean.backup"
    runner = CliRunner()
    made = runner.invoke(app, ["backup", str(file)])
    assert made.exit_code == 0, made.output
    assert file.stat().st_size > 0
    queue.issue(demo_office, service="A", channel=Channel.STAFF, actor="t")  # after the backup
    assert _count(database) == 3
    database.engine.dispose()  # a stopped server: nothing holds the database
    back = runner.invoke(app, ["restore", str(file), "--yes"])
    assert back.exit_code == 0, back.output
    assert _count(database) == 2  # exactly what was backed up
    restarted = QueueService(database, queue.clock)
    view, _ = restarted.issue(demo_office, service="A", channel=Channel.STAFF, actor="t")
    assert view.ticket.number == "A003"  # numbering carries on from the restored day


def test_restore_refuses_a_missing_or_broken_file(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTREAN_DATABASE_URL", database.url)
    missing = CliRunner().invoke(app, ["restore", str(tmp_path / "none"), "--yes"])
    assert missing.exit_code == 1 and "no backup" in missing.output
    broken = tmp_path / "broken"
    broken.write_bytes(b"not a backup at all" * 100)
    refused = CliRunner().invoke(app, ["restore", str(broken), "--yes"])
    assert refused.exit_code == 1
