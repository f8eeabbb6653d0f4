"""The request rules every route shares, as pure functions that raise :class:`ApiError`.

Ids are ASCII digits within int64; integers in bodies and headers are int64; a JSON
body is strict UTF-8 JSON of bounded depth without ``NaN``/``Infinity``; a body has
the media type its operation declares (else 415); the ``$``-parameters are the
listing ones, each given at most once.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from typing import Any, Final

from multidict import MultiMapping

from ._errors import ApiError

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "LISTING_PARAMETERS",
    "MAX_JSON_DEPTH",
    "check_dollar_parameters",
    "check_media_type",
    "finite",
    "int64",
    "media_type",
    "optional_int64",
    "parse_id",
    "parse_int64",
    "parse_json_body",
]

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1

#: Deeper JSON bodies are refused: no request of the API nests this far, and a bound
#: keeps the fake's own recursion (and the caller's) far from Python's limit. It is above
#: the client's own limit on a request body (128 levels under ``options``), so anything
#: the client sends is read.
MAX_JSON_DEPTH: Final = 192

#: The ``$``-parameters the API knows (on its listings); any other is a 400.
LISTING_PARAMETERS: Final = frozenset({"$top", "$skip", "$count", "$orderby"})

_ASCII_DIGITS: Final = re.compile(r"[0-9]+")
_ASCII_INTEGER: Final = re.compile(r"-?[0-9]+")
_UNSUPPORTED_MEDIA_TYPE: Final = 415


def _out_of_range(target: str) -> ApiError:
    return ApiError.validation(f"{target} must be between {INT64_MIN} and {INT64_MAX}.", target)


def parse_id(text: str, target: str = "id") -> int | None:
    """A path id: ASCII digits only (else ``None``: the resource does not exist).

    Digits beyond int64 are a ``400 validation_error`` about ``target``.
    """
    if _ASCII_DIGITS.fullmatch(text) is None:
        return None
    if len(text.lstrip("0")) > len(str(INT64_MAX)) or int(text) > INT64_MAX:
        raise _out_of_range(target)
    return int(text)


def parse_int64(text: str, target: str) -> int:
    """An integer written in a header or query: optional ``-`` and ASCII digits, in int64."""
    stripped = text.strip()
    if _ASCII_INTEGER.fullmatch(stripped) is None:
        raise ApiError.validation(f"{target} must be an integer.", target)
    if len(stripped.lstrip("-").lstrip("0")) > len(str(INT64_MAX)):
        raise _out_of_range(target)
    value = int(stripped)
    if not INT64_MIN <= value <= INT64_MAX:
        raise _out_of_range(target)
    return value


def int64(value: Any, target: str) -> int:
    """A JSON integer (not a boolean, not a float) within int64, else a 400 about ``target``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApiError.validation(f"{target} must be an integer.", target)
    if not INT64_MIN <= value <= INT64_MAX:
        raise _out_of_range(target)
    return value


def optional_int64(value: Any, target: str) -> int | None:
    """:func:`int64`, or ``None`` for a JSON ``null``."""
    return None if value is None else int64(value, target)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether containers nest deeper than ``limit`` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Collection[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json_body(raw: bytes) -> Any:
    """A request body as JSON, else a ``400 validation_error``.

    The body must be UTF-8 (RFC 8259), without ``NaN``/``Infinity`` and nested at
    most :data:`MAX_JSON_DEPTH` deep; integers too long for Python's parser are
    invalid JSON too.
    """
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise ApiError.validation("The request body is not valid JSON.") from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise ApiError.validation(f"The request body nests deeper than {MAX_JSON_DEPTH} levels.")
    return value


def media_type(content_type: str | None) -> str | None:
    """The ``type/subtype`` of a ``Content-Type`` value, lower case (``None`` when absent)."""
    if content_type is None:
        return None
    kind = content_type.partition(";")[0].strip().lower()
    return kind or None


def check_media_type(content_type: str | None, allowed: Collection[str]) -> str:
    """The body's media type when it is one of ``allowed``, else ``415 unsupported_media_type``."""
    kind = media_type(content_type)
    if kind not in allowed:
        expected = " or ".join(sorted(allowed))
        raise ApiError(
            _UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            f"The request body must be {expected} (Content-Type: {content_type or 'none'}).",
            target="Content-Type",
        )
    assert kind is not None
    return kind


def check_dollar_parameters(query: MultiMapping[str]) -> None:
    """``400 validation_error`` for a ``$``-parameter the API does not know or one given twice.

    Other query parameters are the routes' business (filters such as ``name``).
    """
    seen: set[str] = set()
    for name, _ in query.items():  # iterating the keys would list a repeated one once
        if not name.startswith("$"):
            continue
        if name not in LISTING_PARAMETERS:
            known = ", ".join(sorted(LISTING_PARAMETERS))
            raise ApiError.validation(
                f"Unknown query parameter {name!r}; known: {known}.", target=name
            )
        if name in seen:
            raise ApiError.validation(f"{name} is given more than once.", target=name)
        seen.add(name)


def finite(value: float, target: str) -> float:
    """``value`` when it is a finite number, else a 400 about ``target``."""
    if not math.isfinite(value):
        raise ApiError.validation(f"{target} is too large.", target)
    return value
