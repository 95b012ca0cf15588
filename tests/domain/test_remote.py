"""Tickets taken from afar (web, chat) share one set of rules, checked in one place."""

from __future__ import annotations

from datetime import date, time

import pytest

from queue_server.domain import calendar, errors
from queue_server.domain.model import Channel, DayHours, PriorityGroup
from queue_server.domain.public import remote_services
from queue_server.domain.queue import OfficeQueue, cancel, issue, phone_tickets

from .builders import FRIDAY, MONDAY, local, make_office, make_state, run, service, take

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


WEEKDAYS = {d: DayHours(opens=time(8), closes=time(15), last_ticket=time(14)) for d in range(5)}


def test_next_opening_is_later_today_or_the_next_day_with_hours() -> None:
    office = make_office(hours=WEEKDAYS, closed_dates=[date(2024, 7, 2)])
    at = calendar.next_opening
    assert at(office, None, local(MONDAY, 7)) == local(MONDAY, 8)
    assert not calendar.is_open(office, local(MONDAY, 7))
    assert calendar.is_open(office, local(MONDAY, 9))
    assert at(office, None, local(MONDAY, 9)) == local(date(2024, 7, 3), 8)  # Tuesday is closed
    assert at(office, None, local(FRIDAY, 16)) == local(date(2024, 7, 8), 8)  # after the weekend
    late = service("L", hours={0: DayHours(opens=time(10), closes=time(12))})
    assert at(office, late, local(MONDAY, 7)) == local(MONDAY, 10)  # the later of the two
    assert at(make_office(hours={}), None, local(MONDAY, 9)) is None


def test_the_page_menu_says_where_a_new_ticket_would_stand_and_when_to_come_back() -> None:
    state = make_state(
        [service("A", remote_allowed=True, daily_quota=3, target_minutes=10), service("B")],
        office=make_office(hours=WEEKDAYS),
    )
    for _ in range(2):
        take(state, "A", T0)
    menu = {s["code"]: s for s in remote_services(state, T0)}
    assert menu["A"]["remote"] and menu["A"]["refusal"] is None and menu["A"]["ahead"] == 2
    assert menu["A"]["waiting"] == 2 and 0 < menu["A"]["estimate"]["high"] <= 30
    assert menu["A"]["next_opening"] is None
    assert not menu["B"]["remote"] and menu["B"]["refusal"]["code"] == "remote_not_allowed"
    take(state, "A", T0)
    full = remote_services(state, T0)[0]
    assert full["refusal"]["code"] == "quota_reached"
    assert full["next_opening"] == local(date(2024, 7, 2), 8)
