"""Script sources for uploads: sniffing, chunked reading, replay and progress.

A script may be bytes, str, a path, a binary file object or an async iterable of bytes. It is
sent in chunks of ``CHUNK_SIZE`` and never read whole into memory (bytes excepted, which the
caller already holds). A k6 ``.tar`` archive is recognised from its first header block.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import IO, Any, Final, TypeAlias

from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import Payload

from ._constants import CHUNK_SIZE
from ._errors import K6CloudError, TransportError

__all__ = [
    "ProgressCallback",
    "ScriptBody",
    "ScriptSource",
    "check_head",
    "is_tar_header",
    "prepare_script",
]

ScriptSource: TypeAlias = (
    "bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes] | AsyncIterable[bytes]"
)
ProgressCallback: TypeAlias = Callable[[int, int | None], None]

#: A tar header block is 512 bytes; the POSIX and GNU magic both start at offset 257.
TAR_BLOCK: Final = 512
_TAR_MAGIC: Final = b"ustar"
_TAR_MAGIC_OFFSET: Final = 257

ARCHIVE_FILENAME: Final = "archive.tar"
ARCHIVE_TYPE: Final = "application/x-tar"
SCRIPT_FILENAME: Final = "script.js"
SCRIPT_TYPE: Final = "text/javascript"


def is_tar_header(head: bytes) -> bool:
    """Whether ``head`` (the first bytes of a script) starts a tar archive."""
    return head[_TAR_MAGIC_OFFSET : _TAR_MAGIC_OFFSET + len(_TAR_MAGIC)] == _TAR_MAGIC


ChunkOpener: TypeAlias = Callable[[], AsyncIterator[bytes]]


class ScriptBody:
    """A prepared script: its size, whether it is an archive, and fresh chunks per attempt."""

    def __init__(
        self,
        opener: ChunkOpener,
        *,
        size: int | None,
        is_archive: bool,
        replay_problem: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self._opener = opener
        self.size = size
        self.is_archive = is_archive
        self._replay_problem = replay_problem
        self._on_progress = on_progress
        self._opened = False
        #: Set when the source yielded other than ``size`` bytes while it was sent.
        self.size_problem: str | None = None

    @property
    def replayable(self) -> bool:
        # A source whose size changed under us would only fail again.
        return self._replay_problem is None and self.size_problem is None

    @property
    def why_not_replayable(self) -> str:
        return self.size_problem or self._replay_problem or ""

    def raise_if_size_changed(self, error: K6CloudError) -> None:
        """Raise a clear TransportError in place of ``error`` if the source's size changed."""
        if self.size_problem is None:
            return
        clear = TransportError(
            f"the script was not sent: {self.size_problem}; the upload was cut off before "
            f"its announced end, so nothing was stored",
            attempts=error.attempts,
            request_id=error.request_id,
        )
        raise clear from error

    @property
    def filename(self) -> str:
        return ARCHIVE_FILENAME if self.is_archive else SCRIPT_FILENAME

    @property
    def multipart_type(self) -> str:
        return ARCHIVE_TYPE if self.is_archive else SCRIPT_TYPE

    def chunks(self) -> AsyncIterator[bytes]:
        """The script's bytes from the start; a one-shot source can be read only once."""
        if self._opened and not self.replayable:
            raise RuntimeError(f"the script cannot be sent twice: {self._replay_problem}")
        self._opened = True
        return self._opener()

    def payload(self, content_type: str = "application/octet-stream") -> Payload:
        """A fresh aiohttp payload that streams the script (``upload_script``'s body)."""
        return _StreamPayload(self, content_type=content_type)

    def report(self, done: int) -> None:
        if self._on_progress is not None:
            self._on_progress(done, self.size)


class _StreamPayload(Payload):
    """Streams a ScriptBody, reporting progress; sized when the source's size is known."""

    _autoclose = True

    def __init__(self, body: ScriptBody, **kwargs: Any) -> None:
        super().__init__(body, **kwargs)
        self._body = body
        self._size = body.size

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        self._body.report(0)
        async with _closing(self._body.chunks()) as chunks:
            if self._size is None:  # chunked: no length was announced
                done = 0
                async for chunk in chunks:
                    await writer.write(chunk)
                    done += len(chunk)
                    self._body.report(done)
                    await _let_the_loop_run(done, len(chunk))
                return
            await self._write_exactly(writer, chunks, self._size)

    async def _write_exactly(
        self, writer: AbstractStreamWriter, chunks: AsyncIterator[bytes], size: int
    ) -> None:
        """Write ``size`` bytes or fail without completing the body.

        Bytes past ``size`` would reach the connection after the announced Content-Length:
        the start of a smuggled request. So each chunk is held back until the next one is
        read, and the last one goes out only once the source has ended at exactly ``size``.
        """
        done = 0
        held = b""
        async for chunk in chunks:
            if done + len(held) + len(chunk) > size:
                raise self._size_changed(
                    f"the source yielded more than the {size} bytes announced "
                    "(did the file grow while it was sent?)"
                )
            if held:
                await writer.write(held)
                done += len(held)
                self._body.report(done)
                await _let_the_loop_run(done, len(held))
            held = chunk
        if done + len(held) != size:
            raise self._size_changed(
                f"the source yielded {done + len(held)} bytes, but {size} were announced "
                "(did the file shrink while it was sent?)"
            )
        if held:
            await writer.write(held)
            self._body.report(size)

    def _size_changed(self, problem: str) -> _SizeChanged:
        self._body.size_problem = problem
        return _SizeChanged(problem)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a streamed script cannot be decoded in memory")

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        raise TypeError("a streamed script is not buffered in memory")


