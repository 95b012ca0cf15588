"""Who is called next at a counter, and how many would be called before a given ticket."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .model import Counter, CounterState, NormalOrder, QueuePolicy, Ticket, TicketStatus

LineKey = tuple[int, datetime, int, str]


def line_key(ticket: Ticket) -> LineKey:
    """Order inside one line: re-entering missed first, then sent-to-front, then issue time."""
    if ticket.status is TicketStatus.MISSED:
        return (0, ticket.called_at or ticket.issued_at, ticket.seq, ticket.id)
    if ticket.front_at is not None:
        return (1, ticket.front_at, ticket.seq, ticket.id)
    return (2, ticket.issued_at, ticket.seq, ticket.id)


def wait_key(ticket: Ticket) -> tuple[datetime, int, str]:
    """How long a ticket has waited: earlier issue time (then lower number) waited longer."""
    return (ticket.issued_at, ticket.seq, ticket.id)


@dataclass
class _Line:
    items: list[tuple[LineKey, Ticket]] = field(default_factory=list)
    head: int = 0
    shared: bool = False  # items belong to a LaneIndex: copy before changing them

    def peek(self) -> Ticket | None:
        return self.items[self.head][1] if self.head < len(self.items) else None

    def pop(self) -> Ticket:
        ticket = self.items[self.head][1]
        self.head += 1
        return ticket

    def push(self, ticket: Ticket) -> None:
        if self.shared:
            self.items, self.head, self.shared = self.items[self.head :], 0, False
        insort(self.items, (line_key(ticket), ticket), lo=self.head)

    def position(self, ticket: Ticket) -> int:
        """How many tickets stand before `ticket` in this line (it must be in it)."""
        return bisect_left(self.items, line_key(ticket), lo=self.head, key=_first) - self.head

    def __len__(self) -> int:
        return len(self.items) - self.head


def _first(item: tuple[LineKey, Ticket]) -> LineKey:
    return item[0]


class LaneIndex:
    """Waiting tickets kept sorted per (service, lane) as they change, so deciding who is next
    never sorts the whole office again."""

    def __init__(self, tickets: Iterable[Ticket] = ()) -> None:
        self.priority: dict[str, list[tuple[LineKey, Ticket]]] = {}
        self.normal: dict[str, list[tuple[LineKey, Ticket]]] = {}
        self.missed: dict[str, dict[str, Ticket]] = {}
        self._where: dict[str, Ticket] = {}
        for ticket in tickets:
            self.put(ticket)

    def put(self, ticket: Ticket) -> None:
        """Index the new state of `ticket` (replacing its previous one)."""
        self.remove(ticket.id)
        if ticket.status is TicketStatus.WAITING:
            lanes = self.priority if ticket.is_priority else self.normal
            insort(lanes.setdefault(ticket.service, []), (line_key(ticket), ticket))
        elif ticket.status is TicketStatus.MISSED:
            self.missed.setdefault(ticket.service, {})[ticket.id] = ticket
        else:
            return
        self._where[ticket.id] = ticket

    def remove(self, ticket_id: str) -> None:
        old = self._where.pop(ticket_id, None)
        if old is None:
            return
        if old.status is TicketStatus.MISSED:
            del self.missed[old.service][ticket_id]
            return
        items = (self.priority if old.is_priority else self.normal)[old.service]
        del items[bisect_left(items, line_key(old), key=_first)]

    def count(self, service: str) -> int:
        """Tickets of `service` still to be called: waiting in either lane, or missed."""
        return (
            len(self.priority.get(service, ()))
            + len(self.normal.get(service, ()))
            + len(self.missed.get(service, ()))
        )

    def services(self) -> set[str]:
        return {*self.priority, *self.normal, *self.missed}

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]


@dataclass
class Lines:
    """The callable tickets of an office split by service and lane, each in line order."""

    priority: dict[str, _Line]
    normal: dict[str, _Line]
    pending_missed: dict[str, list[Ticket]]  # missed tickets not yet due to re-enter
    calls: dict[str, int]

    @classmethod
    def build(cls, tickets: Iterable[Ticket], calls: Mapping[str, int]) -> Lines:
        priority: dict[str, _Line] = {}
        normal: dict[str, _Line] = {}
        pending: dict[str, list[Ticket]] = {}
        missed: list[Ticket] = []
        for ticket in tickets:
            if ticket.status is TicketStatus.WAITING:
                lanes = priority if ticket.is_priority else normal
                lanes.setdefault(ticket.service, _Line()).items.append((line_key(ticket), ticket))
            elif ticket.status is TicketStatus.MISSED:
                missed.append(ticket)
        for lanes in (priority, normal):
            for line in lanes.values():
                line.items.sort()
        lines = cls(priority, normal, pending, dict(calls))
        for ticket in missed:
            pending.setdefault(ticket.service, []).append(ticket)
        for service in list(pending):
            lines._release_missed(service)
        return lines

    @classmethod
    def from_index(cls, index: LaneIndex, calls: Mapping[str, int]) -> Lines:
        """Lines over an index's sorted lists, without copying them."""
        lines = cls(
            {s: _Line(items, 0, True) for s, items in index.priority.items()},
            {s: _Line(items, 0, True) for s, items in index.normal.items()},
            {s: list(missed.values()) for s, missed in index.missed.items() if missed},
            dict(calls),
        )
        for service in list(lines.pending_missed):
            lines._release_missed(service)
        return lines

    def add(self, ticket: Ticket) -> None:
        """Put a waiting ticket in its line (a forecast's expected arrival)."""
        self._lane(ticket).push(ticket)

    def _lane(self, ticket: Ticket) -> _Line:
        lanes = self.priority if ticket.is_priority else self.normal
        return lanes.setdefault(ticket.service, _Line())

    def _waiting_in(self, service: str) -> int:
        return len(self.priority.get(service, ())) + len(self.normal.get(service, ()))

    def _release_missed(self, service: str) -> None:
        """Move missed tickets that are due (N calls later, or nobody else waits) into line."""
        pending = self.pending_missed.get(service)
        if not pending:
            return
        calls = self.calls.get(service, 0)
        due = [t for t in pending if t.reenter_at_call is None or calls >= t.reenter_at_call]
        if not due and self._waiting_in(service) == 0:
            due = [min(pending, key=line_key)]
        for ticket in due:
            pending.remove(ticket)
            self._lane(ticket).push(ticket)

    def is_callable(self, ticket: Ticket) -> bool:
        lanes = self.priority if ticket.is_priority else self.normal
        line = lanes.get(ticket.service)
        return line is not None and any(t.id == ticket.id for _, t in line.items[line.head :])

    def pick(self, counter: Counter, streak: int, policy: QueuePolicy) -> Ticket | None:
        """Take the ticket `counter` calls next, or None when it has nobody to call."""
        services = counter.services
        best_priority: _Line | None = None
        for service in services:
            line = self.priority.get(service)
            head = line.peek() if line is not None else None
            if head is not None and (
                best_priority is None or line_key(head) < line_key(best_priority.peek())  # type: ignore[arg-type]
            ):
                best_priority = line
        oldest_normal = self._oldest_normal(services)
        chosen: _Line | None
        if best_priority is not None:
            chosen = best_priority
            priority_head = best_priority.peek()
            assert priority_head is not None
            if (
                streak >= policy.fairness_after
                and oldest_normal is not None
                and wait_key(oldest_normal.peek()) < wait_key(priority_head)  # type: ignore[arg-type]
            ):
                chosen = oldest_normal
        elif policy.normal_order is NormalOrder.LONGEST_WAIT:
            chosen = oldest_normal
        else:
            chosen = next(
                (self.normal[s] for s in services if len(self.normal.get(s, ())) > 0), None
            )
        if chosen is None:
            return None
        ticket = chosen.pop()
        self.calls[ticket.service] = self.calls.get(ticket.service, 0) + 1
        self._release_missed(ticket.service)
        return ticket

    def _oldest_normal(self, services: tuple[str, ...]) -> _Line | None:
        best: _Line | None = None
        best_key: tuple[datetime, int, str] | None = None
        for service in services:
            line = self.normal.get(service)
            head = line.peek() if line is not None else None
            if head is None:
                continue
            key = wait_key(head)
            if best_key is None or key < best_key:
                best, best_key = line, key
        return best


