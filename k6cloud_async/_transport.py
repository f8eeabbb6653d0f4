"""The session wrapper: one pooled aiohttp session, the headers, and one call with its retries.

Everything that decides (error mapping, retry policy, URL checks) lives in pure modules; this
one only moves bytes, sleeps between attempts and keeps the connection pool tidy.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

import aiohttp
from attrs import define
from multidict import CIMultiDict
from yarl import URL

from ._config import ClientConfig
from ._constants import DEFAULT_MAX_RESPONSE_BYTES, REQUEST_ID_HEADERS
from ._errors import (
    APIError,
    K6CloudError,
    RequestTimeoutError,
    ResponseDecodeError,
    TransportError,
    api_error_from_response,
)
from ._retry import (
    RETRYABLE_STATUSES,
    Replay,
    RetryBudget,
    RetryPolicy,
    may_have_been_processed,
    parse_retry_after,
)

__all__ = ["CallOptions", "RequestBody", "Transport", "read_body"]

R = TypeVar("R")

logger = logging.getLogger("k6cloud_async")

# Errors raised before a request reached the server: safe to retry even for ``create``.
_NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
# Errors that no retry can fix.
_PERMANENT = (
    aiohttp.ClientConnectorCertificateError,
    aiohttp.ClientSSLError,
    aiohttp.InvalidURL,
)


class RequestBody(Protocol):
    """A request body that can make a fresh payload for each attempt, if it is replayable."""

    @property
    def replayable(self) -> bool: ...

    @property
    def why_not_replayable(self) -> str: ...

    def payload(self) -> Any: ...


@define(frozen=True)
class CallOptions:
    """Per-call settings, resolved from the client's defaults and the call's keywords."""

    timeout: aiohttp.ClientTimeout
    max_retries: int
    policy: RetryPolicy


class Transport:
    """Owns (or borrows) the aiohttp session that every call of a client goes through."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        policy: RetryPolicy,
        max_connections: int,
        session: aiohttp.ClientSession | None,
        ssl: Any,
        proxy: str | URL | None,
        trust_env: bool,
        trace_configs: list[aiohttp.TraceConfig] | None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.config = config
        self.budget = RetryBudget(policy)
        self.max_response_bytes = max_response_bytes
        self._session = session
        self._owns_session = session is None
        self._max_connections = max_connections
        self._ssl = ssl
        self._proxy = proxy
        self._trust_env = trust_env
        self._trace_configs = trace_configs
        self._closed = False
        self._rng = random.Random()

    @property
    def closed(self) -> bool:
        return self._closed

    def session(self) -> aiohttp.ClientSession:
        """The pooled session, created on first use (inside the running event loop)."""
        if self._closed:
            raise RuntimeError("this K6CloudClient is closed")
        session = self._session
        if session is None:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, ssl=self._ssl if self._ssl is not None else True
            )
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=self._trust_env,
                trace_configs=self._trace_configs,
                # Cookies are not part of this API; never keep or replay them.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return session

    async def close(self) -> None:
        """Close the session if this transport opened it (idempotent)."""
        if self._closed:
            return
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    async def call(
        self,
        method: str,
        url: URL,
        handler: Callable[[aiohttp.ClientResponse], Awaitable[R]],
        *,
        options: CallOptions,
        replay: Replay = Replay.IDEMPOTENT,
        body: RequestBody | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> R:
        """Send one API call, retrying as the operation allows, and hand the response over.

        ``handler`` reads a successful response (or keeps it open, for streaming) and returns
        the result. Error statuses become ``APIError``s, transport failures
        ``TransportError``s; both carry ``attempts`` and, for ``start``, the idempotency key.
        """
        if not self.config.same_origin(url):
            # The token only ever goes to the base URL's origin.
            raise ResponseDecodeError(
                f"refusing to send the API token to {url.origin()}, which is not the "
                f"base URL's origin {self.config.base_url.origin()}"
            )
        session = self.session()
        request_headers = self._headers(headers, idempotency_key)
        policy = options.policy
        started = time.monotonic()
        deadline = None if policy.deadline is None else started + policy.deadline
        attempt = 0
        maybe_processed = False  # by an earlier attempt of this call
        while True:
            attempt += 1
            try:
                error, processed, after_timeout, retry_after = await self._attempt_once(
                    session, method, url, handler, body, request_headers, options, deadline, attempt
                )
            except K6CloudError as failure:  # the handler refused a successful response
                self._finish(failure, attempt, idempotency_key, maybe_processed)
                raise
            if error is None:
                self.budget.refund()
                result: R = processed
                return result
            wait = self._retry_wait(
                error,
                attempt=attempt,
                options=options,
                replay=replay,
                body=body,
                sent=processed is not _NOT_SENT_MARK,
                after_timeout=after_timeout,
                retry_after=retry_after,
                deadline=deadline,
            )
            if wait is None:
                self._finish(error, attempt, idempotency_key, maybe_processed)
                raise error
            maybe_processed = maybe_processed or may_have_been_processed(
                sent=processed is not _NOT_SENT_MARK,
                status=error.status if isinstance(error, APIError) else None,
            )
            logger.info(
                "retrying %s %s in %.2fs after %s (attempt %d of %d)",
                method,
                _display(url),
                wait,
                _reason(error),
                attempt,
                options.max_retries + 1,
            )
            await asyncio.sleep(wait)

    async def _attempt_once(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        handler: Callable[[aiohttp.ClientResponse], Awaitable[R]],
        body: RequestBody | bytes | None,
        headers: Mapping[str, str],
        options: CallOptions,
        deadline: float | None,
        attempt: int,
    ) -> tuple[K6CloudError | None, Any, bool, float | None]:
        """One request. Returns (error, result or sent-marker, after_timeout, retry_after)."""
        began = time.monotonic()
        timeout = _bounded(options.timeout, deadline)
        data = body.payload() if body is not None and not isinstance(body, bytes) else body
        try:
            response = await session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,  # never carry the token through a redirect
                proxy=self._proxy,
            )
        except TimeoutError as exc:
            _log_attempt(method, url, type(exc).__name__, attempt, began)
            not_sent = isinstance(exc, aiohttp.ConnectionTimeoutError)
            return (
                _transport_error(RequestTimeoutError, method, url, exc),
                _NOT_SENT_MARK if not_sent else None,
                True,
                None,
            )
        except aiohttp.ClientError as exc:
            _log_attempt(method, url, type(exc).__name__, attempt, began)
            marker = _NOT_SENT_MARK if isinstance(exc, _NOT_SENT) else None
            return _transport_error(TransportError, method, url, exc), marker, False, None

        status = response.status
        request_id = _request_id(response)
        _log_attempt(method, url, status, attempt, began)
        if status >= 300:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            try:
                error_body = await read_body(response, self.max_response_bytes)
            except K6CloudError:
                error_body = b""
            except (aiohttp.ClientError, TimeoutError):
                error_body = b""
            finally:
                response.release()
            error = api_error_from_response(
                status=status,
                body=error_body,
                method=method,
                url=_display(url),
                request_id=request_id,
                retry_after=retry_after,
            )
            return error, None, False, retry_after
        try:
            result = await handler(response)
        except TimeoutError as exc:
            response.close()
            return _transport_error(RequestTimeoutError, method, url, exc), None, True, None
        except aiohttp.ClientError as exc:
            response.close()
            return _transport_error(TransportError, method, url, exc), None, False, None
        except K6CloudError as exc:
            response.close()
            exc.request_id = exc.request_id or request_id
            exc.attempts = attempt
            raise
        except BaseException:
            response.close()
            raise
        return None, result, False, None

    def _retry_wait(
        self,
        error: K6CloudError,
        *,
        attempt: int,
        options: CallOptions,
        replay: Replay,
        body: RequestBody | bytes | None,
        sent: bool,
        after_timeout: bool,
        retry_after: float | None,
        deadline: float | None,
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to raise ``error`` now."""
        policy = options.policy
        if isinstance(error, APIError):
            if error.status not in RETRYABLE_STATUSES:
                return None
            if retry_after is not None and retry_after > policy.max_retry_after:
                _add_note(
                    error,
                    f"not retried: the API asked to wait {retry_after:g}s, more than "
                    f"RetryPolicy.max_retry_after ({policy.max_retry_after:g}s)",
                )
                return None
        elif isinstance(error, TransportError):
            if isinstance(error.__cause__, _PERMANENT):
                return None
        else:
            return None
        if attempt > options.max_retries:
            return None
        if replay is Replay.UNPROCESSED_ONLY:
            status = error.status if isinstance(error, APIError) else None
            if may_have_been_processed(sent=sent, status=status):
                _add_note(
                    error,
                    "not retried: the request may have been processed, so the test may "
                    "exist; look it up by name before creating it again",
                )
                return None
        if body is not None and not isinstance(body, bytes) and not body.replayable:
            _add_note(error, f"not retried: {body.why_not_replayable}")
            return None
        if not self.budget.try_acquire(after_timeout=after_timeout):
            _add_note(error, "not retried: the client's retry budget is spent")
            return None
        wait = policy.backoff(attempt, self._rng)
        if retry_after is not None:
            wait = max(wait, retry_after)
        if deadline is not None and time.monotonic() + wait >= deadline:
            _add_note(error, "not retried: the call's deadline would pass")
            return None
        return wait

    def _headers(
        self, extra: Mapping[str, str] | None, idempotency_key: str | None
    ) -> Mapping[str, str]:
        if not extra and idempotency_key is None:
            return self.config.headers  # built once per client, never mutated
        headers = CIMultiDict(self.config.headers)
        if extra:
            headers.update(extra)
        if idempotency_key is not None:
            headers["K6-Idempotency-Key"] = idempotency_key
        return headers

    @staticmethod
    def _finish(
        error: K6CloudError, attempts: int, idempotency_key: str | None, maybe_processed: bool
    ) -> None:
        error.attempts = attempts
        error.maybe_processed_earlier = maybe_processed
        if idempotency_key is not None:
            error.idempotency_key = idempotency_key


_NOT_SENT_MARK: Any = object()


async def read_body(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The whole body, refusing one larger than ``limit`` bytes before buffering it."""
    length = response.content_length
    if length is not None and length > limit:
        raise ResponseDecodeError(
            f"response body of {length} bytes exceeds the limit of {limit} bytes"
        )
    if length is not None:
        return await response.content.readexactly(length) if length else b""
    chunks = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise ResponseDecodeError(f"response body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _bounded(timeout: aiohttp.ClientTimeout, deadline: float | None) -> aiohttp.ClientTimeout:
    if deadline is None:
        return timeout
    remaining = max(0.001, deadline - time.monotonic())
    total = remaining if timeout.total is None else min(timeout.total, remaining)
    return aiohttp.ClientTimeout(
        total=total,
        connect=timeout.connect,
        sock_read=timeout.sock_read,
        sock_connect=timeout.sock_connect,
    )


def _transport_error(
    cls: type[TransportError], method: str, url: URL, exc: BaseException
) -> TransportError:
    detail = str(exc) or type(exc).__name__
    if cls is RequestTimeoutError:
        detail = f"timed out ({type(exc).__name__})" if not str(exc) else f"timed out: {exc}"
    error = cls(f"{method} {_display(url)}: {detail}")
    error.__cause__ = exc
    return error


def _log_attempt(method: str, url: URL, outcome: object, attempt: int, began: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %s (attempt %d, %.1f ms)",
            method,
            _display(url),
            outcome,
            attempt,
            (time.monotonic() - began) * 1000,
        )


def _request_id(response: aiohttp.ClientResponse) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value:
            return value
    return None


def _display(url: URL) -> str:
    return str(url.with_user(None).with_password(None))


def _reason(error: K6CloudError) -> str:
    if isinstance(error, APIError):
        return f"status {error.status}"
    return type(error.__cause__ or error).__name__


def _add_note(error: K6CloudError, note: str) -> None:
    error.hint = note
