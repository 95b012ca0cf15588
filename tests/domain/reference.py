"""A naive, independent statement of who is called next (does not use ordering.py).

It recomputes everything from the list of tickets on every call, as the spec words it:

- the callable tickets are the waiting ones plus the missed ones that are due again: N calls
  in their service after they were missed, or at once (the earliest missed one) when nobody
  else waits in that service;
- the line of a service: re-entering missed tickets first (by when they were called), then
  those an officer sent to the front (by when), then by original issue time; ties at the same
  instant go by the ticket's number;
- priority tickets first, front of line first across the counter's services; after K priority
  calls in a row the oldest (by issue time) normal line head goes instead if it waited longer;
- normal tickets: first service in the counter's preference order with anyone waiting, or
  the oldest line head across services for LONGEST_WAIT.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from queue_server.domain.model import (
    Counter,
    CounterState,
    NormalOrder,
    QueuePolicy,
    Ticket,
    TicketStatus,
)


def ref_line_key(t: Ticket) -> tuple[int, datetime, int, str]:
    """Ties (same instant) go by the ticket's number, then its id."""
    if t.status is TicketStatus.MISSED:
        return (0, t.called_at or t.issued_at, t.seq, t.id)
    if t.front_at is not None:
        return (1, t.front_at, t.seq, t.id)
    return (2, t.issued_at, t.seq, t.id)


def ref_wait_key(t: Ticket) -> tuple[datetime, int, str]:
    return (t.issued_at, t.seq, t.id)


def ref_callable(tickets: Iterable[Ticket], calls: Mapping[str, int]) -> list[Ticket]:
    """Waiting tickets plus missed tickets that may be called again now."""
    tickets = list(tickets)
    out = [t for t in tickets if t.status is TicketStatus.WAITING]
    services = {t.service for t in tickets if t.status is TicketStatus.MISSED}
    for s in sorted(services):
        missed = [t for t in tickets if t.status is TicketStatus.MISSED and t.service == s]
        due = [
            t for t in missed if t.reenter_at_call is None or calls.get(s, 0) >= t.reenter_at_call
        ]
        nobody_waits = not any(t.service == s for t in out if t.status is TicketStatus.WAITING)
        if not due and nobody_waits:
            due = [min(missed, key=ref_line_key)]
        out.extend(due)
    return out


def ref_pick(
    counter: Counter,
    tickets: Iterable[Ticket],
    calls: Mapping[str, int],
    policy: QueuePolicy,
    streak: int | None = None,
) -> Ticket | None:
    streak = counter.priority_streak if streak is None else streak
    cands = [t for t in ref_callable(tickets, calls) if t.service in counter.services]
    prio = [t for t in cands if t.is_priority]
    normal = [t for t in cands if not t.is_priority]
    heads = []
    for s in counter.services:
        line = sorted((t for t in normal if t.service == s), key=ref_line_key)
        if line:
            heads.append(line[0])
    if prio:
        p = min(prio, key=ref_line_key)
        if streak >= policy.fairness_after and heads:
            oldest = min(heads, key=ref_wait_key)
            if ref_wait_key(oldest) < ref_wait_key(p):
                return oldest
        return p
    if not heads:
        return None
    if policy.normal_order is NormalOrder.LONGEST_WAIT:
        return min(heads, key=ref_wait_key)
    return heads[0]  # heads are in the counter's preference order


def ref_ahead(
    ticket: Ticket,
    tickets: Iterable[Ticket],
    counters: Iterable[Counter],
    calls: Mapping[str, int],
    policy: QueuePolicy,
) -> int | None:
    """Counters take turns (by number) calling one each; count the calls before `ticket`.

    The counters that take part are the staffed (open or paused) ones when any of them serves
    the ticket's service, else every counter that lists the service. None when no counter
    lists it at all.
    """
    if ticket.status not in (TicketStatus.WAITING, TicketStatus.MISSED):
        return 0
    everyone = sorted(counters, key=lambda c: c.number)
    staffed = [c for c in everyone if c.state is not CounterState.CLOSED]
    if any(ticket.service in c.services for c in staffed):
        pool = staffed
    else:
        pool = [c for c in everyone if ticket.service in c.services]
    if not pool:
        return None
    pending = {t.id: t for t in tickets}
    calls = dict(calls)
    streaks = {c.number: c.priority_streak for c in pool}
    called = 0
    while True:
        progressed = False
        for c in pool:
            picked = ref_pick(c, pending.values(), calls, policy, streaks[c.number])
            if picked is None:
                continue
            progressed = True
            if picked.id == ticket.id:
                return called
            called += 1
            streaks[c.number] = streaks[c.number] + 1 if picked.is_priority else 0
            calls[picked.service] = calls.get(picked.service, 0) + 1
            pending[picked.id] = replace(picked, status=TicketStatus.CALLED)
        if not progressed:
            raise AssertionError(f"reference never calls {ticket.id}")
