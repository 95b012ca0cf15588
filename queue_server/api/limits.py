"""Rate limits on what the public and the sign-in form can reach: 429 with Retry-After.

Counted with the `limits` library (moving window). The storage is per process by default
(`memory://`); several workers or hosts share counts through Redis
(ANTREAN_RATE_LIMIT_STORAGE=redis://localhost:6379).

- **Sign-in**: failed attempts per username and per address; past the limit the username (or
  address) is locked out until the window has moved on, whatever password is tried.
- **Tickets**: per kiosk device, and per address for tickets taken from a phone.
- **Chat**: messages per phone number. **Survey**: answers per address. **Tracking**: page and
  API reads per address.

An office may set its own value for the five public limits (`offices.limits`, e.g. a busy
office's kiosks taking more tickets a minute); the others are the server's alone. Those five
are counted per office: one office's visitors never spend another's budget. The override is
read from the office as the queue service holds it loaded, so checking costs no query, and a
change applies at once (on other workers, at their next read of the office).

If the shared store stops answering (Redis down), the office does not stop: each worker counts
in its own memory until the store answers again (tried every RETRY_SHARED seconds), and says so
in the log once. Limits then hold per worker rather than across them, which is the lesser harm
than refusing every kiosk ticket with a 500.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from limits import RateLimitItem, parse, storage, strategies
from limits.errors import StorageError

from queue_server.config import Settings
from queue_server.domain.model import Office

from .errors import ApiError

log = logging.getLogger(__name__)
RETRY_SHARED = 30.0  # seconds between tries of a shared store that stopped answering
T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    login_user: RateLimitItem
    login_address: RateLimitItem
    tickets_device: RateLimitItem
    tickets_address: RateLimitItem
    chat_phone: RateLimitItem
    survey_address: RateLimitItem
    track_address: RateLimitItem
    pairing_address: RateLimitItem
    notify_test: RateLimitItem

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            parse(settings.limit_login_user),
            parse(settings.limit_login_address),
            parse(settings.limit_tickets_device),
            parse(settings.limit_tickets_address),
            parse(settings.limit_chat_phone),
            parse(settings.limit_survey_address),
            parse(settings.limit_track_address),
            parse(settings.limit_pairing_address),
            parse(settings.limit_notify_test),
        )


# The limits an office may set for itself, by name (the `Limits` field and `offices.limits` key).
OFFICE_LIMITS = ("tickets_device", "tickets_address", "chat_phone", "survey_address",
                 "track_address")  # fmt: skip


@lru_cache(maxsize=256)
def _parsed(text: str) -> RateLimitItem:
    return parse(text)


class Gate:
    """Counts requests against limits and refuses those over them."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = Limits.from_settings(settings)
        shared = not settings.rate_limit_storage.startswith("memory://")
        options = {"wrap_exceptions": True, "socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        self._limiter = strategies.MovingWindowRateLimiter(
            storage.storage_from_string(settings.rate_limit_storage, **(options if shared else {}))
        )
        self._local = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self._clock = clock
        self._down_since: float | None = None  # when the shared store last failed
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        """Whether counts are kept per worker because the shared store is not answering."""
        return self._down_since is not None

    def _use(self, act: Callable[[strategies.MovingWindowRateLimiter], T]) -> T:
        """Run `act` on the shared limiter, or on this worker's own while the shared is down."""
        down = self._down_since
        if down is not None and self._clock() - down < RETRY_SHARED:
            return act(self._local)
        try:
            result = act(self._limiter)
        except StorageError as failed:
            with self._lock:
                if self._down_since is None:
                    log.warning(
                        "rate-limit store not answering (%s); counting per worker until it is back",
                        failed.storage_error,
                    )
                self._down_since = self._clock()
            return act(self._local)
        if down is not None:
            with self._lock:
                self._down_since = None
            log.warning("rate-limit store answering again; counts are shared again")
        return result

    def for_office(self, name: str, office: Office) -> RateLimitItem:
        """The office's own limit called `name` where it set one, else the server's."""
        if name not in OFFICE_LIMITS:
            raise KeyError(name)
        text = office.limits.get(name)
        if text:
            try:
                return _parsed(text)
            except ValueError:  # checked when set; should it ever not parse: the server's
                pass
        item: RateLimitItem = getattr(self.limits, name)
        return item

    def check_office(self, name: str, office: Office, *key: str) -> None:
        """Count one request against the office's limit `name`, per office; 429 when over."""
        self.check(self.for_office(name, office), f"office:{office.id}", *key)

    def allow_office(self, name: str, office: Office, *key: str) -> bool:
        """Count one request against the office's limit `name`; whether it is within it."""
        return self.allow(self.for_office(name, office), f"office:{office.id}", *key)

    def _retry_after(self, item: RateLimitItem, *key: str) -> str:
        reset = self._use(lambda limiter: limiter.get_window_stats(item, *key)).reset_time
        return str(max(1, math.ceil(reset - time.time())))

    def check(self, item: RateLimitItem, *key: str) -> None:
        """Count one request; refuse it (429) when it is over the limit."""
        if not self._use(lambda limiter: limiter.hit(item, *key)):
            wait = self._retry_after(item, *key)
            raise ApiError(429, "rate_limited", headers={"Retry-After": wait})

    def allow(self, item: RateLimitItem, *key: str) -> bool:
        """Count one request; whether it is within the limit (for callers that drop, not 429)."""
        return bool(self._use(lambda limiter: limiter.hit(item, *key)))

    def refuse_if_spent(self, item: RateLimitItem, *key: str) -> None:
        """Refuse (429) without counting when the limit is already used up (a lockout)."""
        if not self._use(lambda limiter: limiter.test(item, *key)):
            wait = self._retry_after(item, *key)
            raise ApiError(429, "locked_out", headers={"Retry-After": wait})

    def count(self, item: RateLimitItem, *key: str) -> None:
        """Count one event (a failed sign-in) without refusing anything now."""
        self._use(lambda limiter: limiter.hit(item, *key))

    def clear(self, item: RateLimitItem, *key: str) -> None:
        self._use(lambda limiter: limiter.clear(item, *key))
