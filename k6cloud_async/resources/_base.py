"""``Resource``: the base of every API area, and its one-line calls.

A resource is built with a ``Requestor`` (``k6cloud_async._requestor``) and uses only its
public methods, never the client. The methods below make a plain JSON endpoint one or two
lines; a paginated one is a ``Listing`` (``k6cloud_async._listing``).

Adding a resource (``client.schedules``, say)::

    class Schedules(Resource):
        def __init__(self, requestor: Requestor) -> None:
            super().__init__(requestor)
            self._listing = Listing(requestor, Schedule)

        def pages(self, *, page_size: int = PAGE_SIZE, count: bool = False,
                  next_link: str | None = None, timeout: Timeout = None,
                  max_retries: int | None = None) -> AsyncGenerator[Page[Schedule], None]:
            return self._listing.pages(lambda: self._root / "schedules", page_size=page_size,
                count=count, next_link=next_link, timeout=timeout, max_retries=max_retries)

        async def get(self, schedule_id: int, *, timeout: Timeout = None,
                      max_retries: int | None = None) -> Schedule:
            url = self._url("schedules", check_id(schedule_id, "schedule_id"))
            return await self._get(url, Schedule, timeout=timeout, max_retries=max_retries)

then build it in ``K6CloudClient._bind`` (``self.schedules = Schedules(requestor)``) and
export the class from ``k6cloud_async/__init__.py``. See CONTRIBUTING.md.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Final, TypeVar

import aiohttp
from yarl import URL

from .._bulk import Outcome, run_bulk
from .._download import ScriptDownload
from .._errors import NotFoundError
from .._json import dumps
from .._requestor import Handler, Requestor, Timeout
from .._retry import Replay
from .._scripts import ProgressCallback
from .._transport import CallOptions
from .._validation import check_header_text

__all__ = ["SCRIPT_ACCEPT", "Resource"]

R = TypeVar("R")
T = TypeVar("T")

_JSON_HEADERS: Final = {"Content-Type": "application/json"}
#: How many built URLs a resource keeps (see ``Resource._url``).
URL_CACHE_SIZE: Final = 64
#: What ``download_script`` asks for when the caller does not name a type.
SCRIPT_ACCEPT: Final = "application/x-tar, text/javascript"


class Resource:
    """One API area over a ``Requestor``: ``self._root`` is ``…/cloud/v6``."""

    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor
        self._root = requestor.api_root
        self._root_path = self._root.raw_path.rstrip("/")
        self._urls: dict[tuple[str | int, ...], URL] = {}

    def _url(self, *segments: str | int) -> URL:
        """``{api root}/{segment}/…`` for this package's own path words and checked ids,
        which need no escaping: built in one step (yarl's ``/`` re-quotes each segment, and
        parsing the whole URL again costs twice as much as replacing the root's path).

        The URLs of the last few dozen paths are kept (about 1 KiB each with the parts yarl
        computes for aiohttp): the same path again, as in the polls of one run, a test read
        then started, or a retry, is the same URL object in ~0.1 µs instead of ~0.7 µs.
        """
        url = self._urls.get(segments)
        if url is None:
            if len(self._urls) >= URL_CACHE_SIZE:
                self._urls.clear()  # a bound, not an LRU: bookkeeping on hits costs more
            path = "/".join([self._root_path, *map(str, segments)])
            url = self._urls[segments] = self._root.with_path(path, encoded=True)
        return url

    def _get(
        self, url: URL, model: type[T], *, timeout: Timeout, max_retries: int | None
    ) -> Awaitable[T]:
        """``GET url`` decoded into one ``model`` (awaited by the caller: one coroutine less
        per call)."""
        options = self._requestor.options(timeout, max_retries)
        return self._requestor.call("GET", url, self._requestor.model(model), options=options)

    async def _get_list(
        self, url: URL, model: type[T], *, timeout: Timeout, max_retries: int | None
    ) -> list[T]:
        """``GET url`` decoded into a list of ``model`` (a bare array or ``{"value": …}``)."""
        options = self._requestor.options(timeout, max_retries)
        handler = self._requestor.model_list(model)
        return await self._requestor.call("GET", url, handler, options=options)

    async def _send(
        self,
        method: str,
        url: URL,
        *,
        timeout: Timeout,
        max_retries: int | None,
        replay: Replay = Replay.IDEMPOTENT,
    ) -> None:
        """A bodiless call answered without content (``abort``, ``activate``, ``delete``)."""
        options = self._requestor.options(timeout, max_retries)
        await self._requestor.call(
            method, url, self._requestor.no_content, options=options, replay=replay
        )

    async def _delete(self, url: URL, *, timeout: Timeout, max_retries: int | None) -> None:
        """``DELETE url``, where a 404 may be the trace of this call's own earlier attempt.

        A 404 on a retry, after an attempt that may have been processed (its response was
        lost, or was a 5xx), means that attempt deleted the resource: the call succeeds
        rather than report a deletion that happened. After earlier attempts that provably
        were not processed (429, no connection) the 404 is the truth: NotFoundError.
        """
        try:
            await self._send("DELETE", url, timeout=timeout, max_retries=max_retries)
        except NotFoundError as error:
            if not error.maybe_processed_earlier:
                raise

    async def _send_json(
        self,
        method: str,
        url: URL,
        body: Any,
        handler: Handler[R],
        *,
        timeout: Timeout,
        max_retries: int | None,
        replay: Replay = Replay.IDEMPOTENT,
        argument: str = "the request body",
    ) -> R:
        """``method url`` with ``body`` as JSON; ``handler`` reads the answer
        (``self._requestor.no_content``, ``.model(cls)``, ``.model_list(cls)``).

        A body that cannot be written as JSON is a TypeError naming ``argument``, before
        any request.
        """
        options = self._requestor.options(timeout, max_retries)
        try:
            payload = dumps(body)
        except TypeError as exc:
            raise TypeError(f"{argument} must be JSON-serialisable: {exc}") from None
        return await self._requestor.call(
            method,
            url,
            handler,
            options=options,
            replay=replay,
            body=payload,
            headers=_JSON_HEADERS,
        )

    def _download(
        self,
        url: URL,
        *,
        accept: str | None,
        on_progress: ProgressCallback | None,
        timeout: Timeout,
        max_retries: int | None,
    ) -> AbstractAsyncContextManager[ScriptDownload]:
        """``GET url`` streamed, as ``async with … as download`` (a script of a test or a
        run). ``accept`` defaults to ``SCRIPT_ACCEPT``; the request goes out on entry."""
        accept = SCRIPT_ACCEPT if accept is None else check_header_text(accept, "accept")
        options = self._requestor.options(timeout, max_retries, streaming=True)
        return _Download(self._requestor, url, accept, options, on_progress)

    def _each(
        self,
        call: Callable[[int], Awaitable[R]],
        ids: Iterable[int] | AsyncIterable[int],
        *,
        concurrency: int,
        ordered: bool,
        timeout: Timeout,
        max_retries: int | None,
    ) -> AsyncGenerator[Outcome[int, R], None]:
        """``call`` over ``ids`` through ``k6.bulk`` (the ``*_many`` methods), with the
        per-call options checked before the first call."""
        self._requestor.options(timeout, max_retries)
        return run_bulk(call, ids, concurrency=concurrency, ordered=ordered, argument="ids")


class _Download(AbstractAsyncContextManager[ScriptDownload]):
    """Sends the request on entry and keeps the response open; releases it on exit."""

    def __init__(
        self,
        requestor: Requestor,
        url: URL,
        accept: str,
        options: CallOptions,
        on_progress: ProgressCallback | None,
    ) -> None:
        self._requestor = requestor
        self._url = url
        self._accept = accept
        self._options = options
        self._on_progress = on_progress
        self._response: aiohttp.ClientResponse | None = None

    async def __aenter__(self) -> ScriptDownload:
        self._response = await self._requestor.call(
            "GET",
            self._url,
            _keep_open,
            options=self._options,
            # The script as stored, so that its Content-Length is its size.
            headers={"Accept": self._accept, "Accept-Encoding": "identity"},
        )
        return ScriptDownload(self._response, on_progress=self._on_progress)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        response, self._response = self._response, None
        if response is not None:
            # A fully read body returns its connection to the pool; anything else closes it.
            response.release()


async def _keep_open(response: aiohttp.ClientResponse) -> aiohttp.ClientResponse:
    return response
