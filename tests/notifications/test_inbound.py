"""A gateway's retry of a message is acted on once, whichever worker it reaches; a message whose
handling failed is handled when it comes again; old ids are forgotten."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from queue_server.api.app import create_app
from queue_server.clock import FrozenClock
from queue_server.config import Settings
from queue_server.notifications import chat as chat_module
from queue_server.notifications import inbound
from queue_server.services.retention import erase_older_than
from queue_server.store.db import Database
from tests.notifications.test_chat import APP_SECRET, OFFICE, SECRET, VISITOR, outgoing

pytest_plugins = ["tests.notifications.test_chat"]


@pytest.fixture
def other_worker(database: Database, clock: FrozenClock, chat: TestClient) -> Iterator[TestClient]:
    """A second server process on the same database (as behind a load balancer)."""
    settings = Settings(database_url=database.url, public_url="http://antrean.test")
    app = create_app(settings, clock=clock, database=Database(database.url), rollover_every=None)
    with TestClient(app) as client:
        yield client


def _whatsapp(text: str, message_id: str) -> tuple[bytes, dict[str, str]]:
    message = {"id": message_id, "from": "6281298765432", "type": "text", "text": {"body": text}}
    raw = json.dumps({"entry": [{"changes": [{"value": {"messages": [message]}}]}]}).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"Content-Type": "application/json", "X-Hub-Signature-256": signature}


def test_a_whatsapp_retry_on_another_worker_is_not_acted_on_again(
    chat: TestClient, other_worker: TestClient, queue: Any
) -> None:
    raw, headers = _whatsapp("ANTRE C", f"wamid.{uuid.uuid4().hex}")
    url = f"{OFFICE}/chat/whatsapp"
    assert chat.post(url, content=raw, headers=headers).json()["handled"] == 1
    assert other_worker.post(url, content=raw, headers=headers).json()["handled"] == 0
    assert len([m for m in outgoing(queue) if m.kind == "joined"]) == 1  # one ticket


def test_a_generic_gateway_may_send_its_id_and_retry_safely(
    chat: TestClient, other_worker: TestClient, queue: Any
) -> None:
    body = {"from": VISITOR, "text": "Apakah kantor buka hari Sabtu?", "id": "sms-77"}
    url, headers = f"{OFFICE}/chat/http", {"X-Antrean-Secret": SECRET}
    assert chat.post(url, json=body, headers=headers).json()["replied"] is True  # acknowledged
    again = other_worker.post(url, json=body, headers=headers).json()
    assert again == {"ok": True, "replied": False}
    assert len([m for m in outgoing(queue) if m.kind == "consult_ack"]) == 1
    with queue.db.read() as conn:
        from queue_server.store.tables import ConversationMessageRow

        log = ConversationMessageRow.__table__  # type: ignore[attr-defined]
        questions = conn.execute(
            select(func.count()).select_from(log).where(log.c.direction == "in")
        ).scalar()
    assert questions == 1  # the question is in the inbox once


def test_a_message_whose_handling_failed_is_handled_when_it_comes_again(
    chat: TestClient, queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, headers = _whatsapp("ANTRE C", f"wamid.{uuid.uuid4().hex}")
    url = f"{OFFICE}/chat/whatsapp"
    real = chat_module.Chat.handle

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(chat_module.Chat, "handle", broken)
    failing = TestClient(chat.app, raise_server_exceptions=False)
    assert failing.post(url, content=raw, headers=headers).status_code == 500  # Meta retries
    monkeypatch.setattr(chat_module.Chat, "handle", real)
    assert chat.post(url, content=raw, headers=headers).json()["handled"] == 1
    assert len([m for m in outgoing(queue) if m.kind == "joined"]) == 1


def test_ids_are_forgotten_once_no_gateway_would_retry(database: Database, clock: FrozenClock,
                                                       demo_office: int) -> None:  # fmt: skip
    assert inbound.first_time(database, demo_office, "wamid.old", clock.now())
    assert not inbound.first_time(database, demo_office, "wamid.old", clock.now())
    later = clock.now() + inbound.KEEP + timedelta(minutes=1)
    with database.write() as conn:
        erase_older_than(conn, later, 365)
    assert inbound.first_time(database, demo_office, "wamid.old", later)  # a new message now
