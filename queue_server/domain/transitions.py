"""Which ticket status may follow which: one table, one guard."""

from __future__ import annotations

from .errors import InvalidTransition
from .model import TicketStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.WAITING: frozenset({S.CALLED, S.WAITING, S.CANCELLED, S.EXPIRED}),
    S.CALLED: frozenset(
        {S.CALLED, S.SERVING, S.DONE, S.MISSED, S.NO_SHOW, S.ON_HOLD, S.WAITING, S.CANCELLED}
        | {S.EXPIRED}
    ),
    S.SERVING: frozenset({S.DONE, S.ON_HOLD, S.WAITING, S.CANCELLED, S.EXPIRED}),
    S.ON_HOLD: frozenset({S.CALLED, S.WAITING, S.CANCELLED, S.EXPIRED}),
    S.MISSED: frozenset({S.CALLED, S.CANCELLED, S.EXPIRED}),
    S.DONE: frozenset(),
    S.NO_SHOW: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}


def guard(current: S, target: S) -> None:
    """Raise InvalidTransition unless `target` may follow `current`."""
    if target not in ALLOWED[current]:
        raise InvalidTransition(current=current.value, target=target.value)
