"""The exception hierarchy, and the pure function that turns an error response into one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from attrs import evolve

from . import _json
from ._models import ErrorDetail, TestRun

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "K6CloudError",
    "NotAcceptableError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "ServerError",
    "TransportError",
    "WaitTimeoutError",
    "api_error_from_response",
    "redact",
]

# How much of a non-JSON error body (an HTML page from a proxy, say) becomes the message.
_MESSAGE_PREVIEW = 200

#: What a secret is replaced with in an error.
REDACTED: Final = "***"
# A shorter "token" is no secret, and blanking every "t" in a message would help nobody.
_MIN_SECRET_LENGTH: Final = 8


class K6CloudError(Exception):
    """Base of every error this library raises.

    ``attempts`` counts the requests the call made (0 when it failed before sending);
    ``request_id`` is the response's request-id header, when there was one.
    """

    attempts: int
    request_id: str | None

    def __init__(self, message: str, *, attempts: int = 0, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.attempts = attempts
        self.request_id = request_id
        self.idempotency_key: str | None = None
        #: Why the call gave up where a user might expect a retry, when that applies.
        self.hint: str | None = None
        #: Whether an earlier attempt of the call was sent and may have taken effect (its
        #: response was lost, or was an error other than 429) before this error.
        self.maybe_processed_earlier = False

    def __str__(self) -> str:
        text = self._describe()
        return f"{text} ({self.hint})" if self.hint else text

    def _describe(self) -> str:
        return self.message


class ConfigurationError(K6CloudError):
    """The client cannot be configured as asked: a missing token, a bad base URL…"""


class APIError(K6CloudError):
    """The API answered with an error status.

    ``code``, ``message``, ``target`` and ``details`` come from the API's error JSON; when the
    body is not that JSON, ``code`` is ``None`` and ``message`` is the start of the body.
    """

    def __init__(
        self,
        *,
        status: int,
        method: str,
        url: str,
        code: str | None,
        message: str,
        target: str | None = None,
        details: list[ErrorDetail] | None = None,
        attempts: int = 0,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.code = code
        self.target = target
        self.details = details
        super().__init__(message, attempts=attempts, request_id=request_id)

    def _describe(self) -> str:
        head = f"{self.status} {self.code}" if self.code else str(self.status)
        text = f"{head}: {self.message}"
        if self.target:
            text += f" (target: {self.target})"
        return f"{text} [{self.method} {self.url}]"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, code={self.code!r}, "
            f"message={self.message!r}, method={self.method!r}, url={self.url!r})"
        )


class BadRequestError(APIError):
    """400: the request did not pass the API's validation."""


class AuthenticationError(APIError):
    """401: the token is invalid or missing."""


class PermissionDeniedError(APIError):
    """403: the token may not act on this stack or resource."""


class NotFoundError(APIError):
    """404: no such test, project or run (in this stack)."""


class NotAcceptableError(APIError):
    """406: the stored script cannot be sent in the media type the ``Accept`` asked for."""


class ConflictError(APIError):
    """409: a name already taken, or a test that is still running."""


class RateLimitError(APIError):
    """429: too many requests. ``retry_after`` is the wait the API asked for, in seconds."""

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx: the API failed to handle the request."""


class TransportError(K6CloudError):
    """The request or response did not make it: refused, reset, DNS, closed mid-body."""


class RequestTimeoutError(TransportError):
    """The call ran out of time (connect, read or total timeout)."""


class ResponseDecodeError(K6CloudError):
    """A body that is not what the API promises: bad JSON, a missing field, a wrong type, or
    a ``@nextLink`` that repeats, points to another origin or follows an empty page.

    ``field`` is the JSON path of the offending value when one can be named.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        attempts: int = 0,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, attempts=attempts, request_id=request_id)
        self.field = field


class WaitTimeoutError(K6CloudError, TimeoutError):
    """``test_runs.wait`` ran out of time before the run finished.

    Also a builtin ``TimeoutError``. ``run`` is the last state of the run seen (``None`` when
    no answer came in time), ``timeout`` the seconds waited, ``attempts`` the polls sent (the
    last one possibly cut off by the timeout).
    """

    def __init__(
        self, message: str, *, run: TestRun | None, timeout: float, attempts: int = 0
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.run = run
        self.timeout = timeout


_STATUS_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    406: NotAcceptableError,
    409: ConflictError,
    429: RateLimitError,
}


