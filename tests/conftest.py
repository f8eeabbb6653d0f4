"""Shared fixtures: a FakeK6Cloud per test, a client pointed at it, and a canned server;
and what lets a test wait for a condition or move time instead of sleeping."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud

# The library's pytest plugin, loaded here rather than from its entry point (-p no:k6cloud in
# pyproject.toml) so that coverage has started when it imports the package.
pytest_plugins = ["k6cloud_async.testing._plugin"]


@pytest.fixture(autouse=True)
def _no_k6_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide the configuration; the developer's own K6_CLOUD_* must not leak in."""
    for name in ("K6_CLOUD_TOKEN", "K6_CLOUD_STACK_ID", "K6_CLOUD_STACK_URL", "K6_CLOUD_HOST_V6"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def ctrl_c_interrupts() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt during the test, as in an interactive shell, even when
    the suite was started with SIGINT ignored (a non-interactive shell's background job)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


async def until(condition: Callable[[], bool], *, within: float = 10.0) -> None:
    """Return as soon as ``condition()`` holds; fail the test if it still does not after
    ``within`` seconds (a bound for a broken test, never a wait that makes one pass)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + within
    while not condition():
        if loop.time() > give_up:
            raise AssertionError(f"still false after {within:g} s: {condition}")
        await asyncio.sleep(0.002)


class ManualTime:
    """A clock that moves only when slept on: ``sleep(s)`` lets the other tasks run, moves
    ``now()`` on by ``s`` at once, and notes ``s`` in ``slept``."""

    def __init__(self) -> None:
        self._now = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self._now += seconds
        await asyncio.sleep(0)


@pytest.fixture
async def fake() -> AsyncIterator[FakeK6Cloud]:
    async with FakeK6Cloud() as server:
        yield server


@pytest.fixture
async def client(fake: FakeK6Cloud) -> AsyncIterator[k6.K6CloudClient]:
    async with k6.K6CloudClient(
        fake.token,
        fake.stack_id,
        base_url=fake.base_url,
        retry_policy=k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.01),
    ) as api:
        yield api


@pytest.fixture
async def project(fake: FakeK6Cloud) -> int:
    return fake.add_project("Default project")


def connections_in_use(client: k6.K6CloudClient) -> int:
    """Connections the client's pool has handed out and not yet got back."""
    connector = client._transport.session().connector
    assert connector is not None
    return len(connector._acquired)  # aiohttp keeps no public count of these


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class CannedServer:
    """A tiny real HTTP server whose routes answer whatever a test sets, for bodies the
    fake API would never send (loops in @nextLink, wrong types…)."""

    def __init__(self) -> None:
        self.app = web.Application()
        self.routes: dict[tuple[str, str], Handler] = {}
        self.hits: list[tuple[str, str]] = []
        self.app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def json(self, path: str, body: Any, *, status: int = 200, method: str = "GET") -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.json_response(body, status=status)

        self.routes[(method, path)] = handler

    def raw(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "application/json",
        method: str = "GET",
        headers: dict[str, str] | None = None,
    ) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(
                body=body, status=status, content_type=content_type, headers=headers
            )

        self.routes[(method, path)] = handler

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits.append((request.method, request.path_qs))
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            return web.json_response(
                {"error": {"code": "not_found", "message": "no canned route"}}, status=404
            )
        return await handler(request)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def canned() -> AsyncIterator[CannedServer]:
    server = CannedServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def canned_client(canned: CannedServer) -> AsyncIterator[k6.K6CloudClient]:
    async with k6.K6CloudClient(
        "canned-token",
        1,
        base_url=canned.base_url,
        retry_policy=k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.01),
    ) as api:
        yield api
