"""Listings: follow ``@nextLink`` page after page, reading one page ahead of the consumer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from yarl import URL

from ._errors import ResponseDecodeError
from ._models import Page

__all__ = ["check_next_link", "iterate_items", "iterate_pages", "resume_url"]

T = TypeVar("T")


def check_next_link(
    page: Page[T], origin: URL, seen: set[str], *, page_url: URL | None = None
) -> URL | None:
    """The URL of the next page, or None at the end; a link that cannot be right is an error.

    A relative link is resolved against ``page_url``, the URL the page came from (RFC 3986;
    ``origin`` when not given). A link the token must not follow raises
    ``ResponseDecodeError`` naming it: one that is not a URI, not http(s), carries
    credentials or points to another origin (it would carry the token elsewhere), and one
    seen before or following an empty page (it would loop forever).
    """
    link = page.next_link
    if link is None:
        return None
    if not page.items:
        raise ResponseDecodeError(
            f"an empty page has a next link ({link}): refusing to loop", field="$.@nextLink"
        )
    url = _follow(link, page_url if page_url is not None else origin, origin)
    key = str(url)
    if key in seen:
        raise ResponseDecodeError(
            f"the next link repeats an earlier one ({link}): refusing to loop",
            field="$.@nextLink",
        )
    seen.add(key)
    return url


def _follow(link: str, page_url: URL, origin: URL) -> URL:
    """The absolute URL ``link`` points to, if the token may go there."""

    def refuse(why: str, shown: str = link) -> ResponseDecodeError:
        return ResponseDecodeError(f"the next link {shown!r} {why}", field="$.@nextLink")

    # yarl quietly drops or escapes what a URI may not hold, which can change the host.
    if any(ch <= " " or ch == "\x7f" for ch in link):
        raise refuse("holds whitespace or control characters: it is not a URI")
    try:
        reference = URL(link)
        if reference.scheme and not reference.host:
            raise refuse("has a scheme but no host")
        url = page_url.join(reference)
        host, port = url.host, url.port
        str(url)  # encodes the host (IDNA), which may fail too
    except (TypeError, ValueError, UnicodeError) as exc:
        raise refuse(f"is not a URL the client can request ({exc})") from None
    if url.scheme not in ("http", "https"):
        raise refuse(f"has the scheme {url.scheme!r}: only http(s) is followed")
    if url.user is not None or url.password is not None:
        shown = str(url.with_password("***")) if url.password is not None else link
        raise refuse("carries credentials: refusing to follow it", shown)
    if not host or port is None or url.origin() != origin.origin():
        raise refuse(f"points to another origin; the token is only sent to {origin.origin()}")
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
    fetch: Callable[[URL], Awaitable[tuple[Page[T], URL | None]]], first: URL
) -> AsyncGenerator[Page[T], None]:
    """Yield pages from ``first`` on, fetching the next page while the caller uses this one.

    ``fetch`` returns a page and the URL of the next one (None at the end), which it has
    checked with ``check_next_link`` inside the call that brought the page, against the
    links of the listing's earlier pages: an error that names a hostile link is then
    raised, and redacted, by the transport like any other. Nothing here raises one.

    At most two pages are held: the one yielded and the one being read ahead. Closing the
    generator early cancels the read-ahead request and releases its connection.
    """
    ahead: asyncio.Task[tuple[Page[T], URL | None]] | None = None
    try:
        page, next_url = await fetch(first)
        while True:
            if next_url is not None:
                ahead = asyncio.ensure_future(fetch(next_url))
            yield page
            if ahead is None:
                return
            page, next_url = await ahead
            ahead = None
    finally:
        if ahead is not None:
            ahead.cancel()
            # Wait for the cancelled request to let go of its connection, and retrieve its
            # outcome so that no "exception was never retrieved" is logged.
            await asyncio.wait([ahead])
            if not ahead.cancelled():
                ahead.exception()


async def iterate_items(pages: AsyncGenerator[Page[T], None]) -> AsyncGenerator[T, None]:
    """Yield the items of each page, closing the page iterator when done or abandoned.

    Each item is let go of once yielded (the pages are not the caller's), so an item the
    caller drops is freed at once rather than kept with its page: over a long listing, the
    garbage collector then finds as few live objects as it would for the raw JSON.
    """
    async with contextlib.aclosing(pages):
        async for page in pages:
            items = page.items
            items.reverse()
            while items:
                yield items.pop()
