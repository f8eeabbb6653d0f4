"""Argument checks made before any request, each naming the argument it rejects."""

from __future__ import annotations

import math
import os
from collections.abc import AsyncIterable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import aiohttp

from ._constants import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PAGE_SIZE,
    ORDER_BY_FIELDS,
)
from ._models import Unset

__all__ = [
    "check_aware_datetime",
    "check_bool",
    "check_callback",
    "check_changes",
    "check_header_text",
    "check_header_value",
    "check_id",
    "check_idempotency_key",
    "check_idempotency_keys",
    "check_mapping",
    "check_max_retries",
    "check_name",
    "check_note",
    "check_only_with",
    "check_order_by",
    "check_page_size",
    "check_poll_intervals",
    "check_request_timeout",
    "check_rewindable",
    "check_seconds",
    "check_str_mapping",
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


def check_order_by(
    value: Any, fields: frozenset[str] = ORDER_BY_FIELDS, *, one_field: bool = False
) -> str | None:
    """``"name desc,id"`` or ``["name desc", "id"]`` → the ``$orderby`` query value.

    ``fields`` are the ones the listing can be ordered by (load tests' by default);
    ``one_field`` refuses more than one term, for listings the API orders by one field only.
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
    if one_field and len(cleaned) > 1:
        choices = " or ".join(f"'{name}' or '{name} desc'" for name in sorted(fields))
        raise ValueError(f"order_by must be {choices}, got {value!r}")
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


def check_header_text(value: Any, argument: str) -> str:
    """A str that can be sent as a header value."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    return check_header_value(value, argument)


def check_idempotency_keys(keys: Any) -> Mapping[int, str]:
    """``{test_id: key}`` for ``start_many``; None is no keys."""
    if keys is None:
        return {}
    if not isinstance(keys, Mapping):
        raise TypeError(f"idempotency_keys must be a mapping, not {type(keys).__name__}")
    for test_id, key in keys.items():
        check_id(test_id, "an idempotency_keys key")
        try:
            check_idempotency_key(key)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"idempotency_keys[{test_id}]: {exc}") from None
    return keys


def check_max_retries(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"max_retries must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"max_retries must be 0 or more, got {value}")
    return value


def check_bool(value: Any, argument: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{argument} must be a bool, not {type(value).__name__}")
    return value


def check_seconds(value: Any, argument: str) -> float:
    """A positive, finite number of seconds (a bool is refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{argument} must be a number of seconds, not {type(value).__name__}")
    if not 0 < value < math.inf:
        raise ValueError(f"{argument} must be a positive, finite number of seconds, got {value}")
    return float(value)


def check_aware_datetime(value: Any, argument: str) -> datetime:
    """A timezone-aware datetime; a naive one would be read in an unknown zone."""
    if not isinstance(value, datetime):
        raise TypeError(f"{argument} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{argument} must be timezone-aware (give it a tzinfo, e.g. UTC)")
    return value


def check_str_mapping(value: Any, argument: str) -> dict[str, str]:
    """A mapping of str to str, copied."""
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise TypeError(f"{argument} must be a mapping of str to str")
    return dict(value)


def check_rewindable(script: Any) -> Callable[[], None]:
    """How to bring a script that may be sent twice back to its start.

    Bytes, str and paths need nothing; a seekable file is sought back to where it is now.
    A non-seekable stream is a ValueError and an async iterator a TypeError. Anything else
    is left for ``prepare_script`` to name what is wrong with it.
    """
    if isinstance(script, str | bytes | bytearray | memoryview | os.PathLike):
        return _nothing
    if hasattr(script, "read"):
        try:
            seekable = bool(script.seekable())
        except (AttributeError, OSError, ValueError):
            seekable = False
        if not seekable:
            raise ValueError(
                "script must be re-readable for upsert, which may send it twice: a "
                "non-seekable stream is not (pass bytes, a path or a seekable file)"
            )
        start = script.tell()

        def rewind() -> None:
            script.seek(start)

        return rewind
    if isinstance(script, AsyncIterable):
        raise TypeError(
            "script must be re-readable for upsert, which may send it twice: an async "
            "iterator is not (pass bytes, str, a path or a seekable binary file)"
        )
    return _nothing


def _nothing() -> None:
    return None


def check_mapping(value: Any, argument: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{argument} must be a mapping, not {type(value).__name__}")
    return value


def check_changes(call: str, **changes: Any) -> None:
    """Refuse an update whose every keyword is left at ``UNSET``: it would change nothing."""
    if all(isinstance(value, Unset) for value in changes.values()):
        wanted = " or ".join(f"{name}=" for name in changes)
        raise ValueError(f"{call}() needs {wanted} to change")


def check_callback(value: Any, argument: str, takes: str) -> None:
    """None, or a callable (a coroutine function is one too)."""
    if value is not None and not callable(value):
        raise TypeError(f"{argument} must be a callable taking the {takes}")


def check_poll_intervals(poll_interval: Any, max_poll_interval: Any) -> tuple[float, float]:
    """The first and the longest wait between polls, the longest no shorter than the first."""
    first = check_seconds(poll_interval, "poll_interval")
    longest = check_seconds(max_poll_interval, "max_poll_interval")
    if longest < first:
        raise ValueError(
            f"max_poll_interval ({longest}) must not be less than poll_interval ({first})"
        )
    return first, longest


def check_request_timeout(value: Any, argument: str) -> None:
    """None, an ``aiohttp.ClientTimeout``, or a positive, finite number of seconds."""
    if value is not None and not isinstance(value, aiohttp.ClientTimeout):
        check_seconds(value, argument)


def check_note(value: Any) -> str:
    """A test run's note: any str (``""`` clears it)."""
    if not isinstance(value, str):
        raise TypeError(f"note must be a str, not {type(value).__name__}")
    return value


def check_only_with(value: Any, argument: str, needed: str, given: Any) -> None:
    """Refuse ``argument`` unless ``needed`` is given too: the API documents it only there."""
    if value is not None and given is None:
        raise ValueError(f"{argument} needs {needed}: the API offers it only for one test's runs")
