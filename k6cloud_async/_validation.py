"""Argument checks made before any request, each naming the argument it rejects."""

from __future__ import annotations

import math
import os
import re
from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import aiohttp
from yarl import URL

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
    "check_id_list",
    "check_idempotency_key",
    "check_idempotency_keys",
    "check_k6_load_zone_id",
    "check_label_description",
    "check_label_key",
    "check_label_keys",
    "check_mapping",
    "check_max_retries",
    "check_name",
    "check_order_by",
    "check_page_size",
    "check_poll_intervals",
    "check_request_timeout",
    "check_rewindable",
    "check_seconds",
    "check_stack_url",
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


def check_stack_url(value: Any, argument: str) -> str:
    """A Grafana stack URL (``https://mystack.grafana.net``), sent as ``X-Stack-Url``:
    an absolute http(s) URL with a host and no credentials, query or fragment."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    text = check_header_value(value.strip(), argument)
    try:
        url = URL(text)
    except ValueError:
        url = URL()
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(
            f"{argument} must be the stack's URL, such as https://mystack.grafana.net, "
            f"got {text[:80]!r}"
        )
    if url.user or url.password or url.query_string or url.fragment:
        raise ValueError(f"{argument} must not carry credentials, a query or a fragment")
    return text


#: What the API accepts as a label key: 1 to 64 characters, none of them whitespace, quotes,
#: ``;``, ``\\`` or ``%``; a description is 1 to 255 characters; 1 to 100 keys per create.
_LABEL_KEY: Final = re.compile(r"[^\s'\";\\%]{1,64}")
MAX_LABEL_DESCRIPTION_LENGTH: Final = 255
MAX_LABEL_KEYS_PER_CREATE: Final = 100


def check_id_list(values: Any, argument: str, *, most: int) -> list[int]:
    """An iterable of positive ids (not a str or a mapping), duplicates dropped in order,
    at most ``most`` of them."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise TypeError(f"{argument} must be an iterable of int ids, not {type(values).__name__}")
    ids: dict[int, None] = {}
    for value in values:
        if type(value) is not int:
            raise TypeError(f"{argument} must hold int ids, not {type(value).__name__}")
        ids[check_id(value, argument)] = None
    if len(ids) > most:
        raise ValueError(f"{argument} may hold at most {most} ids, got {len(ids)}")
    return list(ids)


def check_k6_load_zone_id(value: Any, argument: str = "k6_load_zone_id") -> str:
    """A load zone's name in scripts (``amazon:us:ashburn``): a non-empty str."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{argument} must not be empty")
    return value


def check_label_key(value: Any, argument: str = "key") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if _LABEL_KEY.fullmatch(value) is None:
        raise ValueError(
            f"{argument} must be 1 to 64 characters without whitespace, quotes, ';', '\\' "
            f"or '%', got {value[:80]!r}"
        )
    return value


def check_label_description(value: Any, argument: str = "description") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if not 1 <= len(value) <= MAX_LABEL_DESCRIPTION_LENGTH:
        raise ValueError(
            f"{argument} must be 1 to {MAX_LABEL_DESCRIPTION_LENGTH} characters long, "
            f"got {len(value)}"
        )
    return value


def check_label_keys(keys: Any, argument: str = "keys") -> list[tuple[str, str | None]]:
    """``{key: description or None}`` or a sequence of keys → ``[(key, description)]``:
    1 to 100 distinct keys (a sequence must not repeat one)."""
    pairs: list[tuple[str, str | None]]
    if isinstance(keys, Mapping):
        pairs = []
        for key, description in keys.items():
            check_label_key(key, f"a {argument} key")
            if description is not None:
                check_label_description(description, f"{argument}[{key!r}]")
            pairs.append((key, description))
    elif isinstance(keys, Sequence) and not isinstance(keys, str | bytes):
        pairs = [(check_label_key(key, f"an item of {argument}"), None) for key in keys]
        seen: set[str] = set()
        repeated: set[str] = set()
        for key, _ in pairs:
            (repeated if key in seen else seen).add(key)
        if repeated:
            raise ValueError(f"{argument} repeats {', '.join(map(repr, sorted(repeated)))}")
    else:
        raise TypeError(
            f"{argument} must be a mapping of key to description or a sequence of keys, "
            f"not {type(keys).__name__}"
        )
    if not 1 <= len(pairs) <= MAX_LABEL_KEYS_PER_CREATE:
        raise ValueError(
            f"{argument} must hold 1 to {MAX_LABEL_KEYS_PER_CREATE} keys, got {len(pairs)}"
        )
    return pairs
