"""``client.test_runs``: read, list, abort and wait for test runs."""

from __future__ import annotations

import asyncio
import inspect
import warnings
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Final

from yarl import URL

from .._errors import WaitTimeoutError
from .._listing import PAGE_SIZE, Filter, Listing, as_datetime, items
from .._models import UNSET, Page, TestRun, Unset
from .._requestor import Requestor, Timeout
from .._transport import CallOptions
from .._validation import (
    check_callback,
    check_id,
    check_order_by,
    check_poll_intervals,
    check_request_timeout,
    check_seconds,
)
from ._base import Resource

__all__ = ["RunUpdateCallback", "TestRuns"]

#: Called with the run each time ``wait`` sees its status change; may be a coroutine function.
RunUpdateCallback = Callable[[TestRun], Awaitable[None] | None]

_BACKOFF_FACTOR: Final = 1.5
#: Runs are ordered by one field only.
_ORDER_FIELDS: Final = frozenset({"created"})


def _renamed_timeout(timeout: float | None, max_wait: float | None) -> float | None:
    """The whole-wait limit given under its former name, ``timeout=``, with a warning."""
    if max_wait is not None:
        raise TypeError("wait() takes max_wait= or its former name timeout=, not both")
    warnings.warn(
        "wait(timeout=…) is deprecated: pass max_wait=… (the limit of the whole wait); "
        "request_timeout=… limits each poll",
        DeprecationWarning,
        stacklevel=3,
    )
    return timeout


# The polls' sleep; a module global so that a test can watch the intervals chosen.
_sleep = asyncio.sleep


class TestRuns(Resource):
    """Test runs: get one, abort one, list them, and wait for one to finish."""

    __test__ = False  # not a pytest test class

    def __init__(self, requestor: Requestor) -> None:
        super().__init__(requestor)
        self._listing = Listing(
            requestor, TestRun, order_fields=_ORDER_FIELDS, one_order_field=True
        )
        self._runs_root = self._root / "test_runs"

    # -- one run --------------------------------------------------------------------------

    async def get(
        self, run_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> TestRun:
        """``GET /test_runs/{id}``: the run as it is now. NotFoundError for an unknown id."""
        url = self._run_url(run_id)
        return await self._get(url, TestRun, timeout=timeout, max_retries=max_retries)

    async def abort(
        self, run_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``POST /test_runs/{id}/abort``: stop a run that is going on.

        ConflictError when the run is not running (it already ended). Retried like any
        idempotent call, so a 409 after a retry may mean that the first attempt took effect.
        """
        url = self._run_url(run_id) / "abort"
        await self._send("POST", url, timeout=timeout, max_retries=max_retries)

    async def wait(
        self,
        run_id: int,
        *,
        poll_interval: float = 5.0,
        max_poll_interval: float = 30.0,
        max_wait: float | None = None,
        on_update: RunUpdateCallback | None = None,
        request_timeout: Timeout = None,
        max_retries: int | None = None,
        timeout: float | Unset | None = UNSET,
    ) -> TestRun:
        """Poll the run until it is ``completed`` or ``aborted``, and return that state.

        The first wait is ``poll_interval`` seconds; it grows ×1.5 after each poll that sees
        no change, up to ``max_poll_interval``, and starts over when the status changes.
        ``on_update(run)`` is called with the first state seen and on every status change
        (the final one included). After ``max_wait`` seconds (``None``: no limit) it raises
        ``WaitTimeoutError`` carrying the last state seen in ``.run``. Cancelling the
        awaiting task stops the polling at once. ``request_timeout`` and ``max_retries``
        apply to each poll.

        ``timeout=`` is the former name of ``max_wait``: it still works, with a
        ``DeprecationWarning``, since every other call's ``timeout=`` limits one request.
        """
        url = self._run_url(run_id)
        first, longest = check_poll_intervals(poll_interval, max_poll_interval)
        if not isinstance(timeout, Unset):
            max_wait = _renamed_timeout(timeout, max_wait)
            argument = "timeout"
        else:
            argument = "max_wait"
        limit = None if max_wait is None else check_seconds(max_wait, argument)
        check_callback(on_update, "on_update", takes="TestRun")
        check_request_timeout(request_timeout, "request_timeout")
        options = self._requestor.options(request_timeout, max_retries)
        poller = _Poller(lambda: self._fetch(url, options), first, longest, on_update)
        try:
            async with asyncio.timeout(limit) as scope:
                return await poller.run()
        except TimeoutError:
            if not scope.expired():
                raise
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
        page_size: int = PAGE_SIZE,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[TestRun, None]:
        """Every run (of the stack, or of one load test), following ``@nextLink``.

        ``order_by``: ``"created"`` or ``"created desc"``, with ``test_id`` only (the API orders
        a test's runs, not the stack's: ValueError without it). ``created_after`` (inclusive) and
        ``created_before`` (exclusive) are timezone-aware datetimes. An async generator that
        reads one page ahead; use it with ``contextlib.aclosing`` to stop early.
        """
        return items(
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
        page_size: int = PAGE_SIZE,
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
        if test_id is None and check_order_by(order_by, _ORDER_FIELDS, one_field=True):
            # The API documents $orderby only on GET /load_tests/{id}/test_runs.
            raise ValueError("order_by needs test_id: only a test's runs can be ordered")
        return self._listing.pages(
            lambda: self._runs_root if test_id is None else self._test_runs_of(test_id),
            scope={"test_id": test_id},
            filters={
                "created_after": Filter(created_after, as_datetime),
                "created_before": Filter(created_before, as_datetime),
            },
            order_by=order_by,
            page_size=page_size,
            count=count,
            next_link=next_link,
            timeout=timeout,
            max_retries=max_retries,
        )

    # -- helpers --------------------------------------------------------------------------

    def _test_runs_of(self, test_id: int) -> URL:
        return self._root / "load_tests" / str(check_id(test_id, "test_id")) / "test_runs"

    def _run_url(self, run_id: int) -> URL:
        return self._runs_root / str(check_id(run_id, "run_id"))

    async def _fetch(self, url: URL, options: CallOptions) -> TestRun:
        return await self._requestor.call(
            "GET", url, self._requestor.model(TestRun), options=options
        )


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

    async def run(self) -> TestRun:
        interval = self._first
        while True:
            previous = self.status
            self.polls += 1
            run = await self._fetch()
            self.last = run
            changed = run.status != previous
            if changed:
                await self._notify(run)
            if run.is_finished:
                return run
            interval = self._first if changed else min(interval * _BACKOFF_FACTOR, self._longest)
            await _sleep(interval)

    async def _notify(self, run: TestRun) -> None:
        if self._on_update is None:
            return
        result = self._on_update(run)
        if inspect.isawaitable(result):
            await result
