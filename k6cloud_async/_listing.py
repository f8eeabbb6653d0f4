"""``Listing``: one declaration per paginated endpoint, one implementation for all of them.

A listing sends ``$top`` (the page size), ``$orderby`` (among the fields the endpoint
documents), ``$count`` and its own filters; or resumes from a ``next_link`` kept from an
earlier page, which carries all of those, so that none may be given with it. Pages are
then followed through ``@nextLink`` with one page read ahead (``_pagination``).

A resource declares its listings once, in ``__init__``::

    self._listing = Listing(requestor, Project, order_fields=frozenset({"created", "name"}))

and its ``pages()`` is one call::

    return self._listing.pages(
        lambda: self._root / "projects",
        filters={"name": Filter(name, check_name), "name_search": Filter(name_search, check_name)},
        order_by=order_by, page_size=page_size, count=count, next_link=next_link,
        timeout=timeout, max_retries=max_retries,
    )

with ``list()`` as ``items(self.pages(...))``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping
from datetime import UTC
from typing import Any, Final, Generic, TypeVar

from attrs import frozen
from yarl import URL

from ._constants import MAX_PAGE_SIZE
from ._models import Page
from ._pagination import iterate_items, iterate_pages, resume_url
from ._requestor import Requestor, Timeout
from ._validation import check_aware_datetime, check_bool, check_id, check_order_by, check_page_size

__all__ = [
    "PAGE_SIZE",
    "Filter",
    "Listing",
    "as_bool",
    "as_datetime",
    "as_id",
    "items",
]

T = TypeVar("T")


class _DefaultPageSize(int):
    """The default ``page_size``: an int of its own, so that ``page_size=1000`` given
    explicitly is told apart from the default (and refused next to ``next_link``)."""

    __slots__ = ()


#: The default ``page_size`` of every listing: the API's largest page.
PAGE_SIZE: Final[int] = _DefaultPageSize(MAX_PAGE_SIZE)


@frozen
class Filter:
    """One query filter of a listing: the keyword's value (None: not given), and how it is
    checked and written in the query, ``encode(value, argument) -> str``, which raises a
    TypeError/ValueError naming the argument. ``query`` is the parameter's name in the
    query when it differs from the keyword's."""

    value: Any
    encode: Callable[[Any, str], str]
    query: str | None = None


def as_id(value: Any, argument: str) -> str:
    return str(check_id(value, argument))


def as_bool(value: Any, argument: str) -> str:
    return "true" if check_bool(value, argument) else "false"


def as_datetime(value: Any, argument: str) -> str:
    """An aware datetime as ISO 8601 in UTC."""
    return check_aware_datetime(value, argument).astimezone(UTC).isoformat()


class Listing(Generic[T]):
    """A paginated endpoint of ``model`` items, ordered by any of ``order_fields``
    (``one_order_field``: by one of them at a time)."""

    __slots__ = ("_one_order_field", "_order_fields", "_page", "_requestor")

    def __init__(
        self,
        requestor: Requestor,
        model: type[T],
        *,
        order_fields: frozenset[str] = frozenset(),
        one_order_field: bool = False,
    ) -> None:
        self._requestor = requestor
        self._page = requestor.page(model)
        self._order_fields = order_fields
        self._one_order_field = one_order_field

    def pages(
        self,
        url: Callable[[], URL],
        *,
        scope: Mapping[str, Any] | None = None,
        filters: Mapping[str, Filter] | None = None,
        order_by: Any = None,
        page_size: int = PAGE_SIZE,
        count: bool = False,
        next_link: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[Page[T], None]:
        """The listing's pages, from its first page or from ``next_link``.

        ``url()`` builds the endpoint's URL (checking the keywords in its path, named in
        ``scope``); ``filters`` go to the query. Every argument is checked here, before any
        request: the pages are fetched as the generator is consumed.
        """
        requestor = self._requestor
        options = requestor.options(timeout, max_retries)
        scope = scope or {}
        filters = filters or {}
        if next_link is not None:
            given = [name for name, value in scope.items() if value is not None]
            given += [name for name, item in filters.items() if item.value is not None]
            given += [
                name
                for name, is_given in (
                    ("order_by", order_by is not None),
                    ("page_size", page_size is not PAGE_SIZE),
                    ("count", count is not False),
                )
                if is_given
            ]
            first = resume_url(next_link, given, requestor.base_url)
        else:
            first = url().with_query(self._query(filters, order_by, page_size, count))
        # The links of this listing's pages so far: the page handler refuses a repeat.
        handler = self._page.following(set())

        async def fetch(page_url: URL) -> tuple[Page[T], URL | None]:
            return await requestor.call("GET", page_url, handler, options=options)

        return iterate_pages(fetch, first)

    def _query(
        self, filters: Mapping[str, Filter], order_by: Any, page_size: int, count: Any
    ) -> dict[str, str]:
        top = MAX_PAGE_SIZE if page_size is PAGE_SIZE else check_page_size(page_size)
        query = {"$top": str(top)}
        if order_by is not None:
            if not self._order_fields:
                raise ValueError("this listing cannot be ordered: order_by must be None")
            orderby = check_order_by(order_by, self._order_fields, one_field=self._one_order_field)
            if orderby is not None:
                query["$orderby"] = orderby
        for argument, item in filters.items():
            if item.value is not None:
                query[item.query or argument] = item.encode(item.value, argument)
        if check_bool(count, "count"):
            query["$count"] = "true"
        return query


def items(pages: AsyncGenerator[Page[T], None]) -> AsyncGenerator[T, None]:
    """The items of ``pages``, one after the other (``list()`` of every resource)."""
    return iterate_items(pages)
