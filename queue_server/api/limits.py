"""Rate limits on what the public and the sign-in form can reach: 429 with Retry-After.

Counted with the `limits` library (moving window). The storage is per process by default
(`memory://`); several workers or hosts share counts through Redis
(ANTREAN_RATE_LIMIT_STORAGE=redis://localhost:6379).

- **Sign-in**: failed attempts per username and per address; past the limit the username (or
  address) is locked out until the window has moved on, whatever password is tried.
- **Tickets**: per kiosk device, and per address for tickets taken from a phone.
- **Chat**: messages per phone number. **Survey**: answers per address. **Tracking**: page and
  API reads per address.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse, storage, strategies

from queue_server.config import Settings

from .errors import ApiError


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
        )


class Gate:
    """Counts requests against limits and refuses those over them."""

    def __init__(self, settings: Settings) -> None:
        self.limits = Limits.from_settings(settings)
        self._limiter = strategies.MovingWindowRateLimiter(
            storage.storage_from_string(settings.rate_limit_storage)
        )

    def _retry_after(self, item: RateLimitItem, *key: str) -> str:
        reset = self._limiter.get_window_stats(item, *key).reset_time
        return str(max(1, math.ceil(reset - time.time())))

    def check(self, item: RateLimitItem, *key: str) -> None:
        """Count one request; refuse it (429) when it is over the limit."""
        if not self._limiter.hit(item, *key):
            wait = self._retry_after(item, *key)
            raise ApiError(429, "rate_limited", headers={"Retry-After": wait})

    def allow(self, item: RateLimitItem, *key: str) -> bool:
        """Count one request; whether it is within the limit (for callers that drop, not 429)."""
        return bool(self._limiter.hit(item, *key))

    def refuse_if_spent(self, item: RateLimitItem, *key: str) -> None:
        """Refuse (429) without counting when the limit is already used up (a lockout)."""
        if not self._limiter.test(item, *key):
            wait = self._retry_after(item, *key)
            raise ApiError(429, "locked_out", headers={"Retry-After": wait})

    def count(self, item: RateLimitItem, *key: str) -> None:
        """Count one event (a failed sign-in) without refusing anything now."""
        self._limiter.hit(item, *key)

    def clear(self, item: RateLimitItem, *key: str) -> None:
        self._limiter.clear(item, *key)
