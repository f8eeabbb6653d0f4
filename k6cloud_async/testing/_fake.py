"""``FakeK6Cloud``: the public face of the fake server."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from datetime import datetime
from types import TracebackType

from attrs import evolve

from .._models import LoadTest, TestRun
from .._models_projects import Project
from .._models_runs import LoadZoneDistribution
from .._models_schedules import Schedule
from ._clock import FakeClock
from ._context import Compression, ServerContext
from ._errors import ApiError
from ._fake_zones import ZonesAndLabels
from ._faults import UNTIL_REMOVED, Fault, FaultSet, InjectedFault, matches_path
from ._listing import MAX_TOP
from ._records import RecordedRequest, RequestLog
from ._runs import FinalStatus, Result, RunOutcome
from ._server import ServerHandle, make_app
from ._state import ScriptUpload, Store

__all__ = ["DEFAULT_SCRIPT", "FakeK6Cloud"]

DEFAULT_SCRIPT = b"export default function() {}\n"

#: How many recorded requests an assertion message lists.
_LISTED_REQUESTS = 20


class FakeK6Cloud(ZonesAndLabels):
    """An in-memory Grafana Cloud k6 Tests REST API (v6) on a real local HTTP server.

    ``async with FakeK6Cloud() as fake:`` listens on ``host:port`` (``port=0``: an
    ephemeral port) inside the running event loop; point a client at
    :attr:`base_url` with :attr:`token` and :attr:`stack_id`. Helpers change the state
    directly, the :attr:`clock` only moves when told, :attr:`requests` records what
    was served (every response carries its record's ``X-Request-Id``), and
    :meth:`inject` makes requests fail on purpose.

    ``latency`` (seconds, settable any time) delays every request before it is handled.
    ``page_size_default`` is the page size when a listing has no ``$top`` (1..1000).
    ``compression`` (``"gzip"``, ``"deflate"`` or ``None``, settable any time) compresses
    every response body, streamed scripts and errors included, whatever the request's
    ``Accept-Encoding`` says. ``stack_url`` is the ``X-Stack-Url`` ``GET /auth`` accepts.

    Schedules start runs as the :attr:`clock` reaches them: when it moves past (or onto) an
    active schedule's ``next_run``, the test gets a run as ``POST /load_tests/{id}/start``
    makes it (its outcome set by :meth:`set_run_outcome`), ``created`` at the scheduled
    moment, and ``next_run`` moves to the next occurrence (``None`` once the recurrence has
    ended). This happens inside :meth:`FakeClock.advance` and :meth:`FakeClock.set`, so
    the next request and every helper already see it. Occurrences the clock jumped over
    each start a run, in time order, up to the latest 100 per schedule and move (the
    earlier ones are skipped). A deactivated schedule starts nothing, and its occurrences
    pass all the same (deactivating "does not delay its expiration"): activating it
    replays none. A schedule set with an occurrence at the current time starts it at once.
    """

    def __init__(
        self,
        token: str = "fake-token",
        stack_id: int = 1,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size_default: int = MAX_TOP,
        latency: float = 0.0,
        clock_start: datetime | None = None,
        compression: Compression | None = None,
        stack_url: str = "https://fake.grafana.net",
    ) -> None:
        if not 1 <= page_size_default <= MAX_TOP:
            raise ValueError(f"page_size_default must be between 1 and {MAX_TOP}")
        _check_compression(compression)
        clock = FakeClock(clock_start)
        self._ctx = ServerContext(
            token=token,
            stack_id=stack_id,
            clock=clock,
            store=Store.new(clock),
            faults=FaultSet(),
            log=RequestLog(),
            page_size_default=page_size_default,
            latency=latency,
            compression=compression,
            stack_url=stack_url,
        )
        self._host = host
        self._port = port
        self._server: ServerHandle | None = None
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening (a no-op when started). A closed fake cannot start again."""
        if self._closed:
            raise RuntimeError("this FakeK6Cloud is closed")
        if self._server is None:
            self._server = await ServerHandle.start(make_app(self._ctx), self._host, self._port)

    async def close(self) -> None:
        """Stop listening and drop connections; idempotent."""
        self._closed = True
        server, self._server = self._server, None
        if server is not None:
            await server.stop()

    async def serve_forever(self) -> None:
        """Start if needed, then serve until cancelled (closing on the way out)."""
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.shield(self.close())

    async def __aenter__(self) -> FakeK6Cloud:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def token(self) -> str:
        """The bearer token the fake accepts."""
        return self._ctx.token

    @property
    def stack_id(self) -> int:
        """The ``X-Stack-Id`` the fake accepts."""
        return self._ctx.stack_id

    @property
    def port(self) -> int:
        """The port listened on (before :meth:`start`: the port asked for)."""
        return self._server.port if self._server is not None else self._port

    @property
    def base_url(self) -> str:
        """``http://host:port`` without a trailing slash (the fake must be started)."""
        if self._server is None:
            raise RuntimeError("the fake is not running; use 'async with' or await start()")
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def clock(self) -> FakeClock:
        """The fake time behind every timestamp and the idempotency window."""
        return self._ctx.clock

    @property
    def latency(self) -> float:
        """Seconds every request waits before it is handled."""
        return self._ctx.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency must be >= 0")
        self._ctx.latency = seconds

    @property
    def compression(self) -> Compression | None:
        """The content coding every response body is compressed with (``None``: none)."""
        return self._ctx.compression

    @compression.setter
    def compression(self, coding: Compression | None) -> None:
        _check_compression(coding)
        self._ctx.compression = coding

    # -- projects and tests ----------------------------------------------------------

    def add_project(self, name: str | None = None) -> int:
        """Create a project and return its id (1, 2, …); the first is the stack's default.

        ``ValueError`` for a name taken in the stack or not 1 to 255 characters long.
        """
        try:
            return self._ctx.store.add_project(name)
        except ApiError as exc:
            raise ValueError(exc.message) from None

    def get_project(self, project_id: int) -> Project | None:
        """A copy of the project (with its labels), or ``None``."""
        book = self._ctx.store.book
        project = book.projects.get(project_id)
        return None if project is None else book.snapshot(project)

    @property
    def projects(self) -> list[int]:
        """The project ids, ascending."""
        return sorted(self._ctx.store.projects)

    def add_test(
        self, project_id: int, name: str, script: bytes | str = DEFAULT_SCRIPT
    ) -> LoadTest:
        """Create a test (``ValueError`` for an unknown project or a name taken in it)."""
        data = script.encode() if isinstance(script, str) else bytes(script)
        upload = ScriptUpload(via="helper", filename=None, content_type=None, size=len(data))
        try:
            test = self._ctx.store.create_test(project_id, name, data, upload)
        except ApiError as exc:
            raise ValueError(exc.message) from None
        return evolve(test)

    def get_test(self, test_id: int) -> LoadTest | None:
        """A copy of the test, or ``None``."""
        test = self._ctx.store.tests.get(test_id)
        return None if test is None else evolve(test)

    def test_by_name(self, name: str, project_id: int | None = None) -> LoadTest:
        """A copy of the test named ``name`` (in ``project_id``; ``None``: in any project).

        ``KeyError`` when there is none, ``ValueError`` when several projects have one.
        """
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {type(name).__name__}")
        found = self._ctx.store.list_tests(project_id, name)
        if not found:
            where = "" if project_id is None else f" in project {project_id}"
            raise KeyError(f"no test named {name!r}{where}")
        if len(found) > 1:
            projects = ", ".join(str(t.project_id) for t in found)
            raise ValueError(f"tests named {name!r} are in projects {projects}; give project_id")
        return evolve(found[0])

    @property
    def tests(self) -> list[LoadTest]:
        """Copies of every test, in id order."""
        return [evolve(t) for t in self._ctx.store.tests.values()]

    def script_of(self, test_id: int) -> bytes:
        """The test's current script (``KeyError`` for an unknown test)."""
        return self._ctx.store.scripts[test_id]

    def script_upload_of(self, test_id: int) -> ScriptUpload:
        """How the test's current script arrived (``KeyError`` for an unknown test)."""
        return self._ctx.store.uploads[test_id]

    # -- runs ------------------------------------------------------------------------

    @property
    def runs(self) -> list[TestRun]:
        """Copies of every run, in id order."""
        book = self._ctx.store.runs
        return [book.snapshot(r) for r in book.runs.values()]

    def get_run(self, run_id: int) -> TestRun | None:
        """A copy of the run, or ``None``."""
        book = self._ctx.store.runs
        run = book.runs.get(run_id)
        return None if run is None else book.snapshot(run)

    def start_run(self, test_id: int) -> TestRun:
        """Start a run of the test as ``POST /load_tests/{id}/start`` would (``KeyError``
        for an unknown test)."""
        store = self._ctx.store
        if test_id not in store.tests:
            raise KeyError(test_id)
        run, _ = store.start_run(test_id, None)
        return store.runs.snapshot(run)

    def set_run_outcome(
        self,
        test_id: int | None = None,
        *,
        result: Result = "passed",
        steps: int = 4,
        status: FinalStatus = "completed",
        message: str | None = None,
        duration: float | None = None,
    ) -> None:
        """Decide how runs of ``test_id`` (``None``: any test without its own rule) started
        from now on end, e.g. ``set_run_outcome(test_id=7, result="failed")``.

        Such a run reaches ``status`` with ``result`` on its ``steps``-th poll (``GET
        /test_runs/{id}``), and not before ``duration`` seconds of :attr:`clock` time
        after it was created (``None``: no minimum); ``message`` goes to
        ``result_details.message``. A wrong value raises ``TypeError`` or ``ValueError``
        naming it. ``test_id`` need not exist yet: the rule waits for its runs.
        """
        if test_id is not None and (isinstance(test_id, bool) or not isinstance(test_id, int)):
            raise TypeError(f"test_id must be an int or None, not {type(test_id).__name__}")
        outcome = RunOutcome(
            result=result, steps=steps, status=status, message=message, duration=duration
        )
        self._ctx.store.runs.set_outcome(test_id, outcome)

    def finish_run(
        self,
        run_id: int,
        *,
        result: Result | None = None,
        status: FinalStatus = "completed",
        message: str | None = None,
    ) -> TestRun:
        """End the run now (``result`` defaults to ``passed``, or ``error`` when aborted).

        ``KeyError`` for an unknown run, ``ValueError`` if it already ended.
        """
        book = self._ctx.store.runs
        if run_id not in book.runs:
            raise KeyError(run_id)
        return book.snapshot(book.finish(run_id, status, result, message))

    def hold_run(self, run_id: int) -> None:
        """Keep the run going: polls stop before ``processing_metrics`` until released."""
        self._hold(run_id, held=True)

    def release_run(self, run_id: int) -> None:
        """Let a held run progress again."""
        self._hold(run_id, held=False)

    def script_of_run(self, run_id: int) -> bytes:
        """The script the run started with (``KeyError`` for an unknown run)."""
        return self._ctx.store.run_state.scripts[run_id]

    def set_run_distribution(
        self, run_id: int, distribution: Mapping[str, LoadZoneDistribution]
    ) -> None:
        """What ``GET /test_runs/{id}/distribution`` answers for the run (by default: one
        node in ``amazon:us:ashburn`` once the run got past ``created``). ``KeyError``
        for an unknown run."""
        if run_id not in self._ctx.store.runs.runs:
            raise KeyError(run_id)
        self._ctx.store.run_state.set_distribution(run_id, distribution)

    @property
    def max_saved_runs(self) -> int | None:
        """How many runs may be saved at once (``None``: no limit); one more is a 409."""
        return self._ctx.store.run_state.max_saved_runs

    @max_saved_runs.setter
    def max_saved_runs(self, limit: int | None) -> None:
        if limit is not None and (type(limit) is not int or limit < 0):
            raise ValueError("max_saved_runs must be an int >= 0, or None")
        self._ctx.store.run_state.max_saved_runs = limit

    def _hold(self, run_id: int, *, held: bool) -> None:
        book = self._ctx.store.runs
        if run_id not in book.runs:
            raise KeyError(run_id)
        book.hold(run_id, held)

    # -- schedules -------------------------------------------------------------------

    @property
    def schedules(self) -> list[Schedule]:
        """Every schedule as the API shows it now (``next_run`` on :attr:`clock`), by id."""
        return self._ctx.store.schedules.listing()

    def schedule_of(self, test_id: int) -> Schedule | None:
        """The test's schedule as the API shows it now, or ``None``."""
        book = self._ctx.store.schedules
        return book.get(book.by_test[test_id]) if test_id in book.by_test else None

    # -- requests and faults ---------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received since start (or :meth:`reset_requests`), in arrival order.

        A new list on every access: later requests do not appear in a list already taken.
        Its items are the live records, though: a request still in flight gets its
        ``status`` and ``done`` when its handling ends.
        """
        return list(self._ctx.log.records)

    @property
    def max_in_flight(self) -> int:
        """The most requests handled at once since start (or :meth:`reset_requests`)."""
        return self._ctx.log.max_in_flight

    @property
    def in_flight(self) -> int:
        """How many requests are being handled now."""
        return self._ctx.log.in_flight

    def reset_requests(self) -> None:
        """Forget the recorded requests and restart :attr:`max_in_flight`."""
        self._ctx.log.reset()

    def inject(
        self,
        fault: Fault,
        *,
        method: str | None = None,
        path: str | re.Pattern[str] | None = None,
        times: int | None = 1,
    ) -> InjectedFault:
        """Apply ``fault`` to the next matching request — by default one, the next
        ``times`` with ``times=n``, or every one with ``times=UNTIL_REMOVED`` (``None``)
        until :meth:`remove_fault` or :meth:`clear_faults`.

        ``method``: an HTTP method, any case (``None``: any). ``path``: a glob on the
        full request path without the query, e.g. ``"/cloud/v6/load_tests/*"``
        (``fnmatch``: ``*`` also matches ``/``), or a compiled regex that must match
        the whole path (``None``: any). Rules apply in injection order; the first
        that matches is used up by one. Faults apply before authentication, so a
        faulted request is answered whatever its credentials. Returns the rule (its
        ``applied`` count grows as it is used).
        """
        if not isinstance(fault, Fault):
            raise TypeError(f"fault must be a Fault, not {type(fault).__name__}")
        if method is not None and not isinstance(method, str):
            raise TypeError(f"method must be a str or None, not {type(method).__name__}")
        _check_path(path)
        if times is not UNTIL_REMOVED:
            if isinstance(times, bool) or not isinstance(times, int):
                raise TypeError(
                    f"times must be an int or UNTIL_REMOVED, not {type(times).__name__}"
                )
            if times < 1:
                raise ValueError(f"times must be at least 1 (or UNTIL_REMOVED), got {times}")
        rule = InjectedFault(fault=fault, method=method, path=path, remaining=times)
        self._ctx.faults.add(rule)
        return rule

    def remove_fault(self, rule: InjectedFault) -> None:
        """Stop applying ``rule`` (a no-op when it is used up or already removed)."""
        self._ctx.faults.remove(rule)

    @property
    def faults_injected(self) -> int:
        """How many times a fault was applied."""
        return self._ctx.faults.injected

    def clear_faults(self) -> None:
        """Remove every pending fault rule."""
        self._ctx.faults.clear()

    # -- assertions ------------------------------------------------------------------

    def assert_called(
        self,
        method: str | None,
        path: str | re.Pattern[str] | None,
        *,
        times: int | None = None,
    ) -> list[RecordedRequest]:
        """Assert that :attr:`requests` has ``method`` requests for ``path``: at least one
        (``times=None``), or exactly ``times`` (``0``: none). Return them.

        ``method`` and ``path`` match as in :meth:`inject` (``None``: any). The
        ``AssertionError`` lists the requests that were received.
        """
        if method is not None and not isinstance(method, str):
            raise TypeError(f"method must be a str or None, not {type(method).__name__}")
        _check_path(path)
        if times is not None:
            if isinstance(times, bool) or not isinstance(times, int):
                raise TypeError(f"times must be an int or None, not {type(times).__name__}")
            if times < 0:
                raise ValueError(f"times must be >= 0, got {times}")
        received = self.requests
        found = [
            r
            for r in received
            if (method is None or r.method == method.upper()) and matches_path(path, r.path)
        ]
        if (len(found) != times) if times is not None else not found:
            pattern = path.pattern if isinstance(path, re.Pattern) else path
            wanted = "at least 1" if times is None else str(times)
            target = f"{(method or 'any method').upper()} {pattern or 'any path'}"
            raise AssertionError(
                f"expected {wanted} request(s) {target}, got {len(found)}\n"
                f"{_list_requests(received)}"
            )
        return found

    def assert_all_faults_used(self) -> None:
        """Assert that every injected rule still active did all it was asked: each
        ``times=n`` rule was applied ``n`` times, each ``UNTIL_REMOVED`` one at least once."""
        unused = self._ctx.faults.unused()
        if unused:
            lines = "\n".join(f"  {rule.describe()}" for rule in unused)
            raise AssertionError(f"{len(unused)} injected fault(s) not used up:\n{lines}")

    def __repr__(self) -> str:
        where = f"http://{self._host}:{self.port}"
        state = "closed" if self._closed else "running" if self._server else "not started"
        return f"<FakeK6Cloud {where} stack_id={self.stack_id} {state}>"


def _check_compression(coding: object) -> None:
    if coding not in (None, "gzip", "deflate"):
        raise ValueError(f"compression must be 'gzip', 'deflate' or None, got {coding!r}")


def _check_path(path: object) -> None:
    if path is not None and not isinstance(path, str | re.Pattern):
        raise TypeError(f"path must be a str, a re.Pattern or None, not {type(path).__name__}")


def _list_requests(records: list[RecordedRequest]) -> str:
    if not records:
        return "no requests were received"
    lines = [
        f"  {r.method} {r.path} -> {r.status if r.status is not None else 'no response'}"
        for r in records[-_LISTED_REQUESTS:]
    ]
    skipped = len(records) - len(lines)
    head = f"requests received ({skipped} earlier not shown):" if skipped else "requests received:"
    return "\n".join([head, *lines])
