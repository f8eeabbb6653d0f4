"""The session wrapper: one pooled aiohttp session, the headers, and one call with its retries.

Everything that decides (error mapping, retry policy, URL checks) lives in pure modules; this
one only moves bytes, sleeps between attempts and keeps the connection pool tidy. Its sleep
and clock are injectable, so that tests of waits and deadlines take no real time.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import weakref
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
    redact,
)
from ._retry import (
    Failure,
    Replay,
    RetryBudget,
    RetryPolicy,
    decide_retry,
    may_have_been_processed,
    parse_retry_after,
)
from ._slots import Slots

__all__ = ["CallOptions", "Clock", "RequestBody", "Sleep", "Transport", "is_encoded", "read_body"]

R = TypeVar("R")

logger = logging.getLogger("k6cloud_async")

#: Waits between attempts; reads the time that a call's deadline is measured on.
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

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
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.config = config
        self.budget = RetryBudget(policy)
        self.max_response_bytes = max_response_bytes
        self._session = session
        self._owns_session = session is None
        # On a session of its own, the transport makes the client's headers the session's
        # defaults, which aiohttp copies in one step rather than merging them name by name
        # into every request. A caller's session gets them on every request (it may be
        # used for other hosts: its defaults are not touched), and so does every request
        # once the headers have changed (the stack id, resolved from the stack URL).
        self._session_headers: Mapping[str, str] | None = None
        self._max_connections = max_connections
        self._ssl = ssl
        self._proxy = proxy
        self._trust_env = trust_env
        self._trace_configs = trace_configs
        self._closed = False
        self._rng = random.Random()
        self._sleep = sleep
        self._clock = clock
        # The pool's slots, taken before a request is handed to aiohttp, so that waiting
        # for a free connection counts against no aiohttp timeout (``connect`` and
        # ``total`` both include aiohttp's own pool wait). A caller's session keeps its own.
        self._slots = Slots(max_connections) if session is None else None
        # Calls in flight (task -> its cancel count on entry), the ones close() cancelled,
        # and streamed responses still open: close() breaks all of them.
        self._in_flight: dict[asyncio.Task[Any], int] = {}
        self._cancelled_by_close: set[asyncio.Task[Any]] = set()
        self._streams: weakref.WeakSet[aiohttp.ClientResponse] = weakref.WeakSet()
        # Whether the session decodes compressed bodies (a caller's may not).
        self._decodes = session.auto_decompress if session is not None else True
        self._origin = config.base_url.origin()  # the only origin the token goes to
        self._origin_parts = (self._origin.scheme, self._origin.raw_authority)

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
            self._session_headers = self.config.headers  # built once per client, never mutated
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=self._trust_env,
                trace_configs=self._trace_configs,
                headers=self.config.headers,
                # Cookies are not part of this API; never keep or replay them.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return session

    async def close(self) -> None:
        """Close the session if this transport opened it (idempotent).

        Every call still in flight (waiting for a connection, sending, reading, or waiting
        to retry) and every script download still being read fails at once with a
        ``TransportError`` saying the client was closed, whether or not the session is ours.
        """
        if self._closed:
            return
        self._closed = True
        self._break_in_flight()
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def _break_in_flight(self) -> None:
        current = asyncio.current_task()
        for task in list(self._in_flight):
            if task is not current and not task.done():
                self._cancelled_by_close.add(task)
                task.cancel()
        for response in list(self._streams):
            if not response.closed:
                # A reader waiting on the body wakes with this error; close() keeps it.
                response.content.set_exception(
                    TransportError(
                        f"{response.method} {_display(response.url)}: the client was closed "
                        "while the body was being read"
                    )
                )
                response.close()
        self._streams.clear()

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
        # The token only ever goes to the base URL's origin. Most URLs match its scheme and
        # authority as written, which is cheaper to compare than the origins themselves.
        if (url.scheme, url.raw_authority) != self._origin_parts and url.origin() != self._origin:
            raise ResponseDecodeError(
                f"refusing to send the API token to {url.origin()}, which is not the "
                f"base URL's origin {self.config.base_url.origin()}"
            )
        session = self._session
        if session is None or self._closed:
            session = self.session()
        if not self._decodes:
            # The session would hand over compressed bytes as they came: ask for none.
            headers = {**(headers or {}), "Accept-Encoding": "identity"}
        request_headers = (
            None  # the session's defaults are the client's headers
            if headers is None
            and idempotency_key is None
            and self.config.headers is self._session_headers
            else self._headers(headers, idempotency_key)
        )
        policy = options.policy
        deadline = None if policy.deadline is None else self._clock() + policy.deadline
        attempt = 0
        maybe_processed = False  # by an earlier attempt of this call
        slots = self._slots
        task = asyncio.current_task()
        if task is not None:
            self._in_flight[task] = task.cancelling()
        try:
            while True:
                attempt += 1
                held: Slots | None = None  # the pool whose slot this attempt holds
                try:
                    # Each attempt first takes a slot in the pool, for as long as it takes
                    # (or until the call's deadline): its timeout starts once it holds one.
                    if slots is not None:
                        if not slots.take_now():
                            await self._take_slot(slots, deadline, method, url)
                        held = slots
                    error, processed, after_timeout, retry_after = await self._attempt(
                        session,
                        method,
                        url,
                        handler,
                        body,
                        request_headers,
                        options,
                        deadline,
                        attempt,
                    )
                except K6CloudError as failure:  # no slot in time, or the handler refused
                    self._finish(failure, attempt, idempotency_key, maybe_processed)
                    raise
                finally:
                    if held is not None:
                        held.give_back()
                if error is None:
                    self.budget.refund()
                    result: R = processed
                    return result
                decision = decide_retry(
                    _failure(error, processed is not _NOT_SENT_MARK, after_timeout, retry_after),
                    attempt=attempt,
                    max_retries=options.max_retries,
                    replay=replay,
                    policy=policy,
                    budget=self.budget,
                    not_replayable=_why_not_replayable(body),
                    now=self._clock(),
                    deadline=deadline,
                    rng=self._rng,
                )
                wait = decision.wait
                if wait is None:
                    if decision.reason is not None:
                        error.hint = decision.reason
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
                await self._sleep(wait)
        except asyncio.CancelledError:
            if not self._was_cancelled_by_close(task):
                raise
            closed = TransportError(
                f"{method} {_display(url)}: the client was closed while the call was in flight"
            )
            self._finish(closed, attempt, idempotency_key, maybe_processed)
            raise closed from None
        finally:
            if task is not None:
                self._in_flight.pop(task, None)
                self._cancelled_by_close.discard(task)

    def _was_cancelled_by_close(self, task: asyncio.Task[Any] | None) -> bool:
        """Whether close() alone cancelled ``task`` (a cancel from its caller still wins)."""
        if task is None or task not in self._cancelled_by_close:
            return False
        return task.uncancel() <= self._in_flight.get(task, 0)

    async def _take_slot(self, slots: Slots, deadline: float | None, method: str, url: URL) -> None:
        """A slot of a full pool, waited for until the call's deadline (if it has one)."""
        if deadline is None:
            await slots.take()
            return
        try:
            await asyncio.wait_for(slots.take(), max(0.0, deadline - self._clock()))
        except TimeoutError:
            # Raised, not returned: a retry would only queue again, so it spends no budget.
            raise RequestTimeoutError(
                f"{method} {_display(url)}: the call's deadline passed while it waited for "
                "a free connection in the client's pool"
            ) from None

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        handler: Callable[[aiohttp.ClientResponse], Awaitable[R]],
        body: RequestBody | bytes | None,
        headers: Mapping[str, str] | None,
        options: CallOptions,
        deadline: float | None,
        attempt: int,
    ) -> tuple[K6CloudError | None, Any, bool, float | None]:
        began = time.monotonic()
        timeout = _bounded(options.timeout, deadline, self._clock)
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
            if logger.isEnabledFor(logging.DEBUG):
                _log_attempt(method, url, type(exc).__name__, attempt, began)
            not_sent = isinstance(exc, aiohttp.ConnectionTimeoutError)
            return (
                _transport_error(RequestTimeoutError, method, url, exc),
                _NOT_SENT_MARK if not_sent else None,
                True,
                None,
            )
        except aiohttp.ClientError as exc:
            if logger.isEnabledFor(logging.DEBUG):
                _log_attempt(method, url, type(exc).__name__, attempt, began)
            marker = _NOT_SENT_MARK if isinstance(exc, _NOT_SENT) else None
            return _transport_error(TransportError, method, url, exc), marker, False, None

        status = response.status
        if logger.isEnabledFor(logging.DEBUG):
            _log_attempt(method, url, status, attempt, began)
        if not self._decodes and is_encoded(response):
            response.close()
            raise ResponseDecodeError(
                f"{method} {_display(url)}: the response is "
                f"{response.headers.get('Content-Encoding')}-encoded although identity was "
                "asked for, and the session does not decode it (auto_decompress=False)",
                request_id=_request_id(response),
            )
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
                request_id=_request_id(response),
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
            exc.request_id = exc.request_id or _request_id(response)
            exc.attempts = attempt
            raise
        except BaseException:
            response.close()
            raise
        if result is response:  # kept open for streaming: close() must be able to break it
            self._streams.add(response)
        return None, result, False, None

    def _headers(
        self, extra: Mapping[str, str] | None, idempotency_key: str | None
    ) -> Mapping[str, str] | None:
        base = self.config.headers
        own = base is self._session_headers  # already the session's defaults
        if not extra and idempotency_key is None:
            return None if own else base
        headers: CIMultiDict[str] = CIMultiDict() if own else CIMultiDict(base)
        if extra:
            headers.update(extra)
        if idempotency_key is not None:
            headers["K6-Idempotency-Key"] = idempotency_key
        return headers

    def _finish(
        self,
        error: K6CloudError,
        attempts: int,
        idempotency_key: str | None,
        maybe_processed: bool,
    ) -> None:
        error.attempts = attempts
        error.maybe_processed_earlier = maybe_processed
        if idempotency_key is not None:
            error.idempotency_key = idempotency_key
        self.redact(error)

    def redact(self, error: K6CloudError) -> None:
        """Blank the token out of ``error`` (in place): a server or proxy may echo the
        Authorization header back in a body, a header or a link."""
        redact(error, self.config.token.reveal())


