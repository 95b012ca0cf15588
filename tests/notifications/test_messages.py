"""Text messages through the outbox with a fake gateway: every kind, at most once per ticket and
kind, stale messages dropped, no consent no message, retries then giving up."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from queue_server.clock import FrozenClock
from queue_server.domain import queue as domain
from queue_server.domain.model import Channel, Language
from queue_server.notifications import outbox
from queue_server.notifications.gateways import GatewayError, Outgoing
from queue_server.notifications.rules import (
    SMS_LIMIT,
    TEMPLATES,
    Kind,
    NotifySettings,
    is_gsm7,
    render,
)
from queue_server.notifications.worker import Deliverer
from queue_server.services.admin import Admin
from queue_server.services.queue import QueueService

PHONE = "+6281234567890"
BASE = "http://antrean.test"


class FakeGateway:
    def __init__(self, fail_first: int = 0) -> None:
        self.sent: list[Outgoing] = []
        self.attempts = 0
        self.fail_first = fail_first

    def send(self, message: Outgoing) -> None:
        self.attempts += 1
        if self.attempts <= self.fail_first:
            raise GatewayError("gateway down")
        self.sent.append(message)


@pytest.fixture
def office(queue: QueueService, admin: Admin, demo_office: int) -> int:
    queue.effect_hooks.append(
        lambda conn, office_id, state, events, now: outbox.queue_for_commit(
            conn, office_id, state, events, now, BASE
        )
    )
    admin.update_office(demo_office, {"notify": {"near_people": 2, "max_attempts": 3}}, "test")
    return demo_office


def deliverer(queue: QueueService, clock: FrozenClock, gateway: FakeGateway) -> Deliverer:
    def factory(_config: Mapping[str, Any]) -> FakeGateway:
        return gateway

    return Deliverer(queue.db, clock, gateway_for=factory, backoff_base=10)


def rows(queue: QueueService) -> list[Any]:
    with queue.db.read() as conn:
        return conn.execute(select(outbox.messages).order_by(outbox.messages.c.created_at)).all()


def take(queue: QueueService, office: int, service: str = "A", **kwargs: Any) -> Any:
    view, _ = queue.issue(office, service=service, channel=Channel.KIOSK, actor="kiosk", **kwargs)
    return view.ticket


def call(queue: QueueService, office: int, counter: int = 1) -> Any:
    return queue.execute(
        office, lambda s, now: domain.call_next(s, counter, None, now), "t"
    ).called()


def act(queue: QueueService, office: int, command: Any, ticket_id: str) -> None:
    queue.execute(office, lambda s, now: command(s, ticket_id, None, now), "t")


def test_every_kind_is_queued_once_and_delivered(
    queue: QueueService, office: int, clock: FrozenClock
) -> None:
    queue.execute(office, lambda s, now: domain.open_counter(s, 1, "petugas1", now), "t")
    mine = take(queue, office, phone=PHONE, notify_consent=True)
    call(queue, office)  # mine is first: called
    act(queue, office, domain.recall, mine.id)  # a recall is no new "called" message
    act(queue, office, domain.finish, mine.id)
    other = take(queue, office, phone=PHONE, notify_consent=True, language=Language.EN)
    call(queue, office)
    act(queue, office, domain.no_show, other.id)
    third = take(queue, office, phone=PHONE, notify_consent=True)
    queue.execute(office, lambda s, now: domain.cancel(s, third.id, now), "t")

    kinds = sorted((r.ticket_id, r.kind) for r in rows(queue) if r.status == "pending")
    assert kinds == sorted([
        (mine.id, "joined"), (mine.id, "called"), (mine.id, "finished"),
        (other.id, "joined"), (other.id, "called"), (other.id, "missed"),
        (third.id, "joined"), (third.id, "cancelled"),
    ])  # fmt: skip
    gateway = FakeGateway()
    worker = deliverer(queue, clock, gateway)
    while worker.deliver_due():
        pass
    bodies = {(r.ticket_id, r.kind): r.body for r in rows(queue)}
    assert bodies[(mine.id, "called")] == (
        f"Kantor Kecamatan Winongan: nomor {mine.number} dipanggil. Silakan menuju loket 1."
    )
    assert f"{BASE}/t/{mine.token}" in bodies[(mine.id, "joined")]
    assert bodies[(other.id, "missed")].startswith("Kantor Kecamatan Winongan: number")
    states = {(r.ticket_id, r.kind): r.status for r in rows(queue)}
    # "called" for a visitor who then finished is no longer meant: dropped, not sent late
    assert states[(mine.id, "called")] == "dropped" and states[(mine.id, "finished")] == "sent"
    assert states[(third.id, "joined")] == "dropped"  # cancelled by then: only "cancelled" goes
    assert states[(third.id, "cancelled")] == "sent" and states[(other.id, "missed")] == "sent"
    assert len({m.id for m in gateway.sent}) == len(gateway.sent)


def test_a_visitor_missed_and_called_again_hears_of_each_call_then_of_the_close(
    queue: QueueService, office: int, clock: FrozenClock
) -> None:
    """The "missed" text promises another call: that call is texted too, and the last miss
    (no-show, the ticket closed) says so instead of promising a call that will not come."""
    queue.execute(office, lambda s, now: domain.open_counter(s, 1, "petugas1", now), "t")
    policy = queue.read(office).office.policy
    mine = take(queue, office, phone=PHONE, notify_consent=True)
    for _ in range(policy.max_reentries + 1):
        for _ in range(50):  # others first until it re-enters
            called = call(queue, office)
            assert called is not None
            if called.id == mine.id:
                break
        act(queue, office, domain.no_show, mine.id)
        for _ in range(policy.reenter_after_calls):
            take(queue, office)  # people behind it, to be called meanwhile
    kinds = [r.kind for r in rows(queue) if r.ticket_id == mine.id]
    calls, misses = policy.max_reentries + 1, policy.max_reentries
    assert kinds.count("called") == calls and kinds.count("missed") == misses
    assert kinds.count("no_show") == 1 and kinds[-1] == "no_show"
    gateway = FakeGateway()
    worker = deliverer(queue, clock, gateway)
    while worker.deliver_due():
        pass
    last = next(r for r in rows(queue) if r.ticket_id == mine.id and r.kind == "no_show")
    assert last.status == "sent" and "ditutup" in last.body and "dipanggil lagi" not in last.body


def test_turn_near_once_and_dropped_when_stale(
    queue: QueueService, office: int, clock: FrozenClock
) -> None:
    queue.execute(office, lambda s, now: domain.open_counter(s, 1, "petugas1", now), "t")
    ahead = [take(queue, office) for _ in range(4)]
    mine = take(queue, office, phone=PHONE, notify_consent=True)
    assert sorted(r.kind for r in rows(queue)) == ["joined"]  # 4 ahead, near_people=2: not yet
    call(queue, office)
    assert sorted(r.kind for r in rows(queue)) == ["joined"]  # 3 ahead
    call(queue, office)
    assert sorted(r.kind for r in rows(queue)) == ["joined", "near"]  # 2 ahead
    call(queue, office)
    assert sorted(r.kind for r in rows(queue)) == ["joined", "near"]  # once only
    gateway = FakeGateway()
    worker = deliverer(queue, clock, gateway)
    while worker.deliver_due():
        pass
    assert sorted(m.kind for m in gateway.sent) == ["joined", "near"]
    assert "segera tiba" in next(m.text for m in gateway.sent if m.kind == "near")
    # a near message not delivered before the visitor is called is dropped, not sent late
    late = take(queue, office, phone=PHONE, notify_consent=True)
    for ticket in [*ahead[3:], mine]:
        queue.execute(office, lambda s, now, t=ticket: domain.cancel(s, t.id, now), "t")
    assert "near" in [r.kind for r in rows(queue) if r.ticket_id == late.id]
    call(queue, office)  # late is called before the worker runs
    while worker.deliver_due():
        pass
    status = {r.kind: r.status for r in rows(queue) if r.ticket_id == late.id}
    assert status == {"joined": "dropped", "near": "dropped", "called": "sent"}


def test_no_consent_no_message(queue: QueueService, office: int) -> None:
    take(queue, office, phone=PHONE, notify_consent=False)
    take(queue, office, notify_consent=True)  # consent without a phone means nothing
    queue.execute(office, lambda s, now: domain.open_counter(s, 1, "petugas1", now), "t")
    call(queue, office)
    assert rows(queue) == []


def test_retries_with_backoff_then_gives_up_and_records_why(
    queue: QueueService, office: int, clock: FrozenClock
) -> None:
    take(queue, office, phone=PHONE, notify_consent=True)
    gateway = FakeGateway(fail_first=99)
    worker = deliverer(queue, clock, gateway)
    assert worker.deliver_due() == 1
    assert worker.deliver_due() == 0  # waiting for its retry time (10 s)
    clock.at += timedelta(seconds=10)
    assert worker.deliver_due() == 1
    clock.at += timedelta(seconds=19)
    assert worker.deliver_due() == 0  # the second retry waits twice as long
    clock.at += timedelta(seconds=1)
    assert worker.deliver_due() == 1
    (row,) = [r for r in rows(queue) if r.kind == "joined"]  # "near" was said by "joined"
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "gateway down")
    clock.at += timedelta(hours=5)
    assert worker.deliver_due() == 0  # given up for good


def test_a_message_keeps_its_id_across_attempts(
    queue: QueueService, office: int, clock: FrozenClock
) -> None:
    take(queue, office, phone=PHONE, notify_consent=True)
    gateway = FakeGateway(fail_first=1)
    worker = deliverer(queue, clock, gateway)
    worker.deliver_due()
    clock.at += timedelta(seconds=10)
    worker.deliver_due()
    (row,) = [r for r in rows(queue) if r.kind == "joined"]
    assert row.status == "sent" and [m.id for m in gateway.sent] == [row.id]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_default_texts_fit_one_plain_sms(kind: Kind, lang: str) -> None:
    values = {
        "office": "Kantor Kecamatan Winongan", "number": "A1015", "service": "Perizinan",
        "counter": 12, "ahead": 99, "wait": "30-45",
        "link": "https://antrean.winongan.go.id/t/8xG2k9QzL1mN4pR7sT0vWw",
        "survey": "https://antrean.winongan.go.id/s/8xG2k9QzL1mN4pR7sT0vWw",
        "otp": "123456", "code": "K7Q2MX", "day": "2026-11-24", "time": "09:30",
    }  # fmt: skip
    text = render(kind, lang, values, NotifySettings())
    assert is_gsm7(text), text
    assert len(text) <= SMS_LIMIT, (len(text), text)
    assert "{" not in text


def test_office_templates_replace_the_defaults() -> None:
    settings = NotifySettings(templates={"called": {"id": "Nomor {number} ke loket {counter}!"}})
    values = {"number": "B007", "counter": 2}
    assert render(Kind.CALLED, "id", values, settings) == "Nomor B007 ke loket 2!"
    assert render(Kind.CALLED, "en", values, settings).startswith(": number B007")
    broken = NotifySettings(templates={"called": {"id": "Nomor {number"}})
    assert "B007" in render(Kind.CALLED, "id", values, broken)  # falls back to ours


def test_the_worker_wakes_after_commits_that_queued_messages_only(
    queue: QueueService, clock: FrozenClock, demo_office: int
) -> None:
    """Under load a claim after every change would be a write transaction each; commits that
    queued nothing (most of them) leave the worker asleep until its next tick."""
    worker = deliverer(queue, clock, FakeGateway())
    queue.effect_hooks.append(
        lambda conn, office_id, state, events, now: worker.queued(
            outbox.queue_for_commit(conn, office_id, state, events, now, BASE)
        )
    )
    queue.listeners.append(worker.after_commit)
    woken = worker._wake  # the worker thread is not started: read its wake-up flag directly
    take(queue, demo_office, "A")
    take(queue, demo_office, "C")
    assert not woken.is_set()
    take(queue, demo_office, "A", phone=PHONE, notify_consent=True)
    assert woken.is_set()  # "joined": a message to send
    woken.clear()
    take(queue, demo_office, "A")
    assert not woken.is_set()
