"""``ScriptDownload``: a script streamed down in chunks, and saved atomically."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from ._constants import COMPRESSED_SCRIPT_ALLOWANCE, COMPRESSED_SCRIPT_EXPANSION
from ._errors import RequestTimeoutError, ResponseDecodeError, TransportError
from ._scripts import ARCHIVE_TYPE, ProgressCallback
from ._transport import is_encoded
from ._validation import check_save_target

__all__ = ["ScriptDownload"]


class ScriptDownload:
    """The response of ``download_script``, read as it arrives.

    ``async for chunk in download`` yields bytes chunks; ``read()`` returns them joined;
    ``save(path)`` writes them to ``path`` atomically. The body can be consumed once.

    A body sent compressed although ``identity`` was asked for may decode to 32 MiB, and
    past that to 64 bytes for each encoded byte received; one that expands further (a
    "gzip bomb") fails with ``ResponseDecodeError`` as soon as it crosses that line. An
    identity body is never capped.
    """

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self._response = response
        self._on_progress = on_progress
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
        encoded = is_encoded(self._response)
        try:
            if self._on_progress is not None:
                self._on_progress(0, total)
            # Each chunk as it arrived (aiohttp reads up to 256 KiB at a time, and decodes a
            # compressed body in bounded pieces): iter_chunked() would copy every byte once
            # more to cut the stream into equal pieces.
            async for chunk in self._response.content.iter_any():
                if encoded:
                    self._check_expansion(self.bytes_received + len(chunk))
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

    def _check_expansion(self, decoded: int) -> None:
        """Refuse a compressed body that decodes past its allowance (``_constants``), and
        stop reading it: its next chunk would not be written anyway."""
        content = self._response.content
        encoded = content.total_raw_bytes  # the encoded bytes aiohttp has received so far
        limit = max(COMPRESSED_SCRIPT_ALLOWANCE, COMPRESSED_SCRIPT_EXPANSION * encoded)
        if decoded <= limit:
            return
        self._response.close()
        raise ResponseDecodeError(
            f"GET {self._response.url}: the script came compressed although identity was "
            f"asked for, and decodes to more than {limit} bytes, the limit for a compressed "
            f"script ({COMPRESSED_SCRIPT_ALLOWANCE} bytes, or {COMPRESSED_SCRIPT_EXPANSION} "
            f"times the {encoded} encoded bytes received when that is more)"
        )

    async def read(self) -> bytes:
        """The whole script in memory (prefer ``save`` or ``async for`` for large archives)."""
        return b"".join([chunk async for chunk in self])

    async def save(self, path: str | os.PathLike[str]) -> int:
        """Write the script to ``path`` atomically and return the number of bytes written.

        The bytes go to a temporary file beside ``path``, which is checked against the
        Content-Length, flushed and fsynced, then renamed over ``path``; the directory is
        fsynced last. On any failure (a broken connection, a short body, cancellation)
        ``path`` is untouched and the temporary file is removed. The file keeps the mode
        ``path`` had, or gets a new file's default mode; the process umask is never changed.

        Before the body is read: TypeError for a path that is not a str or os.PathLike,
        ValueError for ``""`` or an existing directory, FileNotFoundError naming ``path``
        when its directory does not exist. Disk waits (open, fsync) run in worker threads.
        """
        target = check_save_target(path)
        if self._consumed:
            raise RuntimeError("the script body was already consumed")
        fd, temporary = await asyncio.to_thread(_create_beside, target)
        try:
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
        await asyncio.to_thread(_sync_directory, target.parent)
        return self.bytes_received


#: Names tried for the temporary file before giving up (as ``tempfile.mkstemp`` does).
_TEMPORARY_NAME_TRIES = 100


def _create_beside(target: Path) -> tuple[int, Path]:
    """A new, empty temporary file in ``target``'s directory, with ``target``'s mode.

    Created with mode 0o666 so that the kernel applies the umask (and any default ACL)
    exactly as for a new ``target``; an existing target's mode is copied over that.
    """
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_TEMPORARY_NAME_TRIES):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
        try:
            fd = os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        except FileNotFoundError:
            raise FileNotFoundError(
                2, f"cannot save to {target}: its directory does not exist", str(target)
            ) from None
        if mode is not None:
            try:
                os.fchmod(fd, mode)
            except BaseException:
                os.close(fd)
                os.unlink(temporary)
                raise
        return fd, temporary
    raise FileExistsError(f"cannot save to {target}: no free temporary name beside it")


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
