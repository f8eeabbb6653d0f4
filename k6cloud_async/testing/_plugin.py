"""The pytest plugin shipped with the library, registered through the ``pytest11`` entry
point ``k6cloud``: installing k6cloud-async is enough, no conftest needed.

Fixtures (function scope, fresh per test):

- ``k6cloud_fake``: a running :class:`FakeK6Cloud`, closed after the test;
- ``k6cloud_client``: a :class:`K6CloudClient` bound to it (fast retry backoff), closed
  after the test.

Both are async fixtures that run on the test's own event loop: under pytest-asyncio (strict
or auto mode) for asyncio tests, under anyio's plugin for ``@pytest.mark.anyio`` tests (the
asyncio backend: aiohttp needs it). The marker ``@pytest.mark.k6cloud_fake(...)`` seeds the
fake and sets its options; see :data:`MARKER_HELP`.

Disable with ``-p no:k6cloud``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, Final, TypeVar, cast

import pytest

from .. import K6CloudClient
from .._retry import RetryPolicy
from ._fake import FakeK6Cloud

__all__ = ["MARKER", "MARKER_HELP", "k6cloud_client", "k6cloud_fake"]

F = TypeVar("F", bound=Callable[..., Any])

MARKER: Final = "k6cloud_fake"
MARKER_HELP: Final = (
    f"{MARKER}(projects=None, *, drive_waits=False, client_options=None, **fake_options): "
    "seed the k6cloud_fake fixture with projects (a list of names, or a mapping of project "
    "name to test names), let its clock drive test_runs.wait() (drive_waits), pass "
    "client_options to the K6CloudClient of k6cloud_client and fake_options (token, "
    "stack_id, page_size_default, latency, clock_start) to FakeK6Cloud"
)

#: Options a test may pass to :class:`FakeK6Cloud` through the marker.
_FAKE_OPTIONS: Final = frozenset(
    {"token", "stack_id", "page_size_default", "latency", "clock_start"}
)
#: Quick retries, so that a test of injected faults does not wait for real backoff.
_TEST_RETRY_POLICY: Final = RetryPolicy(backoff_base=0.001, backoff_cap=0.01)


def _has_pytest_asyncio() -> bool:
    try:  # optional: an anyio-only project has none
        import pytest_asyncio  # noqa: F401
    except ImportError:
        return False
    return True


def _asyncio_fixture(function: F) -> F:
    """pytest-asyncio's fixture decorator (strict mode needs it), when it is installed."""
    if not _has_pytest_asyncio():
        return function
    import pytest_asyncio

    return cast(F, pytest_asyncio.fixture(function))


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line("markers", MARKER_HELP)


# -- what the fixtures do, whichever runner drives them ----------------------------------


