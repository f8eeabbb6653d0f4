"""When to retry, how long to wait, and the retry budget a client's calls share.

Pure decisions only: the transport asks and sleeps. Which calls may be repeated is decided
per operation (``Replay``) rather than per HTTP method, because ``start`` is a POST that is
safe to repeat with the same idempotency key while ``create`` is a POST that is not.
"""

from __future__ import annotations

import enum
import math
import random
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

from attrs import define, field, validators

__all__ = [
    "RETRYABLE_STATUSES",
    "Replay",
    "RetryBudget",
    "RetryPolicy",
    "may_have_been_processed",
    "parse_retry_after",
]

#: Statuses that describe a transient state. 409 is not one: here it means a name conflict
#: or a running test, which a retry cannot fix.
RETRYABLE_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})


class Replay(enum.Enum):
    """How safely an operation can be sent again."""

    #: GET, PUT, PATCH, DELETE and validate_options: repeating them changes nothing more.
    IDEMPOTENT = "idempotent"
    #: ``start``: repeated with the same K6-Idempotency-Key, so the API starts one run.
    IDEMPOTENCY_KEY = "idempotency-key"
    #: ``create``: only when the request provably was not processed (not sent, or 429).
    UNPROCESSED_ONLY = "unprocessed-only"


def may_have_been_processed(*, sent: bool, status: int | None) -> bool:
    """Whether a failed attempt may have taken effect on the server.

    Not when it never left (no connection), nor after a 429, which the API answers before
    doing anything. Any other failure of a sent request (a lost response, a timeout, a
    5xx) leaves the outcome unknown.
    """
    return sent and status != 429


@define(frozen=True)
class RetryPolicy:
    """Backoff, ``Retry-After`` and budget settings of a client.

    Waits are exponential with full jitter: a random time between 0 and
    ``min(backoff_cap, backoff_base * 2 ** retry)``. A ``Retry-After`` longer than
    ``max_retry_after`` fails the call at once. ``deadline`` (seconds) bounds a whole call,
    attempts plus waits. The budget is shared by every call of a client.
    """

    backoff_base: float = field(default=0.5, validator=validators.ge(0))
    backoff_cap: float = field(default=8.0, validator=validators.ge(0))
    max_retry_after: float = field(default=60.0, validator=validators.ge(0))
    deadline: float | None = field(default=None)
    budget_capacity: int = field(default=500, validator=validators.ge(0))
    retry_cost: int = field(default=5, validator=validators.ge(0))
    timeout_retry_cost: int = field(default=10, validator=validators.ge(0))
    success_refund: int = field(default=1, validator=validators.ge(0))

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """The wait before retry number ``retry`` (1-based), with full jitter."""
        # Past 2**62 the product only overflows; the cap has long been reached by then.
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** min(retry - 1, 62)))
        return (rng or random).uniform(0, ceiling)


class RetryBudget:
    """A token bucket in the spirit of botocore's standard retry mode.

    Each retry takes ``retry_cost`` tokens (``timeout_retry_cost`` after a timeout); each
    successful call gives ``success_refund`` back. With the bucket empty, calls stop
    retrying and fail fast, so a failing service is not hit by every call several times.
    """

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy
        self._tokens = policy.budget_capacity

    @property
    def tokens(self) -> int:
        return self._tokens

    def try_acquire(self, *, after_timeout: bool) -> bool:
        cost = self._policy.timeout_retry_cost if after_timeout else self._policy.retry_cost
        if cost > self._tokens:
            return False
        self._tokens -= cost
        return True

    def refund(self) -> None:
        self._tokens = min(self._policy.budget_capacity, self._tokens + self._policy.success_refund)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        current = datetime.now(UTC).timestamp() if now is None else now
        return max(0.0, when.timestamp() - current)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def monotonic() -> float:
    return time.monotonic()
