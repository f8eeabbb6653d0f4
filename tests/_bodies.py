"""JSON bodies the API sends, in their smallest valid form, for tests that need one whole."""

from __future__ import annotations

from typing import Any


def running_run(**fields: Any) -> dict[str, Any]:
    """A ``TestRun`` body of a running run with every required field, ``fields`` replacing
    or adding keys."""
    entered = "2024-06-01T19:00:00Z"
    body: dict[str, Any] = {
        "id": 1,
        "test_id": 2,
        "project_id": 3,
        "started_by": None,
        "created": entered,
        "ended": None,
        "note": "",
        "retention_expiry": None,
        "cost": None,
        "status": "running",
        "status_details": {"type": "running", "entered": entered},
        "status_history": [],
        "distribution": None,
        "result": None,
        "result_details": None,
        "options": None,
        "k6_dependencies": {},
        "k6_versions": {},
    }
    body.update(fields)
    return body
