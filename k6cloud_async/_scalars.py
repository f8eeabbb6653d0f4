"""How one JSON scalar becomes one field value: the strict rules both converters share.

Every function takes the parsed JSON value (and, as a cattrs hook, the target type, which it
ignores) and returns the field value or raises ``TypeError``/``ValueError`` with a message
that reads well after a JSON path (``$.created: not an ISO 8601 date-time: '...'``).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any, Final

__all__ = [
    "json_type",
    "read_figure",
    "structure_bool",
    "structure_datetime",
    "structure_float",
    "structure_int",
    "structure_str",
]

# A decimal number as the API writes VUH figures in strings: "12.5", "-3", "1e3". Stricter
# than float(), which also takes "nan", "inf", " 1 " and "1_000".
_DECIMAL: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def structure_int(value: Any, _: Any = int) -> int:
    """A JSON integer only: not a string, a float or a boolean."""
    if type(value) is int:
        return value
    raise TypeError(f"expected an integer, got {json_type(value)}")


def structure_str(value: Any, _: Any = str) -> str:
    """A JSON string only."""
    if type(value) is str:
        return value
    raise TypeError(f"expected a string, got {json_type(value)}")


def structure_bool(value: Any, _: Any = bool) -> bool:
    """A JSON boolean only."""
    if type(value) is bool:
        return value
    raise TypeError(f"expected a boolean, got {json_type(value)}")


def structure_float(value: Any, _: Any = float) -> float:
    """A JSON number, or a string holding a decimal number (the API sends VUH figures both
    ways); always a ``float``."""
    kind = type(value)
    if kind is float or kind is int:
        return float(value)
    if kind is str:
        if _DECIMAL.fullmatch(value):
            return float(value)
        raise ValueError(f"expected a number, got the string {value[:40]!r}")
    raise TypeError(f"expected a number, got {json_type(value)}")


def read_figure(value: Any, _: Any = None) -> float | None:
    """A VUH figure: what ``structure_float`` reads, if finite; ``None`` for anything else.

    Never raises: a cost figure the API writes oddly must not make a whole run unreadable.
    """
    kind = type(value)
    if kind is float:
        number = value
    elif kind is int:
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            return None
    elif kind is str and _DECIMAL.fullmatch(value):
        number = float(value)
    else:
        return None
    return number if math.isfinite(number) else None


def structure_datetime(value: Any, _: Any = datetime) -> datetime:
    """An ISO 8601 date-time as ``datetime.fromisoformat`` reads it, always aware: one
    without an offset is UTC, read exactly as if it ended in ``Z`` (the API sends both
    ``...Z`` and offset-less values). The generated decoders inline the first attempt."""
    if type(value) is not str:
        raise TypeError(f"expected a date-time string, got {json_type(value)}")
    try:
        # Appending "Z" is several times cheaper than replace(tzinfo=UTC) after parsing.
        return datetime.fromisoformat(value if value[-1] == "Z" else value + "Z")
    except (ValueError, IndexError):
        pass  # another offset ("+01:00"), a date alone, or not a date-time
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date-time: {value[:40]!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
