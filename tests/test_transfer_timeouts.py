"""A script transfer's ``timeout=`` limits the time between reads, never the whole transfer,
whether it is given per call or client-wide."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from conftest import CannedServer

import k6cloud_async as k6

TIMEOUT = 1.0
#: The trickle lasts well past TIMEOUT, with each gap a small fraction of it.
GAP = TIMEOUT / 10
TRICKLE_FOR = TIMEOUT * 1.8
PIECE = b"// still coming\n"
PATH = "/cloud/v6/load_tests/1/script"

Download = Callable[[k6.K6CloudClient], Awaitable[bytes]]


def trickle(canned: CannedServer) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/javascript"})
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        began = loop.time()
        while loop.time() - began < TRICKLE_FOR:
            await response.write(PIECE)
            await asyncio.sleep(GAP)  # the hostile server's pace, not a wait of the test
        await response.write_eof()
        return response

    canned.routes[("GET", PATH)] = handler


def stall_after_first_piece(canned: CannedServer) -> asyncio.Event:
    """Sends one piece, then nothing until the returned event is set."""
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/javascript"})
        await response.prepare(request)
        await response.write(PIECE)
        async with asyncio.timeout(30):  # bounded, should the test never release it
            await release.wait()
        return response

    canned.routes[("GET", PATH)] = handler
    return release


async def per_call(client: k6.K6CloudClient) -> bytes:
    async with client.load_tests.download_script(1, timeout=TIMEOUT, max_retries=0) as script:
        return await script.read()


async def client_wide(client: k6.K6CloudClient) -> bytes:
    scoped = client.with_options(timeout=TIMEOUT, max_retries=0)
    async with scoped.load_tests.download_script(1) as script:
        return await script.read()


@pytest.mark.parametrize("download", [per_call, client_wide], ids=["per-call", "client-wide"])
async def test_a_download_still_moving_is_not_cut_off_after_timeout_seconds(
    canned: CannedServer, canned_client: k6.K6CloudClient, download: Download
) -> None:
    trickle(canned)
    loop = asyncio.get_running_loop()
    began = loop.time()

    body = await download(canned_client)

    assert loop.time() - began > TIMEOUT  # longer than the limit: it is not a total
    assert len(body) > len(PIECE)
    assert body == PIECE * (len(body) // len(PIECE))


@pytest.mark.parametrize("download", [per_call, client_wide], ids=["per-call", "client-wide"])
async def test_a_download_that_stops_moving_times_out(
    canned: CannedServer, canned_client: k6.K6CloudClient, download: Download
) -> None:
    release = stall_after_first_piece(canned)

    try:
        with pytest.raises(k6.RequestTimeoutError):
            await download(canned_client)
    finally:
        release.set()