#: An upload from memory whose socket keeps accepting never has to wait, so its loop
#: would not run other tasks until the whole body is written: it yields this often.
_YIELD_EVERY: Final = 1024 * 1024


async def _let_the_loop_run(done: int, last: int) -> None:
    """Give other tasks their turn each time another ``_YIELD_EVERY`` bytes have been sent."""
    if done // _YIELD_EVERY != (done - last) // _YIELD_EVERY:
        await asyncio.sleep(0)


class _SizeChanged(Exception):
    """A sized source yielded another number of bytes; aiohttp wraps it, and the resource
    turns it into a TransportError through ``ScriptBody.raise_if_size_changed``."""


class _closing:
    """``contextlib.aclosing`` for any async iterator (those without ``aclose`` too)."""

    def __init__(self, iterator: AsyncIterator[bytes]) -> None:
        self._iterator = iterator

    async def __aenter__(self) -> AsyncIterator[bytes]:
        return self._iterator

    async def __aexit__(self, *exc: object) -> None:
        aclose = getattr(self._iterator, "aclose", None)
        if aclose is not None:
            await aclose()


async def prepare_script(
    script: Any, on_progress: ProgressCallback | None = None, *, argument: str = "script"
) -> ScriptBody:
    """Check a script source and sniff it, reading at most its first 512 bytes."""
    if on_progress is not None and not callable(on_progress):
        raise TypeError("on_progress must be a callable (done_bytes, total_bytes_or_None)")
    if isinstance(script, str):
        if _could_be_a_path(script) and await asyncio.to_thread(os.path.exists, script):
            raise ValueError(
                f"{argument} is a str naming an existing file ({script!r}), but a str is "
                "sent as the JavaScript text itself: pass a pathlib.Path to upload the file"
            )
        return _from_bytes(script.encode("utf-8"), on_progress, argument)
    if isinstance(script, bytes | bytearray | memoryview):
        return _from_bytes(script, on_progress, argument)
    if isinstance(script, os.PathLike):
        return await _from_path(os.fspath(script), on_progress, argument)
    # Async iterables first: a ScriptDownload or an aiohttp stream also has a read(), but
    # an async one, which must not be called from a worker thread.
    if isinstance(script, AsyncIterable):
        return await _from_async_iterable(script, on_progress, argument)
    if hasattr(script, "read"):
        return await _from_file(script, on_progress, argument)
    raise TypeError(
        f"{argument} must be bytes, str, a path, a binary file object or an async iterable "
        f"of bytes, not {type(script).__name__}"
    )


#: Longer than any path the OS takes (PATH_MAX): certainly script text.
_MAX_PATH_LENGTH: Final = 4096
#: Characters in nearly every script and in almost no file name.
_SCRIPT_MARKS: Final = ("\n", "{", "}", ";", "=>", "\0")
_GZIP_MAGIC: Final = b"\x1f\x8b"


def _could_be_a_path(text: str) -> bool:
    """Whether a str script is short and plain enough to be a file name passed by mistake."""
    return 0 < len(text) <= _MAX_PATH_LENGTH and not any(mark in text for mark in _SCRIPT_MARKS)


def check_head(head: bytes, size: int | None, argument: str) -> None:
    """Refuse, from its first bytes, a source the API would store wrongly or that lies.

    A gzip stream (a ``.tar.gz``) would be stored as JavaScript: the API recognises only
    plain ``.tar`` archives. A source that yields more than its size says (``/proc``-style
    files report 0) cannot go out under that Content-Length.
    """
    if head[:2] == _GZIP_MAGIC:
        raise ValueError(
            f"{argument} is gzip-compressed, which the API would store as JavaScript: only "
            "plain k6 .tar archives are recognised (decompress it first, e.g. gunzip)"
        )
    if size is not None and len(head) > size:
        raise ValueError(
            f"{argument} reports a size of {size} bytes but holds more (a /proc-style "
            "file?): read it into bytes and pass those"
        )