def next_streak(streak: int, ticket: Ticket) -> int:
    """Count consecutive priority calls at a counter."""
    return streak + 1 if ticket.is_priority else 0


def staffed(counters: Iterable[Counter]) -> list[Counter]:
    """Counters that keep calling: open ones, and paused ones that will come back."""
    return [c for c in counters if c.state is not CounterState.CLOSED]


def calling_pool(ticket: Ticket, counters: Iterable[Counter]) -> list[Counter]:
    """The counters whose calls come before `ticket`'s, in turn order.

    All staffed counters when one of them serves the ticket's service (they share the lobby's
    calls, so `ahead` / len(pool) calls is the time until its turn); otherwise every counter
    that lists the service, assumed to open.
    """
    ordered = sorted(counters, key=lambda c: c.number)
    pool = staffed(ordered)
    if any(ticket.service in c.services for c in pool):
        return pool
    return [c for c in ordered if ticket.service in c.services]


def ahead_of(
    ticket: Ticket,
    tickets: Iterable[Ticket],
    counters: Iterable[Counter],
    calls: Mapping[str, int],
    policy: QueuePolicy,
    lines: Lines | None = None,
) -> int:
    """Count the tickets called before `ticket` if nobody new came and counters kept their services.

    Counters take turns in number order, one call each. When no staffed counter serves the
    ticket's service, every counter that lists it is assumed to open. `lines`, when given,
    must hold the same tickets (e.g. from a LaneIndex); it is consumed.
    """
    if ticket.status not in (TicketStatus.WAITING, TicketStatus.MISSED):
        return 0
    pool = calling_pool(ticket, counters)
    if not pool:  # no counter lists this service: its own line, priority first
        return sum(1 for t in tickets if t.service == ticket.service and _before(t, ticket))
    lines = lines if lines is not None else Lines.build(tickets, calls)
    streaks = {c.number: c.priority_streak for c in pool}
    count = 0
    while True:
        count += _skip_rounds(lines, pool, streaks, ticket, policy)
        progressed = False
        for counter in pool:
            picked = lines.pick(counter, streaks[counter.number], policy)
            if picked is None:
                continue
            progressed = True
            if picked.id == ticket.id:
                return count
            streaks[counter.number] = next_streak(streaks[counter.number], picked)
            count += 1
        if not progressed:
            return count


