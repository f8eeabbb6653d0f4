"""When to retry, how long to wait, and the retry budget a client's calls share.

Pure decisions only: the transport asks ``decide_retry`` after each failed attempt and
sleeps for the wait it gets, or raises with the reason it gets. Which calls may be repeated
is decided per operation (``Replay``) rather than per HTTP method, because ``start`` is a
POST that is safe to repeat with the same idempotency key while ``create`` is a POST that
is not.
"""

from __future__ import annotations

import enum
import math
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

from attrs import define, field, frozen, validators

__all__ = [
    "RETRYABLE_STATUSES",
    "Decision",
    "Failure",
    "Replay",
    "RetryBudget",
    "RetryPolicy",
    "decide_retry",
    "may_have_been_processed",
    "parse_retry_after",
]

#: Statuses that describe a transient state. 409 is not one: here it means a name conflict
#: or a running test, which a retry cannot fix.
RETRYABLE_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})


class Replay(enum.Enum):
    """How safely an operation can be sent again."""

    #: GET, PUT, PATCH, DELETE, validate_options, and the POSTs that set a run's state
    #: (``abort``, ``star``, ``unstar``, ``save``, ``unsave``): repeating them changes
    #: nothing more (projects: ``update``, ``update_limits``, ``set_allowed_load_zones``,
    #: ``set_labels``, ``delete``, ``delete_label``; ``load_zones.set_allowed_projects``, a
    #: full replacement; ``labels.update`` and ``labels.delete`` too). A test run ``delete``
    #: whose retry meets 404 succeeds (the lost attempt deleted). So are the schedules'
    #: POSTs: ``set`` replaces the test's one schedule (sent twice, the test still has that
    #: one schedule), ``activate``/``deactivate`` set a flag.
    IDEMPOTENT = "idempotent"
    #: ``start``: repeated with the same K6-Idempotency-Key, so the API starts one run.
    IDEMPOTENCY_KEY = "idempotency-key"
    #: ``create`` (of a load test or a project, and ``labels.create``, which adds keys):
    #: only when the request provably was not processed (not sent, or 429).
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
        if self._tokens < self._policy.budget_capacity:  # full, as it mostly is: nothing to do
            self._tokens = min(
                self._policy.budget_capacity, self._tokens + self._policy.success_refund
            )


@frozen
class Failure:
    """What a failed attempt tells the decision.

    ``status`` is the HTTP status of an error response, or None when the request failed in
    transport. ``sent`` is False only when the request provably never reached the server
    (no connection); ``after_timeout`` when the attempt timed out; ``permanent`` when no
    retry can fix it (a TLS failure, an invalid URL); ``retry_after`` the seconds the API
    asked to wait.
    """

    status: int | None = None
    retry_after: float | None = None
    sent: bool = True
    after_timeout: bool = False
    permanent: bool = False


@frozen
class Decision:
    """Retry after ``wait`` seconds, or (``wait`` is None) give up; ``reason`` says why it
    gave up when the error alone does not (it becomes the error's ``hint``)."""

    wait: float | None
    reason: str | None = None

    @property
    def retry(self) -> bool:
        return self.wait is not None


_GIVE_UP: Final = Decision(None)


def decide_retry(
    failure: Failure,
    *,
    attempt: int,
    max_retries: int,
    replay: Replay,
    policy: RetryPolicy,
    budget: RetryBudget,
    not_replayable: str | None = None,
    now: float = 0.0,
    deadline: float | None = None,
    rng: random.Random | None = None,
) -> Decision:
    """Whether to send attempt ``attempt + 1`` of a call, and after how long.

    ``not_replayable`` is why the request body cannot be sent again (None when it can);
    ``now`` and ``deadline`` are readings of one clock. The checks, in order: a status that
    is not transient, a ``Retry-After`` above ``policy.max_retry_after``, a permanent
    failure, ``max_retries`` reached, the operation's ``replay`` rule, the body, the budget
    (its tokens are taken only when the answer is to retry), and the deadline. The wait is
    the jittered backoff, or the ``Retry-After`` when that is longer.
    """
    if failure.status is not None:
        if failure.status not in RETRYABLE_STATUSES:
            return _GIVE_UP
        if failure.retry_after is not None and failure.retry_after > policy.max_retry_after:
            return Decision(
                None,
                f"not retried: the API asked to wait {failure.retry_after:g}s, more than "
                f"RetryPolicy.max_retry_after ({policy.max_retry_after:g}s)",
            )
    elif failure.permanent:
        return _GIVE_UP
    if attempt > max_retries:
        return _GIVE_UP
    if replay is Replay.UNPROCESSED_ONLY and may_have_been_processed(
        sent=failure.sent, status=failure.status
    ):
        return Decision(
            None,
            "not retried: the request may have been processed, so what it creates may exist; "
            "look it up by name before creating it again",
        )
    if not_replayable is not None:
        return Decision(None, f"not retried: {not_replayable}")
    wait = policy.backoff(attempt, rng)
    if failure.retry_after is not None:
        wait = max(wait, failure.retry_after)
    if deadline is not None and now + wait >= deadline:
        return Decision(None, "not retried: the call's deadline would pass")
    if not budget.try_acquire(after_timeout=failure.after_timeout):
        return Decision(None, "not retried: the client's retry budget is spent")
    return Decision(wait)


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
