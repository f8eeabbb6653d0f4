"""The record of the requests the fake served, and how many it served at once."""

from __future__ import annotations

from typing import Any

from attrs import define, field
from multidict import CIMultiDict

__all__ = ["RecordedRequest", "RequestLog"]


@define
class RecordedRequest:
    """One request the fake received, in arrival order.

    ``status`` is ``None`` while the request is being handled, and stays ``None``
    when no response was sent (a ``reset`` fault, or a connection dropped by the
    client or by :meth:`FakeK6Cloud.close`). A truncated response keeps the status
    its headers carried.
    """

    method: str
    path: str
    query: dict[str, str]
    #: A case-insensitive copy of the request headers.
    headers: CIMultiDict[str]
    #: The declared ``Content-Length``, else the bytes received while handling.
    body_size: int = 0
    status: int | None = None
    #: The decoded JSON body, for the endpoints that take JSON (``None`` otherwise).
    json: Any = None
    #: The kind of the fault applied to this request, if any (``"status"``, ``"reset"``, …).
    fault: str | None = None
    #: Whether handling has finished (with or without a response).
    done: bool = False
    #: The ``X-Request-Id`` the response carries (unless a fault's own headers set one).
    request_id: str = ""


@define
class RequestLog:
    """Requests in arrival order, plus a concurrency gauge.

    ``in_flight`` counts requests whose handling (including injected stalls and
    latency) has started but not finished; ``max_in_flight`` is its high-water mark.
    """

    records: list[RecordedRequest] = field(factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    #: Request ids issued so far; not restarted by :meth:`reset`, so ids stay unique.
    issued: int = 0

    def begin(self, record: RecordedRequest) -> None:
        """Note that ``record``'s handling started, and give it the next request id."""
        self.issued += 1
        record.request_id = f"fake-{self.issued:06d}"
        self.records.append(record)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def end(self, record: RecordedRequest, status: int | None, body_size: int) -> None:
        """Note that ``record``'s handling ended with ``status`` (``None``: no response)."""
        self.in_flight -= 1
        record.status = status
        record.body_size = body_size
        record.done = True

    def reset(self) -> None:
        """Forget the records and restart ``max_in_flight`` from the requests in flight now
        (request ids keep counting)."""
        self.records.clear()
        self.max_in_flight = self.in_flight
