"""Property tests: random days in a small office, checked against invariants and a reference.

A hypothesis state machine issues tickets, opens/pauses/closes counters, calls, serves,
misses, transfers, holds, cancels and rolls the day over with an advancing clock, feeding
every command's events through `apply_all`. A separate ledger follows each ticket through
the events and checks numbering, the transitions table, that no ticket is lost, the counters,
the fairness bound, who is called next (against tests/domain/reference.py) and `ahead`.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as tally
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from queue_server.domain import calendar, errors
from queue_server.domain.events import Event, EventType
from queue_server.domain.model import (
    ALL_DAY,
    Channel,
    Counter,
    CounterState,
    DayHours,
    Language,
    NormalOrder,
    PriorityGroup,
    QueuePolicy,
    Service,
    Ticket,
    TicketStatus,
)
from queue_server.domain.numbering import parse_number
from queue_server.domain.ordering import call_order
from queue_server.domain.queue import (
    OfficeQueue,
    apply_all,
    call_next,
    call_ticket,
    cancel,
    close_counter,
    finish,
    hold,
    issue,
    no_show,
    open_counter,
    pause_counter,
    recall,
    resume,
    rollover,
    start,
    transfer,
)
from queue_server.domain.transitions import ALLOWED, guard

from .builders import WIB, WITA, make_office, service
from .reference import ref_ahead, ref_callable, ref_line_key, ref_pick

S = TicketStatus
E = EventType
CODES = ("A", "B", "C")
OFFICERS = ("ani", "budi", "citra", "dewi")
PRIORITIES = [g for g in PriorityGroup if g is not PriorityGroup.NONE]

STATUS_AFTER = {
    E.TICKET_ISSUED: S.WAITING,
    E.TICKET_CALLED: S.CALLED,
    E.TICKET_RECALLED: S.CALLED,
    E.TICKET_RESUMED: S.CALLED,
    E.TICKET_STARTED: S.SERVING,
    E.TICKET_FINISHED: S.DONE,
    E.TICKET_MISSED: S.MISSED,
    E.TICKET_NO_SHOW: S.NO_SHOW,
    E.TICKET_TRANSFERRED: S.WAITING,
    E.TICKET_HELD: S.ON_HOLD,
    E.TICKET_CANCELLED: S.CANCELLED,
    E.TICKET_EXPIRED: S.EXPIRED,
}
SELF_TRANSITIONS = {E.TICKET_RECALLED: S.CALLED, E.TICKET_TRANSFERRED: S.WAITING}
# fields a ticket keeps for its whole life, transfers included
FIXED = ("token", "origin_service", "service_date", "seq", "number", "priority", "issued_at")

# statuses from which each ticket command may act (from the ALLOWED table)
NEEDS: dict[str, frozenset[S]] = {
    "start": frozenset({S.CALLED}),
    "finish": frozenset({S.CALLED, S.SERVING}),
    "recall": frozenset({S.CALLED}),
    "hold": frozenset({S.CALLED, S.SERVING}),
    "resume": frozenset({S.ON_HOLD}),
    "no_show": frozenset({S.CALLED}),
    "transfer": frozenset({S.WAITING, S.CALLED, S.SERVING, S.ON_HOLD}),
    "call_ticket": frozenset({S.WAITING, S.ON_HOLD, S.MISSED}),
}

# action -> weight; CORE actions are in every run, the others in 4 runs out of 5
ACTIONS = {
    "take_number": 5,
    "call_the_next": 7,
    "call_a_ticket": 1,
    "recall_ticket": 1,
    "start_serving": 2,
    "finish_serving": 2,
    "not_here": 3,
    "send_elsewhere": 2,
    "set_aside": 2,
    "bring_back": 2,
    "give_up": 1,
    "open_a_counter": 2,
    "pause_a_counter": 1,
    "close_a_counter": 1,
    "tick": 1,
    "to_midnight": 1,
    "roll_over": 1,
    "invalid_transition": 1,
    "check_ahead": 3,
}
CORE = frozenset({"take_number", "call_the_next", "check_ahead"})

WEEKDAY = DayHours(opens=time(7, 0), closes=time(16, 0), last_ticket=time(15, 30))
FRIDAY = DayHours(
    opens=time(7, 0),
    closes=time(16, 30),
    last_ticket=time(16, 0),
    breaks=((time(11, 30), time(13, 0)),),
)
OFFICE_HOURS = {0: WEEKDAY, 1: WEEKDAY, 2: WEEKDAY, 3: WEEKDAY, 4: FRIDAY}


@dataclass(frozen=True)
class Config:
    tz: str
    hours: dict[int, DayHours]
    services: tuple[Service, ...]
    counters: dict[int, tuple[str, ...]]
    policy: QueuePolicy
    start: datetime
    step: timedelta  # how far the clock moves on every command
    staffed: tuple[int, ...]  # counters open from the start


@st.composite
def configs(draw: st.DrawFn) -> Config:
    codes = CODES[: draw(st.integers(2, 3))]
    services = tuple(
        service(
            code,
            daily_quota=draw(st.sampled_from([None, None, None, 3, 6])),
            remote_allowed=draw(st.booleans()),
            active=draw(st.sampled_from([True] * 9 + [False])),
        )
        for code in codes
    )
    counters = {}
    for number in range(1, draw(st.integers(2, 4)) + 1):
        order = draw(st.permutations(codes))
        counters[number] = tuple(order[: draw(st.integers(1, len(codes)))])
    policy = QueuePolicy(
        fairness_after=draw(st.integers(0, 3)),
        reenter_after_calls=draw(st.integers(0, 3)),
        max_reentries=draw(st.integers(0, 2)),
        normal_order=draw(st.sampled_from(NormalOrder)),
    )
    tz = draw(st.sampled_from([WIB, WITA]))
    day = date(2024, 7, 1) + timedelta(days=draw(st.integers(0, 6)))
    start_local = datetime.combine(day, time(draw(st.integers(0, 23)), draw(st.integers(0, 59))))
    start = start_local.replace(tzinfo=calendar.zone(tz)).astimezone(UTC)
    all_day = {d: ALL_DAY for d in range(7)}
    hours = draw(st.sampled_from([all_day, all_day, all_day, OFFICE_HOURS]))
    step = timedelta(seconds=draw(st.sampled_from([0, 1, 45])))
    staffed = draw(st.lists(st.sampled_from(sorted(counters)), unique=True, min_size=1))
    return Config(tz, hours, services, counters, policy, start, step, tuple(staffed))


def new_state(config: Config) -> OfficeQueue:
    office = make_office(config.tz, hours=config.hours, policy=config.policy)
    today = calendar.service_date(office, config.start)
    return OfficeQueue(
        office=office,
        services={s.code: s for s in config.services},
        counters={
            n: Counter(number=n, name=f"Loket {n}", services=codes)
            for n, codes in config.counters.items()
        },
        service_date=today,
    )


class OfficeDay(RuleBasedStateMachine):
    """One office over a day or two, driven by random commands."""

    # ------------------------------------------------------------ plumbing
    @initialize(config=configs(), data=st.data(), visitors=st.integers(0, 8))
    def setup(self, config: Config, data: st.DataObject, visitors: int) -> None:
        self.config = config
        self.state = new_state(config)
        self.policy = config.policy
        self.initial = deepcopy(self.state)
        self.now = config.start
        self.log: list[Event] = []
        self.ledger: dict[str, Ticket] = {}
        self.issued: dict[tuple[str, date], list[int]] = {}
        self.calls_today: dict[str, int] = {}
        self.serial = 0
        self.actions = [
            name
            for name, weight in ACTIONS.items()
            for _ in range(weight)
            if name in CORE or data.draw(st.integers(0, 4), label=f"use {name}") > 0
        ]
        for number, officer in zip(config.staffed, OFFICERS, strict=False):
            self.run(open_counter, number, officer, self.now)
        for _ in range(visitors):
            self.issue_one(data)

    def run(self, command: Callable[..., list[Event]], *args: Any, **kw: Any) -> list[Event] | None:
        """Decide, check the decision changed nothing, apply and check the ledger."""
        before = deepcopy(self.state)
        try:
            events = command(self.state, *args, **kw)
        except errors.DomainError as refused:
            tally(f"{command.__name__}: refused {type(refused).__name__}")
            self.now += self.config.step
            assert type(refused) is not errors.DomainError
            assert self.state == before, f"refused {command.__name__} changed the state"
            self.check_state()
            return None
        assert self.state == before, f"{command.__name__} changed the state before apply"
        tally(f"{command.__name__}: " + (",".join(sorted({e.type.value for e in events})) or "-"))
        for event in events:
            assert event.at == self.now
            self.record(event)
        apply_all(self.state, events)
        self.log.extend(events)
        self.check_state()
        self.now += self.config.step
        return events

    def expect_refusal(self, command: Callable[..., list[Event]], *args: Any, **kw: Any) -> None:
        before = deepcopy(self.state)
        try:
            command(self.state, *args, **kw)
        except errors.InvalidTransition:
            pass
        else:
            raise AssertionError(f"{command.__name__}{args} should have been refused")
        assert self.state == before

    def record(self, event: Event) -> None:
        """Follow each ticket through the events: numbering, transitions, nothing after the end."""
        if event.type is E.DAY_STARTED:
            assert event.service_date is not None and event.service_date > self.state.service_date
            assert event.service_date == calendar.service_date(self.state.office, self.now)
            # every ticket of the day must have been closed before the new day starts
            assert all(t.status.is_terminal for t in self.ledger.values())
            self.calls_today.clear()
            return
        t = event.ticket
        if t is None:
            assert event.counter is not None
            return
        assert STATUS_AFTER[event.type] is t.status, (event.type, t.status)
        if event.type is E.TICKET_ISSUED:
            assert t.id not in self.ledger
            assert t.service == t.origin_service and t.service_date == self.state.service_date
            seqs = self.issued.setdefault((t.origin_service, t.service_date), [])
            assert t.seq == len(seqs) + 1, "numbers must run 1..n without gaps"
            seqs.append(t.seq)
            prefix = self.state.services[t.origin_service].prefix
            assert parse_number(t.number) == (prefix, t.seq)
            assert len(t.number) == len(prefix) + max(3, len(str(t.seq)))
        else:
            prev = self.ledger.get(t.id)
            assert prev is not None, "event for a ticket never issued"
            assert not prev.status.is_terminal, f"{t.id} appears after it ended ({prev.status})"
            if prev.status is t.status:
                assert SELF_TRANSITIONS.get(event.type) is t.status, (event.type, t.status)
            assert t.status in ALLOWED[prev.status], (prev.status, t.status)
            for name in FIXED:
                assert getattr(t, name) == getattr(prev, name), name
            if event.type is E.TICKET_CALLED:
                self.calls_today[t.service] = self.calls_today.get(t.service, 0) + 1
        if t.status.is_terminal:
            assert t.ended_at == self.now
        self.ledger[t.id] = t

    def check_state(self) -> None:
        state = self.state
        # no ticket lost: open ones are in state, the others ended exactly once
        open_ids = {i for i, t in self.ledger.items() if not t.status.is_terminal}
        assert set(state.tickets) == open_ids
        for ticket_id in open_ids:
            assert state.tickets[ticket_id] == self.ledger[ticket_id]
        # numbering
        for (origin, day), seqs in self.issued.items():
            assert seqs == list(range(1, len(seqs) + 1))
            if day == state.service_date:
                assert state.last_seq.get(origin, 0) == len(seqs)
        assert {s: n for s, n in state.calls.items() if n} == self.calls_today
        # counters
        currents = [c.current_ticket for c in state.counters.values() if c.current_ticket]
        assert len(currents) == len(set(currents)), "a ticket is current at two counters"
        officers = [c.officer for c in state.counters.values() if c.officer is not None]
        assert len(officers) == len(set(officers)), "an officer signed in twice"
        for c in state.counters.values():
            if c.state is CounterState.CLOSED:
                assert c.officer is None and c.current_ticket is None
            else:
                assert c.officer is not None
            if c.current_ticket is not None:
                current = state.tickets.get(c.current_ticket)
                assert current is not None, "counter holds a ticket that is gone"
                assert current.status in (S.CALLED, S.SERVING)
                assert current.counter == c.number
            assert c.priority_streak >= 0
        # who each counter would call now, as the reference sees it
        for c in state.counters.values():
            expected = ref_pick(c, state.tickets.values(), state.calls, self.policy)
            picked = state.next_for(c)
            assert (picked and picked.id) == (expected and expected.id), c.number
        for t in state.tickets.values():
            if t.status in (S.CALLED, S.SERVING):
                assert t.id in currents, f"{t.status} ticket {t.id} is at no counter"
            if t.status is S.MISSED:
                assert t.reenter_at_call is not None
                assert 1 <= t.missed_count <= self.policy.max_reentries
            if t.status is S.WAITING:  # in a line, at no counter
                assert t.counter is None and t.officer is None
            if t.status is S.ON_HOLD:  # set aside by a counter that has moved on
                assert t.counter is not None and t.id not in currents

    @invariant()
    def guard_follows_the_table(self) -> None:
        """guard() refuses with InvalidTransition exactly when the table says."""
        for current in S:
            for target in (S.CALLED, S.EXPIRED, S.WAITING):
                try:
                    guard(current, target)
                except errors.InvalidTransition:
                    assert target not in ALLOWED[current]
                else:
                    assert target in ALLOWED[current]

    def teardown(self) -> None:
        """Replaying the events from the start rebuilds exactly the same state."""
        if not hasattr(self, "state"):
            return
        replay = deepcopy(self.initial)
        apply_all(replay, self.log)
        assert replay == self.state

    # ------------------------------------------------------------ drawing arguments
    def draw_ticket(self, data: st.DataObject, prefer: frozenset[S] | None = None) -> str:
        roll = data.draw(st.integers(0, 19), label="ticket roll")
        if roll == 0 or not self.ledger:
            return "no-such-ticket"
        if roll <= 3:
            return data.draw(st.sampled_from(sorted(self.ledger)), label="any ticket")
        open_ids = sorted(self.state.tickets)
        if prefer is not None:
            good = [i for i in open_ids if self.state.tickets[i].status in prefer]
            open_ids = good or open_ids
        if not open_ids:
            return data.draw(st.sampled_from(sorted(self.ledger)), label="any ticket")
        return data.draw(st.sampled_from(open_ids), label="ticket")

    def draw_counter(self, data: st.DataObject, open_only: bool = True) -> int:
        numbers = sorted(self.state.counters)
        if open_only:
            numbers = [
                n for n in numbers if self.state.counters[n].state is CounterState.OPEN
            ] or numbers
        return data.draw(st.sampled_from([*numbers * 4, 99]), label="counter")

    def draw_officer(self, data: st.DataObject, counter: int | None) -> str | None:
        c = self.state.counters.get(counter) if counter is not None else None
        own = c.officer if c is not None else None
        return data.draw(st.sampled_from([None, None, own, own, own, "eko"]), label="officer")

    def officer_of(self, ticket_id: str, data: st.DataObject) -> str | None:
        t = self.state.tickets.get(ticket_id)
        return self.draw_officer(data, t.counter if t is not None else None)

    # ------------------------------------------------------------ the one rule
    # One rule picks a weighted action. Hypothesis' own swarm testing would switch whole rules
    # off per run (often issuing or calling, leaving nothing to test); instead each run
    # switches some of the optional actions off itself and always keeps issuing and calling.
    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        action = data.draw(st.sampled_from(self.actions), label="action")
        getattr(self, action)(data)

    # ------------------------------------------------------------ the clock
    def tick(self, data: st.DataObject) -> None:
        self.now += timedelta(minutes=data.draw(st.integers(1, 300), label="minutes"))

    def to_midnight(self, data: st.DataObject) -> None:
        seconds = data.draw(st.integers(-90, 90), label="seconds from midnight")
        midnight = calendar.next_midnight(self.state.office, self.now)
        self.now = max(self.now, midnight + timedelta(seconds=seconds))

    def roll_over(self, data: st.DataObject) -> None:
        today = calendar.service_date(self.state.office, self.now)
        events = self.run(rollover, self.now)
        assert events is not None
        assert self.state.service_date == today
        if events:
            assert events[-1].type is E.DAY_STARTED
            assert self.state.tickets == {} and self.state.last_seq == {}
            for c in self.state.counters.values():
                assert c.state is CounterState.CLOSED and c.priority_streak == 0

    # ------------------------------------------------------------ issuing
    def take_number(self, data: st.DataObject) -> None:
        for _ in range(data.draw(st.integers(1, 3), label="how many")):
            self.issue_one(data)

    def issue_one(self, data: st.DataObject) -> None:
        self.serial += 1
        codes = sorted(self.state.services)
        code = data.draw(st.sampled_from([*codes * 6, "Z"]), label="service")
        priority = data.draw(
            st.sampled_from([PriorityGroup.NONE] * 3 + PRIORITIES[:2]), label="priority"
        )
        channel = data.draw(
            st.sampled_from([Channel.KIOSK] * 4 + [Channel.STAFF, Channel.WEB, Channel.CHAT]),
            label="channel",
        )
        phone = data.draw(  # a few phones, so the per-phone cap of remote tickets is reached
            st.sampled_from([None, "+6281200000001", "+6281200000002"]), label="phone"
        )
        events = self.run(
            issue,
            service=code,
            now=self.now,
            ticket_id=f"t{self.serial:03d}",
            token=f"tok{self.serial}",
            channel=channel,
            priority=priority,
            language=Language.ID,
            key=f"k{self.serial}",
            phone=phone,
            notify_consent=phone is not None,
        )
        if events is not None:
            assert [e.type for e in events] == [E.TICKET_ISSUED]

    # ------------------------------------------------------------ counters
    def open_a_counter(self, data: st.DataObject) -> None:
        number = self.draw_counter(data, open_only=False)
        officer = data.draw(st.sampled_from(OFFICERS), label="officer")
        self.run(open_counter, number, officer, self.now)

    def pause_a_counter(self, data: st.DataObject) -> None:
        number = self.draw_counter(data)
        self.run(pause_counter, number, self.draw_officer(data, number), self.now)

    def close_a_counter(self, data: st.DataObject) -> None:
        number = self.draw_counter(data, open_only=False)
        self.run(close_counter, number, self.draw_officer(data, number), self.now)

    # ------------------------------------------------------------ calling
    def call_the_next(self, data: st.DataObject) -> None:
        number = self.draw_counter(data)
        officer = self.draw_officer(data, number)
        counter = self.state.counters.get(number)
        before = deepcopy(self.state)
        events = self.run(call_next, number, officer, self.now)
        if events is None or counter is None:
            return
        expected = ref_pick(counter, before.tickets.values(), before.calls, self.policy)
        called = [e.ticket for e in events if e.type is E.TICKET_CALLED]
        assert [t.id for t in called if t] == ([expected.id] if expected else [])
        current = before.tickets.get(counter.current_ticket or "")
        finished = [e for e in events if e.type is E.TICKET_FINISHED]
        assert len(finished) == int(current is not None)
        if expected is None:
            return
        # the fairness bound
        streak = counter.priority_streak
        if streak >= self.policy.fairness_after:
            tally("call_next: fairness due, " + ("priority" if expected.is_priority else "normal"))
        if expected.status is S.MISSED:
            tally("call_next: a missed ticket re-entered")
        if expected.is_priority and streak >= self.policy.fairness_after:
            check_fairness(counter, expected, before)
        after = self.state.counters[number]
        assert after.current_ticket == expected.id
        assert after.priority_streak == (streak + 1 if expected.is_priority else 0)

    def call_a_ticket(self, data: st.DataObject) -> None:
        ticket_id = self.draw_ticket(data, NEEDS["call_ticket"])
        number = self.draw_counter(data)
        self.run(call_ticket, ticket_id, number, self.draw_officer(data, number), self.now)

    def recall_ticket(self, data: st.DataObject) -> None:
        ticket_id = self.draw_ticket(data, NEEDS["recall"])
        self.run(recall, ticket_id, self.officer_of(ticket_id, data), self.now)

    def start_serving(self, data: st.DataObject) -> None:
        ticket_id = self.draw_ticket(data, NEEDS["start"])
        self.run(start, ticket_id, self.officer_of(ticket_id, data), self.now)

    def finish_serving(self, data: st.DataObject) -> None:
        ticket_id = self.draw_ticket(data, NEEDS["finish"])
        self.run(finish, ticket_id, self.officer_of(ticket_id, data), self.now)

    def not_here(self, data: st.DataObject) -> None:
        ticket_id = self.draw_ticket(data, NEEDS["no_show"])
        before = self.state.tickets.get(ticket_id)
        events = self.run(no_show, ticket_id, self.officer_of(ticket_id, data), self.now)
        if events and before is not None:
            (event,) = events
            if before.missed_count < self.policy.max_reentries:
                assert event.type is E.TICKET_MISSED
                assert event.ticket is not None
                assert event.ticket.reenter_at_call == (
                    self.state.calls.get(before.service, 0) + self.policy.reenter_after_calls
                )
            else:
                assert event.type is E.TICKET_NO_SHOW

    def send_elsewhere(self, data: st.DataObject) -> None:
        to_front = data.draw(st.booleans(), label="to front")
        ticket_id = self.draw_ticket(data, NEEDS["transfer"])
        target = data.draw(st.sampled_from([*self.state.services, "Z"]), label="to service")
        officer = self.officer_of(ticket_id, data)
        before = self.state.tickets.get(ticket_id)
        events = self.run(transfer, ticket_id, target, officer, self.now, to_front=to_front)
        if events and before is not None:
            moved = events[0].ticket
            assert moved is not None
            assert moved.number == before.number and moved.issued_at == before.issued_at
            assert moved.service == target and moved.transferred_from == before.service
            assert (moved.front_at is not None) == to_front

    def set_aside(self, data: st.DataObject) -> None:
        ticket_id = self.draw_ticket(data, NEEDS["hold"])
        self.run(hold, ticket_id, self.officer_of(ticket_id, data), self.now)

    def bring_back(self, data: st.DataObject) -> None:
        ticket_id = self.draw_ticket(data, NEEDS["resume"])
        number: int | None = data.draw(
            st.sampled_from([None, *self.state.counters]), label="resume at"
        )
        officer = self.draw_officer(data, number)
        self.run(resume, ticket_id, number, officer, self.now)

    def give_up(self, data: st.DataObject) -> None:
        self.run(cancel, self.draw_ticket(data), self.now)

    # ------------------------------------------------------------ deliberately invalid
    def invalid_transition(self, data: st.DataObject) -> None:
        """A ticket command on a ticket whose status does not allow it is always refused."""
        name = data.draw(st.sampled_from(sorted(NEEDS)), label="command")
        wrong = [t for t in self.state.tickets.values() if t.status not in NEEDS[name]]
        if not wrong:
            return
        t = data.draw(st.sampled_from(sorted(wrong, key=lambda t: t.id)), label="wrong ticket")
        now = self.now
        if name == "transfer":
            others = [
                s.code for s in self.state.services.values() if s.active and s.code != t.service
            ]
            if others:
                self.expect_refusal(transfer, t.id, others[0], None, now)
        elif name == "call_ticket":
            opened = [c.number for c in self.state.counters.values() if c.state.value == "open"]
            if opened:
                self.expect_refusal(call_ticket, t.id, opened[0], None, now)
        elif name == "resume":
            self.expect_refusal(resume, t.id, None, None, now)
        else:
            command = {
                "start": start,
                "finish": finish,
                "recall": recall,
                "hold": hold,
                "no_show": no_show,
            }[name]
            self.expect_refusal(command, t.id, None, now)

    # ------------------------------------------------------------ ahead
    def check_ahead(self, data: st.DataObject) -> None:
        lined = sorted(
            t.id for t in self.state.tickets.values() if t.status in (S.WAITING, S.MISSED)
        )
        if not lined:
            return
        state = self.state
        ticket = state.tickets[data.draw(st.sampled_from(lined), label="ahead of")]
        ahead = state.ahead(ticket)
        assert state.ahead(ticket) == ahead  # asking changes nothing
        self.check_state()
        # the staff list: one simulation for all, a ticket's place in it is its ahead
        order = call_order(
            state.tickets.values(), state.counters.values(), state.calls, self.policy
        )
        served = {s for c in state.counters.values() if c.state is not CounterState.CLOSED
                  for s in c.services}  # fmt: skip
        assert sorted(order) == sorted(i for i in lined if state.tickets[i].service in served)
        if ticket.id in order:
            assert order.index(ticket.id) == ahead
        expected = ref_ahead(
            ticket, state.tickets.values(), state.counters.values(), state.calls, self.policy
        )
        if expected is None:  # no counter lists its service at all
            return
        tally(f"ahead: checked for a {ticket.status} ticket")
        assert ahead == expected
        assert round_robin_calls_before(state, ticket, self.now) == ahead


def check_fairness(counter: Counter, picked: Ticket, before: OfficeQueue) -> None:
    """`picked` is a priority ticket called after K priority calls in a row at `counter`: no
    normal ticket the counter could serve may have waited longer (earlier issue time).

    When a normal line starts with a ticket sent to the front or a re-entering missed one, that
    head stands for the line and only line heads are compared (the domain's reading: see
    test_rules.test_fairness_looks_behind_the_front_of_the_line, an xfail); otherwise the
    oldest normal ticket is always a line head and every normal ticket is compared.
    """
    normal = [
        t
        for t in ref_callable(before.tickets.values(), before.calls)
        if t.service in counter.services and not t.is_priority
    ]
    if any(t.front_at is not None or t.status is S.MISSED for t in normal):
        tally("call_next: fairness checked on line heads")
        heads = {}
        for t in sorted(normal, key=ref_line_key, reverse=True):
            heads[t.service] = t
        normal = list(heads.values())
    for t in normal:
        assert not t.issued_at < picked.issued_at, (
            f"{t.id} waited longer than priority {picked.id} after "
            f"{counter.priority_streak} priority calls at counter {counter.number}"
        )


def round_robin_calls_before(state: OfficeQueue, ticket: Ticket, now: datetime) -> int:
    """On a copy: open the counters that would call, call_next in turns until `ticket` is
    called; return how many others were called first."""
    sim = deepcopy(state)
    everyone = sorted(sim.counters.values(), key=lambda c: c.number)
    staffed = [c for c in everyone if c.state is not CounterState.CLOSED]
    if any(ticket.service in c.services for c in staffed):
        pool = staffed
    else:
        pool = [c for c in everyone if ticket.service in c.services]
    for c in pool:
        if c.state is not CounterState.OPEN:
            apply_all(sim, open_counter(sim, c.number, c.officer or f"sim{c.number}", now))
    others = 0
    for _ in range(10_000):
        progressed = False
        for c in pool:
            events = call_next(sim, c.number, None, now)
            apply_all(sim, events)
            called = [e.ticket for e in events if e.type is E.TICKET_CALLED and e.ticket]
            if not called:
                continue
            progressed = True
            if called[0].id == ticket.id:
                return others
            others += 1
        assert progressed, f"{ticket.id} is never called"
    raise AssertionError("runaway simulation")


TestOfficeDay = OfficeDay.TestCase
TestOfficeDay.settings = settings(
    max_examples=120,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# ---------------------------------------------------------------- ahead, the simple case


@given(
    kinds=st.lists(st.sampled_from(["n", "p", "f"]), min_size=1, max_size=12),
    k=st.integers(0, 3),
    tz=st.sampled_from([WIB, WITA]),
)
@settings(max_examples=150, deadline=None)
def test_single_counter_ahead_is_place_in_line(kinds: list[str], k: int, tz: str) -> None:
    """One open counter serving one service: ahead == tickets before it in call order."""
    office = make_office(tz, policy=QueuePolicy(fairness_after=k))
    state = OfficeQueue(
        office=office,
        services={"A": service("A"), "B": service("B")},
        counters={1: Counter(1, "Loket 1", ("A",)), 2: Counter(2, "Loket 2", ("B",))},
        service_date=date(2024, 7, 1),
    )
    apply_all(state, open_counter(state, 1, "ani", datetime(2024, 7, 1, 1, tzinfo=UTC)))
    t0 = datetime(2024, 7, 1, 1, tzinfo=UTC)
    for i, kind in enumerate(kinds):
        now = t0 + timedelta(minutes=i)
        code = "B" if kind == "f" else "A"
        priority = PriorityGroup.LANSIA if kind == "p" else PriorityGroup.NONE
        apply_all(
            state,
            issue(
                state,
                service=code,
                now=now,
                ticket_id=f"t{i:02d}",
                token="x",
                channel=Channel.KIOSK,
                priority=priority,
            ),
        )
        if kind == "f":  # an officer sends it to the front of A's line
            apply_all(state, transfer(state, f"t{i:02d}", "A", None, now, to_front=True))
    # the line order, by the reference
    order: list[str] = []
    pending = dict(state.tickets)
    streak = 0
    counter = state.counters[1]
    while True:
        picked = ref_pick(counter, pending.values(), {}, state.office.policy, streak)
        if picked is None:
            break
        order.append(picked.id)
        pending[picked.id] = replace(picked, status=S.CALLED)
        streak = streak + 1 if picked.is_priority else 0
    assert sorted(order) == sorted(state.tickets)
    for place, ticket_id in enumerate(order):
        assert state.ahead(state.tickets[ticket_id]) == place
    # and the counter really calls them in that order
    calls: list[str] = []
    for _ in order:
        events = call_next(state, 1, None, t0)
        apply_all(state, events)
        calls.extend(e.ticket.id for e in events if e.type is E.TICKET_CALLED and e.ticket)
    assert calls == order
