"""``X-Request-Id`` on every response, so that code which logs request ids can be tested.

The id is the one :class:`RequestLog` gave the request's record. A response a handler
returns is stamped by the recording middleware; one the handler streams itself is sent
from inside the handler, so it is stamped as it is prepared, while its record is current.
A fault's own ``X-Request-Id`` header is left alone.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from ._context import current_record
from ._records import RecordedRequest

__all__ = ["REQUEST_ID_HEADER", "stamp", "stamp_streamed"]

REQUEST_ID_HEADER: Final = "X-Request-Id"


def stamp(response: web.StreamResponse, record: RecordedRequest) -> None:
    """Give ``response`` the record's request id, unless it has one or was already sent."""
    if not response.prepared:
        response.headers.setdefault(REQUEST_ID_HEADER, record.request_id)


async def stamp_streamed(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: stamp a response prepared while its request is handled."""
    record = current_record()
    if record is not None:
        response.headers.setdefault(REQUEST_ID_HEADER, record.request_id)
