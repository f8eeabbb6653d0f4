"""Small hostile servers on 127.0.0.1 for the wire tests, and a bounded wait for conditions.

``RawServer`` writes bytes a test chose verbatim (a Content-Length that lies, a body cut off);
``HoldingServer`` is a real aiohttp app whose handlers wait until the test lets them go.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from aiohttp import web


async def until(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    """Wait until ``condition()`` holds; fail after ``timeout`` seconds instead of hanging."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.005)


class RawServer:
    """Answers each request (head read, body ignored) with ``response`` as raw bytes, then
    closes the connection, or first waits for :attr:`release` when ``hold`` is set."""

    def __init__(self, response: bytes, *, hold: bool = False) -> None:
        self.response = response
        self.hold = hold
        self.release = asyncio.Event()
        self.hits = 0
        self._server: asyncio.Server | None = None
        self.base_url = ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            self.hits += 1
            writer.write(self.response)
            await writer.drain()
            if self.hold:
                await self.release.wait()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release.set()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


class HoldingServer:
    """An API look-alike whose every handler waits for :attr:`release` before answering.

    ``GET /cloud/v6/load_tests/1/script`` sends half of :attr:`script` (with the full
    Content-Length) before it waits; ``PUT`` reads the whole body before it waits.
    ``arrived`` counts the requests that reached their wait.
    """

    script = b"export default function () {}\n" * 4096

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.arrived = 0
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/script") and request.method == "GET":
            response = web.StreamResponse(headers={"Content-Type": "text/javascript"})
            response.content_length = len(self.script)
            await response.prepare(request)
            await response.write(self.script[: len(self.script) // 2])
            self.arrived += 1
            await self.release.wait()
            with contextlib.suppress(ConnectionError):  # the client may have gone
                await response.write(self.script[len(self.script) // 2 :])
            return response
        await request.read()
        self.arrived += 1
        await self.release.wait()
        if request.method == "PUT":
            return web.Response(status=204)
        if request.path == "/cloud/v6/load_tests":
            return web.json_response({"value": []})
        return web.json_response(_LOAD_TEST)

    async def __aenter__(self) -> HoldingServer:
        self._runner = web.AppRunner(self.app, shutdown_timeout=0.25)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release.set()
        assert self._runner is not None
        await self._runner.cleanup()


_LOAD_TEST = {
    "id": 1,
    "project_id": 1,
    "name": "held",
    "baseline_test_run_id": None,
    "k6_version": None,
    "created": "2025-01-06T09:00:00Z",
    "updated": "2025-01-06T09:00:00Z",
}


async def slow_chunks(gate: asyncio.Event) -> AsyncIterator[bytes]:
    """An upload body that sends its first kilobyte (more than the archive sniffing reads
    ahead), then waits for ``gate``."""
    yield b"export default function () {}\n" + b"//" * 512 + b"\n"
    await gate.wait()
    yield b"// end\n"
