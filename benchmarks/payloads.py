"""The canned bodies, shared by the server and the in-process decode benchmark.

Only the standard library is used here: the server, the runners of every client and the
decode benchmark all import this module, and none of them should pay for another's imports.
"""

from __future__ import annotations

import json
from typing import Any, Final

MIB: Final = 1024 * 1024
BLOCK_SIZE: Final = MIB
API_ROOT: Final = "/cloud/v6"

#: ``GET /load_tests/{id}``: the API documentation's example (OpenAPI field order).
LOAD_TEST: Final[dict[str, Any]] = {
    "id": 1234,
    "project_id": 312,
    "name": "Orders API Soak Test",
    "baseline_test_run_id": None,
    "k6_version": None,
    "created": "2024-12-03T09:53:00.553",
    "updated": "2024-12-03T09:53:00.553",
}

#: ``POST /load_tests/{id}/start``: the OpenAPI document's "Started" example.
TEST_RUN: Final[dict[str, Any]] = {
    "id": 1234,
    "test_id": 123,
    "project_id": 12,
    "started_by": "user@example.com",
    "created": "2024-06-01T19:00:00Z",
    "ended": None,
    "cost": None,
    "k6_dependencies": {"k6": ">=v0.52", "k6/x/faker": ">=0.4.0"},
    "k6_versions": {"k6": "v0.56.0", "k6/x/faker": "v0.4.1"},
    "note": "",
    "retention_expiry": "2024-06-07T19:00:00Z",
    "distribution": None,
    "options": None,
    "result": None,
    "result_details": None,
    "status": "created",
    "status_details": {"type": "created", "entered": "2024-06-01T19:00:00Z"},
    "status_history": [{"type": "created", "entered": "2024-06-01T19:00:00Z"}],
    "max_vus": None,
    "max_browser_vus": None,
    "estimated_duration": None,
    "execution_duration": 0,
    "is_starred": False,
    "test_run_details_page_url": "https://example.grafana.net/a/k6-app/runs/1234",
}


def dumps(value: Any) -> bytes:
    """Compact JSON, as the API sends it."""
    return json.dumps(value, separators=(",", ":")).encode()


def load_test(test_id: int) -> dict[str, Any]:
    """Item ``test_id`` of the virtual collection: varied values, the documented shape."""
    day = 1 + test_id % 28
    second = test_id % 60
    millis = test_id % 1000
    return {
        "id": test_id,
        "project_id": 300 + test_id % 17,
        "name": f"Load test {test_id} of the orders API",
        "baseline_test_run_id": None if test_id % 3 else 100_000 + test_id,
        "k6_version": None,
        "created": f"2024-11-{day:02d}T09:53:{second:02d}.{millis:03d}",
        "updated": f"2024-12-{day:02d}T10:{second:02d}:00.{millis:03d}",
    }


def page(skip: int, top: int, total: int, origin: str, *, count: bool = False) -> bytes:
    """One listing page of the virtual collection of ``total`` tests, with an absolute
    ``@nextLink`` to ``origin`` (e.g. ``http://127.0.0.1:8080``) unless it is the last."""
    end = min(total, skip + top)
    body: dict[str, Any] = {"value": [load_test(i) for i in range(skip + 1, end + 1)]}
    if count:
        body["@count"] = total
    if end < total:
        body["@nextLink"] = f"{origin}{API_ROOT}/load_tests?$skip={end}&$top={top}"
    return dumps(body)


def script_block() -> bytes:
    """1 MiB that starts like a k6 ``.tar`` archive (a ustar header), then a byte pattern."""
    header = bytearray(512)
    header[0:11] = b"archive.js\0"
    header[257:263] = b"ustar\0"
    pattern = bytes(range(256)) * (BLOCK_SIZE // 256)
    return bytes(header) + pattern[512:]
