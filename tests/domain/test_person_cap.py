"""Anti-calo: at most N tickets per person (NIK) a day, where the office asks for it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from queue_server.domain import errors
from queue_server.domain.model import REMOTE, Channel, QueuePolicy
from queue_server.domain.queue import OfficeQueue, apply_all, cancel, issue, rollover

from .builders import MONDAY, local, make_office, make_state, run, service

T0 = local(MONDAY, 9)


def capped(cap: int | None = 2) -> OfficeQueue:
    services = [service("A", remote_allowed=True), service("B", remote_allowed=True)]
    return make_state(services, office=make_office(policy=QueuePolicy(person_daily_cap=cap)))


def take(state: OfficeQueue, code: str, person: str | None, channel: Channel = Channel.KIOSK):  # type: ignore[no-untyped-def]
    n = len(state.keys) + sum(state.last_seq.values())
    phone = f"+62812000{n:05d}" if channel in REMOTE else None  # from afar: a phone, agreed
    events = run(
        state, issue, service=code, now=T0, ticket_id=f"t{n}", token=f"tok{n}",
        channel=channel, person_key=person, phone=phone, notify_consent=phone is not None,
    )  # fmt: skip
    return events[0].ticket


def test_without_a_cap_no_person_is_asked_or_kept() -> None:
    state = capped(None)
    assert take(state, "A", None).person_key is None
    assert take(state, "A", "p1").person_key is None  # given anyway: not kept
    assert state.persons == {}


def test_a_person_takes_at_most_the_cap_across_services() -> None:
    state = capped(2)
    take(state, "A", "p1")
    first = take(state, "B", "p1")
    with pytest.raises(errors.PersonCapReached) as refused:
        take(state, "A", "p1")
    assert refused.value.params == {"cap": 2}
    take(state, "A", "p2")  # someone else
    run(
        state, cancel, first.id, T0
    )  # cancelling does not give the ticket back (no cancel-and-retake)
    with pytest.raises(errors.PersonCapReached):
        take(state, "B", "p1")


def test_the_nik_is_required_except_for_staff() -> None:
    state = capped(1)
    for channel in (Channel.KIOSK, Channel.WEB, Channel.CHAT):
        with pytest.raises(errors.NikRequired):
            take(state, "A", None, channel)
    assert take(state, "A", None, Channel.STAFF).person_key is None
    take(state, "A", "p1", Channel.STAFF)
    with pytest.raises(errors.PersonCapReached):  # staff tickets with a NIK count too
        take(state, "A", "p1", Channel.STAFF)


def test_a_new_day_starts_every_person_at_zero() -> None:
    state = capped(1)
    take(state, "A", "p1")
    run(state, rollover, local(date(2024, 7, 2), 8))
    assert state.persons == {}
    take(state, "A", "p1")


def test_replaying_the_events_rebuilds_the_counts() -> None:
    state = capped(3)
    events = []
    for person in ["p1", "p2", "p1", "p3", "p1"]:
        before = len(state.keys) + sum(state.last_seq.values())
        events += run(
            state, issue, service="A", now=T0, ticket_id=f"x{before}", token=f"y{before}",
            channel=Channel.KIOSK, person_key=person,
        )  # fmt: skip
    rebuilt = replace(capped(3), tickets={}, persons={})
    apply_all(rebuilt, events)
    assert rebuilt.persons == state.persons == {"p1": 3, "p2": 1, "p3": 1}
