"""The pure rules of service disruptions: what applies to a service, the time a disruption
spends in a period, the tickets it affected, and the monthly figures built from them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain import queue as domain
from queue_server.domain.disruptions import (
    CallbackMode,
    Disruption,
    OpenTicket,
    Reason,
    active_for,
    affected,
    clashes,
    down_minutes,
    month_figures,
    months_between,
    overlap_minutes,
)
from queue_server.domain.errors import ServiceDisrupted
from queue_server.domain.model import Channel
from tests.domain.builders import MONDAY, local, make_office, make_state

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 09:00 WIB
WIB = ZoneInfo("Asia/Jakarta")


def down(
    service: str | None,
    start: int,
    end: int | None = None,
    ident: str = "d",
) -> Disruption:
    """A disruption from `start` to `end` minutes after T0 (None: still lasting)."""
    return Disruption(
        id=ident,
        service=service,
        reason=Reason.JARINGAN,
        started_at=T0 + timedelta(minutes=start),
        ended_at=None if end is None else T0 + timedelta(minutes=end),
    )


def test_a_service_own_disruption_comes_before_an_office_wide_one() -> None:
    office = down(None, 0, ident="office")
    own = down("A", 10, ident="own")
    assert active_for([office, own], "A") == own
    assert active_for([office, own], "B") == office
    assert active_for([down("A", 0, 5)], "A") is None  # over
    assert active_for([], "A") is None


def test_one_active_disruption_per_scope() -> None:
    found = [down("A", 0, ident="a"), down(None, 0, ident="all"), down("B", 0, 10, ident="b")]
    assert clashes(found, "A") is not None and clashes(found, None) is not None
    assert clashes(found, "B") is None  # B's is over: a new one may start


def test_a_disruption_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        down("A", 10, 5)


minutes = st.integers(min_value=-600, max_value=600)


@given(minutes, st.one_of(st.none(), st.integers(0, 600)), minutes, st.integers(0, 900), minutes)
def test_overlap_is_within_both_the_period_and_the_disruption(
    start: int, length: int | None, period: int, span: int, now: int
) -> None:
    d = down("A", start, None if length is None else start + length)
    first = T0 + timedelta(minutes=period)
    last = first + timedelta(minutes=span)
    clock = T0 + timedelta(minutes=max(now, start))
    got = overlap_minutes(d, first, last, clock)
    lasted = (
        (d.ended_at or clock) - d.started_at
    ).total_seconds() / 60  # how long it lasted (so far)
    assert 0 <= got <= min(span, lasted) + 1e-9


@given(st.lists(st.tuples(st.integers(0, 600), st.integers(0, 300)), max_size=6))
def test_overlapping_disruptions_count_their_time_once(spans: list[tuple[int, int]]) -> None:
    found = [down("A", s, s + n, ident=str(i)) for i, (s, n) in enumerate(spans)]
    first, last = T0, T0 + timedelta(minutes=900)
    total = down_minutes(found, first, last, T0 + timedelta(hours=20))
    covered = {m for s, n in spans for m in range(s, s + n)}  # whole minutes covered
    assert total == pytest.approx(len(covered))
    assert total <= sum(n for _, n in spans) + 1e-9


@given(minutes, st.one_of(st.none(), st.integers(0, 600)), st.booleans())
def test_a_ticket_is_affected_when_it_was_open_during_the_disruption(
    issued: int, open_for: int | None, same_service: bool
) -> None:
    d = down("A", 0, 60)
    issued_at = T0 + timedelta(minutes=issued)
    ended_at = None if open_for is None else issued_at + timedelta(minutes=open_for)
    service = "A" if same_service else "B"
    got = affected(d, service, issued_at, ended_at, T0 + timedelta(hours=5))
    overlaps = issued < 60 and (ended_at is None or ended_at > T0)
    assert got == (same_service and overlaps)
    # an office-wide disruption affects every service alike
    everything = down(None, 0, 60)
    assert affected(everything, service, issued_at, ended_at, T0 + timedelta(hours=5)) == overlaps


def test_months_between_spans_the_year_end() -> None:
    assert months_between(date(2026, 11, 15), date(2027, 1, 3)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]


def test_month_figures_split_at_the_office_midnight_and_count_office_wide_for_all() -> None:
    # 31 October 23:00 WIB to 1 November 01:00 WIB: an hour in each month, local time
    night = datetime(2026, 10, 31, 23, tzinfo=WIB)
    b = Disruption("b", "B", Reason.LISTRIK, night, ended_at=night + timedelta(hours=2))
    office = Disruption("o", None, Reason.LISTRIK, night - timedelta(hours=5),
                        ended_at=night - timedelta(hours=4))  # fmt: skip
    tickets = [
        OpenTicket("B", night - timedelta(minutes=10), night + timedelta(minutes=30)),
        OpenTicket("B", night + timedelta(hours=3), None),  # after it: not affected
        OpenTicket("A", night - timedelta(hours=6), None),  # open during the office-wide one
    ]
    rows = month_figures([b, office], ["A", "B"], tickets, date(2026, 10, 1),
                         date(2026, 11, 30), WIB, night + timedelta(days=5))  # fmt: skip
    got = {(r.service, r.month.month): (r.count, round(r.minutes), r.tickets) for r in rows}
    assert got == {
        ("A", 10): (1, 60, 1),
        ("B", 10): (2, 120, 1),
        ("B", 11): (1, 60, 0),
    }


def test_instead_of_a_ticket_refuses_the_disrupted_service_only() -> None:
    now = local(MONDAY, 9)
    a_down = Disruption("d", "A", Reason.SISTEM_PUSAT, now - timedelta(minutes=5))
    instead = replace(make_office(), disruptions=(a_down,), callback_mode=CallbackMode.INSTEAD)
    state = make_state(office=instead)
    for channel in (Channel.KIOSK, Channel.STAFF, Channel.WEB):
        assert isinstance(
            domain.refusal(state, state.services["A"], now, channel), ServiceDisrupted
        )
    assert domain.refusal(state, state.services["B"], now, Channel.KIOSK) is None
    besides = make_state(office=replace(instead, callback_mode=CallbackMode.BESIDES))
    assert domain.refusal(besides, besides.services["A"], now, Channel.KIOSK) is None
    over = replace(a_down, ended_at=now)
    state = make_state(office=replace(instead, disruptions=(over,)))
    assert domain.refusal(state, state.services["A"], now, Channel.KIOSK) is None
