"""``client.test_runs``: read, list, abort and wait for test runs; note, star, save and
delete them; their distribution and the script they ran."""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
import warnings
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Final, TypeVar

from yarl import URL

from .._converter import to_dict
from .._download import ScriptDownload
from .._errors import WaitTimeoutError
from .._listing import PAGE_SIZE, Filter, Listing, as_bool, as_datetime, items
from .._models import UNSET, Page, TestRun, Unset
from .._models_runs import LoadZoneDistribution, TestRunDistribution, TestRunPatch
from .._requestor import Requestor, Timeout
from .._retry import Replay
from .._scripts import ProgressCallback
from .._transport import CallOptions
from .._validation import (
    check_callback,
    check_id,
    check_note,
    check_only_with,
    check_poll_intervals,
    check_request_timeout,
    check_seconds,
)
from .._waits import POLL_SLEEP
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


T = TypeVar("T")

# The clock the polls' deadline is read on: a module global so that a test can move time
# without waiting for it (the polls sleep through POLL_SLEEP, which a fake clock may drive).
_clock = time.monotonic


class TestRuns(Resource):
    """Test runs: get, list, abort and wait for them; note, star, save and delete them;
    read their distribution and download the script they ran."""

    __test__ = False  # not a pytest test class

    def __init__(self, requestor: Requestor) -> None:
        super().__init__(requestor)
        # Only one load test's runs can be ordered or filtered by star (OpenAPI 1.12.0).
        self._all_listing = Listing(requestor, TestRun)
        self._test_listing = Listing(
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
        url = self._run_url(run_id, "abort")
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
        deadline = None if limit is None else _clock() + limit
        try:
            return await poller.run(deadline)
        except _DeadlinePassed:
            error = WaitTimeoutError(
                f"test run {run_id} did not finish within {limit:g} seconds "
                f"(last status seen: {poller.status or 'none'})",
                run=poller.last,
                timeout=limit or 0.0,
                attempts=poller.polls,
            )
            self._requestor.redact(error)  # the status is the server's text
            raise error from None

    # -- listings -------------------------------------------------------------------------

    def list(
        self,
        *,
        test_id: int | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        is_starred: bool | None = None,
        order_by: str | Sequence[str] | None = None,
        page_size: int = PAGE_SIZE,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[TestRun, None]:
        """Every run (of the stack, or of one load test), following ``@nextLink``.

        ``created_after`` (inclusive) and ``created_before`` (exclusive) are timezone-aware
        datetimes, sent in UTC. With ``test_id`` only, as the API documents them:
        ``is_starred`` (True: starred runs only, False: the others) and ``order_by``
        (``"created"`` or ``"created desc"``); without it they are a ValueError. An async
        generator that reads one page ahead; use it with ``contextlib.aclosing`` to stop
        early.
        """
        return items(
            self.pages(
                test_id=test_id,
                created_after=created_after,
                created_before=created_before,
                is_starred=is_starred,
                order_by=order_by,
                page_size=page_size,
                timeout=timeout,
                max_retries=max_retries,
            )
        )

    def pages(
        self,
        *,
        test_id: int | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        is_starred: bool | None = None,
        order_by: str | Sequence[str] | None = None,
        page_size: int = PAGE_SIZE,
        count: bool = False,
        next_link: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Page[TestRun], None]:
        """The listing page by page (``.items``, ``.count``, ``.next_link``).

        ``count=True`` asks for ``@count``. ``next_link=`` resumes a listing from a link kept
        from an earlier page; the filters are in the link then, and must not be given.
        """
        filters = {
            "created_after": Filter(created_after, as_datetime),
            "created_before": Filter(created_before, as_datetime),
        }
        if test_id is None and next_link is None:
            check_only_with(is_starred, "is_starred", "test_id", test_id)
            check_only_with(order_by, "order_by", "test_id", test_id)
            listing, url = self._all_listing, lambda: self._runs_root
        else:
            filters["is_starred"] = Filter(is_starred, as_bool)
            listing, url = self._test_listing, lambda: self._test_runs_of(test_id)
        return listing.pages(
            url,
            scope={"test_id": test_id},
            filters=filters,
            order_by=order_by,
            page_size=page_size,
            count=count,
            next_link=next_link,
            timeout=timeout,
            max_retries=max_retries,
        )

    # -- notes, stars, saved results --------------------------------------------------------

    async def update(
        self,
        run_id: int,
        *,
        note: str,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> None:
        """``PATCH /test_runs/{id}`` with ``{"note": note}``: replace the run's note
        (``""`` clears it). BadRequestError when the API refuses the note."""
        url = self._run_url(run_id)
        patch = TestRunPatch(note=check_note(note))
        await self._send_json(
            "PATCH",
            url,
            to_dict(patch),
            self._requestor.no_content,
            timeout=timeout,
            max_retries=max_retries,
        )

    async def delete(
        self, run_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``DELETE /test_runs/{id}``: the run and its results. ConflictError while it runs.

        A 404 on a retry, after an attempt whose response was lost, means that attempt
        deleted the run: the call then succeeds rather than report a deletion that happened.
        """
        url = self._run_url(run_id)
        await self._delete(url, timeout=timeout, max_retries=max_retries)

    async def star(
        self, run_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``POST /test_runs/{id}/star``: mark the run for comparisons (``is_starred``).
        Starring does not extend the retention of its metrics; ``save`` does."""
        await self._post_state(run_id, "star", timeout, max_retries)

    async def unstar(
        self, run_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``POST /test_runs/{id}/unstar``: the run is no longer starred."""
        await self._post_state(run_id, "unstar", timeout, max_retries)

    async def save(
        self, run_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``POST /test_runs/{id}/save``: keep the run's results past their retention
        (``retention_expiry`` becomes None). Deprecated by the API (to be removed on
        2026-09-01) in favour of ``star``.

        ConflictError when the results were already deleted, or when the stack's maximum
        of saved runs is reached.
        """
        await self._post_state(run_id, "save", timeout, max_retries)

    async def unsave(
        self, run_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``POST /test_runs/{id}/unsave``: the results expire again after their retention.
        Deprecated by the API (to be removed on 2026-09-01) in favour of ``unstar``."""
        await self._post_state(run_id, "unsave", timeout, max_retries)

    async def _post_state(
        self, run_id: int, action: str, timeout: Timeout, max_retries: int | None
    ) -> None:
        # Setting a flag twice leaves it set: these POSTs are retried like idempotent calls.
        url = self._run_url(run_id, action)
        await self._send(
            "POST", url, timeout=timeout, max_retries=max_retries, replay=Replay.IDEMPOTENT
        )

    # -- what the run ran -----------------------------------------------------------------

    async def distribution(
        self, run_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> dict[str, LoadZoneDistribution]:
        """``GET /test_runs/{id}/distribution``: the run's load zones by name, each with
        its share of the load and its nodes. NotFoundError for an unknown run, and for a
        run that has no distribution data (yet)."""
        url = self._run_url(run_id, "distribution")
        body = await self._get(url, TestRunDistribution, timeout=timeout, max_retries=max_retries)
        return body.distribution

    def download_script(
        self,
        run_id: int,
        *,
        accept: str | None = None,
        on_progress: ProgressCallback | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AbstractAsyncContextManager[ScriptDownload]:
        """``GET /test_runs/{id}/script``, streamed: the script or archive the run ran
        (a later upload to its test does not change it), as ``async with ... as download``.

        The request goes out on entry, where errors are raised (NotAcceptableError when the
        script is not of the ``accept`` type). The connection is released on exit.
        """
        return self._download(
            self._run_url(run_id, "script"),
            accept=accept,
            on_progress=on_progress,
            timeout=timeout,
            max_retries=max_retries,
        )

    # -- helpers --------------------------------------------------------------------------

    def _test_runs_of(self, test_id: int | None) -> URL:
        return self._url("load_tests", check_id(test_id, "test_id"), "test_runs")

    def _run_url(self, run_id: int, *rest: str) -> URL:
        return self._url("test_runs", check_id(run_id, "run_id"), *rest)

    async def _fetch(self, url: URL, options: CallOptions) -> TestRun:
        return await self._requestor.call(
            "GET", url, self._requestor.model(TestRun), options=options
        )


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
            await _before(deadline, functools.partial(POLL_SLEEP, interval))

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
