"""What a review found: broken templates, unexpected gateway errors, leaking secrets and numbers,
open redirects, abusable audio, chat ping-pong."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import FrozenClock
from queue_server.domain.model import Channel
from queue_server.notifications import outbox
from queue_server.notifications.gateways import GammuGateway, GatewayError, Outgoing, from_settings
from queue_server.notifications.rules import Kind, NotifySettings, render
from queue_server.notifications.worker import Deliverer
from queue_server.services.admin import Admin
from queue_server.services.queue import QueueService
from tests.conftest import ADMIN_PASSWORD, login

OFFICE = "/api/v1/offices/winongan"


@pytest.mark.parametrize("template", ["{office.nama}", "{ahead[0]}", "{", "{number!z}"])
def test_a_broken_office_template_falls_back_instead_of_failing(template: str) -> None:
    settings = NotifySettings(templates={"called": {"id": template}})
    text = render(Kind.CALLED, "id", {"number": "A001", "counter": 2, "ahead": 3}, settings)
    assert "A001" in text


def test_broken_templates_are_refused_when_saved(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    notify = {"templates": {"called": {"id": "{office.nama}"}}}
    assert client.patch(OFFICE, json={"notify": notify}, headers=admin).status_code == 422


def test_an_unexpected_gateway_error_retries_that_message_only(
    queue: QueueService, admin: Admin, demo_office: int, clock: FrozenClock
) -> None:
    queue.effect_hooks.append(
        lambda conn, office_id, state, events, now: outbox.queue_for_commit(
            conn, office_id, state, events, now, "http://x"
        )
    )
    for _ in range(2):
        queue.issue(demo_office, service="A", channel=Channel.KIOSK, actor="k",
                    phone="+6281234567890", notify_consent=True)  # fmt: skip

    class Flaky:
        calls = 0

        def send(self, message: Outgoing) -> None:
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RuntimeError("IncompleteRead")  # not a GatewayError

    def factory(_config: Mapping[str, Any]) -> Flaky:
        return Flaky()

    Deliverer(queue.db, clock, gateway_for=factory, backoff_base=10).deliver_due()
    with queue.db.read() as conn:
        rows = conn.execute(select(outbox.messages).where(outbox.messages.c.kind == "joined")).all()
    states = sorted((r.status, r.attempts, r.last_error) for r in rows)
    assert states == [("pending", 1, "RuntimeError"), ("sent", 1, None)]


def test_gammu_errors_never_carry_the_number_or_text(tmp_path: Any, monkeypatch: Any) -> None:
    failing = tmp_path / "inject"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setenv("ANTREAN_GAMMU_COMMAND", str(failing))
    message = Outgoing("m1", "+6281234567890", "Nomor A001 http://x/t/rahasia", "called", "id")
    with pytest.raises(GatewayError) as error:
        GammuGateway().send(message)
    assert str(error.value) == "gammu-smsd-inject exited with 3"
    with pytest.raises(TypeError):  # the office cannot choose the program
        from_settings({"kind": "gammu", "command": "/bin/sh"})
    with pytest.raises(ValueError):
        from_settings({"kind": "http", "url": "file:///etc/passwd"})


def test_gateway_secrets_stay_hidden_and_survive_a_resave(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    gateway = {"kind": "apprise", "urls": ["twilio://SID:TOKEN@+62811000/{to_e164}"],
               "inbound_secret": "rahasia-masuk"}  # fmt: skip
    shown = client.patch(OFFICE, json={"notify": {"gateway": gateway}}, headers=admin).json()
    assert shown["notify"]["gateway"] == {
        "kind": "apprise", "urls": ["twilio://****@+62811000/{to_e164}"], "inbound_secret": "****",
    }  # fmt: skip
    client.patch(OFFICE, json={"notify": shown["notify"]}, headers=admin)  # saved back as shown
    reply = client.post(f"{OFFICE}/chat/http", json={"from": "081298765432", "text": "INFO"},
                        headers={"X-Antrean-Secret": "rahasia-masuk"})  # fmt: skip
    assert reply.status_code == 200  # the stored secret was kept, not replaced by "****"
    officer = login(client, "petugas1")
    assert client.get(OFFICE, headers=officer).json()["notify"] == {}  # not for officers


def test_login_never_sends_officers_to_another_site(client: TestClient) -> None:
    for target in ("//evil.example", "/\\evil.example", "https://evil.example"):
        page = client.get("/masuk", params={"next": target})
        assert '"next":"/loket"' in page.text, target


def test_audio_only_for_real_counters_and_numbers(client: TestClient) -> None:
    assert client.get("/audio/offices/winongan/calls/99/A001.wav").status_code == 404
    assert client.get("/audio/offices/winongan/calls/1/A1000000.wav").status_code == 404


def test_chat_rejects_bad_bodies_and_stops_answering_chatter(
    client: TestClient, clock: FrozenClock
) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    gateway = {"kind": "log", "inbound_secret": "s"}
    client.patch(OFFICE, json={"notify": {"gateway": gateway}}, headers=admin)
    headers = {"X-Antrean-Secret": "s", "Content-Type": "application/json"}
    assert client.post(f"{OFFICE}/chat/http", content=b"{nope", headers=headers).status_code == 422
    assert client.post(f"{OFFICE}/chat/http", content=b"[1]", headers=headers).status_code == 422
    answered = [
        client.post(
            f"{OFFICE}/chat/http",
            json={"from": "081298765432", "text": text},
            headers={"X-Antrean-Secret": "s"},
        ).json()["replied"]
        for text in ["halo"] * 3 + ["bantuan"] * 6
    ]  # chatter is one conversation, acknowledged once; help texts stop at five a day
    assert answered == [True, False, False] + [True] * 4 + [False] * 2
    clock.at += timedelta(hours=25)
    again = client.post(f"{OFFICE}/chat/http", json={"from": "081298765432", "text": "bantuan"},
                        headers={"X-Antrean-Secret": "s"})  # fmt: skip
    assert again.json()["replied"] is True
