"""Report figures: a hand-built day whose answers are known, and generated days where the
figures from the tickets table agree with ones rebuilt independently from the raw event log."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from queue_server.clock import FrozenClock
from queue_server.domain import queue as domain
from queue_server.domain.events import EventType
from queue_server.domain.model import Channel, PriorityGroup
from queue_server.reports.figures import Visit, figures, grouped, heatmap, percentile
from queue_server.reports.visits import visits
from queue_server.services.queue import QueueService
from queue_server.store import repository as repo

DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 WIB


def visit(
    wait: float | None, status: str = "done", service: float | None = 10, **kw: object
) -> Visit:
    called = T0 + timedelta(minutes=wait) if wait is not None else None
    finished = called + timedelta(minutes=service) if called and service is not None else None
    values: dict[str, object] = dict(
        service="A", service_date=DAY, status=status, priority="none", channel="kiosk",
        issued_at=T0, called_at=called, started_at=called, finished_at=finished,
        counter=1 if called else None, officer="petugas1" if called else None,
        transferred=False, target_minutes=15,
    )  # fmt: skip
    values.update(kw)
    return Visit(**values)  # type: ignore[arg-type]


def test_a_hand_built_day() -> None:
    day = [
        visit(5),
        visit(10, service=20),
        visit(20, priority="lansia"),
        visit(30, status="no_show", service=None),
        visit(None, status="cancelled"),
        visit(None, status="expired"),
        visit(16, transferred=True, service=4),
    ]
    f = figures(day)
    assert (f.arrived, f.served, f.no_shows, f.cancelled, f.expired, f.transfers) == (
        7,
        4,
        1,
        1,
        1,
        1,
    )
    assert f.served_pct == pytest.approx(400 / 7)
    # waits of the five called visits: 5, 10, 20, 30, 16
    assert f.wait_avg == pytest.approx(16.2) and f.wait_median == 16 and f.wait_max == 30
    assert f.wait_p90 == 30  # nearest rank: ceil(0.9 x 5) = 5th of 5
    assert f.above_target == 3 and f.above_target_pct == pytest.approx(60)  # 20, 30, 16 > 15
    assert f.service_avg == pytest.approx((10 + 20 + 10 + 4) / 4) and f.service_max == 20
    by_priority = grouped(day, "priority")
    assert by_priority["lansia"].arrived == 1 and by_priority["none"].arrived == 6
    assert grouped(day, "counter")[None].arrived == 2  # never called
    assert heatmap(day, "Asia/Jakarta")[0][8] == 7  # Monday 08:00 WIB


def test_percentile_and_empty() -> None:
    assert percentile([], 90) is None
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    empty = figures([])
    assert empty.arrived == 0 and empty.served_pct is None and empty.wait_avg is None


def _simulate(queue: QueueService, office: int, clock: FrozenClock, seed: int) -> None:
    rng = random.Random(seed)
    for n in (1, 2, 3):
        queue.execute(
            office, lambda s, now, n=n: domain.open_counter(s, n, f"petugas{n}", now), "t"
        )
    for _ in range(120):
        clock.at += timedelta(minutes=rng.uniform(0.2, 4))
        roll = rng.random()
        state = queue.read(office)
        if roll < 0.4:
            priority = PriorityGroup.LANSIA if rng.random() < 0.1 else PriorityGroup.NONE
            queue.issue(office, service=rng.choice("ABC"), channel=Channel.KIOSK, actor="k",
                        priority=priority)  # fmt: skip
            continue
        counter = rng.choice((1, 2, 3))
        current = state.counters[counter].current_ticket
        ticket = state.tickets.get(current) if current else None
        try:
            if ticket is None:
                queue.execute(
                    office, lambda s, now, c=counter: domain.call_next(s, c, None, now), "t"
                )
            elif roll < 0.5:
                queue.execute(
                    office, lambda s, now, t=ticket: domain.no_show(s, t.id, None, now), "t"
                )
            elif roll < 0.55:
                target = "B" if ticket.service != "B" else "A"
                queue.execute(
                    office,
                    lambda s, now, t=ticket, to=target: domain.transfer(s, t.id, to, None, now),
                    "t",
                )
            elif roll < 0.6:
                queue.execute(office, lambda s, now, t=ticket: domain.cancel(s, t.id, now), "t")
            elif ticket.status.value == "called" and roll < 0.8:
                queue.execute(
                    office, lambda s, now, t=ticket: domain.start(s, t.id, None, now), "t"
                )
            else:
                queue.execute(
                    office, lambda s, now, t=ticket: domain.finish(s, t.id, None, now), "t"
                )
        except Exception:  # a refusal the rules make (e.g. the counter serves no such line)
            pass
    clock.at += timedelta(days=1)
    queue.rollover_all()  # what was still open expires


def _from_events(queue: QueueService, office: int, targets: dict[str, int]) -> list[Visit]:
    """The same visits, rebuilt from the raw event log only."""
    with queue.db.read() as conn:
        events = repo.events_after(conn, office, 0)
    seen: dict[str, dict[str, object]] = {}
    final = {
        EventType.TICKET_FINISHED: "done", EventType.TICKET_NO_SHOW: "no_show",
        EventType.TICKET_CANCELLED: "cancelled", EventType.TICKET_EXPIRED: "expired",
    }  # fmt: skip
    for _version, event in events:
        t = event.ticket
        if t is None:
            continue
        if event.type is EventType.TICKET_ISSUED:
            seen[t.id] = {"service_date": t.service_date, "priority": t.priority.value,
                          "channel": t.channel.value, "issued_at": event.at, "status": "open",
                          "called_at": None, "started_at": None, "finished_at": None,
                          "counter": None, "officer": None, "transferred": False}  # fmt: skip
        row = seen[t.id]
        row.update(service=t.service, counter=t.counter, officer=t.officer)  # where it is now
        if event.type in (EventType.TICKET_CALLED, EventType.TICKET_RESUMED):
            row.update(called_at=event.at, started_at=None)
        elif event.type is EventType.TICKET_STARTED:
            row["started_at"] = event.at
        elif event.type is EventType.TICKET_TRANSFERRED:
            row["transferred"] = True
        if event.type is EventType.TICKET_FINISHED:
            row["finished_at"] = event.at
        if event.type in final:
            row["status"] = final[event.type]
    return [Visit(target_minutes=targets[str(r["service"])], **r) for r in seen.values()]  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_agree_with_the_raw_events(
    queue: QueueService, demo_office: int, clock: FrozenClock, seed: int
) -> None:
    _simulate(queue, demo_office, clock, seed)
    state = queue.read(demo_office)
    targets = {code: s.target_minutes for code, s in state.services.items()}
    with queue.db.read() as conn:
        table = visits(conn, demo_office, DAY - timedelta(days=1), DAY + timedelta(days=1))
    rebuilt = _from_events(queue, demo_office, targets)
    assert len(table) == len(rebuilt) > 30
    assert figures(table) == figures(rebuilt)
    for by in ("day", "service", "counter", "officer", "priority", "weekday", "week", "month"):
        assert grouped(table, by) == grouped(rebuilt, by), by
    assert figures(table).served > 5 and figures(table).expired >= 0
