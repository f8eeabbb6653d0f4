"""JSON parsing and serialisation: ``orjson`` when installed, the standard library otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["FAST_JSON", "dumps", "loads"]

loads: Callable[[bytes | str], Any]
dumps: Callable[[Any], bytes]

try:  # the optional ``fast`` extra
    import orjson

    FAST_JSON = True
    loads = orjson.loads
    dumps = orjson.dumps
except ImportError:  # pragma: no cover - exercised by the no-orjson test environment
    FAST_JSON = False
    loads = json.loads

    def dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
