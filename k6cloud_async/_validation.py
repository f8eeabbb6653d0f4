"""Argument checks made before any request, each naming the argument it rejects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._constants import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PAGE_SIZE,
    ORDER_BY_FIELDS,
)

__all__ = [
    "check_header_value",
    "check_id",
    "check_idempotency_key",
    "check_name",
    "check_order_by",
    "check_page_size",
]


def check_id(value: Any, argument: str) -> int:
    """A positive integer id; a bool is refused although Python counts it as an int."""
    if type(value) is not int:
        raise TypeError(f"{argument} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{argument} must be a positive integer, got {value}")
    return value


def check_name(value: Any, argument: str = "name") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if not 1 <= len(value) <= MAX_NAME_LENGTH:
        raise ValueError(
            f"{argument} must be 1 to {MAX_NAME_LENGTH} characters long, got {len(value)}"
        )
    return value


def check_page_size(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"page_size must be an int, not {type(value).__name__}")
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {value}")
    return value


def check_order_by(value: Any, fields: frozenset[str] = ORDER_BY_FIELDS) -> str | None:
    """``"name desc,id"`` or ``["name desc", "id"]`` → the ``$orderby`` query value.

    ``fields`` are the ones the listing can be ordered by (load tests' by default).
    """
    if value is None:
        return None
    if isinstance(value, str):
        terms = value.split(",")
    elif isinstance(value, Sequence) and all(isinstance(term, str) for term in value):
        terms = list(value)
    else:
        raise TypeError("order_by must be a str or a sequence of str")
    cleaned = []
    for term in terms:
        words = term.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() != "desc"):
            raise ValueError(f"order_by term {term!r} must be 'FIELD' or 'FIELD desc'")
        if words[0] not in fields:
            allowed = ", ".join(sorted(fields))
            raise ValueError(f"order_by field {words[0]!r} is not one of {allowed}")
        cleaned.append(" ".join(words[:1] + ["desc"] * (len(words) == 2)))
    if not cleaned:
        raise ValueError("order_by must name at least one field")
    return ",".join(cleaned)


def check_header_value(value: str, argument: str) -> str:
    """Refuse characters that would break or smuggle an HTTP header."""
    if value.isascii() and value.isprintable():  # the common case, checked in C
        return value
    if not value.isascii():
        raise ValueError(f"{argument} must be ASCII")
    raise ValueError(f"{argument} contains control characters")


def check_idempotency_key(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"idempotency_key must be a str, not {type(value).__name__}")
    if not 1 <= len(value) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValueError(
            f"idempotency_key must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters long, "
            f"got {len(value)}"
        )
    return check_header_value(value, "idempotency_key")
