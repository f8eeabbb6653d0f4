"""Printing a listing, whole or page by page: a table (flushed per page), or JSON Lines."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import k6cloud_async as k6

if TYPE_CHECKING:
    from ._output import Output
    from ._table import Column

__all__ = ["print_items", "print_pages"]

T = TypeVar("T")


def print_items(
    out: Output, items: Sequence[T], columns: Sequence[Column], row: Callable[[T], list[str]]
) -> None:
    """A whole list: a table (control characters escaped), or JSON Lines with --json."""
    if out.json_mode:
        out.json_lines(k6.to_dict(item) for item in items)
    else:
        out.table(columns).write(row(item) for item in items)


async def print_pages(
    out: Output,
    pages: AsyncGenerator[k6.Page[T], None],
    columns: Sequence[Column],
    row: Callable[[T], list[str]],
    *,
    limit: int | None = None,
) -> int:
    """Print every item of ``pages`` (at most ``limit``) as its page arrives; return the count.

    The table's titles come with the first page (an empty listing still has one page).
    Stopping early closes the listing, which releases its connection at once.
    """
    table = None if out.json_mode else out.table(columns)
    printed = 0
    try:
        async for page in pages:
            items = page.items if limit is None else page.items[: limit - printed]
            if table is None:
                out.json_lines(k6.to_dict(item) for item in items)
            else:
                table.write(row(item) for item in items)
            printed += len(items)
            if limit is not None and printed >= limit:
                break
    finally:
        await pages.aclose()
    return printed
