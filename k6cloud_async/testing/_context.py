"""What the app's handlers and middlewares share: one :class:`ServerContext` per fake."""

from __future__ import annotations

from typing import Final

from aiohttp import web
from attrs import define

from ._clock import FakeClock
from ._faults import FaultSet
from ._records import RecordedRequest, RequestLog
from ._state import Store

__all__ = ["CONTEXT", "RECORD", "ServerContext", "context", "record_of"]


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


CONTEXT: Final = web.AppKey("k6cloud_fake_context", ServerContext)

#: The request's :class:`RecordedRequest`, under this key of the ``web.Request``.
RECORD: Final = "k6cloud_fake.record"


def context(request: web.Request) -> ServerContext:
    """The context of the app serving ``request``."""
    return request.app[CONTEXT]


def record_of(request: web.Request) -> RecordedRequest | None:
    """The request's record (``None`` outside the recording middleware)."""
    record = request.get(RECORD)
    return record if isinstance(record, RecordedRequest) else None
