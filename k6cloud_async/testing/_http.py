"""Low-level request and response helpers shared by the handlers and the fault middleware."""

from __future__ import annotations

import contextlib
import re
import socket
import struct
from contextvars import ContextVar
from typing import Any, Final

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web import ContentCoding

from ._context import current_record
from ._errors import ApiError
from ._request_rules import check_media_type, parse_id, parse_json_body

__all__ = [
    "API_ROOT",
    "CHUNK_SIZE",
    "COMPRESSING",
    "JSON_TYPE",
    "OCTET_STREAM_TYPE",
    "TRUNCATING",
    "ResetResponse",
    "api_path",
    "path_id",
    "read_body",
    "read_json",
    "read_octets",
    "reset_connection",
    "send_bytes",
]

#: The path every route of the API starts with.
API_ROOT: Final = "/cloud/v6"

JSON_TYPE: Final = "application/json"
OCTET_STREAM_TYPE: Final = "application/octet-stream"

_ID_PLACEHOLDER: Final = re.compile(r"\{(id|[a-z_]+_id)\}")

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


def api_path(template: str) -> str:
    """A route path under :data:`API_ROOT` whose id placeholders match ASCII digits only.

    ``{id}`` and ``{<name>_id}`` become ``{id:[0-9]+}`` (a bare ``\\d`` would also
    match other scripts' digits: ``/load_tests/١`` must not be test 1); other
    placeholders keep aiohttp's default (one path segment).
    """
    return API_ROOT + _ID_PLACEHOLDER.sub(r"{\1:[0-9]+}", template)


def path_id(request: web.Request, name: str = "id") -> int:
    """The id path parameter ``name``: 404 unless ASCII digits, 400 beyond int64."""
    value = parse_id(request.match_info[name], name)
    if value is None:
        raise ApiError.not_found()
    return value


async def read_body(request: web.Request) -> bytes:
    """The whole request body, read in chunks.

    A malformed body (bad chunked framing or content encoding) is a ``400``, and so
    is one cut short by the sender closing the connection: the answer goes nowhere,
    but the request is recorded as the sender's fault, not as a crash of the fake.
    """
    data = bytearray()
    try:
        async for chunk in request.content.iter_chunked(CHUNK_SIZE):
            data += chunk
    except HttpProcessingError as exc:
        raise ApiError.validation(f"The request body is malformed: {exc.message}") from None
    except ConnectionResetError:
        raise ApiError.validation("The request body ended before its declared end.") from None
    return bytes(data)


async def read_json(request: web.Request) -> Any:
    """The body as JSON (see :func:`parse_json_body`), also recorded.

    ``415 unsupported_media_type`` unless the ``Content-Type`` is ``application/json``;
    ``400 validation_error`` when the body is not valid JSON.
    """
    check_media_type(request.headers.get("Content-Type"), (JSON_TYPE,))
    value = parse_json_body(await read_body(request))
    record = current_record()
    if record is not None:
        record.json = value
    return value


async def read_octets(request: web.Request) -> bytes:
    """The raw body; ``415 unsupported_media_type`` unless it is ``application/octet-stream``."""
    check_media_type(request.headers.get("Content-Type"), (OCTET_STREAM_TYPE,))
    return await read_body(request)


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
    stream is compressed (chunked, without a Content-Length). A ``HEAD`` request gets the
    headers only.
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
    if request.method == "HEAD":  # the headers of a GET, and no body (RFC 9110, 9.3.2)
        return response
    view = memoryview(data)
    for start in range(0, limit, CHUNK_SIZE):
        await response.write(view[start : min(start + CHUNK_SIZE, limit)])
    if truncate and request.transport is not None:
        request.transport.close()  # flushes what was written, then closes
    return response