def _before(other: Ticket, ticket: Ticket) -> bool:
    if other.id == ticket.id or other.status not in (TicketStatus.WAITING, TicketStatus.MISSED):
        return False
    return (not other.is_priority, line_key(other)) < (not ticket.is_priority, line_key(ticket))


def _skip_rounds(
    lines: Lines,
    pool: list[Counter],
    streaks: dict[int, int],
    ticket: Ticket,
    policy: QueuePolicy,
) -> int:
    """Skip whole rounds in which every counter keeps calling from the same normal line.

    Exact, not an estimate: with no priority ticket callable and no missed ticket pending,
    each counter calls from its first non-empty service until one of those lines runs short,
    so k rounds take k x (counters on it) tickets from each line. Stops before `ticket`'s
    turn. Returns how many tickets the skipped rounds called.
    """
    if policy.normal_order is not NormalOrder.PREFERENCE or any(lines.pending_missed.values()):
        return 0
    targets: dict[str, int] = {}
    for counter in pool:
        target = None
        for service in counter.services:
            if len(lines.priority.get(service, ())) > 0:
                return 0
            if target is None and len(lines.normal.get(service, ())) > 0:
                target = service
        if target is not None:
            targets[target] = targets.get(target, 0) + 1
    if not targets:
        return 0
    rounds = min(len(lines.normal[s]) // r for s, r in targets.items())
    if not ticket.is_priority:  # waiting, or missed and back in its line: stop before it
        per_round = targets.get(ticket.service)
        if per_round:
            rounds = min(rounds, lines.normal[ticket.service].position(ticket) // per_round)
    if rounds <= 0:
        return 0
    for service, per_round in targets.items():
        lines.normal[service].head += rounds * per_round
        lines.calls[service] = lines.calls.get(service, 0) + rounds * per_round
    for counter in pool:
        if any(s in targets for s in counter.services):
            streaks[counter.number] = 0
    return rounds * sum(targets.values())


def call_order(
    tickets: Iterable[Ticket],
    counters: Iterable[Counter],
    calls: Mapping[str, int],
    policy: QueuePolicy,
    lines: Lines | None = None,
) -> list[str]:
    """Return the ids of callable tickets in the order staffed counters would call them.

    One simulation for a whole list (a ticket's position is its `ahead`), for tickets whose
    service some staffed counter serves; the rest are not in the result.
    """
    pool = sorted(staffed(counters), key=lambda c: c.number)
    lines = lines if lines is not None else Lines.build(tickets, calls)
    streaks = {c.number: c.priority_streak for c in pool}
    order: list[str] = []
    progressed = True
    while progressed:
        progressed = False
        for counter in pool:
            picked = lines.pick(counter, streaks[counter.number], policy)
            if picked is not None:
                progressed = True
                streaks[counter.number] = next_streak(streaks[counter.number], picked)
                order.append(picked.id)
    return order
