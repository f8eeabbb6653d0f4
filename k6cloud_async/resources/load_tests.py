"""``client.load_tests``: the Tests REST API's load test endpoints."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
from yarl import URL

from .._bulk import DEFAULT_CONCURRENCY, Outcome, run_bulk
from .._converter import to_dict
from .._download import ScriptDownload
from .._errors import ConflictError, K6CloudError, NotFoundError, TransportError
from .._handlers import JsonModel, JsonPage, NoContent
from .._json import dumps
from .._models import (
    UNSET,
    LoadTest,
    LoadTestMove,
    LoadTestPatch,
    Page,
    TestRun,
    Unset,
    ValidateOptionsRequest,
    ValidateOptionsResult,
)
from .._pagination import iterate_items, iterate_pages, resume_url
from .._retry import Replay
from .._scripts import ProgressCallback, ScriptSource, prepare_script
from .._transport import CallOptions
from .._validation import (
    check_header_value,
    check_id,
    check_idempotency_key,
    check_json,
    check_name,
    check_order_by,
    check_page_size,
)
from ._multipart import CreateBody

if TYPE_CHECKING:
    from .._client import K6CloudClient

__all__ = ["LoadTests", "new_idempotency_key"]

R = TypeVar("R")

_JSON_HEADERS = {"Content-Type": "application/json"}
_OCTET_HEADERS = {"Content-Type": "application/octet-stream"}
#: What ``download_script`` asks for when the caller does not name a type.
SCRIPT_ACCEPT = "application/x-tar, text/javascript"
_DEFAULT_PAGE_SIZE = 1000

Timeout = float | aiohttp.ClientTimeout | None


def new_idempotency_key() -> str:
    """A fresh ``K6-Idempotency-Key`` (a UUID4: 36 characters, the API's maximum)."""
    return str(uuid.uuid4())


class LoadTests:
    """Load tests: list, read, create, change, move, delete, script transfers and starts."""

    def __init__(self, client: K6CloudClient) -> None:
        self._client = client
        limit = client._transport.max_response_bytes
        self._load_test = JsonModel(LoadTest, limit)
        self._test_run = JsonModel(TestRun, limit)
        self._validation = JsonModel(ValidateOptionsResult, limit)
        self._page = JsonPage(LoadTest, limit)
        self._no_content = NoContent(limit)
        self._tests_root = client._config.api_root / "load_tests"

    # -- listings -------------------------------------------------------------------------

    def list(
        self,
        *,
        project_id: int | None = None,
        name: str | None = None,
        order_by: str | Sequence[str] | None = None,
        page_size: int = _DEFAULT_PAGE_SIZE,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[LoadTest]:
        """Every load test (of the stack, or of one project), following ``@nextLink``.

        An async generator: pages are fetched as it is consumed, one page ahead. Use it with
        ``contextlib.aclosing`` to stop early and release the connection at once.
        """
        return iterate_items(
            self.pages(
                project_id=project_id,
                name=name,
                order_by=order_by,
                page_size=page_size,
                timeout=timeout,
                max_retries=max_retries,
            )
        )

    def pages(
        self,
        *,
        project_id: int | None = None,
        name: str | None = None,
        order_by: str | Sequence[str] | None = None,
        page_size: int = _DEFAULT_PAGE_SIZE,
        count: bool = False,
        next_link: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[Page[LoadTest]]:
        """The listing page by page (``.items``, ``.count``, ``.next_link``).

        ``count=True`` asks for ``@count``. ``next_link=`` resumes a listing from a link kept
        from an earlier page; the filters are in the link then, and must not be given.
        """
        options = self._client._call_options(timeout, max_retries)
        config = self._client._config
        if next_link is not None:
            given = [
                argument
                for argument, value in (
                    ("project_id", project_id),
                    ("name", name),
                    ("order_by", order_by),
                )
                if value is not None
            ]
            if page_size != _DEFAULT_PAGE_SIZE:
                given.append("page_size")
            if count:
                given.append("count")
            first = resume_url(next_link, given, config.base_url)
        else:
            first = self._list_url(project_id, name, order_by, page_size, count)

        async def fetch(url: URL) -> Page[LoadTest]:
            return await self._client._transport.call("GET", url, self._page, options=options)

        return iterate_pages(fetch, first, config.base_url)

    def _list_url(
        self,
        project_id: int | None,
        name: str | None,
        order_by: str | Sequence[str] | None,
        page_size: int,
        count: bool,
    ) -> URL:
        root = self._client._config.api_root
        if project_id is None:
            url = root / "load_tests"
        else:
            url = root / "projects" / str(check_id(project_id, "project_id")) / "load_tests"
        query = {"$top": str(check_page_size(page_size))}
        orderby = check_order_by(order_by)
        if orderby is not None:
            query["$orderby"] = orderby
        if name is not None:
            query["name"] = check_name(name)
        if not isinstance(count, bool):
            raise TypeError(f"count must be a bool, not {type(count).__name__}")
        if count:
            query["$count"] = "true"
        return url.with_query(query)

    # -- one test -------------------------------------------------------------------------

    async def get(
        self, test_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> LoadTest:
        """``GET /load_tests/{id}``: one load test. Raises NotFoundError for an unknown id."""
        url = self._test_url(test_id)
        options = self._client._call_options(timeout, max_retries)
        return await self._client._transport.call("GET", url, self._load_test, options=options)

    async def create(
        self,
        project_id: int,
        name: str,
        script: ScriptSource,
        *,
        on_progress: ProgressCallback | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> LoadTest:
        """``POST /projects/{id}/load_tests``: a new test with its script (multipart).

        A ``.tar`` archive is sent as ``archive.tar`` (``application/x-tar``), anything else
        as ``script.js`` (``text/javascript``). Not idempotent: retried only when the request
        provably was not processed (no connection, or 429). ConflictError when the name is
        taken in the project.
        """
        url = self._client._config.api_root.joinpath(
            "projects", str(check_id(project_id, "project_id")), "load_tests"
        )
        check_name(name)
        options = self._client._call_options(timeout, max_retries, streaming=True)
        source = await prepare_script(script, on_progress)
        try:
            return await self._client._transport.call(
                "POST",
                url,
                self._load_test,
                options=options,
                replay=Replay.UNPROCESSED_ONLY,
                body=CreateBody(name, source),
            )
        except TransportError as error:
            source.raise_if_size_changed(error)
            raise

    async def update(
        self,
        test_id: int,
        *,
        name: str | Unset = UNSET,
        baseline_test_run_id: int | Unset | None = UNSET,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> None:
        """``PATCH /load_tests/{id}``: rename, or set or clear (``None``) the baseline run.

        A keyword left at ``UNSET`` is not sent. ConflictError when the name is taken.
        """
        url = self._test_url(test_id)
        if name is UNSET and baseline_test_run_id is UNSET:
            raise ValueError("update() needs name= or baseline_test_run_id= to change")
        if not isinstance(name, Unset):
            check_name(name)
        if not isinstance(baseline_test_run_id, Unset) and baseline_test_run_id is not None:
            check_id(baseline_test_run_id, "baseline_test_run_id")
        patch = LoadTestPatch(name=name, baseline_test_run_id=baseline_test_run_id)
        await self._send_json("PATCH", url, to_dict(patch), timeout, max_retries)

    async def delete(
        self, test_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> None:
        """``DELETE /load_tests/{id}``. ConflictError while a run of the test is going on.

        A 404 on a retry, after an attempt that may have been processed (its response was
        lost, or was a 5xx), means that attempt deleted the test: the call then succeeds
        rather than report a deletion that happened. After earlier attempts that provably
        were not processed (429, no connection) a 404 is the truth: NotFoundError.
        """
        url = self._test_url(test_id)
        options = self._client._call_options(timeout, max_retries)
        try:
            await self._client._transport.call("DELETE", url, self._no_content, options=options)
        except NotFoundError as error:
            if not error.maybe_processed_earlier:
                raise

    async def move(
        self,
        test_id: int,
        project_id: int,
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> None:
        """``PUT /load_tests/{id}/move``: into another project of the organization.

        ConflictError when a test of the same name exists in the destination.
        """
        url = self._test_url(test_id) / "move"
        move = LoadTestMove(project_id=check_id(project_id, "project_id"))
        await self._send_json("PUT", url, to_dict(move), timeout, max_retries)

    async def start(
        self,
        test_id: int,
        *,
        idempotency_key: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> TestRun:
        """``POST /load_tests/{id}/start``: a new run, returned in its first status.

        Always sends ``K6-Idempotency-Key`` (a fresh one unless given), the same on every
        retry, so a lost response never yields a second run. An error raised here carries
        ``.idempotency_key``: calling again with it within 10 minutes is safe.
        """
        url = self._test_url(test_id) / "start"
        key = new_idempotency_key() if idempotency_key is None else idempotency_key
        check_idempotency_key(key)
        options = self._client._call_options(timeout, max_retries)
        return await self._client._transport.call(
            "POST",
            url,
            self._test_run,
            options=options,
            replay=Replay.IDEMPOTENCY_KEY,
            idempotency_key=key,
        )

    async def validate_options(
        self,
        options: Mapping[str, Any],
        *,
        project_id: int | None = None,
        k6_dependencies: Mapping[str, str] | None = None,
        is_local_execution: bool | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> ValidateOptionsResult:
        """``POST /validate_options``: whether the options can run, and their VUH cost.

        ``options`` must hold only what JSON carries: ``nan``/``inf``, ints beyond 64 bits,
        non-str keys, a value that contains itself and a naive ``datetime`` are refused
        before any request, the error naming the path (``options['stages'][0]``). An aware
        ``datetime`` is sent as ISO 8601 with its offset. BadRequestError (with ``details``)
        when the API finds the options cannot run.
        """
        if not isinstance(options, Mapping):
            raise TypeError(f"options must be a mapping, not {type(options).__name__}")
        check_json(options, "options")
        request = ValidateOptionsRequest(options=dict(options))
        if project_id is not None:
            request.project_id = check_id(project_id, "project_id")
        if k6_dependencies is not None:
            if not isinstance(k6_dependencies, Mapping) or not all(
                isinstance(key, str) and isinstance(value, str)
                for key, value in k6_dependencies.items()
            ):
                raise TypeError("k6_dependencies must be a mapping of str to str")
            request.k6_dependencies = dict(k6_dependencies)
        if is_local_execution is not None:
            if not isinstance(is_local_execution, bool):
                raise TypeError(
                    f"is_local_execution must be a bool, not {type(is_local_execution).__name__}"
                )
            request.is_local_execution = is_local_execution
        try:
            body = dumps(to_dict(request))
        except TypeError as exc:
            raise TypeError(f"options must be JSON-serialisable: {exc}") from None
        call_options = self._client._call_options(timeout, max_retries)
        url = self._client._config.api_root / "validate_options"
        return await self._client._transport.call(
            "POST", url, self._validation, options=call_options, body=body, headers=_JSON_HEADERS
        )

    # -- scripts --------------------------------------------------------------------------

    async def upload_script(
        self,
        test_id: int,
        script: ScriptSource,
        *,
        on_progress: ProgressCallback | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> None:
        """``PUT /load_tests/{id}/script`` as ``application/octet-stream``, streamed.

        The API tells a ``.tar`` archive from JavaScript by its content. A path or file is
        sized once: if it then yields more or fewer bytes, the body is cut off before its
        announced end and a TransportError says so (never a byte past Content-Length).
        """
        url = self._test_url(test_id) / "script"
        options = self._client._call_options(timeout, max_retries, streaming=True)
        body = await prepare_script(script, on_progress)
        try:
            await self._client._transport.call(
                "PUT", url, self._no_content, options=options, body=body, headers=_OCTET_HEADERS
            )
        except TransportError as error:
            body.raise_if_size_changed(error)
            raise

    def download_script(
        self,
        test_id: int,
        *,
        accept: str | None = None,
        on_progress: ProgressCallback | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AbstractAsyncContextManager[ScriptDownload]:
        """``GET /load_tests/{id}/script``, streamed: ``async with ... as download``.

        The request goes out on entry, where errors are raised (NotAcceptableError when the
        script is not of the ``accept`` type). The connection is released on exit.
        """
        url = self._test_url(test_id) / "script"
        if accept is None:
            accept = SCRIPT_ACCEPT
        elif not isinstance(accept, str):
            raise TypeError(f"accept must be a str, not {type(accept).__name__}")
        else:
            check_header_value(accept, "accept")
        options = self._client._call_options(timeout, max_retries, streaming=True)
        return _DownloadContext(self._client, url, accept, options, on_progress)

    # -- helpers --------------------------------------------------------------------------

    def _test_url(self, test_id: int) -> URL:
        return self._tests_root / str(check_id(test_id, "test_id"))

    async def _send_json(
        self,
        method: str,
        url: URL,
        body: Mapping[str, Any],
        timeout: Timeout,
        max_retries: int | None,
    ) -> None:
        options = self._client._call_options(timeout, max_retries)
        await self._client._transport.call(
            method, url, self._no_content, options=options, body=dumps(body), headers=_JSON_HEADERS
        )

    # -- workflows ------------------------------------------------------------------------

    async def upsert(
        self,
        project_id: int,
        name: str,
        script: ScriptSource,
        *,
        on_progress: ProgressCallback | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> LoadTest:
        """The test named ``name`` in the project, with ``script`` as its script.

        Uploads the script to the test of that exact name (then reads it back), or creates
        the test when there is none. Race-safe: when a concurrent call creates the name
        first, the ConflictError is absorbed and the script goes to the test it created.
        The script may be sent twice, so it must be re-readable (bytes, str, a path or a
        seekable binary file); an async iterator is a TypeError and a non-seekable stream
        a ValueError, before any request. ``on_progress`` starts over if it is sent again.
        Not atomic: if this raises, calling it again is safe.
        """
        check_id(project_id, "project_id")
        check_name(name)
        rewind = _rewinder(script)
        await prepare_script(script, on_progress)  # type, existence: refused before any request
        self._client._call_options(timeout, max_retries)
        calls: dict[str, Any] = {"timeout": timeout, "max_retries": max_retries}
        error: K6CloudError | None = None
        for _ in range(_UPSERT_ROUNDS):
            found = await self._find_by_name(project_id, name, calls)
            rewind()
            try:
                if found is None:
                    return await self.create(
                        project_id, name, script, on_progress=on_progress, **calls
                    )
                await self.upload_script(found.id, script, on_progress=on_progress, **calls)
                return await self.get(found.id, **calls)
            except (ConflictError, NotFoundError) as exc:
                # Created (409) or deleted (404) by someone else since the lookup.
                error = exc
        assert error is not None
        raise error

    async def _find_by_name(
        self, project_id: int, name: str, calls: Mapping[str, Any]
    ) -> LoadTest | None:
        listing = self.list(project_id=project_id, name=name, **calls)
        async with contextlib.aclosing(listing):  # type: ignore[type-var]
            async for test in listing:
                if test.name == name:
                    return test
        return None

    def _each(
        self,
        call: Callable[[int], Awaitable[R]],
        ids: Iterable[int] | AsyncIterable[int],
        concurrency: int,
        ordered: bool,
        timeout: Timeout,
        max_retries: int | None,
    ) -> AsyncGenerator[Outcome[int, R], None]:
        """``call`` over ``ids`` through ``k6.bulk``, the per-call options checked first."""
        self._client._call_options(timeout, max_retries)
        return run_bulk(call, ids, concurrency=concurrency, ordered=ordered, argument="ids")

    def get_many(
        self,
        ids: Iterable[int] | AsyncIterable[int],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Outcome[int, LoadTest], None]:
        """``get`` of each id, ``concurrency`` at a time: one ``Outcome`` per id (``k6.bulk``)."""
        return self._each(
            lambda test_id: self.get(test_id, timeout=timeout, max_retries=max_retries),
            ids,
            concurrency,
            ordered,
            timeout,
            max_retries,
        )

    def delete_many(
        self,
        ids: Iterable[int] | AsyncIterable[int],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Outcome[int, None], None]:
        """``delete`` of each id, ``concurrency`` at a time: one ``Outcome`` per id."""
        return self._each(
            lambda test_id: self.delete(test_id, timeout=timeout, max_retries=max_retries),
            ids,
            concurrency,
            ordered,
            timeout,
            max_retries,
        )

    def move_many(
        self,
        ids: Iterable[int] | AsyncIterable[int],
        project_id: int,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Outcome[int, None], None]:
        """``move`` of each id into ``project_id``, ``concurrency`` at a time."""
        check_id(project_id, "project_id")
        return self._each(
            lambda test_id: self.move(
                test_id, project_id, timeout=timeout, max_retries=max_retries
            ),
            ids,
            concurrency,
            ordered,
            timeout,
            max_retries,
        )

    def start_many(
        self,
        ids: Iterable[int] | AsyncIterable[int],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        idempotency_keys: Mapping[int, str] | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Outcome[int, TestRun], None]:
        """``start`` of each id, ``concurrency`` at a time: one ``Outcome`` per id.

        ``idempotency_keys`` gives the key to send for a test id (others get a fresh one);
        a failed start's error carries the key it used in ``.idempotency_key``.
        """
        keys = _check_idempotency_keys(idempotency_keys)
        return self._each(
            lambda test_id: self.start(
                test_id,
                idempotency_key=keys.get(test_id),
                timeout=timeout,
                max_retries=max_retries,
            ),
            ids,
            concurrency,
            ordered,
            timeout,
            max_retries,
        )


#: Lookups an ``upsert`` makes before giving up on a name that keeps changing hands.
_UPSERT_ROUNDS = 3


def _rewinder(script: Any) -> Callable[[], None]:
    """How to bring a replayable script back to its start; refuses one-shot sources."""
    if isinstance(script, str | bytes | bytearray | memoryview | os.PathLike):
        return _nothing
    if hasattr(script, "read"):
        try:
            seekable = bool(script.seekable())
        except (AttributeError, OSError, ValueError):
            seekable = False
        if not seekable:
            raise ValueError(
                "script must be re-readable for upsert, which may send it twice: a "
                "non-seekable stream is not (pass bytes, a path or a seekable file)"
            )
        start = script.tell()

        def rewind() -> None:
            script.seek(start)

        return rewind
    if isinstance(script, AsyncIterable):
        raise TypeError(
            "script must be re-readable for upsert, which may send it twice: an async "
            "iterator is not (pass bytes, str, a path or a seekable binary file)"
        )
    return _nothing  # prepare_script names what is wrong with it


def _nothing() -> None:
    return None


def _check_idempotency_keys(keys: Any) -> Mapping[int, str]:
    if keys is None:
        return {}
    if not isinstance(keys, Mapping):
        raise TypeError(f"idempotency_keys must be a mapping, not {type(keys).__name__}")
    for test_id, key in keys.items():
        check_id(test_id, "an idempotency_keys key")
        try:
            check_idempotency_key(key)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"idempotency_keys[{test_id}]: {exc}") from None
    return keys


class _DownloadContext(AbstractAsyncContextManager[ScriptDownload]):
    def __init__(
        self,
        client: K6CloudClient,
        url: URL,
        accept: str,
        options: CallOptions,
        on_progress: ProgressCallback | None,
    ) -> None:
        self._client = client
        self._url = url
        self._accept = accept
        self._options = options
        self._on_progress = on_progress
        self._response: aiohttp.ClientResponse | None = None

    async def __aenter__(self) -> ScriptDownload:
        async def keep_open(response: aiohttp.ClientResponse) -> aiohttp.ClientResponse:
            return response

        self._response = await self._client._transport.call(
            "GET", self._url, keep_open, options=self._options, headers={"Accept": self._accept}
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
