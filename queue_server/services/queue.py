"""The queue's use cases. Each write: lock the office, ask the domain, persist rows + events in
one transaction, then (after commit) update the in-memory state and tell listeners."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import secrets
import threading
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from queue_server import consent
from queue_server.clock import Clock
from queue_server.domain import public
from queue_server.domain import queue as domain
from queue_server.domain.errors import DomainError
from queue_server.domain.estimate import EstimateRange
from queue_server.domain.events import Event, EventType
from queue_server.domain.model import (
    Channel,
    Language,
    Office,
    PriorityGroup,
    Service,
    Ticket,
)
from queue_server.domain.public import Change, change_after, reset
from queue_server.domain.queue import OfficeQueue
from queue_server.store import repository as repo
from queue_server.store.db import Database
from queue_server.store.history import load_history

from . import printing
from .combiner import Combiner, Job

Decide = Callable[[OfficeQueue, datetime], list[Event]]
After = Callable[[OfficeQueue, "Committed"], Any]
Effects = Callable[[Connection, "Committed"], None]  # outbox rows, inside the transaction
Listener = Callable[[int, OfficeQueue, list[tuple[int, Change]]], None]
WriteHook = Callable[[Connection, int, int], None]  # (transaction, office id, newest version)
EffectHook = Callable[[Connection, int, OfficeQueue, list[Event], datetime], Any]
log = logging.getLogger(__name__)
T = TypeVar("T")
CATCH_UP_LIMIT = 1000  # beyond this many missed events, reloading from tables is cheaper


class OfficeNotFound(LookupError):
    pass


class TicketNotFound(LookupError):
    pass


class IdempotencyConflict(Exception):
    """The same Idempotency-Key was reused for a different request."""


@dataclass(frozen=True)
class TicketView:
    """A ticket with its place in line, as the visitor and staff see it."""

    ticket: Ticket
    service: Service | None
    ahead: int
    estimate: EstimateRange
    office_slug: str


@dataclass
class _Replay(Exception):
    ticket_id: str


@dataclass(frozen=True)
class _Command:
    decide: Decide
    actor: str | None
    after: After | None
    effects: Effects | None = None


@dataclass
class Committed:
    """What a write changed: numbered events and the state after them."""

    events: list[tuple[int, Event]] = field(default_factory=list)

    def ticket(self) -> Ticket | None:
        """The last ticket an event touched (the one the command was about)."""
        for _, event in reversed(self.events):
            if event.ticket is not None:
                return event.ticket
        return None

    def called(self) -> Ticket | None:
        for _, event in reversed(self.events):
            if event.type is EventType.TICKET_CALLED:
                return event.ticket
        return None


class QueueService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.listeners: list[Listener] = []  # every change, this worker's and other workers'
        self.commit_listeners: list[Listener] = []  # only changes this worker committed
        self.write_hooks: list[WriteHook] = []  # run inside each committing transaction
        # ... and these with the events and the state after them (e.g. queue text messages)
        self.effect_hooks: list[EffectHook] = []
        self._states: dict[int, OfficeQueue] = {}
        self._salts: dict[tuple[int, date], bytes] = {}  # (office, service day) -> NIK key
        self._locks: dict[int, threading.RLock] = {}
        self._locks_guard = threading.Lock()
        self._slugs: dict[str, int] = {}
        self._combiner = Combiner(self._run_batch)

    # ---- lookup ----
    def office_id(self, slug: str) -> int:
        office_id = self._slugs.get(slug)
        if office_id is None:
            with self.db.read() as conn:
                office_id = repo.office_id_by_slug(conn, slug)
            if office_id is None:
                raise OfficeNotFound(slug)
            self._slugs[slug] = office_id
        return office_id

    def forget_office(self, slug: str | None = None) -> None:
        """Drop cached slugs (after an office is renamed or removed)."""
        if slug is None:
            self._slugs.clear()
        else:
            self._slugs.pop(slug, None)

    def _lock(self, office_id: int) -> threading.RLock:
        lock = self._locks.get(office_id)
        if lock is None:
            with self._locks_guard:
                lock = self._locks.setdefault(office_id, threading.RLock())
        return lock

    def _state_at(self, conn: Connection, office_id: int, version: int) -> OfficeQueue:
        """Return the office state exactly at committed `version` (call with the office lock).

        Events other workers committed are applied and published like our own.
        """
        state = self._states.get(office_id)
        changes: list[tuple[int, Change]] = []
        if state is not None and state.version != version:
            if state.version < version <= state.version + CATCH_UP_LIMIT:
                for number, event in repo.events_after(conn, office_id, state.version, version):
                    if event.type is EventType.CONFIG_CHANGED:
                        break
                    domain.apply(state, event)
                    state.version = number
                    changes.append((number, change_after(state, event)))
            if state.version != version:
                state = None
        if state is None:
            state = repo.load_queue(conn, office_id, self.clock.now())
            state.version = version
            self._states[office_id] = state
            changes = [(version, reset(self.clock.now()))]
        self._learn(conn, state)
        if changes:
            self._publish(office_id, state, changes)
        return state

    def _learn(self, conn: Connection, state: OfficeQueue) -> None:
        """On a new service day, learn from the days before it (for the wait forecasts)."""
        if state.history.learned_for != state.service_date:
            state.history = load_history(conn, state.office, state.service_date)
            if not state.service_times:
                state.service_minutes = dict(state.history.service_minutes)

    def _publish(
        self,
        office_id: int,
        state: OfficeQueue,
        changes: list[tuple[int, Change]],
        listeners: list[Listener] | None = None,
    ) -> None:
        for listener in self.listeners if listeners is None else listeners:
            try:
                listener(office_id, state, changes)
            except Exception:
                log.exception("a live-update listener failed; screens will resync")

    def _apply(self, state: OfficeQueue, events: list[Event], changes: list[Change]) -> None:
        for event in events:
            domain.apply(state, event)
            changes.append(change_after(state, event))

    # ---- reading ----
    def read(self, office_id: int) -> OfficeQueue:
        """Return the office's current state (caught up with other workers' commits)."""
        with self._lock(office_id), self.db.read() as conn:
            return self._state_at(conn, office_id, repo.office_version(conn, office_id))

    def office(self, office_id: int) -> Office:
        """The office's configuration as this process holds it loaded: no query when it is.

        Changes made here reload it at once; other workers' changes arrive with the next read.
        """
        state = self._states.get(office_id)
        return state.office if state is not None else self.read(office_id).office

    def view(self, state: OfficeQueue, ticket: Ticket) -> TicketView:
        current = state.tickets.get(ticket.id, ticket)
        ahead = state.ahead(current)
        return TicketView(
            ticket=current,
            service=state.services.get(current.service),
            ahead=ahead,
            estimate=state.estimate(current, ahead, self.clock.now()),
            office_slug=state.office.slug,
        )

    def find(self, token: str) -> tuple[int, TicketView]:
        """Look up a ticket by its public token."""
        with self.db.read() as conn:
            found = repo.find_ticket(conn, token=token)
        if found is None:
            raise TicketNotFound(token)
        office_id, ticket = found
        state = self.read(office_id)
        with self._lock(office_id):
            return office_id, self.view(state, ticket)

    # ---- writing ----
    def execute(
        self,
        office_id: int,
        decide: Decide,
        actor: str | None,
        after: After | None = None,
        effects: Effects | None = None,
    ) -> Any:
        """Run one command atomically; return its Committed events, or `after(state, committed)`
        computed right after the commit with the office still locked.

        Concurrent commands for one office share a transaction (group commit), each deciding
        on the state the previous one left; a refused command refuses only itself.
        """
        return self._combiner.submit(office_id, _Command(decide, actor, after, effects))

    def _run_batch(self, office_id: Hashable, jobs: list[Job]) -> None:
        assert isinstance(office_id, int)
        with self._lock(office_id):
            now = self.clock.now()
            state: OfficeQueue | None = None
            events: list[Event] = []
            changes: list[Change] = []
            actors: list[str | None] = []
            slices: list[tuple[Job, int, int]] = []
            try:
                with self.db.write() as conn:
                    version = repo.bump_version(conn, office_id, 1)
                    state = self._state_at(conn, office_id, version - 1)
                    events = domain.rollover(state, now)
                    self._apply(state, events, changes)  # commands decide on the new day
                    due = domain.release_due(state, now)  # booked visitors whose slot began
                    self._apply(state, due, changes)
                    events += due
                    actors = ["system"] * len(events)
                    self._learn(conn, state)
                    for job in jobs:
                        command: _Command = job.payload
                        try:
                            decided = command.decide(state, now)
                        except Exception as refused:  # refuses this command only
                            job.reject(refused)
                            continue
                        self._apply(state, decided, changes)
                        slices.append((job, len(events), len(decided)))
                        events.extend(decided)
                        actors.extend([command.actor] * len(decided))
                    if not events:
                        raise _NothingChanged
                    if len(events) > 1:
                        repo.bump_version(conn, office_id, len(events) - 1)
                    repo.save_events(conn, office_id, version, events, actors)
                    for job, start, count in slices:
                        if job.payload.effects is not None:
                            mine = range(version + start, version + start + count)
                            job.payload.effects(
                                conn,
                                Committed(
                                    list(zip(mine, events[start : start + count], strict=True))
                                ),
                            )
                    for effect in self.effect_hooks:
                        effect(conn, office_id, state, events, now)
                    for hook in self.write_hooks:
                        hook(conn, office_id, version + len(events) - 1)
            except _NothingChanged:
                numbered: list[tuple[int, Event]] = []
            except BaseException:
                if events:  # the state moved ahead of a rolled-back transaction
                    self._states.pop(office_id, None)
                raise
            else:
                assert state is not None
                state.version = version + len(events) - 1
                versions = range(version, version + len(events))
                numbered = list(zip(versions, events, strict=True))
                published = list(zip(versions, changes, strict=True))
                self._publish(office_id, state, published)
                self._publish(office_id, state, published, self.commit_listeners)
            assert state is not None
            for job, start, count in slices:
                committed = Committed(numbered[start : start + count])
                command = job.payload
                try:
                    job.resolve(command.after(state, committed) if command.after else committed)
                except Exception as failed:
                    job.reject(failed)
            for job in jobs:
                if not job.settled:  # decided nothing and refused nothing
                    job.resolve(Committed())

    def issue(
        self,
        office_id: int,
        *,
        service: str,
        channel: Channel,
        actor: str,
        priority: PriorityGroup = PriorityGroup.NONE,
        language: Language = Language.ID,
        phone: str | None = None,
        notify_consent: bool = False,
        key: str | None = None,
        kiosk_id: int | None = None,
        nik: str | None = None,
    ) -> tuple[TicketView, bool]:
        """Take a ticket; return its view and whether an earlier identical request made it.

        `nik` counts toward the office's tickets-per-person cap; only a keyed hash of it is kept.
        """
        ticket_id, token = uuid.uuid4().hex, secrets.token_urlsafe(16)
        person_key = self._person_key(office_id, nik) if nik else None
        agreed = consent.wording(channel, language.value) if notify_consent and phone else None

        def decide(state: OfficeQueue, now: datetime) -> list[Event]:
            if key is not None and key in state.keys:
                raise _Replay(state.keys[key])
            return domain.issue(
                state, service=service, now=now, ticket_id=ticket_id, token=token,
                channel=channel, priority=priority, language=language, phone=phone,
                notify_consent=notify_consent, key=key, person_key=person_key,
                consent_text=agreed,
            )  # fmt: skip

        def after(state: OfficeQueue, committed: Committed) -> TicketView:
            ticket = committed.ticket()
            assert ticket is not None
            return self.view(state, ticket)

        def print_it(conn: Connection, committed: Committed) -> None:
            if kiosk_id is not None:
                ticket = committed.ticket()
                assert ticket is not None
                printing.create_job(conn, office_id, ticket.id, kiosk_id, ticket.issued_at)

        try:
            view: TicketView = self.execute(office_id, decide, actor, after, print_it)
        except _Replay as replay:
            view = self._view_by_id(office_id, replay.ticket_id)
            if view.ticket.service != service and view.ticket.origin_service != service:
                raise IdempotencyConflict() from None
            return view, True
        return view, False

    def _person_key(self, office_id: int, nik: str) -> str | None:
        """The NIK as today's keyed hash, where the office caps tickets per person."""
        state = self.read(office_id)
        if state.office.policy.person_daily_cap is None:
            return None  # not needed: not kept
        day = state.service_date
        salt = self._salts.get((office_id, day))
        if salt is None:
            with self.db.write() as conn:
                salt = bytes.fromhex(repo.person_salt(conn, office_id, day))
            self._salts[(office_id, day)] = salt
        return hmac.new(salt, nik.encode(), hashlib.sha256).hexdigest()[:40]

    def _view_by_id(self, office_id: int, ticket_id: str) -> TicketView:
        state = self.read(office_id)
        with self._lock(office_id):
            ticket = state.tickets.get(ticket_id)
            if ticket is None:
                with self.db.read() as conn:
                    found = repo.find_ticket(conn, ticket_id=ticket_id)
                if found is None:
                    raise TicketNotFound(ticket_id)
                ticket = found[1]
            return self.view(state, ticket)

    def inspect(self, office_id: int, look: Callable[[OfficeQueue], T]) -> T:
        """Run `look` on the office's current state with the office locked."""
        state = self.read(office_id)
        with self._lock(office_id):
            return look(state)

    def ticket_by_id(self, office_id: int, ticket_id: str) -> Ticket:
        """A ticket as stored, including ended ones."""
        with self.db.read() as conn:
            found = repo.find_ticket(conn, ticket_id=ticket_id)
        if found is None or found[0] != office_id:
            raise TicketNotFound(ticket_id)
        ticket: Ticket = found[1]
        return ticket

    def ticket_view(self, office_id: int, ticket: Ticket) -> TicketView:
        """The ticket as it is now (read again if it has left the live line)."""
        return self._view_by_id(office_id, ticket.id)

    def rollover_all(self) -> int:
        """Close the service day of every office whose local midnight has passed."""
        with self.db.read() as conn:
            ids = [int(i) for i in conn.execute(select(repo.offices.c.id)).scalars()]
        changed = 0
        for office_id in ids:
            before = self.read(office_id).service_date
            # Every batch rolls the day over first; an empty command is enough to trigger it.
            after = self.execute(
                office_id, lambda _s, _n: [], "system", lambda s, _c: s.service_date
            )
            changed += after != before
        return changed

    def config_changed(self, conn: Connection, office_id: int, actor: str | None) -> None:
        """Record a configuration change inside the admin's own transaction."""
        version = repo.bump_version(conn, office_id, 1)
        event = Event(EventType.CONFIG_CHANGED, self.clock.now())
        repo.save_events(conn, office_id, version, [event], actor)
        for hook in self.write_hooks:
            hook(conn, office_id, version)
        self._states.pop(office_id, None)

    def after_config_commit(self, office_id: int) -> None:
        """Reload the configuration now, which also tells live screens to take a snapshot."""
        with self._lock(office_id):
            self._states.pop(office_id, None)
        with contextlib.suppress(LookupError):  # the office is gone
            self.read(office_id)

    # ---- public snapshot ----
    def snapshot(self, office_id: int) -> dict[str, Any]:
        state = self.read(office_id)
        with self._lock(office_id):
            return public.snapshot(state)

    def loaded_offices(self) -> list[int]:
        return list(self._states)

    def loaded_version(self, office_id: int) -> int | None:
        """The version this process holds for an office, or None when it holds none."""
        state = self._states.get(office_id)
        return None if state is None else state.version

    def sync(self, office_id: int) -> None:
        """Catch up with events other workers committed (publishing them)."""
        self.read(office_id)


class _NothingChanged(Exception):
    pass


__all__ = [
    "Committed",
    "DomainError",
    "IdempotencyConflict",
    "OfficeNotFound",
    "QueueService",
    "TicketNotFound",
    "TicketView",
]