_NOT_SENT_MARK: Any = object()


def is_encoded(response: aiohttp.ClientResponse) -> bool:
    """Whether the body came with a content coding (gzip, deflate…): its Content-Length
    then counts the encoded bytes, not the bytes the reader gets."""
    coding = response.headers.get("Content-Encoding", "")
    return coding.strip().lower() not in ("", "identity")


async def read_body(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The whole (decoded) body, refusing one larger than ``limit`` bytes.

    An announced Content-Length over the limit is refused before reading. A compressed body
    is capped as it is decoded: a few kilobytes of gzip can expand to gigabytes.
    """
    encoded = is_encoded(response)
    length = None if encoded else response.content_length
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
            raise ResponseDecodeError(
                f"response body exceeds the limit of {limit} bytes"
                + (" once decoded" if encoded else "")
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _failure(
    error: K6CloudError, sent: bool, after_timeout: bool, retry_after: float | None
) -> Failure:
    """The facts of a failed attempt that the retry decision reads."""
    if isinstance(error, APIError):
        return Failure(status=error.status, retry_after=retry_after, sent=sent)
    return Failure(
        sent=sent,
        after_timeout=after_timeout,
        permanent=not isinstance(error, TransportError) or isinstance(error.__cause__, _PERMANENT),
    )


def _why_not_replayable(body: RequestBody | bytes | None) -> str | None:
    if body is None or isinstance(body, bytes) or body.replayable:
        return None
    return body.why_not_replayable


def _bounded(
    timeout: aiohttp.ClientTimeout, deadline: float | None, clock: Clock
) -> aiohttp.ClientTimeout:
    if deadline is None:
        return timeout
    remaining = max(0.001, deadline - clock())
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
    """The debug line of one attempt (callers check the level first: it is on every call)."""
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
