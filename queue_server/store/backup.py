"""`antrean backup` / `antrean restore`: a whole database to one file and back.

- SQLite: the online backup API, so a running Antrean keeps working while the copy is taken
  and the copy is consistent. Restoring writes the file back the same way; stop Antrean first.
- PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists` (the PostgreSQL
  client tools must be installed; they are what a DBA would use by hand, see docs/security.md).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from .db import normalise_url


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: str) -> str | None:
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return parsed.database


def _pg_conninfo(url: str) -> str:
    parsed = make_url(normalise_url(url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return found


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    with target:
        source.backup(target)


def backup(url: str, file: Path) -> None:
    """Write the whole database at `url` to `file`."""
    path = _sqlite_path(url)
    if path is not None:
        if not Path(path).exists():
            raise BackupError(f"no database at {path}")
        with sqlite3.connect(path) as source, sqlite3.connect(file) as target:
            _copy(source, target)
        return
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={file}",
          f"--dbname={_pg_conninfo(url)}"])  # fmt: skip


def restore(url: str, file: Path) -> None:
    """Replace the database at `url` with the backup in `file` (stop Antrean first)."""
    if not file.exists():
        raise BackupError(f"no backup at {file}")
    path = _sqlite_path(url)
    if path is not None:
        with sqlite3.connect(file) as source:
            if source.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError(f"{file} is not a sound SQLite database")
            with sqlite3.connect(path) as target:
                _copy(source, target)
        return
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          f"--dbname={_pg_conninfo(url)}", str(file)])  # fmt: skip


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(done.stderr.strip() or f"{command[0]} failed ({done.returncode})")
