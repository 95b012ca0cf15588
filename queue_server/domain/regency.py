"""Offices side by side: which one a visitor should pick. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Load:
    """How busy an office is now, as the public list compares offices."""

    name: str
    open: bool  # open now (a break counts: its line is still there when the break ends)
    waiting: int
    counters_open: int

    @property
    def per_counter(self) -> float:
        """People waiting per open counter (all of them when no counter is open): roughly how
        long a newcomer waits, in visitors served ahead of them at one counter."""
        return self.waiting / max(1, self.counters_open)


def visiting_order(load: Load) -> tuple[bool, float, int, str]:
    """Sort key, least busy first: open offices before closed ones, then fewest people per open
    counter, then fewest waiting, then by name."""
    return (not load.open, load.per_counter, load.waiting, load.name.casefold())
