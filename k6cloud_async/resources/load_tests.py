"""``client.load_tests``: the Tests REST API's load test endpoints."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager
from typing import Any, Final

from yarl import URL

from .._bulk import DEFAULT_CONCURRENCY, Outcome
from .._constants import ORDER_BY_FIELDS
from .._converter import to_dict
from .._download import ScriptDownload
from .._errors import ConflictError, K6CloudError, NotFoundError, TransportError
from .._listing import PAGE_SIZE, Filter, Listing, items
from .._models import (
    UNSET,
    LoadTest,
    LoadTestMove,
    LoadTestPatch,
    Page,
    TestRun,
    Unset,
    Upserted,
    ValidateOptionsRequest,
    ValidateOptionsResult,
)
from .._requestor import Requestor, Timeout
from .._retry import Replay
from .._scripts import ProgressCallback, ScriptSource, prepare_script
from .._validation import (
    check_bool,
    check_changes,
    check_id,
    check_idempotency_key,
    check_idempotency_keys,
    check_json,
    check_mapping,
    check_name,
    check_rewindable,
    check_str_mapping,
)
from ._base import SCRIPT_ACCEPT, Resource
from ._multipart import CreateBody

__all__ = ["SCRIPT_ACCEPT", "LoadTests", "new_idempotency_key"]

_OCTET_HEADERS: Final = {"Content-Type": "application/octet-stream"}


def new_idempotency_key() -> str:
    """A fresh ``K6-Idempotency-Key`` (a UUID4: 36 characters, the API's maximum)."""
    return str(uuid.uuid4())


class LoadTests(Resource):
    """Load tests: list, read, create, change, move, delete, script transfers and starts."""

    def __init__(self, requestor: Requestor) -> None:
        super().__init__(requestor)
        self._listing = Listing(requestor, LoadTest, order_fields=ORDER_BY_FIELDS)
        self._tests_root = self._root / "load_tests"

    # -- listings -------------------------------------------------------------------------

    def list(
        self,
        *,
        project_id: int | None = None,
        name: str | None = None,
        order_by: str | Sequence[str] | None = None,
        page_size: int = PAGE_SIZE,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[LoadTest, None]:
        """Every load test (of the stack, or of one project), following ``@nextLink``.

        An async generator: pages are fetched as it is consumed, one page ahead. Use it with
        ``contextlib.aclosing`` to stop early and release the connection at once.
        """
        return items(
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
        page_size: int = PAGE_SIZE,
        count: bool = False,
        next_link: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Page[LoadTest], None]:
        """The listing page by page (``.items``, ``.count``, ``.next_link``).

        ``count=True`` asks for ``@count``. ``next_link=`` resumes a listing from a link kept
        from an earlier page; the filters are in the link then, and must not be given.
        """
        return self._listing.pages(
            lambda: self._tests_path(project_id),
            scope={"project_id": project_id},
            filters={"name": Filter(name, check_name)},
            order_by=order_by,
            page_size=page_size,
            count=count,
            next_link=next_link,
            timeout=timeout,
            max_retries=max_retries,
        )

    def _tests_path(self, project_id: int | None) -> URL:
        if project_id is None:
            return self._tests_root
        return self._project_tests(project_id)

    def _project_tests(self, project_id: int) -> URL:
        return self._url("projects", check_id(project_id, "project_id"), "load_tests")

    # -- one test -------------------------------------------------------------------------

    async def get(
        self, test_id: int, *, timeout: Timeout = None, max_retries: int | None = None
    ) -> LoadTest:
        """``GET /load_tests/{id}``: one load test. Raises NotFoundError for an unknown id."""
        url = self._test_url(test_id)
        return await self._get(url, LoadTest, timeout=timeout, max_retries=max_retries)

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
        url = self._project_tests(project_id)
        check_name(name)
        options = self._requestor.options(timeout, max_retries, streaming=True)
        source = await prepare_script(script, on_progress)
        try:
            return await self._requestor.call(
                "POST",
                url,
                self._requestor.model(LoadTest),
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
        check_changes("update", name=name, baseline_test_run_id=baseline_test_run_id)
        if not isinstance(name, Unset):
            check_name(name)
        if not isinstance(baseline_test_run_id, Unset) and baseline_test_run_id is not None:
            check_id(baseline_test_run_id, "baseline_test_run_id")
        patch = LoadTestPatch(name=name, baseline_test_run_id=baseline_test_run_id)
        await self._send_json(
            "PATCH",
            url,
            to_dict(patch),
            self._requestor.no_content,
            timeout=timeout,
            max_retries=max_retries,
        )

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
        await self._delete(url, timeout=timeout, max_retries=max_retries)

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
        url = self._test_url(test_id, "move")
        move = LoadTestMove(project_id=check_id(project_id, "project_id"))
        await self._send_json(
            "PUT",
            url,
            to_dict(move),
            self._requestor.no_content,
            timeout=timeout,
            max_retries=max_retries,
        )

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
        url = self._test_url(test_id, "start")
        key = new_idempotency_key() if idempotency_key is None else idempotency_key
        check_idempotency_key(key)
        options = self._requestor.options(timeout, max_retries)
        return await self._requestor.call(
            "POST",
            url,
            self._requestor.model(TestRun),
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
        check_mapping(options, "options")
        check_json(options, "options")
        request = ValidateOptionsRequest(options=dict(options))
        if project_id is not None:
            request.project_id = check_id(project_id, "project_id")
        if k6_dependencies is not None:
            request.k6_dependencies = check_str_mapping(k6_dependencies, "k6_dependencies")
        if is_local_execution is not None:
            request.is_local_execution = check_bool(is_local_execution, "is_local_execution")
        return await self._send_json(
            "POST",
            self._root / "validate_options",
            to_dict(request),
            self._requestor.model(ValidateOptionsResult),
            timeout=timeout,
            max_retries=max_retries,
            argument="options",
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
        url = self._test_url(test_id, "script")
        options = self._requestor.options(timeout, max_retries, streaming=True)
        body = await prepare_script(script, on_progress)
        try:
            await self._requestor.call(
                "PUT",
                url,
                self._requestor.no_content,
                options=options,
                body=body,
                headers=_OCTET_HEADERS,
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
        return self._download(
            self._test_url(test_id, "script"),
            accept=accept,
            on_progress=on_progress,
            timeout=timeout,
            max_retries=max_retries,
        )

    # -- helpers --------------------------------------------------------------------------

    def _test_url(self, test_id: int, *rest: str) -> URL:
        return self._url("load_tests", check_id(test_id, "test_id"), *rest)

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
    ) -> Upserted[LoadTest]:
        """The test named ``name`` in the project, with ``script`` as its script.

        Uploads the script to the test of that exact name (then reads it back), or creates
        the test when there is none; ``.created`` tells which (``True``: created, ``False``:
        its script replaced). Race-safe: when a concurrent call creates the name
        first, the ConflictError is absorbed and the script goes to the test it created.
        The script may be sent twice, so it must be re-readable (bytes, str, a path or a
        seekable binary file); an async iterator is a TypeError and a non-seekable stream
        a ValueError, before any request. ``on_progress`` starts over if it is sent again.
        Not atomic: if this raises, calling it again is safe.
        """
        check_id(project_id, "project_id")
        check_name(name)
        rewind = check_rewindable(script)
        await prepare_script(script, on_progress)  # type, existence: refused before any request
        self._requestor.options(timeout, max_retries)
        calls: dict[str, Any] = {"timeout": timeout, "max_retries": max_retries}
        error: K6CloudError | None = None
        for _ in range(_UPSERT_ROUNDS):
            found = await self._find_by_name(project_id, name, calls)
            rewind()
            try:
                if found is None:
                    created = await self.create(
                        project_id, name, script, on_progress=on_progress, **calls
                    )
                    return Upserted(created, created=True)
                await self.upload_script(found.id, script, on_progress=on_progress, **calls)
                return Upserted(await self.get(found.id, **calls), created=False)
            except (ConflictError, NotFoundError) as exc:
                # Created (409) or deleted (404) by someone else since the lookup.
                error = exc
        assert error is not None
        raise error

    async def _find_by_name(
        self, project_id: int, name: str, calls: Mapping[str, Any]
    ) -> LoadTest | None:
        listing = self.list(project_id=project_id, name=name, **calls)
        async with contextlib.aclosing(listing):
            async for test in listing:
                if test.name == name:
                    return test
        return None

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
            concurrency=concurrency,
            ordered=ordered,
            timeout=timeout,
            max_retries=max_retries,
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
            concurrency=concurrency,
            ordered=ordered,
            timeout=timeout,
            max_retries=max_retries,
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
            concurrency=concurrency,
            ordered=ordered,
            timeout=timeout,
            max_retries=max_retries,
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
        keys = check_idempotency_keys(idempotency_keys)
        return self._each(
            lambda test_id: self.start(
                test_id,
                idempotency_key=keys.get(test_id),
                timeout=timeout,
                max_retries=max_retries,
            ),
            ids,
            concurrency=concurrency,
            ordered=ordered,
            timeout=timeout,
            max_retries=max_retries,
        )


#: Lookups an ``upsert`` makes before giving up on a name that keeps changing hands.
_UPSERT_ROUNDS = 3
