"""The kiosk's menu: a service shown as available is exactly one a ticket can be taken for."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain import errors
from queue_server.domain.model import Channel, DayHours
from queue_server.domain.public import kiosk_services

from .builders import MONDAY, local, make_office, make_state, service, take

WEEKDAY = DayHours(opens=time(8, 0), closes=time(15, 0), last_ticket=time(14, 0))
MORNING = DayHours(opens=time(8, 0), closes=time(12, 0), last_ticket=time(11, 0))


def office_state():  # type: ignore[no-untyped-def]
    return make_state(
        [
            service("A", documents=("KTP-el", "KK"), fee=10_000, target_minutes=20),
            service("B", hours={d: MORNING for d in range(5)}),
            service("C", daily_quota=2),
            service("D", active=False),
        ],
        office=make_office(hours={d: WEEKDAY for d in range(5)}),
    )


def test_menu_lists_active_services_with_their_standard() -> None:
    state = office_state()
    menu = kiosk_services(state, local(MONDAY, 9))
    assert [s["code"] for s in menu] == ["A", "B", "C"]  # D is inactive: not shown at all
    a = menu[0]
    assert a["documents"] == ["KTP-el", "KK"] and a["fee"] == 10_000
    assert a["target_minutes"] == 20 and a["refusal"] is None and a["waiting"] == 0


def test_menu_says_why_a_service_is_refused() -> None:
    state = office_state()
    take(state, "C", local(MONDAY, 9))
    take(state, "C", local(MONDAY, 9))
    menu = {s["code"]: s for s in kiosk_services(state, local(MONDAY, 11, 30))}
    assert menu["A"]["refusal"] is None
    assert menu["A"]["waiting"] == 0 and menu["C"]["waiting"] == 2
    assert menu["B"]["refusal"]["code"] == "past_last_ticket"
    assert menu["B"]["refusal"]["params"] == {"service": "B", "last_ticket": "11:00"}
    assert menu["C"]["refusal"] == {"code": "quota_reached", "params": {"service": "C", "quota": 2}}
    evening = {s["code"]: s["refusal"]["code"] for s in kiosk_services(state, local(MONDAY, 16))}
    assert evening == {"A": "office_closed", "B": "office_closed", "C": "office_closed"}


@settings(max_examples=300, deadline=None)
@given(minutes=st.integers(min_value=0, max_value=7 * 24 * 60 - 1), taken=st.integers(0, 3))
def test_menu_agrees_with_taking_a_ticket(minutes: int, taken: int) -> None:
    state = office_state()
    for _ in range(taken):
        with contextlib.suppress(errors.QuotaReached):
            take(state, "C", local(MONDAY, 9))
    now = datetime.combine(MONDAY, time(0), tzinfo=UTC) + timedelta(minutes=minutes)
    for entry in kiosk_services(state, now):
        try:
            take(state, entry["code"], now, channel=Channel.KIOSK)
        except errors.DomainError as refused:
            assert entry["refusal"] is not None and entry["refusal"]["code"] == refused.code
        else:
            assert entry["refusal"] is None
