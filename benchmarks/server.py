"""The benchmark server: an aiohttp.web app that answers from bodies rendered at start-up.

``python -m benchmarks.server [--tests N] [--page-size N] [--script-size BYTES]
[--latency-ms MS] [--cpu N]`` binds 127.0.0.1 on a free port, renders its canned bodies,
then prints ``PORT <n>`` on stdout and serves until SIGTERM/SIGINT or until its stdin
closes (so it never outlives the benchmark process that started it).

Routes (``{id}`` is any positive integer; auth headers are accepted and ignored):

* ``GET  /cloud/v6/load_tests/{id}``          a fixed LoadTest
* ``GET  /cloud/v6/load_tests?$skip=&$top=``  pages over a virtual collection of N tests
* ``POST /cloud/v6/load_tests/{id}/start``    a TestRun (the API's "Started" example)
* ``GET  /cloud/v6/load_tests/{id}/script``   an ``application/x-tar`` body with a
  Content-Length, a pre-built 1 MiB block repeated: ``--script-size`` bytes, or ``{id}``
  bytes when ``{id}`` is 1 MiB or more (so one server serves every size)
* ``PUT  /cloud/v6/load_tests/{id}/script``   drains the body, answers 204
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sys
import threading
from collections.abc import Awaitable, Callable

from aiohttp import web

from ._proc import pin_to_cpu
from .payloads import API_ROOT, BLOCK_SIZE, LOAD_TEST, MIB, TEST_RUN, dumps, page, script_block

_JSON = "application/json"
_PAGE_CACHE_LIMIT = 256


class CannedApi:
    """The handlers and their pre-rendered bodies."""

    def __init__(
        self, origin: str, *, tests: int, page_size: int, script_size: int, latency: float
    ) -> None:
        self.origin = origin
        self.tests = tests
        self.script_size = script_size
        self.latency = latency
        self.load_test = dumps(LOAD_TEST)
        self.test_run = dumps(TEST_RUN)
        self.block = script_block()
        # Every page of the default page size, rendered now; other sizes on first request.
        self.pages: dict[tuple[int, int, bool], bytes] = {
            (skip, page_size, False): page(skip, page_size, tests, origin)
            for skip in range(0, tests, page_size)
        }
        self.preset = len(self.pages)

    def app(self) -> web.Application:
        middlewares = [self._delay] if self.latency > 0 else []
        app = web.Application(middlewares=middlewares, client_max_size=1024**4)
        app.router.add_get(f"{API_ROOT}/load_tests", self.list_tests)
        app.router.add_get(API_ROOT + "/load_tests/{id:\\d+}", self.get_test)
        app.router.add_post(API_ROOT + "/load_tests/{id:\\d+}/start", self.start)
        app.router.add_get(API_ROOT + "/load_tests/{id:\\d+}/script", self.download)
        app.router.add_put(API_ROOT + "/load_tests/{id:\\d+}/script", self.upload)
        return app

    @web.middleware
    async def _delay(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        await asyncio.sleep(self.latency)
        return await handler(request)

    async def get_test(self, request: web.Request) -> web.Response:
        return web.Response(body=self.load_test, content_type=_JSON)

    async def start(self, request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=self.test_run, content_type=_JSON)

    async def list_tests(self, request: web.Request) -> web.Response:
        query = request.query
        try:
            skip = int(query.get("$skip", "0"))
            top = int(query.get("$top", "1000"))
        except ValueError:
            raise web.HTTPBadRequest(text="bad $skip or $top") from None
        if skip < 0 or not 1 <= top <= 1000:
            raise web.HTTPBadRequest(text="$skip or $top out of range")
        count = query.get("$count") == "true"
        key = (skip, top, count)
        body = self.pages.get(key)
        if body is None:
            body = page(skip, top, self.tests, self.origin, count=count)
            if len(self.pages) < self.preset + _PAGE_CACHE_LIMIT:
                self.pages[key] = body
        return web.Response(body=body, content_type=_JSON)

    async def download(self, request: web.Request) -> web.StreamResponse:
        test_id = int(request.match_info["id"])
        size = test_id if test_id >= MIB else self.script_size
        response = web.StreamResponse(headers={"Content-Type": "application/x-tar"})
        response.content_length = size
        await response.prepare(request)
        block = memoryview(self.block)
        left = size
        while left >= BLOCK_SIZE:
            await response.write(block)
            left -= BLOCK_SIZE
        if left:
            await response.write(block[:left])
        await response.write_eof()
        return response

    async def upload(self, request: web.Request) -> web.Response:
        received = 0
        async for chunk in request.content.iter_any():
            received += len(chunk)
        return web.Response(status=204, headers={"X-Received-Bytes": str(received)})


async def serve(args: argparse.Namespace) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    api = CannedApi(
        f"http://127.0.0.1:{port}",
        tests=args.tests,
        page_size=args.page_size,
        script_size=args.script_size,
        latency=args.latency_ms / 1000,
    )
    runner = web.AppRunner(api.app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.SockSite(runner, sock, backlog=1024)
    await site.start()

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    def watch_stdin() -> None:  # the parent went away: stop
        try:
            sys.stdin.buffer.read()
        finally:
            loop.call_soon_threadsafe(stop.set)

    if not args.ignore_stdin:
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"PORT {port}", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.server", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0: any free port (default)")
    parser.add_argument("--tests", type=int, default=100_000, help="size of the collection")
    parser.add_argument("--page-size", type=int, default=1000, help="pages rendered up front")
    parser.add_argument("--script-size", type=int, default=256 * MIB, help="script bytes")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU")
    parser.add_argument(
        "--ignore-stdin", action="store_true", help="keep serving when stdin closes"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    pin_to_cpu(args.cpu)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