def _from_bytes(
    data: bytes | bytearray | memoryview, on_progress: ProgressCallback | None, argument: str
) -> ScriptBody:
    # A view, never a copy: a 512 MiB buffer copied here would stall the event loop.
    view = memoryview(data)
    if not view.contiguous:
        view = memoryview(view.tobytes())
    if view.ndim != 1 or view.format != "B":
        view = view.cast("B")
    head = view[:TAR_BLOCK].tobytes()
    check_head(head, len(view), argument)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(view), CHUNK_SIZE):
            yield view[start : start + CHUNK_SIZE].tobytes()

    return ScriptBody(
        chunks, size=len(view), is_archive=is_tar_header(head), on_progress=on_progress
    )


async def _from_path(
    path: str | bytes, on_progress: ProgressCallback | None, argument: str
) -> ScriptBody:
    def sniff() -> tuple[int, bytes]:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            return size, file.read(TAR_BLOCK)

    try:
        size, head = await asyncio.to_thread(sniff)
    except IsADirectoryError:
        raise ValueError(f"{argument} is a directory: {os.fsdecode(path)}") from None
    except FileNotFoundError:
        raise FileNotFoundError(f"{argument} does not exist: {os.fsdecode(path)}") from None
    check_head(head, size, argument)

    async def chunks() -> AsyncIterator[bytes]:
        file = await asyncio.to_thread(open, path, "rb")
        try:
            while chunk := await asyncio.to_thread(file.read, CHUNK_SIZE):
                yield chunk
        finally:
            file.close()

    return ScriptBody(chunks, size=size, is_archive=is_tar_header(head), on_progress=on_progress)


async def _from_file(
    file: IO[Any], on_progress: ProgressCallback | None, argument: str
) -> ScriptBody:
    if isinstance(file, io.TextIOBase):
        raise TypeError(f"{argument} is a text file: open it in binary mode ('rb')")
    # In-memory buffers are read directly; real files are read in a worker thread.
    blocking = not isinstance(file, io.BytesIO)

    async def read(amount: int) -> bytes:
        data = await asyncio.to_thread(file.read, amount) if blocking else file.read(amount)
        if not isinstance(data, bytes | bytearray):
            raise TypeError(f"{argument}.read() returned {type(data).__name__}, not bytes")
        return bytes(data)

    seekable = False
    try:
        seekable = bool(file.seekable())
    except (AttributeError, OSError, ValueError):
        seekable = False
    if seekable:
        start = file.tell()
        end = file.seek(0, os.SEEK_END)
        file.seek(start)
        head = await read(TAR_BLOCK)
        file.seek(start)
        check_head(head, end - start, argument)

        async def replay() -> AsyncIterator[bytes]:
            file.seek(start)
            while chunk := await read(CHUNK_SIZE):
                yield chunk

        return ScriptBody(
            replay, size=end - start, is_archive=is_tar_header(head), on_progress=on_progress
        )

    head = await read(TAR_BLOCK)
    check_head(head, None, argument)

    async def once() -> AsyncIterator[bytes]:
        if head:
            yield head
        while chunk := await read(CHUNK_SIZE):
            yield chunk

    return ScriptBody(
        once,
        size=None,
        is_archive=is_tar_header(head),
        replay_problem="the script is a non-seekable stream, which cannot be re-read",
        on_progress=on_progress,
    )


async def _from_async_iterable(
    source: AsyncIterable[Any], on_progress: ProgressCallback | None, argument: str
) -> ScriptBody:
    iterator = aiter(source)
    head = bytearray()
    buffered: list[bytes] = []
    exhausted = False
    while len(head) < TAR_BLOCK:
        try:
            chunk = await anext(iterator)
        except StopAsyncIteration:
            exhausted = True
            break
        chunk = _check_chunk(chunk)
        buffered.append(chunk)
        head += chunk
    check_head(bytes(head), None, argument)

    async def once() -> AsyncIterator[bytes]:
        for chunk in buffered:
            yield chunk
        buffered.clear()
        if exhausted:
            return
        async for chunk in iterator:
            yield _check_chunk(chunk)

    return ScriptBody(
        once,
        size=None,
        is_archive=is_tar_header(bytes(head)),
        replay_problem="the script is an async iterator, which cannot be re-read",
        on_progress=on_progress,
    )


def _check_chunk(chunk: Any) -> bytes:
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, bytearray | memoryview):
        return bytes(chunk)
    raise TypeError(f"the script's async iterable yielded {type(chunk).__name__}, not bytes")
