"""``ScriptDownload``: a script streamed down in chunks, and saved atomically."""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from ._constants import CHUNK_SIZE
from ._errors import RequestTimeoutError, TransportError
from ._scripts import ARCHIVE_TYPE, ProgressCallback
from ._transport import is_encoded

__all__ = ["ScriptDownload"]


class ScriptDownload:
    """The response of ``download_script``, read as it arrives.

    ``async for chunk in download`` yields bytes chunks; ``read()`` returns them joined;
    ``save(path)`` writes them to ``path`` atomically. The body can be consumed once.
    """

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        *,
        on_progress: ProgressCallback | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self._response = response
        self._on_progress = on_progress
        self._chunk_size = chunk_size
        self._consumed = False
        self.bytes_received = 0

    @property
    def content_type(self) -> str:
        """The media type the API sent (``text/javascript`` or ``application/x-tar``)."""
        return self._response.content_type

    @property
    def is_archive(self) -> bool:
        """Whether the script is a k6 ``.tar`` archive."""
        return self.content_type == ARCHIVE_TYPE

    @property
    def size(self) -> int | None:
        """The script's length in bytes, as the Content-Length announced it, or None.

        None also when the body came compressed (``Content-Encoding``): the Content-Length
        then counts encoded bytes, and the script's own length is known only once read.
        """
        return None if is_encoded(self._response) else self._response.content_length

    def __repr__(self) -> str:
        return (
            f"<ScriptDownload {self.content_type} size={self.size} received={self.bytes_received}>"
        )

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        if self._consumed:
            raise RuntimeError("the script body was already consumed")
        self._consumed = True
        url = self._response.url
        total = self.size
        try:
            if self._on_progress is not None:
                self._on_progress(0, total)
            async for chunk in self._response.content.iter_chunked(self._chunk_size):
                self.bytes_received += len(chunk)
                if self._on_progress is not None:
                    self._on_progress(self.bytes_received, total)
                yield chunk
        except TimeoutError as exc:
            raise RequestTimeoutError(f"GET {url}: timed out reading the script") from exc
        except aiohttp.ClientError as exc:
            raise TransportError(f"GET {url}: the script download broke off: {exc}") from exc
        if total is not None and self.bytes_received != total:
            raise TransportError(
                f"GET {url}: the script ended after {self.bytes_received} of {total} bytes"
            )

    async def read(self) -> bytes:
        """The whole script in memory (prefer ``save`` or ``async for`` for large archives)."""
        return b"".join([chunk async for chunk in self])

    async def save(self, path: str | os.PathLike[str]) -> int:
        """Write the script to ``path`` atomically and return the number of bytes written.

        The bytes go to a temporary file beside ``path``, which is checked against the
        Content-Length, flushed and fsynced, then renamed over ``path``. On any failure
        (a broken connection, a short body, cancellation) ``path`` is untouched and the
        temporary file is removed.
        """
        target = Path(path)
        fd, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent or Path(".")
        )
        try:
            # mkstemp makes the file 0600; give it the mode the target has, or the mode a
            # newly created file would get, so that the rename changes no permissions.
            os.chmod(temporary, _mode_for(target))
            with os.fdopen(fd, "wb") as file:
                # Chunks go to the page cache, which takes microseconds: a thread hop per
                # chunk measured twice the CPU for no gain. The fsync, which waits for the
                # disk, runs in a worker thread.
                async for chunk in self:
                    file.write(chunk)
                await asyncio.to_thread(_flush_and_sync, file)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        _sync_directory(target.parent)
        return self.bytes_received


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _flush_and_sync(file: Any) -> None:
    file.flush()
    os.fsync(file.fileno())


def _sync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
