"""One office's live queue: state, the commands on it, and `apply`, the only mutator."""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from . import calendar, errors
from .appointments import walk_in_quota
from .disruptions import CallbackMode, active_for
from .estimate import EstimateRange, estimate_wait
from .events import CALLING, Event, EventType
from .forecast import Arrival, History, forecast_calls, stand_ins
from .model import (
    REMOTE,
    Channel,
    Counter,
    CounterState,
    Language,
    Office,
    PriorityGroup,
    Service,
    Ticket,
    TicketStatus,
)
from .numbering import format_number
from .ordering import LaneIndex, Lines, ahead_of, calling_pool, next_streak
from .transitions import guard

RECENT_CALLS = 10
RECENT_SERVICES = 30  # service times a service's current mean is taken over
PRIOR_WEIGHT = 15  # how many of today's service times the past days' mean counts as


@dataclass(frozen=True)
class Call:
    """A call shown on the lobby display."""

    ticket_id: str
    number: str
    service: str
    counter: int
    at: datetime


@dataclass
class OfficeQueue:
    """Everything needed to decide: config plus the day's open tickets."""

    office: Office
    services: dict[str, Service]
    counters: dict[int, Counter]
    service_date: date
    version: int = 0
    tickets: dict[str, Ticket] = field(default_factory=dict)  # open (non-terminal) tickets only
    last_seq: dict[str, int] = field(default_factory=dict)  # per numbering service, today
    calls: dict[str, int] = field(default_factory=dict)  # calls per service today
    keys: dict[str, str] = field(default_factory=dict)  # idempotency key -> ticket id, today
    persons: dict[str, int] = field(default_factory=dict)  # person key -> tickets taken today
    appointments: dict[str, int] = field(default_factory=dict)  # booked check-ins per service
    early: dict[str, Ticket] = field(default_factory=dict)  # booked, checked in, slot not begun
    recent_calls: list[Call] = field(default_factory=list)
    service_minutes: dict[str, float] = field(default_factory=dict)  # current mean per service
    service_times: dict[str, deque[float]] = field(default_factory=dict)  # today's latest ones
    history: History = field(default_factory=History)  # learned from past days, for forecasts
    forecasting: bool = True  # keep each new ticket's forecast (fast simulations turn it off)
    changes: int = field(default=0, compare=False)  # events applied: keys the forecast cache
    index: LaneIndex = field(init=False, repr=False, compare=False)
    _forecast: tuple[int, datetime, dict[str, float]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _taking: tuple[int, str, datetime, dict[str, float]] | None = field(
        default=None, init=False, repr=False, compare=False
    )  # the replay made while a ticket was being taken: the forecast once it is in
    _stand_ins: tuple[date, History, list[float], list[Ticket]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self.index = LaneIndex(self.tickets.values())
        for ticket in self.tickets.values():
            if ticket.due_at is not None and ticket.status is TicketStatus.ON_HOLD:
                self.early.setdefault(ticket.id, ticket)

    def put(self, ticket: Ticket) -> None:
        """Keep `ticket` as open, or let it go once it has ended."""
        if ticket.due_at is not None:
            if ticket.status is TicketStatus.ON_HOLD and ticket.counter is None:
                self.early[ticket.id] = ticket
            else:
                self.early.pop(ticket.id, None)
        if ticket.status.is_terminal:
            self.tickets.pop(ticket.id, None)
            self.index.remove(ticket.id)
        else:
            self.tickets[ticket.id] = ticket
            self.index.put(ticket)

    def lines(self) -> Lines:
        """The callable tickets in line order, ready to simulate calls on."""
        return Lines.from_index(self.index, self.calls)

    # ---- reading ----
    def ticket(self, ticket_id: str) -> Ticket:
        try:
            return self.tickets[ticket_id]
        except KeyError:
            raise errors.UnknownTicket() from None

    def counter(self, number: int) -> Counter:
        try:
            return self.counters[number]
        except KeyError:
            raise errors.UnknownCounter(counter=number) from None

    def service(self, code: str) -> Service:
        try:
            return self.services[code]
        except KeyError:
            raise errors.UnknownService(service=code) from None

    def waiting(self, service: str | None = None) -> int:
        """Count tickets still to be called (waiting or missed), optionally for one service."""
        if service is None:
            return sum(self.waiting(code) for code in self.index.services())
        return self.index.count(service)

    def ahead(self, ticket: Ticket) -> int:
        return ahead_of(
            ticket,
            self.tickets.values(),
            self.counters.values(),
            self.calls,
            self.office.policy,
            lines=self.lines(),
        )

    def estimate(self, ticket: Ticket, ahead: int, now: datetime | None = None) -> EstimateRange:
        """Expected wait for `ticket` with `ahead` people before it.

        With enough history (and the time), the replay forecast turned into a range the way past
        forecasts turned out; otherwise the simple rule.
        """
        if ticket.status not in (TicketStatus.WAITING, TicketStatus.MISSED):
            return EstimateRange(0, 0)
        calibration = self.history.calibration
        if now is not None and calibration.ready:
            minutes = self.forecasts(now).get(ticket.id)
            if minutes is not None:
                hour = calendar.local_time(self.office, now).hour
                return calibration.range(minutes, ticket.is_priority, hour)
        return self.simple_estimate(ticket, ahead)

    def simple_estimate(self, ticket: Ticket, ahead: int) -> EstimateRange:
        """The simple rule: people ahead x mean service time / counters calling."""
        service = self.services.get(ticket.service)
        target = service.target_minutes if service is not None else 15
        mean = self.service_minutes.get(ticket.service, float(target))
        return estimate_wait(ahead, mean, max(1, len(calling_pool(ticket, self.counters.values()))))

    def forecasts(self, now: datetime) -> dict[str, float]:
        """Minutes until each waiting ticket is called (kept until the next event; within half a
        minute the same replay is reused, shifted by the time gone)."""
        taking = self._taking
        if taking is not None and taking[0] + 1 == self.changes and taking[1] in self.tickets:
            self._forecast = (self.changes, taking[2], taking[3])  # that ticket went in since
        self._taking = None
        cached = self._forecast
        if cached is not None and cached[0] == self.changes:
            gone = (now - cached[1]).total_seconds() / 60
            if 0 <= gone <= 0.5:
                return {k: max(0.0, v - gone) for k, v in cached[2].items()} if gone else cached[2]
        result = forecast_calls(self, now, arrivals=self.expected_arrivals(now))
        self._forecast = (self.changes, now, result)
        return result

    def forecast_new(self, ticket: Ticket, now: datetime) -> float | None:
        """Minutes until `ticket`, being taken now, is expected to be called."""
        result = forecast_calls(self, now, arrivals=self.expected_arrivals(now), extra=ticket)
        self._taking = (self.changes, ticket.id, now, result)
        return result.get(ticket.id)

    def expected_arrivals(self, now: datetime) -> list[Arrival]:
        """The visitors history expects from `now` to the end of the day."""
        if not self.history.profile.rates:
            return []
        local = calendar.local_time(self.office, now)
        day = local.date()
        cached = self._stand_ins
        if cached is None or cached[0] != day or cached[1] is not self.history:
            midnight = calendar.day_start(self.office, day)
            cached = (day, self.history, *stand_ins(self.history.profile, midnight, day))
            self._stand_ins = cached
        minutes, tickets = cached[2], cached[3]
        at = (local - calendar.day_start(self.office, day)) / timedelta(minutes=1)
        first = bisect_right(minutes, at)
        return [Arrival(minutes[i] - at, tickets[i]) for i in range(first, len(minutes))]

    def next_for(self, counter: Counter) -> Ticket | None:
        """Return the ticket `counter` would call now, without calling it."""
        return self.lines().pick(counter, counter.priority_streak, self.office.policy)


# ---- applying events: the only place state changes ----
def apply(state: OfficeQueue, event: Event) -> None:
    """Change `state` by `event`. Replaying a day's events rebuilds the day's state."""
    state.changes += 1
    if event.type is EventType.DAY_STARTED:
        assert event.service_date is not None
        state.service_date = event.service_date
        state.tickets.clear()
        state.index.clear()
        state.early.clear()
        state.last_seq.clear()
        state.calls.clear()
        state.keys.clear()
        state.persons.clear()
        state.appointments.clear()
        state.recent_calls.clear()
        state.service_times.clear()
        state.service_minutes = dict(state.history.service_minutes)
        return
    ticket = event.ticket
    if ticket is not None:
        state.put(ticket)
        if event.type is EventType.TICKET_ISSUED:
            state.last_seq[ticket.origin_service] = max(
                state.last_seq.get(ticket.origin_service, 0), ticket.seq
            )
            if event.key is not None:
                state.keys[event.key] = ticket.id
            if ticket.person_key is not None:
                state.persons[ticket.person_key] = state.persons.get(ticket.person_key, 0) + 1
            if ticket.channel is Channel.BOOKING:
                state.appointments[ticket.origin_service] = (
                    state.appointments.get(ticket.origin_service, 0) + 1
                )
        elif event.type is EventType.TICKET_CALLED:
            state.calls[ticket.service] = state.calls.get(ticket.service, 0) + 1
        elif event.type is EventType.TICKET_FINISHED:
            _learn_service_time(state, ticket)
        if event.type in CALLING and ticket.counter is not None:
            call = Call(ticket.id, ticket.number, ticket.service, ticket.counter, event.at)
            state.recent_calls.insert(0, call)
            del state.recent_calls[RECENT_CALLS:]
    if event.counter is not None:
        state.counters[event.counter.number] = event.counter


def apply_all(state: OfficeQueue, events: list[Event]) -> None:
    for event in events:
        apply(state, event)


def _learn_service_time(state: OfficeQueue, ticket: Ticket) -> None:
    start = ticket.started_at or ticket.called_at
    if start is None or ticket.finished_at is None:
        return
    record_service_time(state, ticket.service, (ticket.finished_at - start).total_seconds() / 60)


def record_service_time(state: OfficeQueue, service: str, minutes: float) -> None:
    """Learn from one finished service: the mean of today's latest ones, leaning on the
    service's mean over past days (worth PRIOR_WEIGHT of today's) while today has few."""
    recent = state.service_times.setdefault(service, deque(maxlen=RECENT_SERVICES))
    recent.append(max(0.0, minutes))
    past = state.history.service_minutes.get(service)
    if past is None:
        state.service_minutes[service] = sum(recent) / len(recent)
    else:
        state.service_minutes[service] = (sum(recent) + PRIOR_WEIGHT * past) / (
            len(recent) + PRIOR_WEIGHT
        )


# ---- commands: decide, never mutate; return the events ----
def rollover(state: OfficeQueue, now: datetime) -> list[Event]:
    """Close the service day if local midnight has passed since `state` was last touched."""
    today = calendar.service_date(state.office, now)
    if today <= state.service_date:
        return []
    return [*end_day(state, now), Event(EventType.DAY_STARTED, now, service_date=today)]


def end_day(state: OfficeQueue, now: datetime) -> list[Event]:
    """Expire every open ticket and close every counter."""
    events: list[Event] = []
    for ticket in sorted(state.tickets.values(), key=lambda t: (t.issued_at, t.id)):
        guard(ticket.status, TicketStatus.EXPIRED)
        expired = replace(ticket, status=TicketStatus.EXPIRED, ended_at=now)
        events.append(Event(EventType.TICKET_EXPIRED, now, ticket=expired))
    for counter in sorted(state.counters.values(), key=lambda c: c.number):
        if (
            counter.state is not CounterState.CLOSED
            or counter.current_ticket is not None
            or counter.priority_streak != 0  # a new day starts without yesterday's streak
        ):
            closed = replace(
                counter,
                state=CounterState.CLOSED,
                officer=None,
                current_ticket=None,
                priority_streak=0,
            )
            events.append(Event(EventType.COUNTER_CLOSED, now, counter=closed))
    return events


def check_can_take(state: OfficeQueue, svc: Service, now: datetime, channel: Channel) -> None:
    """Raise why a ticket for `svc` cannot be taken through `channel` at `now`, if it cannot."""
    if not svc.active:
        raise errors.ServiceInactive(service=svc.code)
    if channel is Channel.BOOKING:
        return  # the booking was checked against the day's slots and quota when it was made
    if state.office.callback_mode is CallbackMode.INSTEAD:
        down = active_for(state.office.disruptions, svc.code)
        if down is not None:
            raise errors.ServiceDisrupted(service=svc.code)
    if channel in REMOTE and not svc.remote_allowed:
        raise errors.RemoteNotAllowed(service=svc.code)
    calendar.check_can_issue(state.office, svc, now)
    walk_ins = state.last_seq.get(svc.code, 0) - state.appointments.get(svc.code, 0)
    quota = walk_in_quota(svc, svc.booking)
    if quota is not None and walk_ins >= quota:
        raise errors.QuotaReached(service=svc.code, quota=quota)


def phone_tickets(state: OfficeQueue, phone: str) -> int:
    """Count the open tickets `phone` holds today, however they were taken."""
    return sum(1 for t in state.tickets.values() if t.phone == phone)


def check_remote(
    state: OfficeQueue,
    channel: Channel,
    *,
    phone: str | None,
    notify_consent: bool,
    priority: PriorityGroup,
) -> None:
    """Raise why this visitor cannot take a ticket from afar (web, chat), if they cannot.

    The visitor is not in the lobby, so they need a phone and consent to be told when their turn
    is near, hold at most the office's number of open tickets per phone, and join the normal
    line: the priority lane is given at the office, where staff can see who is entitled.
    """
    if channel not in REMOTE:
        return
    if priority is not PriorityGroup.NONE:
        raise errors.PriorityInPerson()
    if phone is None:
        raise errors.PhoneRequired()
    if not notify_consent:
        raise errors.ConsentRequired()
    cap = state.office.phone_daily_cap
    if phone_tickets(state, phone) >= cap:
        raise errors.PhoneCapReached(cap=cap)


def refusal(
    state: OfficeQueue, svc: Service, now: datetime, channel: Channel
) -> errors.DomainError | None:
    """Why a ticket for `svc` cannot be taken now (a kiosk shows it on the button), or None."""
    try:
        check_can_take(state, svc, now, channel)
    except errors.DomainError as refused:
        return refused
    return None


def issue(
    state: OfficeQueue,
    *,
    service: str,
    now: datetime,
    ticket_id: str,
    token: str,
    channel: Channel,
    priority: PriorityGroup = PriorityGroup.NONE,
    language: Language = Language.ID,
    phone: str | None = None,
    notify_consent: bool = False,
    key: str | None = None,
    person_key: str | None = None,
    consent_text: str | None = None,
    due_at: datetime | None = None,
) -> list[Event]:
    """Take a number in `service`'s line.

    `person_key` stands for the visitor's NIK where the office caps tickets per person a day;
    staff taking a ticket for a visitor may leave it out. `due_at` (booked visitors checking
    in, channel BOOKING) is the slot's start: before it the ticket waits on hold, from it
    on it stands ahead of walk-ins, booked visitors in slot order (`release_due`).
    """
    svc = state.service(service)
    check_can_take(state, svc, now, channel)
    check_remote(state, channel, phone=phone, notify_consent=notify_consent, priority=priority)
    cap = state.office.policy.person_daily_cap
    if cap is not None:
        if person_key is None and channel is not Channel.STAFF:
            raise errors.NikRequired()
        if person_key is not None and state.persons.get(person_key, 0) >= cap:
            raise errors.PersonCapReached(cap=cap)
    seq = state.last_seq.get(svc.code, 0) + 1
    ticket = Ticket(
        id=ticket_id,
        token=token,
        service=svc.code,
        origin_service=svc.code,
        service_date=state.service_date,
        seq=seq,
        number=format_number(svc.prefix, seq, state.office.number_digits),
        status=TicketStatus.WAITING,
        priority=priority,
        channel=channel,
        language=language,
        issued_at=now,
        phone=phone,
        notify_consent=notify_consent and phone is not None,
        person_key=person_key if cap is not None else None,
    )
    if ticket.notify_consent:  # what they agreed to, and when
        ticket = replace(ticket, consent_text=consent_text, consent_at=now)
    if due_at is not None:
        if channel is not Channel.BOOKING:
            raise ValueError("only booked visitors' tickets are due at a time")
        early = due_at > now
        ticket = replace(
            ticket,
            due_at=due_at,
            status=TicketStatus.ON_HOLD if early else TicketStatus.WAITING,
            front_at=None if early else due_at,
        )
    forecast = state.forecast_new(ticket, now) if state.forecasting else None
    if forecast is not None:
        ticket = replace(ticket, forecast_minutes=round(forecast, 1))
    return [Event(EventType.TICKET_ISSUED, now, ticket=ticket, key=key)]


def release_due(state: OfficeQueue, now: datetime) -> list[Event]:
    """Booked visitors who checked in early join the line once their slot starts: ahead of
    walk-ins, in slot order (an officer may also call one earlier with `resume`)."""
    events: list[Event] = []
    for ticket in sorted(state.early.values(), key=lambda t: (t.due_at, t.seq)):
        if ticket.due_at is not None and ticket.due_at <= now:
            due = replace(ticket, status=TicketStatus.WAITING, front_at=ticket.due_at)
            events.append(Event(EventType.TICKET_DUE, now, ticket=due))
    return events


def _signed_in(state: OfficeQueue, number: int, officer: str | None) -> Counter:
    """Return the counter if it is open and `officer` is signed in there (None: any officer)."""
    counter = state.counter(number)
    if counter.state is not CounterState.OPEN:
        raise errors.CounterNotOpen(counter=number)
    if officer is not None and counter.officer != officer:
        raise errors.NotSignedIn(counter=number)
    return counter


def _at_counter(state: OfficeQueue, ticket: Ticket, officer: str | None) -> Counter:
    """Return the counter holding `ticket`, checking the acting officer is signed in there."""
    if ticket.counter is None:
        raise errors.InvalidTransition(current=ticket.status.value, target="at_counter")
    counter = state.counter(ticket.counter)
    if officer is not None and counter.officer != officer:
        raise errors.NotSignedIn(counter=counter.number)
    return counter


def _release(counter: Counter, ticket: Ticket) -> Counter:
    if counter.current_ticket == ticket.id:
        return replace(counter, current_ticket=None)
    return counter


def _finish_current(state: OfficeQueue, counter: Counter, now: datetime) -> list[Event]:
    if counter.current_ticket is None or counter.current_ticket not in state.tickets:
        return []
    current = state.tickets[counter.current_ticket]
    if current.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
        return []
    return _finish(state, current, counter, now)


def _finish(state: OfficeQueue, ticket: Ticket, counter: Counter, now: datetime) -> list[Event]:
    guard(ticket.status, TicketStatus.DONE)
    done = replace(
        ticket,
        status=TicketStatus.DONE,
        started_at=ticket.started_at or ticket.called_at,
        finished_at=now,
        ended_at=now,
    )
    return [Event(EventType.TICKET_FINISHED, now, ticket=done, counter=_release(counter, ticket))]


def _called(ticket: Ticket, counter: Counter, now: datetime) -> tuple[Ticket, Counter]:
    guard(ticket.status, TicketStatus.CALLED)
    called = replace(
        ticket,
        status=TicketStatus.CALLED,
        called_at=now,
        started_at=None,
        counter=counter.number,
        officer=counter.officer,
        call_count=ticket.call_count + 1,
        recall_count=0,
        reenter_at_call=None,
    )
    busy = replace(
        counter,
        current_ticket=ticket.id,
        priority_streak=next_streak(counter.priority_streak, ticket),
    )
    return called, busy


def call_next(
    state: OfficeQueue, counter_number: int, officer: str | None, now: datetime
) -> list[Event]:
    """Finish the counter's current visitor and call the next; no TICKET_CALLED if none waits."""
    counter = _signed_in(state, counter_number, officer)
    events = _finish_current(state, counter, now)
    if events:
        assert events[-1].counter is not None
        counter = events[-1].counter
    picked = state.next_for(counter)
    if picked is None:
        return events
    called, busy = _called(picked, counter, now)
    return [*events, Event(EventType.TICKET_CALLED, now, ticket=called, counter=busy)]


def call_ticket(
    state: OfficeQueue, ticket_id: str, counter_number: int, officer: str | None, now: datetime
) -> list[Event]:
    """Call one chosen ticket to a counter (e.g. picked from the list by the officer)."""
    ticket = state.ticket(ticket_id)
    counter = _signed_in(state, counter_number, officer)
    guard(ticket.status, TicketStatus.CALLED)
    if ticket.status is TicketStatus.CALLED:
        raise errors.InvalidTransition(current=ticket.status.value, target="called")
    events = _finish_current(state, counter, now)
    if events:
        assert events[-1].counter is not None
        counter = events[-1].counter
    if ticket.status is TicketStatus.ON_HOLD:
        return [*events, *resume(state, ticket_id, counter.number, officer, now, counter=counter)]
    called, busy = _called(ticket, counter, now)
    return [*events, Event(EventType.TICKET_CALLED, now, ticket=called, counter=busy)]


def recall(state: OfficeQueue, ticket_id: str, officer: str | None, now: datetime) -> list[Event]:
    """Announce a called ticket again."""
    ticket = state.ticket(ticket_id)
    if ticket.status is not TicketStatus.CALLED:
        raise errors.InvalidTransition(current=ticket.status.value, target="called")
    _at_counter(state, ticket, officer)
    recalled = replace(ticket, recall_count=ticket.recall_count + 1)
    return [Event(EventType.TICKET_RECALLED, now, ticket=recalled)]


def start(state: OfficeQueue, ticket_id: str, officer: str | None, now: datetime) -> list[Event]:
    """The called visitor arrived at the counter: service starts."""
    ticket = state.ticket(ticket_id)
    guard(ticket.status, TicketStatus.SERVING)
    _at_counter(state, ticket, officer)
    serving = replace(ticket, status=TicketStatus.SERVING, started_at=now)
    return [Event(EventType.TICKET_STARTED, now, ticket=serving)]


def finish(state: OfficeQueue, ticket_id: str, officer: str | None, now: datetime) -> list[Event]:
    """Service is done."""
    ticket = state.ticket(ticket_id)
    guard(ticket.status, TicketStatus.DONE)
    counter = _at_counter(state, ticket, officer)
    return _finish(state, ticket, counter, now)


def no_show(state: OfficeQueue, ticket_id: str, officer: str | None, now: datetime) -> list[Event]:
    """The called visitor did not come: re-enter later (at most M times), then close."""
    ticket = state.ticket(ticket_id)
    counter = _at_counter(state, ticket, officer)
    policy = state.office.policy
    released = _release(counter, ticket)
    if ticket.missed_count < policy.max_reentries:
        guard(ticket.status, TicketStatus.MISSED)
        missed = replace(
            ticket,
            status=TicketStatus.MISSED,
            missed_count=ticket.missed_count + 1,
            reenter_at_call=state.calls.get(ticket.service, 0) + policy.reenter_after_calls,
        )
        return [Event(EventType.TICKET_MISSED, now, ticket=missed, counter=released)]
    guard(ticket.status, TicketStatus.NO_SHOW)
    gone = replace(ticket, status=TicketStatus.NO_SHOW, ended_at=now)
    return [Event(EventType.TICKET_NO_SHOW, now, ticket=gone, counter=released)]


def transfer(
    state: OfficeQueue,
    ticket_id: str,
    to_service: str,
    officer: str | None,
    now: datetime,
    *,
    to_front: bool = False,
) -> list[Event]:
    """Send a ticket to another service's line; it keeps its number and its place by issue time."""
    ticket = state.ticket(ticket_id)
    target = state.service(to_service)
    if not target.active:
        raise errors.ServiceInactive(service=target.code)
    if target.code == ticket.service:
        raise errors.SameService(service=target.code)
    guard(ticket.status, TicketStatus.WAITING)
    counter: Counter | None = None
    if ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING):
        counter = _release(_at_counter(state, ticket, officer), ticket)
    moved = replace(
        ticket,
        status=TicketStatus.WAITING,
        service=target.code,
        transferred_from=ticket.service,
        front_at=now if to_front else None,
        counter=None,
        officer=None,
        started_at=None,
    )
    return [Event(EventType.TICKET_TRANSFERRED, now, ticket=moved, counter=counter)]


def hold(state: OfficeQueue, ticket_id: str, officer: str | None, now: datetime) -> list[Event]:
    """Set a visitor aside (e.g. to fetch a document); the counter is free for the next."""
    ticket = state.ticket(ticket_id)
    guard(ticket.status, TicketStatus.ON_HOLD)
    counter = _at_counter(state, ticket, officer)
    held = replace(ticket, status=TicketStatus.ON_HOLD)
    return [Event(EventType.TICKET_HELD, now, ticket=held, counter=_release(counter, ticket))]


def resume(
    state: OfficeQueue,
    ticket_id: str,
    counter_number: int | None,
    officer: str | None,
    now: datetime,
    *,
    counter: Counter | None = None,
) -> list[Event]:
    """Call a held visitor back to a counter (by default the one that held them)."""
    ticket = state.ticket(ticket_id)
    if ticket.status is not TicketStatus.ON_HOLD:
        raise errors.InvalidTransition(current=ticket.status.value, target="called")
    number = counter_number if counter_number is not None else ticket.counter
    if number is None:
        raise errors.UnknownCounter(counter=None)
    if counter is None:
        counter = _signed_in(state, number, officer)
        if counter.current_ticket is not None and counter.current_ticket in state.tickets:
            raise errors.CounterBusy(counter=number)
    guard(ticket.status, TicketStatus.CALLED)
    called = replace(
        ticket,
        status=TicketStatus.CALLED,
        called_at=now,
        counter=counter.number,
        officer=counter.officer,
    )
    busy = replace(counter, current_ticket=ticket.id)
    return [Event(EventType.TICKET_RESUMED, now, ticket=called, counter=busy)]


def cancel(state: OfficeQueue, ticket_id: str, now: datetime) -> list[Event]:
    """The visitor (or staff for them) gives up the ticket."""
    ticket = state.ticket(ticket_id)
    guard(ticket.status, TicketStatus.CANCELLED)
    cancelled = replace(ticket, status=TicketStatus.CANCELLED, ended_at=now)
    counter = None
    if ticket.counter is not None and ticket.counter in state.counters:
        held_by = state.counters[ticket.counter]
        if held_by.current_ticket == ticket.id:
            counter = _release(held_by, ticket)
    return [Event(EventType.TICKET_CANCELLED, now, ticket=cancelled, counter=counter)]


# ---- counters ----
def open_counter(state: OfficeQueue, number: int, officer: str, now: datetime) -> list[Event]:
    """Sign `officer` in at a counter and open it (also resumes a paused counter)."""
    counter = state.counter(number)
    if counter.officer is not None and counter.officer != officer:
        raise errors.CounterTaken(counter=number, officer=counter.officer)
    events: list[Event] = []
    for other in sorted(state.counters.values(), key=lambda c: c.number):
        if other.number != number and other.officer == officer:
            if other.current_ticket is not None and other.current_ticket in state.tickets:
                raise errors.CounterBusy(counter=other.number)
            closed = replace(other, state=CounterState.CLOSED, officer=None, current_ticket=None)
            events.append(Event(EventType.COUNTER_CLOSED, now, counter=closed))
    opened = replace(counter, state=CounterState.OPEN, officer=officer)
    return [*events, Event(EventType.COUNTER_OPENED, now, counter=opened)]


def pause_counter(
    state: OfficeQueue, number: int, officer: str | None, now: datetime
) -> list[Event]:
    """Take a break (istirahat): the counter stops calling but keeps its officer."""
    counter = _signed_in(state, number, officer)
    paused = replace(counter, state=CounterState.PAUSED)
    return [Event(EventType.COUNTER_PAUSED, now, counter=paused)]


def close_counter(
    state: OfficeQueue, number: int, officer: str | None, now: datetime
) -> list[Event]:
    """Sign the officer out and close the counter; its current visitor must be dealt with first."""
    counter = state.counter(number)
    if counter.state is CounterState.CLOSED:
        raise errors.CounterNotOpen(counter=number)
    if officer is not None and counter.officer != officer:
        raise errors.NotSignedIn(counter=number)
    if counter.current_ticket is not None and counter.current_ticket in state.tickets:
        raise errors.CounterBusy(counter=number)
    closed = replace(counter, state=CounterState.CLOSED, officer=None, current_ticket=None)
    return [Event(EventType.COUNTER_CLOSED, now, counter=closed)]
