"""The fast `ahead` (lane index + skipped rounds) equals plain call-by-call simulation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain import queue as q
from queue_server.domain.model import (
    ALL_DAY,
    Channel,
    Counter,
    CounterState,
    NormalOrder,
    Office,
    PriorityGroup,
    QueuePolicy,
    Service,
    TicketStatus,
)
from queue_server.domain.ordering import Lines, line_key, next_streak, staffed

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CODES = ("A", "B", "C", "D")


def stepping_ahead(state: q.OfficeQueue, ticket_id: str) -> int:
    """Reference: rebuild the lines from scratch and call one ticket at a time."""
    ticket = state.tickets[ticket_id]
    if ticket.status not in (TicketStatus.WAITING, TicketStatus.MISSED):
        return 0
    counters = sorted(state.counters.values(), key=lambda c: c.number)
    pool = (
        [c for c in staffed(counters)]
        if any(ticket.service in c.services for c in staffed(counters))
        else [c for c in counters if ticket.service in c.services]
    )
    if not pool:
        same = [
            t for t in state.tickets.values() if t.service == ticket.service and t.id != ticket_id
        ]
        rank = lambda t: (not t.is_priority, line_key(t))  # noqa: E731
        return sum(1 for t in same if rank(t) < rank(ticket))
    lines = Lines.build(state.tickets.values(), state.calls)
    streaks = {c.number: c.priority_streak for c in pool}
    count = 0
    while True:
        moved = False
        for counter in pool:
            picked = lines.pick(counter, streaks[counter.number], state.office.policy)
            if picked is None:
                continue
            moved = True
            if picked.id == ticket_id:
                return count
            streaks[counter.number] = next_streak(streaks[counter.number], picked)
            count += 1
        if not moved:
            return count


@st.composite
def offices(draw: st.DrawFn) -> q.OfficeQueue:
    policy = QueuePolicy(
        fairness_after=draw(st.integers(1, 4)),
        reenter_after_calls=draw(st.integers(0, 4)),
        max_reentries=draw(st.integers(0, 2)),
        normal_order=draw(st.sampled_from(NormalOrder)),
    )
    office = Office(
        1, "x", "X", "Asia/Jakarta", hours={d: ALL_DAY for d in range(7)}, policy=policy
    )
    services = {c: Service(code=c, prefix=c, name_id=c, name_en=c) for c in CODES}
    counters = {}
    for number in range(1, draw(st.integers(1, 5)) + 1):
        codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True))
        state_ = draw(st.sampled_from(CounterState))
        counters[number] = Counter(
            number, f"L{number}", tuple(codes), state=state_,
            officer=None if state_ is CounterState.CLOSED else f"o{number}",
        )  # fmt: skip
    state = q.OfficeQueue(office, services, counters, date(2026, 11, 23))
    now = T0
    for i in range(draw(st.integers(0, 60))):
        now += timedelta(seconds=draw(st.integers(0, 90)))
        code = draw(st.sampled_from(CODES))
        prio = PriorityGroup.LANSIA if draw(st.integers(0, 9)) == 0 else PriorityGroup.NONE
        events = q.issue(
            state, service=code, now=now, ticket_id=f"t{i}", token=f"k{i}",
            channel=Channel.KIOSK, priority=prio,
        )  # fmt: skip
        q.apply_all(state, events)
    # a few officer actions so missed, transferred and front tickets appear
    open_counters = [c for c in state.counters.values() if c.state is CounterState.OPEN]
    for _ in range(draw(st.integers(0, 8))):
        if not open_counters:
            break
        counter = draw(st.sampled_from(open_counters))
        now += timedelta(seconds=30)
        events = q.call_next(state, counter.number, counter.officer, now)
        q.apply_all(state, events)
        called = [e.ticket for e in events if e.type.value == "ticket_called"]
        if called and called[0] is not None:
            action = draw(st.sampled_from(["none", "no_show", "transfer", "front"]))
            tid = called[0].id
            if action == "no_show":
                q.apply_all(state, q.no_show(state, tid, None, now))
            elif action in ("transfer", "front"):
                target = draw(st.sampled_from([c for c in CODES if c != called[0].service]))
                q.apply_all(state, q.transfer(state, tid, target, None, now,
                                              to_front=action == "front"))  # fmt: skip
        open_counters = [c for c in state.counters.values() if c.state is CounterState.OPEN]
    return state


@settings(max_examples=300, deadline=None)
@given(offices())
def test_fast_ahead_equals_stepping(state: q.OfficeQueue) -> None:
    for ticket_id in list(state.tickets):
        assert state.ahead(state.tickets[ticket_id]) == stepping_ahead(state, ticket_id)


@settings(max_examples=200, deadline=None)
@given(offices())
def test_lane_index_matches_a_fresh_build(state: q.OfficeQueue) -> None:
    built = Lines.build(state.tickets.values(), state.calls)
    indexed = state.lines()
    for lanes_a, lanes_b in ((built.priority, indexed.priority), (built.normal, indexed.normal)):
        keys = {s for s, line in lanes_a.items() if len(line)} | {
            s for s, line in lanes_b.items() if len(line)
        }
        for s in keys:
            a = [t.id for _, t in lanes_a[s].items[lanes_a[s].head :]]
            b = [t.id for _, t in lanes_b[s].items[lanes_b[s].head :]]
            assert a == b
    rebuilt = q.OfficeQueue(state.office, state.services, state.counters, state.service_date,
                            tickets=dict(state.tickets), calls=dict(state.calls))  # fmt: skip
    for ticket_id in state.tickets:
        assert rebuilt.ahead(rebuilt.tickets[ticket_id]) == state.ahead(state.tickets[ticket_id])
