"""JSON parsing and serialisation: ``orjson`` when installed, the standard library otherwise.

``loads`` raises ``ValueError`` for any body that is not JSON it can hold, including one
nested too deeply (orjson stops at 1,024 levels; the standard library would otherwise raise
``RecursionError`` near the interpreter's recursion limit).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["FAST_JSON", "dumps", "loads", "stdlib_loads"]

loads: Callable[[bytes | str], Any]
dumps: Callable[[Any], bytes]


def stdlib_loads(data: bytes | str) -> Any:
    """``json.loads``, with a body nested too deeply reported as the ``ValueError`` it is."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply to parse") from None


try:  # the optional ``fast`` extra
    import orjson

    FAST_JSON = True
    loads = orjson.loads
    dumps = orjson.dumps
except ImportError:  # pragma: no cover - exercised by the no-orjson test environment
    FAST_JSON = False
    loads = stdlib_loads

    def dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
