"""What the app's handlers and middlewares share: one :class:`ServerContext` per fake."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Final, Literal, TypeAlias

from aiohttp import web
from attrs import define

from ._clock import FakeClock
from ._faults import FaultSet
from ._records import RecordedRequest, RequestLog
from ._state import Store

__all__ = [
    "CONTEXT",
    "CURRENT_RECORD",
    "Compression",
    "ServerContext",
    "context",
    "current_record",
]

#: A content coding the fake can compress its responses with.
Compression: TypeAlias = Literal["gzip", "deflate"]


@define
class ServerContext:
    """The configuration and state behind one fake server."""

    token: str
    stack_id: int
    clock: FakeClock
    store: Store
    faults: FaultSet
    log: RequestLog
    page_size_default: int
    latency: float = 0.0
    compression: Compression | None = None
    #: The ``X-Stack-Url`` ``GET /auth`` accepts (compared without a trailing ``/``).
    stack_url: str = "https://fake.grafana.net"


CONTEXT: Final = web.AppKey("k6cloud_fake_context", ServerContext)

#: The :class:`RecordedRequest` of the request being handled. aiohttp handles each
#: request in its own task, so a context variable is per request (and, unlike request
#: storage, needs no ``web.RequestKey``, which older aiohttp versions lack).
CURRENT_RECORD: Final[ContextVar[RecordedRequest | None]] = ContextVar(
    "k6cloud_fake_record", default=None
)


def context(request: web.Request) -> ServerContext:
    """The context of the app serving ``request``."""
    return request.app[CONTEXT]


def current_record() -> RecordedRequest | None:
    """The record of the request being handled (``None`` outside the recording middleware)."""
    return CURRENT_RECORD.get()