def error_class_for(status: int) -> type[APIError]:
    """The most specific ``APIError`` subclass for an HTTP status."""
    if status >= 500:
        return ServerError
    return _STATUS_CLASSES.get(status, APIError)


def api_error_from_response(
    *,
    status: int,
    body: bytes,
    method: str,
    url: str,
    request_id: str | None = None,
    retry_after: float | None = None,
    attempts: int = 0,
) -> APIError:
    """Build the exception for an error response from its status and body.

    The API's error JSON (``{"error": {"code", "message", "target", "details"}}``) fills the
    fields; any other body (HTML from a proxy, plain text, nothing) still gives the right class
    and status, with the start of the body as the message.
    """
    code: str | None = None
    target: str | None = None
    details: list[ErrorDetail] | None = None
    message = ""
    parsed = _parse_error_json(body)
    if parsed is not None:
        code = _opt_str(parsed.get("code"))
        message = _opt_str(parsed.get("message")) or ""
        target = _opt_str(parsed.get("target"))
        details = _details(parsed.get("details"))
    if not message:
        message = _preview(body) or _reason(status)
    cls = error_class_for(status)
    kwargs: dict[str, Any] = {
        "status": status,
        "method": method,
        "url": url,
        "code": code,
        "message": message,
        "target": target,
        "details": details,
        "attempts": attempts,
        "request_id": request_id,
    }
    if cls is RateLimitError:
        kwargs["retry_after"] = retry_after
    return cls(**kwargs)


def _parse_error_json(body: bytes) -> Mapping[str, Any] | None:
    try:
        data = _json.loads(body)
    except ValueError:  # not JSON, not UTF-8, or nested too deeply to parse
        return None
    if isinstance(data, Mapping):
        error = data.get("error")
        if isinstance(error, Mapping):
            return error
    return None


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _details(value: object) -> list[ErrorDetail] | None:
    if not isinstance(value, list):
        return None
    details = []
    for item in value:
        if isinstance(item, Mapping):
            details.append(
                ErrorDetail(
                    code=_opt_str(item.get("code")) or "",
                    message=_opt_str(item.get("message")) or "",
                    target=_opt_str(item.get("target")),
                )
            )
    return details


def _preview(body: bytes) -> str:
    text = body[: _MESSAGE_PREVIEW * 4].decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:_MESSAGE_PREVIEW]


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def redact(error: K6CloudError, secret: str) -> None:
    """Replace ``secret`` with ``***`` everywhere ``error`` could show it, in place.

    That is its message and ``args``, every text attribute (``target``, ``url``, ``hint``,
    ``request_id``…), its ``details`` and its notes. An error it was raised from, or raised
    while handling, whose text holds the secret (a JSON error quoting the body) is dropped
    from the chain; what the message needs of it is already there, redacted.
    """
    if len(secret) < _MIN_SECRET_LENGTH:
        return
    for name, value in list(vars(error).items()):
        cleaned = _redacted(value, secret)
        if cleaned is not value:
            setattr(error, name, cleaned)
    error.args = tuple(_redacted(arg, secret) for arg in error.args)
    if error.__cause__ is not None and _shows(error.__cause__, secret):
        error.__cause__ = None
        error.__suppress_context__ = True
    # A suppressed context is hidden from tracebacks, not from code that reads it.
    if error.__context__ is not None and _shows(error.__context__, secret):
        error.__context__ = None
        error.__suppress_context__ = True


def _redacted(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, REDACTED) if secret in value else value
    if isinstance(value, ErrorDetail):
        return evolve(
            value,
            code=_redacted(value.code, secret),
            message=_redacted(value.message, secret),
            target=_redacted(value.target, secret),
        )
    if isinstance(value, list):
        return [_redacted(item, secret) for item in value]
    return value


def _shows(error: BaseException, secret: str) -> bool:
    """Whether the text of ``error`` or of an error behind it holds ``secret``."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts = [str(current), repr(current)] + [repr(v) for v in vars(current).values()]
        if any(secret in text for text in texts):
            return True
        current = current.__cause__ or current.__context__
    return False
