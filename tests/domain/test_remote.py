"""Tickets taken from afar (web, chat) share one set of rules, checked in one place."""

from __future__ import annotations

import pytest

from queue_server.domain import errors
from queue_server.domain.model import Channel, PriorityGroup
from queue_server.domain.queue import OfficeQueue, cancel, issue, phone_tickets

from .builders import MONDAY, local, make_state, run, service, take

T0 = local(MONDAY, 9)
PHONE = "+6281234567890"
REMOTE = [Channel.WEB, Channel.CHAT]


def office() -> OfficeQueue:
    return make_state([service("A", remote_allowed=True), service("B")])


@pytest.mark.parametrize("channel", REMOTE)
def test_a_phone_with_consent_is_required_from_afar(channel: Channel) -> None:
    state = office()
    with pytest.raises(errors.PhoneRequired):
        take(state, "A", T0, channel=channel)
    with pytest.raises(errors.ConsentRequired):
        run(state, issue, service="A", now=T0, ticket_id="x", token="y", channel=channel,
            phone=PHONE)  # fmt: skip
    ticket = take(state, "A", T0, channel=channel, phone=PHONE)
    assert ticket.notify_consent and ticket.consent_at == T0


@pytest.mark.parametrize("channel", REMOTE)
def test_no_priority_lane_from_afar(channel: Channel) -> None:
    with pytest.raises(errors.PriorityInPerson):
        take(office(), "A", T0, channel=channel, phone=PHONE, priority=PriorityGroup.LANSIA)


def test_the_cap_counts_open_tickets_of_the_phone_from_any_channel() -> None:
    state = office()
    take(state, "B", T0, channel=Channel.KIOSK, phone=PHONE)  # left at the kiosk: counts too
    take(state, "A", T0, channel=Channel.WEB, phone=PHONE)
    assert phone_tickets(state, PHONE) == 2
    with pytest.raises(errors.PhoneCapReached) as refused:
        take(state, "A", T0, channel=Channel.CHAT, phone=PHONE)
    assert refused.value.params == {"cap": 2}
    take(state, "B", T0, channel=Channel.KIOSK, phone=PHONE)  # at the office: no cap
    mine = take(state, "A", T0, channel=Channel.WEB, phone="+6281311112222")
    run(state, cancel, mine.id, T0)
    take(state, "A", T0, channel=Channel.WEB, phone="+6281311112222")  # an ended one frees room


def test_the_rules_of_the_service_come_first() -> None:
    state = office()
    with pytest.raises(errors.RemoteNotAllowed):  # said before asking for a phone
        take(state, "B", T0, channel=Channel.WEB)
