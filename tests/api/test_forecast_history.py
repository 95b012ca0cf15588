"""Wait forecasts learn from the office's own past days, read back from its tickets."""

from __future__ import annotations

from datetime import UTC, datetime

from queue_server.clock import FrozenClock
from queue_server.domain import queue as domain
from queue_server.domain.model import Channel
from queue_server.services.admin import Admin
from queue_server.services.queue import QueueService


def test_a_new_day_learns_from_the_days_before(
    queue: QueueService, admin: Admin, clock: FrozenClock
) -> None:
    clock.at = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # the Monday before, 09:00 WIB
    office = admin.create_office(slug="belajar", name="Belajar", timezone="Asia/Jakarta")
    admin.create_service(
        office, {"code": "A", "prefix": "A", "name_id": "Layanan A", "name_en": "Service A"}, "t"
    )
    admin.create_counter(office, {"number": 1, "name": "Loket 1", "services": ["A"]}, "t")
    queue.execute(office, lambda s, now: domain.open_counter(s, 1, "p1", now), "t")
    taken = [queue.issue(office, service="A", channel=Channel.STAFF, actor="t")[0].ticket
             for _ in range(3)]  # fmt: skip
    assert [t.forecast_minutes for t in taken] == [0.0, 15.0, 30.0]  # nothing learned: targets
    for ticket in taken:
        queue.execute(office, lambda s, now: domain.call_next(s, 1, "p1", now), "t")
        queue.execute(office, lambda s, now, t=ticket.id: domain.start(s, t, "p1", now), "t")
        clock.advance(minutes=8)
        queue.execute(office, lambda s, now, t=ticket.id: domain.finish(s, t, "p1", now), "t")

    clock.at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # a week later
    restarted = QueueService(queue.db, clock)  # a new process reads it all back
    fresh, _ = restarted.issue(office, service="A", channel=Channel.STAFF, actor="t")
    state = restarted.read(office)
    history = state.history
    assert history.learned_for == state.service_date
    assert history.service_minutes == {"A": 8.0}
    assert state.service_minutes["A"] == 8.0  # today starts from what past days showed
    assert history.profile.rates[9] == {("A", False): 3.0}  # three visitors at nine, one day
    assert history.calibration.samples == 3  # three forecasts to compare with what happened
    assert not history.calibration.ready  # too few to show a learned range yet
    assert fresh.ticket.number == "A001"
    assert fresh.ticket.forecast_minutes is None  # its counter is closed: no replay to make
    assert fresh.estimate == state.simple_estimate(fresh.ticket, 0)  # so the simple rule
