"""Scripts and script sources for tests/test_scripts.py.

Every kind of source ``prepare_script`` accepts, each built fresh per test (one-shot streams
cannot be reused), plus a JavaScript text with non-ASCII characters and a real k6-style
``.tar`` with several files.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tarfile
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import ExitStack
from itertools import cycle
from pathlib import Path
from typing import Any

#: Chunk sizes for async sources: several below 512 bytes before a tar header is complete.
UNEVEN_CHUNK_SIZES = (1, 7, 100, 300, 5_000, 70_000, 300_000)

MAIN_SCRIPT = """\
import http from "k6/http";
import { check } from "k6";
import { login } from "./lib/helpers.js";

// Grüße aus Köln — 東京 — ✓ 🚀
const users = JSON.parse(open("./data/users.json"));

export const options = { vus: 2, duration: "30s" };

export default function () {
  const user = users[__VU % users.length];
  const res = http.get(`https://test.k6.io/?user=${login(user)}`);
  check(res, { "status is 200": (r) => r.status === 200 });
}
"""

HELPERS_MODULE = """\
export function login(user) {
  return encodeURIComponent(`${user.name}:${user.password}`);
}
"""

USERS = [{"name": "zoë", "password": "pässwörd"}, {"name": "李雷", "password": "密码"}]


def javascript(min_bytes: int = 0) -> str:
    """The main script, padded with numbered non-ASCII comments to at least ``min_bytes``."""
    lines = [MAIN_SCRIPT]
    size = len(MAIN_SCRIPT.encode())
    number = 0
    while size < min_bytes:
        line = f"// {number:06d}: naïve café, Ελληνικά, 日本語 — ✓\n"
        lines.append(line)
        size += len(line.encode())
        number += 1
    return "".join(lines)


def pattern(size: int) -> bytes:
    """``size`` bytes of a repeating, non-trivial pattern (cheap to make)."""
    block = bytes(range(256)) * 16
    return (block * (size // len(block) + 1))[:size]


def write_k6_archive(directory: Path) -> Path:
    """A multi-file ``.tar`` as ``k6 archive`` would make: main script, a module, data."""
    project = directory / "k6-project"
    (project / "lib").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "script.js").write_text(MAIN_SCRIPT, encoding="utf-8")
    (project / "lib" / "helpers.js").write_text(HELPERS_MODULE, encoding="utf-8")
    (project / "data" / "users.json").write_text(json.dumps(USERS), encoding="utf-8")
    archive = directory / "archive.tar"
    with tarfile.open(archive, "w") as tar:
        for name in ("script.js", "lib/helpers.js", "data/users.json"):
            tar.add(project / name, arcname=name)
    return archive


async def uneven_chunks(
    data: bytes, sizes: Iterable[int] = UNEVEN_CHUNK_SIZES
) -> AsyncIterator[bytes]:
    """``data`` as an async generator of chunks of the given sizes, cycled."""
    start = 0
    for size in cycle(sizes):
        if start >= len(data):
            return
        yield data[start : start + size]
        start += size


class NonSeekableStream:
    """A binary stream with ``read()`` and ``seekable() -> False``; counts what was read."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._buffer.read(size)
        self.bytes_read += len(chunk)
        return chunk

    def seekable(self) -> bool:
        return False


def _pipe_reader(data: bytes, stack: ExitStack) -> io.BufferedReader:
    """An ``io.BufferedReader`` over a pipe that a thread fills with ``data``."""
    read_fd, write_fd = os.pipe()

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=feed, name="pipe-feeder")
    writer.start()
    stack.callback(writer.join)  # runs after the reader is closed (which unblocks it)
    reader = stack.enter_context(os.fdopen(read_fd, "rb"))
    assert isinstance(reader, io.BufferedReader)
    return reader


def _write(directory: Path, data: bytes) -> Path:
    path = directory / "source.bin"
    path.write_bytes(data)
    return path


#: (data, tmp_path, exit stack) -> (the source, the bytes the API must receive).
SourceFactory = Callable[[bytes, Path, ExitStack], tuple[Any, bytes]]

PREAMBLE = b"// this line was already consumed by the caller\n"


def _bytes_io_mid_way(data: bytes, directory: Path, stack: ExitStack) -> tuple[Any, bytes]:
    buffer = io.BytesIO(PREAMBLE + data)
    buffer.seek(len(PREAMBLE))
    return buffer, data


SOURCES: dict[str, SourceFactory] = {
    "bytes": lambda data, directory, stack: (data, data),
    "bytearray": lambda data, directory, stack: (bytearray(data), data),
    "memoryview": lambda data, directory, stack: (memoryview(data), data),
    "str": lambda data, directory, stack: (data.decode("utf-8"), data),
    "path": lambda data, directory, stack: (_write(directory, data), data),
    "binary-file": lambda data, directory, stack: (
        stack.enter_context(_write(directory, data).open("rb")),
        data,
    ),
    "bytes-io": lambda data, directory, stack: (io.BytesIO(data), data),
    "bytes-io-mid-way": _bytes_io_mid_way,
    "pipe": lambda data, directory, stack: (_pipe_reader(data, stack), data),
    "non-seekable": lambda data, directory, stack: (NonSeekableStream(data), data),
    "async-iterable": lambda data, directory, stack: (uneven_chunks(data), data),
}

#: The sources that can carry any bytes (a ``str`` source is always UTF-8 text).
BINARY_SOURCES = {name: factory for name, factory in SOURCES.items() if name != "str"}