def _marker_options(
    request: pytest.FixtureRequest,
) -> tuple[Any, bool, dict[str, Any], dict[str, Any]]:
    """``(projects, drive_waits, client_options, fake_options)`` from the closest marker."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None, False, {}, {}
    if len(marker.args) > 1:
        raise TypeError(f"{MARKER}() takes at most one positional argument (projects)")
    options = dict(marker.kwargs)
    projects = marker.args[0] if marker.args else options.pop("projects", None)
    drive_waits = options.pop("drive_waits", False)
    if not isinstance(drive_waits, bool):
        raise TypeError(f"{MARKER}(drive_waits=...) must be a bool")
    client_options = options.pop("client_options", None) or {}
    if not isinstance(client_options, Mapping):
        raise TypeError(f"{MARKER}(client_options=...) must be a mapping")
    unknown = sorted(set(options) - _FAKE_OPTIONS)
    if unknown:
        raise TypeError(f"{MARKER}() got unknown options: {', '.join(unknown)}")
    return projects, drive_waits, dict(client_options), options


def _seed(fake: FakeK6Cloud, projects: Any) -> None:
    """Add the marker's projects (names, or names mapped to their tests' names)."""
    if projects is None:
        return
    if isinstance(projects, Mapping):
        for name, tests in projects.items():
            if isinstance(tests, str) or not isinstance(tests, Sequence):
                raise TypeError(
                    f"{MARKER}(projects=...): the tests of {name!r} must be a list of names"
                )
            project_id = fake.add_project(name)
            for test_name in tests:
                fake.add_test(project_id, test_name)
    elif isinstance(projects, Sequence) and not isinstance(projects, str):
        for name in projects:
            fake.add_project(name)
    else:
        raise TypeError(
            f"{MARKER}(projects=...) must be a list of project names or a mapping of "
            f"project names to test names, not {type(projects).__name__}"
        )


@contextlib.asynccontextmanager
async def _running_fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeK6Cloud]:
    projects, drive_waits, _, fake_options = _marker_options(request)
    async with FakeK6Cloud(**fake_options) as fake:
        _seed(fake, projects)
        with fake.clock.driving_waits() if drive_waits else contextlib.nullcontext():
            yield fake


@contextlib.asynccontextmanager
async def _open_client(
    request: pytest.FixtureRequest, fake: FakeK6Cloud
) -> AsyncIterator[K6CloudClient]:
    options: dict[str, Any] = {"retry_policy": _TEST_RETRY_POLICY}
    options.update(_marker_options(request)[2])
    async with K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url, **options) as c:
        yield c


# -- one fixture per runner, picked per test ------------------------------------------------


@_asyncio_fixture
async def _k6cloud_fake_asyncio(request: pytest.FixtureRequest) -> AsyncIterator[FakeK6Cloud]:
    async with _running_fake(request) as fake:
        yield fake


@pytest.fixture
async def _k6cloud_fake_anyio(request: pytest.FixtureRequest) -> AsyncIterator[FakeK6Cloud]:
    async with _running_fake(request) as fake:
        yield fake


@_asyncio_fixture
async def _k6cloud_client_asyncio(
    request: pytest.FixtureRequest, _k6cloud_fake_asyncio: FakeK6Cloud
) -> AsyncIterator[K6CloudClient]:
    async with _open_client(request, _k6cloud_fake_asyncio) as client:
        yield client


@pytest.fixture
async def _k6cloud_client_anyio(
    request: pytest.FixtureRequest, _k6cloud_fake_anyio: FakeK6Cloud
) -> AsyncIterator[K6CloudClient]:
    async with _open_client(request, _k6cloud_fake_anyio) as client:
        yield client


def _runner(request: pytest.FixtureRequest) -> str:
    """``"anyio"`` for a test anyio's plugin runs, else ``"asyncio"`` (pytest-asyncio)."""
    if "anyio_backend" in request.fixturenames:
        backend = request.getfixturevalue("anyio_backend")
        name = backend[0] if isinstance(backend, tuple) else backend
        if name != "asyncio":
            pytest.fail(
                f"k6cloud fixtures run on asyncio (aiohttp), not on anyio's {name!r} backend",
                pytrace=False,
            )
        return "anyio"
    if not _has_pytest_asyncio():
        pytest.fail(
            "k6cloud fixtures need pytest-asyncio, or an anyio test (@pytest.mark.anyio)",
            pytrace=False,
        )
    return "asyncio"


@pytest.fixture
def k6cloud_fake(request: pytest.FixtureRequest) -> FakeK6Cloud:
    """A running :class:`FakeK6Cloud`, fresh for each test and closed after it, seeded
    and configured by the ``k6cloud_fake`` marker when the test has one."""
    fake: FakeK6Cloud = request.getfixturevalue(f"_k6cloud_fake_{_runner(request)}")
    return fake


@pytest.fixture
def k6cloud_client(request: pytest.FixtureRequest, k6cloud_fake: FakeK6Cloud) -> K6CloudClient:
    """A :class:`K6CloudClient` on ``k6cloud_fake`` with its token and stack id, closed
    after the test. Retries back off for milliseconds (``Retry-After`` is still honoured);
    the marker's ``client_options`` override any constructor argument but the first three."""
    client: K6CloudClient = request.getfixturevalue(f"_k6cloud_client_{_runner(request)}")
    return client
