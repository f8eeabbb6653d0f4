"""The middlewares every request passes, outermost first.

``track`` (record + in-flight gauge) → ``compress`` (the compression switch) →
``delay`` (the latency knob) → ``faults`` (injection) → ``authenticate`` →
``api_errors`` (exceptions to the error JSON) → ``query_rules`` (the ``$``-parameters) →
the route handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from contextvars import ContextVar, Token
from typing import Any, Final

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp.web import ContentCoding
from multidict import CIMultiDict

from ._context import CURRENT_RECORD, context
from ._errors import ApiError, error_response, status_code_name
from ._faults import Fault
from ._http import COMPRESSING, TRUNCATING, ResetResponse, reset_connection, send_bytes
from ._records import RecordedRequest
from ._request_ids import stamp
from ._request_rules import check_dollar_parameters, parse_int64
from ._routes_auth import AUTH_PATH

__all__ = ["MIDDLEWARES"]

logger: Final = logging.getLogger("k6cloud_async.testing")

_UNAUTHORIZED: Final = "Invalid token or authentication scheme."


def _body_size(request: web.Request) -> int:
    declared = request.content_length
    if declared is not None:
        return declared
    # aiohttp 3.11.0-3.11.11's reader of an absent body has no total_bytes.
    return request.content.total_bytes if request.body_exists else 0


@web.middleware
async def track(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record the request and count it in flight while it is handled."""
    log = context(request).log
    record = RecordedRequest(
        method=request.method,
        path=request.path,
        query=dict(request.query),
        headers=CIMultiDict(request.headers),
    )
    token = CURRENT_RECORD.set(record)
    log.begin(record)
    status: int | None = None
    try:
        response = await handler(request)
        if not isinstance(response, ResetResponse):
            status = response.status
            stamp(response, record)
        return response
    finally:
        log.end(record, status, _body_size(request))
        _reset(CURRENT_RECORD, token)


@web.middleware
async def compress(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Compress every response body with ``compression``, whatever the request's
    ``Accept-Encoding`` (as a CDN in front of the API may); streamed bodies too."""
    coding = context(request).compression
    if coding is None:
        return await handler(request)
    compressing = COMPRESSING.set(coding)
    try:
        response = await handler(request)
    finally:
        _reset(COMPRESSING, compressing)
    if isinstance(response, web.Response) and not response.prepared and response.body:
        response.enable_compression(force=ContentCoding(coding))
    return response


@web.middleware
async def delay(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Wait ``latency`` seconds before anything else (faults included)."""
    latency = context(request).latency
    if latency > 0:
        await asyncio.sleep(latency)
    return await handler(request)


def _replacement(request: web.Request, fault: Fault) -> web.StreamResponse:
    """The response of a fault that replaces the real one."""
    if fault.kind == "reset":
        return reset_connection(request)
    assert fault.http_status is not None
    return web.Response(
        status=fault.http_status,
        body=fault.body,
        headers={**fault.headers, "Content-Type": fault.content_type or "application/json"},
    )


async def _truncate(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    if response.prepared or not isinstance(response, web.Response):
        return response  # a streaming handler already honoured TRUNCATING
    body = response.body
    data = body if isinstance(body, bytes) else b""
    if not data:  # nothing to cut: send it whole, then close the connection
        response.force_close()
        return response
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    headers.pop("Content-Type", None)
    return await send_bytes(
        request,
        data,
        response.content_type,
        status=response.status,
        headers=headers,
    )


def _relink(response: web.StreamResponse, url: str) -> web.StreamResponse:
    if response.prepared or not isinstance(response, web.Response):
        return response
    if not isinstance(response.body, bytes) or response.content_type != "application/json":
        return response
    try:
        body = json.loads(response.body)
    except ValueError:
        return response
    if not isinstance(body, dict) or "value" not in body:
        return response
    body["@nextLink"] = url
    return web.Response(
        status=response.status, body=json.dumps(body).encode(), content_type="application/json"
    )


@web.middleware
async def faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply the first matching injected fault, if any."""
    fault = context(request).faults.take(request.method, request.path)
    if fault is None:
        return await handler(request)
    record = CURRENT_RECORD.get()
    if record is not None:
        record.fault = fault.kind
    match fault.kind:
        case "stall":
            await asyncio.sleep(fault.seconds)
            return await handler(request)
        case "truncated_body":
            truncating = TRUNCATING.set(True)
            try:
                return await _truncate(request, await handler(request))
            finally:
                _reset(TRUNCATING, truncating)
        case "foreign_next_link":
            assert fault.url is not None
            return _relink(await handler(request), fault.url)
        case "after_processing":
            assert fault.inner is not None
            response = await handler(request)
            if fault.inner.kind == "stall":
                await asyncio.sleep(fault.inner.seconds)
                return response
            return _replacement(request, fault.inner)
        case _:
            return _replacement(request, fault)


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """``Authorization: Bearer <token>`` (else 401) and ``X-Stack-Id`` (else 400 / 403);
    ``GET /auth`` names its stack by ``X-Stack-Url`` instead, which its route checks."""
    ctx = context(request)
    if request.headers.get("Authorization") != f"Bearer {ctx.token}":
        return error_response(401, "unauthorized", _UNAUTHORIZED)
    if request.path == AUTH_PATH:
        return await handler(request)
    raw = request.headers.get("X-Stack-Id")
    if raw is None:
        return error_response(
            400, "validation_error", "The X-Stack-Id header is required.", target="X-Stack-Id"
        )
    try:
        stack_id = parse_int64(raw, "X-Stack-Id")
    except ApiError as exc:
        return exc.to_response()
    except ConnectionError:  # the sender left while the answer was being written
        return ResetResponse()
    if stack_id != ctx.stack_id:
        return error_response(
            403, "forbidden", "You do not have permission to access this stack.", target=None
        )
    return await handler(request)


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn :class:`ApiError`, aiohttp's HTTP exceptions and crashes into the error JSON.

    A connection the sender closed while the answer was being written answers nothing
    (recorded with no status), rather than a 500 nobody receives.
    """
    try:
        return await handler(request)
    except ApiError as exc:
        return exc.to_response()
    except ConnectionError:  # the sender left while the answer was being written
        return ResetResponse()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = {404: "Resource not found.", 405: "Method not allowed."}.get(
            exc.status, exc.reason
        )
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(exc.status, status_code_name(exc.status), message, headers=headers)
    except Exception as exc:
        logger.exception("fake server handler crashed")
        return error_response(500, "internal_server_error", f"Unexpected error: {exc!r}")


@web.middleware
async def query_rules(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The ``$``-parameter rules of :func:`check_dollar_parameters`, on every route."""
    if request.match_info.http_exception is None:  # an unknown route stays a 404
        check_dollar_parameters(request.query)
    return await handler(request)


MIDDLEWARES: Final = (track, compress, delay, faults, authenticate, api_errors, query_rules)


def _reset(variable: ContextVar[Any], token: Token[Any]) -> None:
    """Reset a context variable, unless the handler is being finalised in another Context
    (abandoned at shutdown, collected later), where that Context is discarded anyway."""
    with contextlib.suppress(ValueError):
        variable.reset(token)
