"""SKM responses: one per finished ticket, from the visitor's phone or a counter-side tablet;
the IKM per office, service and period."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from queue_server.domain import skm
from queue_server.domain.model import Ticket, TicketStatus
from queue_server.store.tables import SurveyResponseRow

responses = SurveyResponseRow.__table__  # type: ignore[attr-defined]
PROFILE = ("age_group", "sex", "education", "occupation")
CHOICES = {
    "age_group": skm.AGE_GROUPS, "sex": skm.SEXES, "education": skm.EDUCATION,
    "occupation": skm.OCCUPATIONS,
}  # fmt: skip


class AlreadyAnswered(Exception):
    pass


class NotServedYet(Exception):
    pass


def answered(conn: Connection, ticket_id: str) -> bool:
    found = conn.execute(select(responses.c.id).where(responses.c.ticket_id == ticket_id)).first()
    return found is not None


def record(
    conn: Connection, office_id: int, ticket: Ticket, scores: list[int],
    profile: dict[str, str | None], channel: str, now: datetime,
) -> None:  # fmt: skip
    """Store one response for a finished ticket (call in a write transaction)."""
    if ticket.status is not TicketStatus.DONE:
        raise NotServedYet(ticket.status.value)
    checked = skm.check(scores)
    values: dict[str, Any] = {f"u{i + 1}": score for i, score in enumerate(checked)}
    for field in PROFILE:
        value = profile.get(field)
        if value is not None and value not in CHOICES[field]:
            raise skm.InvalidAnswer(field)
        values[field] = value
    try:
        conn.execute(
            insert(responses).values(
                office_id=office_id, ticket_id=ticket.id, service_date=ticket.service_date,
                service=ticket.service, counter=ticket.counter, officer=ticket.officer,
                channel=channel, created_at=now, **values,
            )
        )  # fmt: skip
    except IntegrityError:
        raise AlreadyAnswered(ticket.id) from None


def recap(
    conn: Connection, office_id: int, start: date, end: date, service: str | None = None
) -> dict[str, Any]:
    """The IKM for the office (or one service) between `start` and `end` (inclusive), with the
    per-element averages and the respondents' profile counts."""
    stmt = select(responses).where(
        responses.c.office_id == office_id,
        responses.c.service_date >= start,
        responses.c.service_date <= end,
    )
    if service is not None:
        stmt = stmt.where(responses.c.service == service)
    rows = conn.execute(stmt).all()
    result = skm.index([[getattr(r, key) for key in skm.KEYS] for r in rows])
    by_service: dict[str, list[list[int]]] = {}
    for r in rows:
        by_service.setdefault(r.service, []).append([getattr(r, key) for key in skm.KEYS])
    return {
        "index": result,
        "services": {code: skm.index(scores) for code, scores in sorted(by_service.items())},
        "profile": {field: Counter(getattr(r, field) or "-" for r in rows) for field in PROFILE},
    }


def index_json(result: skm.Index) -> dict[str, Any]:
    return {
        "respondents": result.respondents,
        "unsur": [
            {"key": key, "name": name, "average": str(result.average(i))}
            for i, (key, name) in enumerate(skm.UNSUR)
        ],
        "ikm": str(result.ikm) if result.ikm is not None else None,
        "grade": result.grade,
        "grade_words": result.grade_words,
    }
