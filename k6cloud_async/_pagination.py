"""Listings: follow ``@nextLink`` page after page, reading one page ahead of the consumer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from yarl import URL

from ._errors import ResponseDecodeError
from ._models import Page

__all__ = ["check_next_link", "iterate_items", "iterate_pages", "resume_url"]

T = TypeVar("T")


def check_next_link(page: Page[T], origin: URL, seen: set[str]) -> URL | None:
    """The URL of the next page, or None at the end; a link that cannot be right is an error.

    A link to another origin would carry the token elsewhere; a link seen before, or one
    that follows an empty page, would loop forever.
    """
    link = page.next_link
    if link is None:
        return None
    if not page.items:
        raise ResponseDecodeError(
            f"an empty page has a next link ({link}): refusing to loop", field="$.@nextLink"
        )
    if link in seen:
        raise ResponseDecodeError(
            f"the next link repeats an earlier one ({link}): refusing to loop",
            field="$.@nextLink",
        )
    try:
        url = URL(link)
    except (TypeError, ValueError) as exc:
        raise ResponseDecodeError(
            f"the next link is not a URL: {exc}", field="$.@nextLink"
        ) from None
    if not url.is_absolute():
        url = origin.join(url)
    if not url.scheme or url.origin() != origin.origin():
        raise ResponseDecodeError(
            f"the next link points to another origin ({link}); the token is only "
            f"sent to {origin.origin()}",
            field="$.@nextLink",
        )
    seen.add(link)
    return url


def resume_url(next_link: Any, given: Sequence[str], base_url: URL) -> URL:
    """The URL a listing resumes from: a kept ``next_link`` on the client's own origin.

    The link carries the listing's filters, so ``given`` (the names of any filters also
    passed) must be empty.
    """
    if not isinstance(next_link, str):
        raise TypeError(f"next_link must be a str, not {type(next_link).__name__}")
    if given:
        raise ValueError(
            f"next_link resumes a listing with its own filters; do not also pass {', '.join(given)}"
        )
    url = URL(next_link)
    try:
        same_origin = url.origin() == base_url.origin()
    except ValueError:  # yarl: a relative URL has no origin
        same_origin = False
    if not same_origin:
        raise ValueError("next_link must be an absolute URL on the client's base URL")
    return url


async def iterate_pages(
    fetch: Callable[[URL], Awaitable[Page[T]]], first: URL, origin: URL
) -> AsyncIterator[Page[T]]:
    """Yield pages from ``first`` on, fetching the next page while the caller uses this one.

    At most two pages are held: the one yielded and the one being read ahead. Closing the
    generator early cancels the read-ahead request and releases its connection.
    """
    seen: set[str] = set()
    ahead: asyncio.Task[Page[T]] | None = None
    try:
        page = await fetch(first)
        while True:
            next_url = check_next_link(page, origin, seen)
            if next_url is not None:
                ahead = asyncio.ensure_future(fetch(next_url))
            yield page
            if ahead is None:
                return
            page = await ahead
            ahead = None
    finally:
        if ahead is not None:
            ahead.cancel()
            # Wait for the cancelled request to let go of its connection, and retrieve its
            # outcome so that no "exception was never retrieved" is logged.
            await asyncio.wait([ahead])
            if not ahead.cancelled():
                ahead.exception()


async def iterate_items(pages: AsyncIterator[Page[T]]) -> AsyncIterator[T]:
    """Yield the items of each page, closing the page iterator when done or abandoned.

    Each item is let go of once yielded (the pages are not the caller's), so an item the
    caller drops is freed at once rather than kept with its page: over a long listing, the
    garbage collector then finds as few live objects as it would for the raw JSON.
    """
    async with contextlib.aclosing(pages):  # type: ignore[type-var]
        async for page in pages:
            items = page.items
            items.reverse()
            while items:
                yield items.pop()
