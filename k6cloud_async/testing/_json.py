"""The wire JSON of the models, written by hand (the fake does not use the client's converter)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .._models import LoadTest, StatusEvent, TestCost, TestRun

__all__ = ["iso", "json_response", "load_test_json", "run_json", "status_json"]


def iso(when: datetime | None) -> str | None:
    """ISO 8601 in UTC with microseconds and a ``Z`` suffix: ``2024-12-03T09:53:00.553000Z``."""
    if when is None:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def load_test_json(test: LoadTest) -> dict[str, Any]:
    """``LoadTestApiModel``."""
    return {
        "id": test.id,
        "project_id": test.project_id,
        "name": test.name,
        "baseline_test_run_id": test.baseline_test_run_id,
        "k6_version": test.k6_version,
        "created": iso(test.created),
        "updated": iso(test.updated),
    }


def status_json(event: StatusEvent) -> dict[str, Any]:
    """``StatusApiModel``."""
    extra = event.extra
    return {
        "type": event.type,
        "entered": iso(event.entered),
        "extra": None
        if extra is None
        else {"by_user": extra.by_user, "message": extra.message, "code": extra.code},
    }


def _cost_json(cost: TestCost | None) -> dict[str, Any] | None:
    if cost is None:
        return None
    b = cost.breakdown
    return {
        "total_vuh": cost.total_vuh,
        "breakdown": {
            "protocol_vuh": b.protocol_vuh,
            "browser_vuh": b.browser_vuh,
            "base_total_vuh": b.base_total_vuh,
            "reduction_rate": b.reduction_rate,
            "reduction_rate_breakdown": b.reduction_rate_breakdown,
        },
    }


def run_json(run: TestRun, *, with_page_url: bool = False) -> dict[str, Any]:
    """``TestRunApiModel``; with ``with_page_url``, ``StartLoadTestResponse``."""
    body: dict[str, Any] = {
        "id": run.id,
        "test_id": run.test_id,
        "project_id": run.project_id,
        "started_by": run.started_by,
        "created": iso(run.created),
        "ended": iso(run.ended),
        "note": run.note,
        "retention_expiry": iso(run.retention_expiry),
        "cost": _cost_json(run.cost),
        "status": run.status,
        "status_details": status_json(run.status_details),
        "status_history": [status_json(e) for e in run.status_history],
        "distribution": run.distribution,
        "result": run.result,
        "result_details": run.result_details,
        "options": run.options,
        "k6_dependencies": dict(run.k6_dependencies),
        "k6_versions": dict(run.k6_versions),
        "max_vus": run.max_vus,
        "max_browser_vus": run.max_browser_vus,
        "estimated_duration": run.estimated_duration,
        "execution_duration": run.execution_duration,
        "is_starred": run.is_starred,
    }
    if with_page_url:
        body["test_run_details_page_url"] = run.test_run_details_page_url
    return body


def json_response(body: Any, *, status: int = 200) -> web.Response:
    """``body`` as an ``application/json`` response."""
    return web.Response(
        status=status, body=json.dumps(body).encode(), content_type="application/json"
    )
