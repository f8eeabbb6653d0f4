"""``client.test_runs``: read, list, abort and wait for test runs."""

from __future__ import annotations

import asyncio
import functools
import inspect
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

import aiohttp
from yarl import URL

from .._errors import WaitTimeoutError
from .._handlers import JsonModel, JsonPage, NoContent
from .._models import Page, TestRun
from .._pagination import iterate_items, iterate_pages, resume_url
from .._transport import CallOptions
from .._validation import check_id, check_order_by, check_page_size

if TYPE_CHECKING:
    from .._client import K6CloudClient

__all__ = ["RunUpdateCallback", "TestRuns"]

Timeout = float | aiohttp.ClientTimeout | None
#: Called with the run each time ``wait`` sees its status change; may be a coroutine function.
RunUpdateCallback = Callable[[TestRun], Awaitable[None] | None]

_DEFAULT_PAGE_SIZE: Final = 1000
_BACKOFF_FACTOR: Final = 1.5
_ORDER_FIELD: Final = "created"

T = TypeVar("T")

# The polls' sleep and the clock their deadline is read on: module globals so that a test
# can watch the intervals chosen and move time without waiting for it.
_sleep = asyncio.sleep
_clock = time.monotonic


class TestRuns:
    """Test runs: get one, abort one, list them, and wait for one to finish."""

    __test__ = False  # not a pytest test class

    def __init__(self, client: K6CloudClient) -> None:
        self._client = client
        limit = client._transport.max_response_bytes
        self._test_run = JsonModel(TestRun, limit)
        self._page = JsonPage(TestRun, limit)
        self._no_content = NoContent(limit)

    # -- one run --------------------------------------------------------------------------

    async def get(
        self, run_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> TestRun:
        """``GET /test_runs/{id}``: the run as it is now. NotFoundError for an unknown id."""
        url = self._run_url(run_id)
        options = self._client._call_options(timeout, max_retries)
        return await self._fetch(url, options)

    async def abort(
        self, run_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``POST /test_runs/{id}/abort``: stop a run that is going on.

        ConflictError when the run is not running (it already ended). Retried like any
        idempotent call, so a 409 after a retry may mean that the first attempt took effect.
        """
        url = self._run_url(run_id) / "abort"
        options = self._client._call_options(timeout, max_retries)
        await self._client._transport.call("POST", url, self._no_content, options=options)

    async def wait(
        self,
        run_id: int,
        *,
        poll_interval: float = 5.0,
        max_poll_interval: float = 30.0,
        timeout: float | None = None,
        on_update: RunUpdateCallback | None = None,
        request_timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> TestRun:
        """Poll the run until it is ``completed`` or ``aborted``, and return that state.

        The first wait is ``poll_interval`` seconds; it grows ×1.5 after each poll that sees
        no change, up to ``max_poll_interval``, and starts over when the status changes.
        ``on_update(run)`` is called with the first state seen and on every status change
        (the final one included). After ``timeout`` seconds (``None``: no limit) it raises
        ``WaitTimeoutError`` carrying the last state seen in ``.run``. Cancelling the
        awaiting task stops the polling at once. ``request_timeout`` and ``max_retries``
        apply to each poll.
        """
        url = self._run_url(run_id)
        first = _check_seconds(poll_interval, "poll_interval")
        longest = _check_seconds(max_poll_interval, "max_poll_interval")
        if longest < first:
            raise ValueError(
                f"max_poll_interval ({longest}) must not be less than poll_interval ({first})"
            )
        limit = None if timeout is None else _check_seconds(timeout, "timeout")
        if on_update is not None and not callable(on_update):
            raise TypeError("on_update must be a callable taking the TestRun")
        if request_timeout is not None and not isinstance(request_timeout, aiohttp.ClientTimeout):
            _check_seconds(request_timeout, "request_timeout")
        options = self._client._call_options(request_timeout, max_retries)
        poller = _Poller(lambda: self._fetch(url, options), first, longest, on_update)
        deadline = None if limit is None else _clock() + limit
        try:
            return await poller.run(deadline)
        except _DeadlinePassed:
            raise WaitTimeoutError(
                f"test run {run_id} did not finish within {limit:g} seconds "
                f"(last status seen: {poller.status or 'none'})",
                run=poller.last,
                timeout=limit or 0.0,
                attempts=poller.polls,
            ) from None

    # -- listings -------------------------------------------------------------------------

    def list(
        self,
        *,
        test_id: int | None = None,
        order_by: str | Sequence[str] | None = None,
        page_size: int = _DEFAULT_PAGE_SIZE,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[TestRun]:
        """Every run (of the stack, or of one load test), following ``@nextLink``.

        ``order_by``: ``"created"`` or ``"created desc"``. ``created_after`` (inclusive) and
        ``created_before`` (exclusive) are timezone-aware datetimes. An async generator that
        reads one page ahead; use it with ``contextlib.aclosing`` to stop early.
        """
        return iterate_items(
            self.pages(
                test_id=test_id,
                order_by=order_by,
                page_size=page_size,
                created_after=created_after,
                created_before=created_before,
                timeout=timeout,
                max_retries=max_retries,
            )
        )

    def pages(
        self,
        *,
        test_id: int | None = None,
        order_by: str | Sequence[str] | None = None,
        page_size: int = _DEFAULT_PAGE_SIZE,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        count: bool = False,
        next_link: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[Page[TestRun]]:
        """The listing page by page (``.items``, ``.count``, ``.next_link``).

        ``count=True`` asks for ``@count``. ``next_link=`` resumes a listing from a link kept
        from an earlier page; the filters are in the link then, and must not be given.
        """
        options = self._client._call_options(timeout, max_retries)
        filters = {
            "test_id": test_id,
            "order_by": order_by,
            "created_after": created_after,
            "created_before": created_before,
        }
        if next_link is not None:
            given = [name for name, value in filters.items() if value is not None]
            if page_size != _DEFAULT_PAGE_SIZE:
                given.append("page_size")
            if count:
                given.append("count")
            first = resume_url(next_link, given, self._client._config.base_url)
        else:
            first = self._list_url(test_id, order_by, page_size, created_after, created_before)
            first = first.update_query(_count_query(count))

        async def fetch(url: URL) -> Page[TestRun]:
            return await self._client._transport.call("GET", url, self._page, options=options)

        return iterate_pages(fetch, first, self._client._config.base_url)

    def _list_url(
        self,
        test_id: int | None,
        order_by: str | Sequence[str] | None,
        page_size: int,
        created_after: datetime | None,
        created_before: datetime | None,
    ) -> URL:
        root = self._client._config.api_root
        if test_id is None:
            url = root / "test_runs"
        else:
            url = root / "load_tests" / str(check_id(test_id, "test_id")) / "test_runs"
        query = {"$top": str(check_page_size(page_size))}
        orderby = _check_order_by(order_by)
        if orderby is not None:
            query["$orderby"] = orderby
        for name, value in (("created_after", created_after), ("created_before", created_before)):
            if value is not None:
                query[name] = _iso_datetime(value, name)
        return url.with_query(query)

    # -- helpers --------------------------------------------------------------------------

    def _run_url(self, run_id: int) -> URL:
        return self._client._config.api_root / "test_runs" / str(check_id(run_id, "run_id"))

    async def _fetch(self, url: URL, options: CallOptions) -> TestRun:
        return await self._client._transport.call("GET", url, self._test_run, options=options)


class _DeadlinePassed(Exception):
    """``wait``'s timeout ran out (on ``_clock``) before the run finished."""


class _Poller:
    """The polling loop of ``wait``: what it saw last, and how long it sleeps next."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[TestRun]],
        first: float,
        longest: float,
        on_update: RunUpdateCallback | None,
    ) -> None:
        self._fetch = fetch
        self._first = first
        self._longest = longest
        self._on_update = on_update
        self.last: TestRun | None = None
        self.polls = 0

    @property
    def status(self) -> str | None:
        return None if self.last is None else self.last.status

    async def run(self, deadline: float | None) -> TestRun:
        """Poll until the run is finished; _DeadlinePassed once ``deadline`` (on ``_clock``;
        None: never) passes, cutting short the poll or the sleep in progress."""
        interval = self._first
        while True:
            previous = self.status
            run = await _before(deadline, self._poll)
            if run.is_finished:
                return run
            changed = run.status != previous
            interval = self._first if changed else min(interval * _BACKOFF_FACTOR, self._longest)
            await _before(deadline, functools.partial(_sleep, interval))

    async def _poll(self) -> TestRun:
        """One GET of the run, then ``on_update`` if its status changed."""
        previous = self.status
        self.polls += 1
        run = await self._fetch()
        self.last = run
        if run.status != previous:
            await self._notify(run)
        return run

    async def _notify(self, run: TestRun) -> None:
        if self._on_update is None:
            return
        result = self._on_update(run)
        if inspect.isawaitable(result):
            await result


async def _before(deadline: float | None, step: Callable[[], Awaitable[T]]) -> T:
    """``step()``, unless ``deadline`` (on ``_clock``) passes first: then _DeadlinePassed."""
    if deadline is None:
        return await step()
    remaining = deadline - _clock()
    if remaining <= 0:
        raise _DeadlinePassed
    try:
        async with asyncio.timeout(remaining) as scope:
            return await step()
    except TimeoutError:
        if not scope.expired():  # a request's own timeout, not the wait's
            raise
        raise _DeadlinePassed from None


def _check_seconds(value: Any, argument: str) -> float:
    """A positive, finite number of seconds (a bool is refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{argument} must be a number of seconds, not {type(value).__name__}")
    if not 0 < value < math.inf:
        raise ValueError(f"{argument} must be a positive, finite number of seconds, got {value}")
    return float(value)


def _check_order_by(value: Any) -> str | None:
    """``"created"`` or ``"created desc"``: runs are ordered by one field only."""
    order = check_order_by(value, fields=frozenset({_ORDER_FIELD}))
    if order is not None and "," in order:
        raise ValueError(f"order_by must be 'created' or 'created desc', got {value!r}")
    return order


def _iso_datetime(value: Any, argument: str) -> str:
    """An aware datetime as ISO 8601 in UTC; a naive one would be read in an unknown zone."""
    if not isinstance(value, datetime):
        raise TypeError(f"{argument} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{argument} must be timezone-aware (give it a tzinfo, e.g. UTC)")
    return value.astimezone(UTC).isoformat()


def _count_query(count: Any) -> dict[str, str]:
    if not isinstance(count, bool):
        raise TypeError(f"count must be a bool, not {type(count).__name__}")
    return {"$count": "true"} if count else {}
