"""Low-level request and response helpers shared by the handlers and the fault middleware."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
from contextvars import ContextVar
from typing import Any, Final

from aiohttp import web
from aiohttp.web import ContentCoding

from ._context import current_record
from ._errors import ApiError

__all__ = [
    "CHUNK_SIZE",
    "COMPRESSING",
    "TRUNCATING",
    "ResetResponse",
    "path_id",
    "read_body",
    "read_json",
    "reset_connection",
    "send_bytes",
]

#: Bodies are read and written in chunks of this size.
CHUNK_SIZE: Final = 64 * 1024

#: True while handling a request whose response must be cut in half (``truncated_body``).
TRUNCATING: Final[ContextVar[bool]] = ContextVar("k6cloud_fake_truncating", default=False)

#: The content coding every response body of the request being handled is sent with.
COMPRESSING: Final[ContextVar[str | None]] = ContextVar("k6cloud_fake_compressing", default=None)


class ResetResponse(web.StreamResponse):
    """Returned after the connection was reset: there is no response to send."""


def reset_connection(request: web.Request) -> ResetResponse:
    """Reset the request's TCP connection (``SO_LINGER`` 0, then abort) and return a marker."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # a platform without SO_LINGER
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    return ResetResponse()


def path_id(request: web.Request, name: str = "id") -> int:
    """The integer path parameter ``name`` (the routes only match digits)."""
    return int(request.match_info[name])


async def read_body(request: web.Request) -> bytes:
    """The whole request body, read in chunks."""
    data = bytearray()
    async for chunk in request.content.iter_chunked(CHUNK_SIZE):
        data += chunk
    return bytes(data)


async def read_json(request: web.Request) -> Any:
    """The request body as JSON (``400 validation_error`` when it is not), also recorded."""
    raw = await read_body(request)
    try:
        value = json.loads(raw)
    except ValueError:
        raise ApiError.validation("The request body is not valid JSON.") from None
    record = current_record()
    if record is not None:
        record.json = value
    return value


async def send_bytes(
    request: web.Request,
    data: bytes,
    content_type: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> web.StreamResponse:
    """Stream ``data`` in chunks with its ``Content-Length``.

    While :data:`TRUNCATING` is set, only the first half of ``data`` is
    sent, then the connection is closed. While :data:`COMPRESSING` is set, the
    stream is compressed (chunked, without a Content-Length).
    """
    response = web.StreamResponse(status=status, headers=headers)
    response.content_type = content_type
    response.content_length = len(data)
    coding = COMPRESSING.get()
    if coding is not None and data:
        response.enable_compression(force=ContentCoding(coding))
    truncate = TRUNCATING.get()
    limit = len(data) // 2 if truncate else len(data)
    if truncate:
        response.force_close()
    await response.prepare(request)
    view = memoryview(data)
    for start in range(0, limit, CHUNK_SIZE):
        await response.write(view[start : min(start + CHUNK_SIZE, limit)])
    if truncate and request.transport is not None:
        request.transport.close()  # flushes what was written, then closes
    return response
