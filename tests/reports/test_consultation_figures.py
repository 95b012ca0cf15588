"""The consultation figures agree with the raw message log on generated data: many
conversations opened at random times, answered (or not) after random delays by random officers,
with the office switching between calendar and working hours on the way."""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from queue_server.clock import FrozenClock
from queue_server.domain import consultation as rules
from queue_server.services.admin import Admin
from queue_server.services.consultation import Consultations, conversations, log
from queue_server.services.queue import QueueService
from queue_server.store import codec

OFFICERS = ("petugas1", "petugas2", "petugas3", "kasi")
HOURS = {str(d): {"opens": "08:00", "closes": "15:30", "breaks": [["12:00", "13:00"]]}
         for d in range(5)}  # fmt: skip


def _p90(values: list[float]) -> float | None:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1] if ordered else None


def _from_log(rows: list[Any], dues: dict[int, Any], tz: str, now: Any) -> dict[str, Any]:
    """The figures computed straight from `conversation_messages`, by hand."""
    by_conv: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_conv[row.conversation_id].append(row)
    per_day: Counter[date] = Counter()
    minutes: list[float] = []
    per_officer: dict[str, list[float]] = defaultdict(list)
    within = judged = 0
    officer_within: Counter[str] = Counter()
    for conv_id, said in by_conv.items():
        said.sort(key=lambda r: (r.at, r.id))
        opened = min(r.at for r in said if r.direction == "in")
        per_day[opened.astimezone(ZoneInfo(tz)).date()] += 1
        answers = [r for r in said if r.direction == "out" and r.author is not None]
        due = dues[conv_id]
        if answers:
            first = answers[0]
            took = (first.at - opened).total_seconds() / 60
            minutes.append(took)
            per_officer[first.author].append(took)
            judged += 1
            if first.at <= due:
                within += 1
                officer_within[first.author] += 1
        elif due < now:
            judged += 1
    return {
        "per_day": dict(per_day),
        "answered": len(minutes),
        "median": statistics.median(minutes) if minutes else None,
        "p90": _p90(minutes),
        "within_pct": 100 * within / judged if judged else None,
        "per_officer": {
            name: (len(v), statistics.median(v), _p90(v), 100 * officer_within[name] / len(v))
            for name, v in per_officer.items()
        },
    }


def test_figures_agree_with_the_message_log(
    queue: QueueService, admin: Admin, demo_office: int, clock: FrozenClock
) -> None:
    rng = random.Random(20261123)
    desk = Consultations(queue)
    office = demo_office
    start = clock.now()
    pending: list[tuple[Any, int, str]] = []  # (reply at, conversation, officer)
    promised: dict[int, Any] = {}
    for n in range(90):
        if n % 30 == 0:  # the office changes its counting now and then
            working = n // 30 % 2 == 1
            target = rng.choice((4, 8, 24))
            admin.update_office(office, {
                "notify": {"consultation": {"target_hours": target,
                                            "count": "working" if working else "calendar"}},
                **({"hours": _hours()} if working else {}),
            }, "test")  # fmt: skip
        clock.advance(minutes=rng.randint(1, 400))
        # replies due by now go out first, in time order
        for at, conv, officer in sorted(p for p in pending if p[0] <= clock.now()):
            saved = clock.at
            clock.at = at
            desk.reply(office, conv, officer, "Jawaban")
            if rng.random() < 0.3:
                desk.receive(office, phone_of(conv), "Terima kasih")
            if rng.random() < 0.5:
                desk.close(office, conv)
            clock.at = saved
        pending = [p for p in pending if p[0] > clock.now()]
        phone = f"+628123{n:06d}"
        got = desk.receive(office, phone, f"Pertanyaan {n}")
        assert got.conversation_id is not None
        PHONES[got.conversation_id] = phone
        state = queue.office(office)
        with queue.db.read() as conn:
            target_now = desk.target(conn, office)
        promised[got.conversation_id] = rules.due_at(state, clock.now(), target_now)
        if rng.random() < 0.1:
            desk.receive(office, phone, "Tambahan")
        if rng.random() < 0.8:  # answered later by someone, or never
            delay = timedelta(minutes=rng.choice((5, 30, 90, 300, 1500, 3000)))
            pending.append((clock.now() + delay, got.conversation_id, rng.choice(OFFICERS)))
    for at, conv, officer in sorted(pending):
        if rng.random() < 0.5:
            clock.at = max(clock.at, at)
            desk.reply(office, conv, officer, "Jawaban")
    clock.advance(hours=1)

    with queue.db.read() as conn:
        rows = conn.execute(select(log)).all()
        dues = dict(conn.execute(select(conversations.c.id, conversations.c.due_at)).all())
    assert dues == promised  # each conversation keeps the promise made when it opened
    tz = queue.office(office).timezone
    first_day = start.astimezone(ZoneInfo(tz)).date()
    last_day = clock.now().astimezone(ZoneInfo(tz)).date()
    found = desk.figures(office, first_day, last_day)
    expected = _from_log(rows, dues, tz, clock.now())

    assert found.per_day == expected["per_day"] and sum(found.per_day.values()) == 90
    assert found.total.answered == expected["answered"]
    assert found.total.median_minutes == expected["median"]
    assert found.total.p90_minutes == expected["p90"]
    assert found.total.within_target_pct == expected["within_pct"]
    assert {
        name: (f.answered, f.median_minutes, f.p90_minutes, f.within_target_pct)
        for name, f in found.per_officer.items()
    } == expected["per_officer"]
    assert 0 < found.total.within_target < found.total.judged  # some late, some in time


PHONES: dict[int, str] = {}


def phone_of(conv: int) -> str:
    return PHONES[conv]


def _hours() -> dict[str, Any]:
    return codec.hours_to_json(codec.hours_from_json(HOURS))
