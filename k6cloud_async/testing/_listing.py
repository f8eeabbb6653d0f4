"""Collection queries: ``$top``, ``$skip``, ``$count``, ``$orderby`` and ``@nextLink``."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Final, TypeVar

from attrs import frozen
from yarl import URL

from ._errors import ApiError

__all__ = ["MAX_TOP", "ListQuery", "page_body", "parse_list_query", "sort_items"]

#: The largest page the API serves.
MAX_TOP: Final = 1000

T = TypeVar("T")

_INTEGER: Final = re.compile(r"-?[0-9]+")
_TRUE: Final = frozenset({"true", "1"})
_FALSE: Final = frozenset({"false", "0"})


@frozen
class ListQuery:
    """A parsed listing query. ``order`` is ``(field, descending)`` pairs, first key first."""

    top: int
    skip: int
    count: bool
    order: tuple[tuple[str, bool], ...]


def _int_param(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    text = raw.strip()
    if _INTEGER.fullmatch(text) is None:
        raise ApiError.validation(f"{name} must be an integer.", name)
    value = int(text)
    if not low <= value <= high:
        raise ApiError.validation(f"{name} must be between {low} and {high}.", name)
    return value


def _order_param(raw: str | None, fields: Collection[str]) -> tuple[tuple[str, bool], ...]:
    if raw is None:
        return ()
    allowed = ", ".join(sorted(fields))
    order: list[tuple[str, bool]] = []
    for item in raw.split(","):
        words = item.split()
        if len(words) == 2 and words[1].lower() in ("asc", "desc"):
            descending = words[1].lower() == "desc"
        elif len(words) == 1:
            descending = False
        else:
            raise ApiError.validation(f"Invalid $orderby item {item.strip()!r}.", "$orderby")
        if words[0] not in fields:
            raise ApiError.validation(
                f"Cannot order by {words[0]!r}; available fields: {allowed}.", "$orderby"
            )
        order.append((words[0], descending))
    return tuple(order)


def parse_list_query(
    query: Mapping[str, str], *, fields: Collection[str], default_top: int
) -> ListQuery:
    """Parse and validate a listing's query parameters.

    ``$top``: integer 1..1000 (``default_top`` when absent); ``$skip``: integer
    ``>= 0``; ``$count``: ``true``/``false`` (or ``1``/``0``, any case);
    ``$orderby``: comma-separated ``field`` or ``field desc`` (``asc`` also
    accepted) with ``field`` in ``fields``. Anything else is a
    ``400 validation_error`` whose ``target`` is the parameter's name.
    """
    top = _int_param(query, "$top", default_top, 1, MAX_TOP)
    skip = _int_param(query, "$skip", 0, 0, 2**63 - 1)
    raw_count = query.get("$count")
    if raw_count is None or raw_count.strip().lower() in _FALSE:
        count = False
    elif raw_count.strip().lower() in _TRUE:
        count = True
    else:
        raise ApiError.validation("$count must be true or false.", "$count")
    return ListQuery(top, skip, count, _order_param(query.get("$orderby"), fields))


def sort_items(
    items: Sequence[T], order: Sequence[tuple[str, bool]], key: Callable[[T, str], Any]
) -> list[T]:
    """``items`` sorted by ``order`` (``key(item, field)`` gives a sort key).

    Ties are always broken by ascending id.
    """
    result = sorted(items, key=_by(key, "id"))
    for name, descending in reversed(order):
        # list.sort is stable, also with reverse=True: earlier keys and ids keep ties.
        result.sort(key=_by(key, name), reverse=descending)
    return result


def _by(key: Callable[[T, str], Any], name: str) -> Callable[[T], Any]:
    return lambda item: key(item, name)


def page_body(
    url: URL, items: Sequence[T], query: ListQuery, encode: Callable[[T], dict[str, Any]]
) -> dict[str, Any]:
    """The listing response for the page ``query`` selects out of ``items`` (already sorted).

    ``@count`` is ``len(items)`` when ``$count`` was true; ``@nextLink`` is the
    absolute ``url`` with ``$skip`` advanced by ``$top`` (other parameters kept),
    present only when items remain after this page.
    """
    end = query.skip + query.top
    body: dict[str, Any] = {"value": [encode(item) for item in items[query.skip : end]]}
    if query.count:
        body["@count"] = len(items)
    if end < len(items):
        body["@nextLink"] = str(url.update_query({"$skip": str(end)}))
    return body
