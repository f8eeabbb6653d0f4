"""An upload never puts a byte past its Content-Length onto the connection.

A path or file is sized once, when the call begins. A raw TCP server on 127.0.0.1 records
exactly the bytes each connection carried, so a source that grows (or shrinks) while it is
sent shows up as what it would be on the wire: bytes after the announced body, which a
keep-alive server reads as the start of the next request.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any

import pytest
from attrs import define, field

import k6cloud_async as k6
from k6cloud_async._constants import CHUNK_SIZE

KiB = 1024
#: Three transfer chunks, the last one partial.
SIZE = 2 * CHUNK_SIZE + CHUNK_SIZE // 3
GROWTH = b"\n// appended while the upload was going on\n" * 20
_NO_CONTENT = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"


@define
class Connection:
    """What one client connection carried: its request head and every byte after it."""

    head: bytes = b""
    after_head: bytearray = field(factory=bytearray)
    closed: asyncio.Event = field(factory=asyncio.Event)

    @property
    def content_length(self) -> int:
        for line in self.head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                return int(value)
        raise AssertionError(f"no Content-Length in {self.head!r}")


class RecordingServer:
    """Answers 204 once a whole body has arrived (keeping the connection open, as a
    keep-alive server does) and records everything until the client closes."""

    def __init__(self) -> None:
        self.connections: list[Connection] = []
        self._server: asyncio.Server | None = None
        self.base_url = ""

    async def __aenter__(self) -> RecordingServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = Connection()
        self.connections.append(connection)
        try:
            connection.head = await reader.readuntil(b"\r\n\r\n")
            answered = False
            while chunk := await reader.read(64 * KiB):
                connection.after_head += chunk
                if not answered and len(connection.after_head) >= connection.content_length:
                    writer.write(_NO_CONTENT)
                    await writer.drain()
                    answered = True
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            connection.closed.set()
            writer.close()

    async def all_closed(self) -> None:
        """Wait (bounded) until every connection the client opened has been closed."""
        async with asyncio.timeout(30):
            for connection in self.connections:
                await connection.closed.wait()


@pytest.fixture
async def server() -> AsyncIterator[RecordingServer]:
    async with RecordingServer() as recording:
        yield recording


def grow_on_first_progress(path: Path) -> Callable[[int, int | None], None]:
    """An ``on_progress`` that appends to ``path`` once the first bytes have gone out."""
    grown: list[int] = []

    def on_progress(done: int, total: int | None) -> None:
        if done > 0 and not grown:
            with path.open("ab") as file:
                file.write(GROWTH)
            grown.append(done)

    return on_progress


def shrink_on_first_progress(path: Path) -> Callable[[int, int | None], None]:
    shrunk: list[int] = []

    def on_progress(done: int, total: int | None) -> None:
        if done > 0 and not shrunk:
            os.truncate(path, SIZE - 100 * KiB)
            shrunk.append(done)

    return on_progress


async def upload(
    server: RecordingServer, source: Any, operation: str = "upload", **kwargs: Any
) -> BaseException | None:
    """``upload_script`` (or ``create``, multipart) to the recording server; the error it
    raised, if any. The client is closed before this returns, so every connection's bytes
    are final."""
    error: BaseException | None = None
    async with k6.K6CloudClient("token", 1, base_url=server.base_url) as client:
        try:
            if operation == "create":
                await client.load_tests.create(3, "Checkout", source, **kwargs)
            else:
                await client.load_tests.upload_script(7, source, **kwargs)
        except k6.K6CloudError as exc:
            error = exc
    await server.all_closed()
    return error


def assert_nothing_past_the_announced_length(server: RecordingServer) -> None:
    assert server.connections, "the client never connected"
    for connection in server.connections:
        assert len(connection.after_head) <= connection.content_length, (
            f"{len(connection.after_head) - connection.content_length} bytes went out after "
            f"the {connection.content_length} bytes announced"
        )


def _open(path: Path, opened: list[IO[bytes]]) -> IO[bytes]:
    file = path.open("rb")
    opened.append(file)
    return file


@pytest.mark.parametrize("operation", ["upload", "create"])
@pytest.mark.parametrize("kind", ["path", "binary-file"])
async def test_a_source_that_grows_while_it_is_sent_puts_nothing_past_content_length(
    server: RecordingServer, tmp_path: Path, kind: str, operation: str
) -> None:
    path = tmp_path / "checkout.js"
    path.write_bytes(b"x" * SIZE)
    opened: list[IO[bytes]] = []
    source = path if kind == "path" else _open(path, opened)

    try:
        error = await upload(server, source, operation, on_progress=grow_on_first_progress(path))
    finally:
        for file in opened:
            file.close()

    assert_nothing_past_the_announced_length(server)
    assert len(server.connections) == 1  # not retried: it would fail the same way
    # The body was cut off before its end: the server never saw a complete request.
    (connection,) = server.connections
    assert len(connection.after_head) < connection.content_length
    assert isinstance(error, k6.TransportError)
    assert f"more than the {SIZE} bytes announced" in str(error)
    assert "nothing was stored" in str(error)


async def test_a_source_that_shrinks_while_it_is_sent_is_cut_off_before_its_end(
    server: RecordingServer, tmp_path: Path
) -> None:
    path = tmp_path / "checkout.js"
    path.write_bytes(b"x" * SIZE)

    error = await upload(server, path, on_progress=shrink_on_first_progress(path))

    assert_nothing_past_the_announced_length(server)
    assert len(server.connections) == 1  # not retried: it would fail the same way
    assert len(server.connections[0].after_head) < SIZE
    assert isinstance(error, k6.TransportError)
    assert f"bytes, but {SIZE} were announced" in str(error)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs a Linux /proc")
async def test_a_proc_style_file_that_reports_size_zero_is_refused_before_any_request(
    server: RecordingServer,
) -> None:
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0

    with pytest.raises(ValueError, match="reports a size of 0 bytes but holds more"):
        await upload(server, status)

    assert server.connections == []


async def test_a_source_that_keeps_its_size_is_sent_whole(
    server: RecordingServer, tmp_path: Path
) -> None:
    path = tmp_path / "checkout.js"
    path.write_bytes(b"x" * SIZE)

    error = await upload(server, path)

    assert error is None
    assert [bytes(c.after_head) for c in server.connections] == [b"x" * SIZE]
