"""Script downloads that arrive compressed although ``identity`` was asked for.

A few KiB of gzip can decode to gigabytes: such a body may decode to
``COMPRESSED_SCRIPT_ALLOWANCE`` bytes, and past that to ``COMPRESSED_SCRIPT_EXPANSION``
bytes per encoded byte received. Real HTTP only: small aiohttp apps that send gzip bytes
they prepared (with and without a Content-Length), and a raw socket server for a
Content-Length that lies.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

import k6cloud_async as k6
from k6cloud_async._constants import COMPRESSED_SCRIPT_ALLOWANCE, COMPRESSED_SCRIPT_EXPANSION
from tests._wire_servers import RawServer
from tests.conftest import CannedServer

SCRIPT_PATH = "/cloud/v6/load_tests/1/script"
RUN_SCRIPT_PATH = "/cloud/v6/test_runs/1/script"
MIB = 1024 * 1024
BOMB_SIZE = 64 * MIB  # decoded: twice the allowance
LIMIT = f"more than {COMPRESSED_SCRIPT_ALLOWANCE} bytes, the limit for a compressed script"


@functools.cache
def _bomb() -> bytes:
    """64 MiB of zeros as gzip: about 64 KiB, built without holding the 64 MiB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip stream
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(BOMB_SIZE // len(zeros))]
    return b"".join([*parts, packer.flush()])


def _gzip_route(canned: CannedServer, path: str, encoded: bytes, *, sized: bool) -> None:
    """A route that sends ``encoded`` as it is, labelled gzip: with its Content-Length
    (``sized``) or chunked, in pieces, as a streaming server would."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/javascript", "Content-Encoding": "gzip"}
        )
        if sized:
            response.content_length = len(encoded)
        await response.prepare(request)
        try:
            for start in range(0, len(encoded), 16 * 1024):
                await response.write(encoded[start : start + 16 * 1024])
            await response.write_eof()
        except ConnectionError:  # the client stopped reading and closed
            pass
        return response

    canned.routes[("GET", path)] = handler


@pytest.fixture
async def bomb_client(canned: CannedServer) -> AsyncIterator[k6.K6CloudClient]:
    async with k6.K6CloudClient("bomb-token", 1, base_url=canned.base_url, max_retries=0) as api:
        yield api


async def _consume(download: k6.ScriptDownload, how: str, target: Path) -> None:
    if how == "save":
        await download.save(target)
    elif how == "read":
        await download.read()
    else:
        async for _ in download:
            pass


class TestAGzipBomb:
    @pytest.mark.parametrize("sized", [True, False], ids=["content-length", "chunked"])
    @pytest.mark.parametrize("how", ["save", "read", "async-for"])
    async def test_is_refused_once_it_decodes_past_the_allowance(
        self,
        canned: CannedServer,
        bomb_client: k6.K6CloudClient,
        tmp_path: Path,
        sized: bool,
        how: str,
    ) -> None:
        _gzip_route(canned, SCRIPT_PATH, _bomb(), sized=sized)

        async with bomb_client.load_tests.download_script(1) as download:
            with pytest.raises(k6.ResponseDecodeError, match=LIMIT) as caught:
                await _consume(download, how, tmp_path / "script.js")
            received = download.bytes_received

        # Stopped at the allowance: not one byte past it was handed out or written, and it
        # came within one chunk of it (what aiohttp has buffered: its flow control keeps
        # that well under 1 MiB).
        assert COMPRESSED_SCRIPT_ALLOWANCE - MIB <= received <= COMPRESSED_SCRIPT_ALLOWANCE
        assert "came compressed although identity was asked for" in str(caught.value)
        assert sorted(os.listdir(tmp_path)) == []  # no script, no temporary file
        assert len(canned.hits) == 1  # not retried

    async def test_read_holds_no_more_than_the_allowance(
        self, canned: CannedServer, bomb_client: k6.K6CloudClient
    ) -> None:
        _gzip_route(canned, SCRIPT_PATH, _bomb(), sized=False)

        tracemalloc.start()
        try:
            async with bomb_client.load_tests.download_script(1) as download:
                with pytest.raises(k6.ResponseDecodeError, match=LIMIT):
                    await download.read()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

        # The 64 MiB it would decode to were never all in memory at once.
        assert peak < COMPRESSED_SCRIPT_ALLOWANCE + 8 * 1024 * 1024

    async def test_of_a_run_script_is_refused_too(
        self, canned: CannedServer, bomb_client: k6.K6CloudClient, tmp_path: Path
    ) -> None:
        _gzip_route(canned, RUN_SCRIPT_PATH, _bomb(), sized=True)

        async with bomb_client.test_runs.download_script(1) as download:
            with pytest.raises(k6.ResponseDecodeError, match=LIMIT):
                await download.save(tmp_path / "run.js")

        assert os.listdir(tmp_path) == []

    async def test_gains_nothing_from_a_content_length_that_lies(self, tmp_path: Path) -> None:
        # A Content-Length of 1 GiB: the limit counts the encoded bytes that came.
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {1024**3}\r\n\r\n"
        ).encode()
        async with (
            RawServer(head + _bomb(), hold=True) as server,
            k6.K6CloudClient(
                "raw-token", 1, base_url=server.base_url, max_retries=0, timeout=5
            ) as client,
            client.load_tests.download_script(1) as download,
        ):
            with pytest.raises(k6.ResponseDecodeError, match=LIMIT):
                await download.save(tmp_path / "script.js")
            assert download.bytes_received <= COMPRESSED_SCRIPT_ALLOWANCE

        assert os.listdir(tmp_path) == []

    async def test_leaves_the_client_usable(
        self, canned: CannedServer, bomb_client: k6.K6CloudClient
    ) -> None:
        _gzip_route(canned, SCRIPT_PATH, _bomb(), sized=True)
        canned.raw("/cloud/v6/test_runs/1/script", b"export default function () {}\n")

        async with bomb_client.load_tests.download_script(1) as download:
            with pytest.raises(k6.ResponseDecodeError):
                await download.read()
        async with bomb_client.test_runs.download_script(1) as download:
            script = await download.read()

        assert script == b"export default function () {}\n"


class TestWhatIsNeverCapped:
    async def test_a_compressed_script_past_the_allowance_at_an_ordinary_ratio(
        self, canned: CannedServer, bomb_client: k6.K6CloudClient, tmp_path: Path
    ) -> None:
        # 36 MiB of hex text, which gzip packs about 1.7 times: far below the ratio.
        script = os.urandom(18 * 1024 * 1024).hex().encode()
        assert len(script) > COMPRESSED_SCRIPT_ALLOWANCE
        encoded = gzip.compress(script, compresslevel=1)
        assert len(script) < COMPRESSED_SCRIPT_EXPANSION * len(encoded)
        _gzip_route(canned, SCRIPT_PATH, encoded, sized=False)

        async with bomb_client.load_tests.download_script(1) as download:
            written = await download.save(tmp_path / "script.js")

        assert written == len(script)
        digest = hashlib.sha256((tmp_path / "script.js").read_bytes()).digest()
        assert digest == hashlib.sha256(script).digest()

    async def test_an_identity_script_of_any_size(
        self, canned: CannedServer, bomb_client: k6.K6CloudClient, tmp_path: Path
    ) -> None:
        # Zeros, which would be a bomb if they came compressed: as stored, they are a script.
        script = bytes(COMPRESSED_SCRIPT_ALLOWANCE + 4 * 1024 * 1024)
        canned.raw(SCRIPT_PATH, script, content_type="text/javascript")

        async with bomb_client.load_tests.download_script(1) as download:
            size = download.size
            written = await download.save(tmp_path / "script.js")

        assert size == written == len(script)
        assert (tmp_path / "script.js").stat().st_size == len(script)
