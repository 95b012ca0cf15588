"""The shape of every message a live connection receives (docs/realtime.md).

Unknown fields are refused, so a message the documentation does not describe fails the tests
that validate every message they receive.
"""

from __future__ import annotations

import functools
import operator
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from queue_server.domain.events import EventType

TICKET_EVENTS = [t.value for t in EventType if t.value.startswith(("ticket_", "counter_"))]


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Names(Closed):
    id: str
    en: str


class ServiceCount(Closed):
    code: str
    waiting: int = Field(ge=0)


class ServiceFace(ServiceCount):
    prefix: str
    name: Names
    active: bool


class Serving(Closed):
    number: str
    service: str
    status: Literal["called", "serving", "on_hold"]


class CounterFace(Closed):
    number: int
    name: str
    state: Literal["open", "paused", "closed"]
    services: list[str]
    serving: Serving | None


class CallFace(Closed):
    number: str
    service: str
    counter: int
    at: datetime


class StaffTicket(Closed):
    id: str
    token: str  # staff act on a ticket by its token (the counter screen's buttons)
    number: str
    service: str
    status: str
    priority_group: str
    channel: str
    issued_at: datetime
    called_at: datetime | None
    counter: int | None
    officer: str | None
    missed_count: int
    transferred_from: str | None


class Estimate(Closed):
    low: int
    high: int


class TrackTicket(Closed):
    number: str
    status: str
    service: str
    service_name: Names | None
    counter: int | None
    ahead: int = Field(ge=0)
    estimate_minutes: Estimate
    called_at: datetime | None
    recall_count: int
    due: str | None = None  # a booked visitor's slot ("HH:MM", office time): in line from then


class OfficeFace(Closed):
    slug: str
    name: str
    timezone: str
    service_date: date


class DisruptionFace(Closed):
    id: str
    service: str | None  # None: the whole office
    reason: Literal["jaringan", "sistem_pusat", "listrik", "lainnya"]
    note: str
    started_at: datetime
    expected_end: datetime | None
    until: str | None  # the expected end on the office's clock ("10:30", "24-11 08:00")


class Snapshot(Closed):
    type: Literal["snapshot"]
    version: int = Field(ge=0)
    office: OfficeFace
    services: list[ServiceFace]
    counters: list[CounterFace] | None = None  # absent for a visitor
    recent_calls: list[CallFace] | None = None  # absent for a visitor
    tickets: list[StaffTicket] | None = None  # counter screens
    ticket: TrackTicket | None = None  # a visitor's own ticket
    disruptions: list[DisruptionFace] = []  # services (or the whole office) disrupted now
    disruption_callback: Literal["besides", "instead"] = "besides"  # the kiosk's offer


class _Event(Closed):
    type: Literal["event"]
    version: int = Field(ge=1)
    at: datetime
    services: list[ServiceCount] | None = None
    counters: list[CounterFace] | None = None
    call: CallFace | None = None
    ticket: StaffTicket | TrackTicket | None = None


def _event_model(name: str) -> type[_Event]:
    model: type[_Event] = create_model(  # one model per event type, told apart by `event`
        "".join(part.title() for part in name.split("_")),
        __base__=_Event,
        event=(Literal[name], ...),  # type: ignore[arg-type]
    )
    return model


EVENT_MODELS = {name: _event_model(name) for name in [*TICKET_EVENTS, "hidden"]}
_ANY_EVENT: Any = functools.reduce(operator.or_, EVENT_MODELS.values())
EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(Annotated[_ANY_EVENT, Field(discriminator="event")])


class Ping(Closed):
    type: Literal["ping"]
    version: int


class Pong(Closed):
    type: Literal["pong"]


class Alert(Closed):
    """Staff screens only: something in the office needs a person (a kiosk's printer)."""

    type: Literal["alert"]
    alert: Literal["printer"]
    kiosk: str  # the kiosk's name
    reason: str  # paper_out | offline | not_found | timeout | ...
    at: str


OTHER_ADAPTER: TypeAdapter[Any] = TypeAdapter(
    Annotated[Snapshot | Ping | Pong | Alert, Field(discriminator="type")]
)


def validate(message: dict[str, Any]) -> BaseModel:
    """Check one server message against its schema; raise pydantic.ValidationError if off."""
    if message.get("type") == "event":
        result: BaseModel = EVENT_ADAPTER.validate_python(message)
    else:
        result = OTHER_ADAPTER.validate_python(message)
    return result
