"""Response handlers: read a successful response and turn it into the call's result."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import aiohttp
from yarl import URL

from . import _json
from ._converter import decode, decode_list, decode_page, wire_decoder, wire_page_decoder
from ._errors import ResponseDecodeError
from ._models import Page
from ._pagination import check_next_link
from ._transport import read_body

__all__ = ["JsonList", "JsonModel", "JsonPage", "NoContent"]

T = TypeVar("T")


async def _read(response: aiohttp.ClientResponse, limit: int) -> bytes:
    try:
        return await read_body(response, limit)
    finally:
        response.release()


def _parse(body: bytes) -> object:
    try:
        return _json.loads(body)
    except ValueError as exc:
        preview = body[:80].decode("utf-8", "replace")
        raise ResponseDecodeError(f"the response is not JSON ({exc}): {preview!r}") from None


async def _read_json(response: aiohttp.ClientResponse, limit: int) -> object:
    return _parse(await _read(response, limit))


class JsonModel(Generic[T]):
    """Decodes a JSON body into one model: with msgspec when it is installed, and from the
    parsed JSON when it is not or when msgspec's path gives up (its result or error is then
    the call's)."""

    __slots__ = ("_cls", "_limit", "_wire")

    def __init__(self, cls: type[T], limit: int) -> None:
        self._cls = cls
        self._limit = limit
        self._wire = wire_decoder(cls)

    async def __call__(self, response: aiohttp.ClientResponse) -> T:
        try:  # _read(), inline: one coroutine less on every call
            body = await read_body(response, self._limit)
        finally:
            response.release()
        return self.decode(body)

    def decode(self, body: bytes) -> T:
        """The model in ``body``; ResponseDecodeError when it is not JSON or does not fit."""
        if self._wire is not None:
            try:
                return self._wire(body)
            except Exception:  # decoded again below, which gives the result or says why
                pass
        return decode(_parse(body), self._cls)


class JsonList(Generic[T]):
    """Decodes a list of models: a bare JSON array, or one wrapped as ``{"value": [...]}``."""

    __slots__ = ("_cls", "_limit")

    def __init__(self, cls: type[T], limit: int) -> None:
        self._cls = cls
        self._limit = limit

    async def __call__(self, response: aiohttp.ClientResponse) -> list[T]:
        return decode_list(await _read_json(response, self._limit), self._cls)


class JsonPage(Generic[T]):
    """Decodes a listing body into a ``Page``, whose ``next_link`` is checked and absolute.

    The link is checked here, against the URL of the page it came from and the links of
    the listing's earlier pages, so that a link the token must not follow (or one that
    would loop) fails as the call that brought it: the transport redacts the token from
    that error like from any other. A relative link is resolved against the page's URL
    and kept absolute, so it can resume a listing later.
    """

    __slots__ = ("_cls", "_limit", "_wire")

    def __init__(self, cls: type[T], limit: int) -> None:
        self._cls = cls
        self._limit = limit
        self._wire = wire_page_decoder(cls)

    async def __call__(self, response: aiohttp.ClientResponse) -> Page[T]:
        page, _ = await self.read(response, set())
        return page

    def decode(self, body: bytes) -> Page[T]:
        """The page in ``body`` (its ``next_link`` as sent); ResponseDecodeError when it is
        not JSON or does not fit."""
        if self._wire is not None:
            try:
                return self._wire(body)
            except Exception:  # decoded again below, which gives the result or says why
                pass
        # The body was parsed for this call alone: its items can become the models in place.
        return decode_page(_parse(body), self._cls, reuse_body=True)

    def following(
        self, seen: set[str]
    ) -> Callable[[aiohttp.ClientResponse], Awaitable[tuple[Page[T], URL | None]]]:
        """The handler of the pages of one listing: a page and the URL of the next one,
        refused when an earlier page of the listing (``seen``, updated) linked to it."""

        async def read(response: aiohttp.ClientResponse) -> tuple[Page[T], URL | None]:
            return await self.read(response, seen)

        return read

    async def read(
        self, response: aiohttp.ClientResponse, seen: set[str]
    ) -> tuple[Page[T], URL | None]:
        page = self.decode(await _read(response, self._limit))
        if page.next_link is None:
            return page, None
        url = check_next_link(page, response.url, seen, page_url=response.url)
        if url is not None and not URL(page.next_link).is_absolute():
            page.next_link = str(url)
        return page, url


class NoContent:
    """Drains a 204 (or any bodiless success) so that its connection goes back to the pool."""

    __slots__ = ("_limit",)

    def __init__(self, limit: int) -> None:
        self._limit = limit

    async def __call__(self, response: aiohttp.ClientResponse) -> None:
        try:
            await read_body(response, self._limit)
        finally:
            response.release()
