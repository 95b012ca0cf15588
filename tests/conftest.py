"""Shared fixtures: real SQLite and PostgreSQL databases built by Alembic, the app, clients.

PostgreSQL comes from ANTREAN_TEST_PG_URL (default: the local server over its socket). When it
is unreachable, PostgreSQL tests skip on a laptop but fail in CI (CI=true).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from migrations import upgrade
from queue_server.api.app import create_app
from queue_server.clock import FrozenClock
from queue_server.config import Settings
from queue_server.services import auth, demo
from queue_server.services.admin import Admin
from queue_server.services.queue import QueueService
from queue_server.store.db import Database

auth.use_fast_hashing_for_tests()
# Load and concurrency tests take thousands of tickets from one kiosk and read them back: the
# public rate limits are tested on their own app (tests/api/test_limits.py), not in every test.
# Servers the tests start inherit these.
for _name in ("TICKETS_DEVICE", "TICKETS_ADDRESS", "TRACK_ADDRESS", "SURVEY_ADDRESS", "CHAT_PHONE"):
    os.environ.setdefault(f"ANTREAN_LIMIT_{_name}", "1000000/minute")

PG_URL = os.environ.get("ANTREAN_TEST_PG_URL", "postgresql+psycopg:///test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEMO_PASSWORD = "rahasia-demo-1"
ADMIN_PASSWORD = "kunci-kantor-1"


def _pg_conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(_pg_conninfo(PG_URL), autocommit=True)


def pg_available() -> bool:
    try:
        with _pg_admin():
            return True
    except psycopg.OperationalError:
        return False


class Databases:
    """Makes empty, migrated databases quickly by copying a per-run template."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self._sqlite_template: Path | None = None
        self._pg_template: str | None = None
        self._pg_made: list[str] = []

    def new(self, kind: str) -> str:
        if kind == "sqlite":
            return self._new_sqlite()
        if kind == "postgresql":
            return self._new_pg()
        raise ValueError(kind)

    def _new_sqlite(self) -> str:
        if self._sqlite_template is None:
            template = self.tmp / "template.db"
            upgrade(f"sqlite:///{template}")
            self._sqlite_template = template
        path = self.tmp / f"t-{uuid.uuid4().hex[:10]}.db"
        shutil.copyfile(self._sqlite_template, path)
        return f"sqlite:///{path}"

    def _new_pg(self) -> str:
        if not pg_available():
            if IN_CI:
                pytest.fail("PostgreSQL is not reachable at " + PG_URL)
            pytest.skip("PostgreSQL not available")
        base = PG_URL.rsplit("/", 1)[0]
        with _pg_admin() as conn:
            if self._pg_template is None:
                name = f"antrean_tmpl_{os.getpid()}"
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
                upgrade(f"{base}/{name}")
                self._pg_template = name
                self._pg_made.append(name)
            name = f"antrean_t_{uuid.uuid4().hex[:12]}"
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._pg_template}"')
            self._pg_made.append(name)
        return f"{base}/{name}"

    def drop_all(self) -> None:
        if not self._pg_made:
            return
        with _pg_admin() as conn:
            for name in reversed(self._pg_made):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop_all()


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, databases: Databases) -> str:
    return databases.new(request.param)


@pytest.fixture
def clock() -> FrozenClock:
    # 09:00 WIB on a Monday
    return FrozenClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def queue(database: Database, clock: FrozenClock) -> QueueService:
    return QueueService(database, clock)


@pytest.fixture
def admin(queue: QueueService) -> Admin:
    return Admin(queue)


@pytest.fixture
def demo_office(admin: Admin) -> int:
    office_id, _ = demo.seed(admin, DEMO_PASSWORD)
    from queue_server.services.auth import Role

    admin.create_user(username="admin", password=ADMIN_PASSWORD, role=Role.ADMIN, office_id=None)
    return office_id


@pytest.fixture
def client(database: Database, clock: FrozenClock, demo_office: int) -> Iterator[TestClient]:
    settings = Settings(database_url=database.url, public_url="http://antrean.test")
    app = create_app(settings, clock=clock, database=database, rollover_every=None)
    # The app shares the test's QueueService so its state matches what tests seeded.
    with TestClient(app) as test_client:
        yield test_client


def login(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Return an Authorization header for `username`."""
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.cookies.clear()  # these tests use the bearer token; the cookie path has its own test
    return {"Authorization": f"Bearer {response.json()['token']}"}


def device(
    client: TestClient, kind: str, name: str = "dev", counter: int | None = None
) -> dict[str, str]:
    """Register a device as the admin and return its Authorization header."""
    headers = login(client, "admin", ADMIN_PASSWORD)
    body: dict[str, object] = {"kind": kind, "name": name}
    if counter is not None:
        body["counter"] = counter
    response = client.post("/api/v1/offices/winongan/devices", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
