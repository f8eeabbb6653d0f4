"""Run endpoints: start a test, get / abort / list runs; and ``validate_options``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from aiohttp import web

from .._models import TestRun
from ._context import context
from ._errors import ApiError
from ._http import api_path, path_id, read_json
from ._json import json_response, run_json
from ._listing import page_body, parse_list_query, sort_items
from ._options import validate_options

__all__ = ["routes"]

routes: Final = web.RouteTableDef()

IDEMPOTENCY_HEADER: Final = "K6-Idempotency-Key"
MAX_KEY_LENGTH: Final = 36
_ORDER_FIELDS: Final = frozenset({"created"})
_BOOLEANS: Final = {"true": True, "1": True, "false": False, "0": False}


@routes.post(api_path("/load_tests/{id}/start"))
async def start_load_test(request: web.Request) -> web.Response:
    """``POST /load_tests/{id}/start``: 200 ``StartLoadTestResponse``.

    A ``K6-Idempotency-Key`` (1..36 characters, else 400) seen for the same test
    within 10 minutes of fake time returns the run it started, unchanged.
    """
    store = context(request).store
    test_id = path_id(request)
    store.require_test(test_id)
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ApiError.validation(
            f"{IDEMPOTENCY_HEADER} must be 1 to {MAX_KEY_LENGTH} characters long.",
            IDEMPOTENCY_HEADER,
        )
    run, _ = store.start_run(test_id, key)
    return json_response(run_json(run, with_page_url=True))


@routes.get(api_path("/test_runs/{id}"))
async def get_test_run(request: web.Request) -> web.Response:
    """``GET /test_runs/{id}``: advances the run one step, then answers ``TestRunApiModel``."""
    return json_response(run_json(context(request).store.runs.poll(path_id(request))))


@routes.post(api_path("/test_runs/{id}/abort"))
async def abort_test_run(request: web.Request) -> web.Response:
    """``POST /test_runs/{id}/abort``: 204; 409 when the run already ended."""
    context(request).store.runs.abort(path_id(request))
    return web.Response(status=204)


def _created_filter(request: web.Request, name: str) -> datetime | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        when = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ApiError.validation(f"{name} must be an ISO 8601 date-time.", name) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _starred_filter(request: web.Request) -> bool | None:
    raw = request.query.get("is_starred")
    if raw is None:
        return None
    text = raw.strip().lower()
    if text not in _BOOLEANS:
        raise ApiError.validation("is_starred must be true, false, 1 or 0.", "is_starred")
    return _BOOLEANS[text]


def _field(run: TestRun, name: str) -> Any:
    return getattr(run, name)


def _runs_listing(request: web.Request, test_id: int | None) -> web.Response:
    ctx = context(request)
    if test_id is None:
        # GET /test_runs documents neither $orderby nor is_starred (OpenAPI 1.12.0).
        for name in ("$orderby", "is_starred"):
            if name in request.query:
                raise ApiError.validation(
                    f"{name} is not supported here; list one load test's runs.", name
                )
    query = parse_list_query(request.query, fields=_ORDER_FIELDS, default_top=ctx.page_size_default)
    after = _created_filter(request, "created_after")
    before = _created_filter(request, "created_before")
    starred = _starred_filter(request)
    runs = [
        r
        for r in ctx.store.runs.of_test(test_id)
        if (after is None or r.created >= after)
        and (before is None or r.created < before)
        and (starred is None or r.is_starred is starred)
    ]
    ordered = sort_items(runs, query.order, _field)
    return json_response(page_body(request.url, ordered, query, run_json))


@routes.get(api_path("/test_runs"))
async def list_test_runs(request: web.Request) -> web.Response:
    """``GET /test_runs``: a page of all runs, filtered by creation time."""
    return _runs_listing(request, None)


@routes.get(api_path("/load_tests/{id}/test_runs"))
async def list_load_test_runs(request: web.Request) -> web.Response:
    """``GET /load_tests/{id}/test_runs``: a page of the test's runs (404 unknown test),
    filtered by creation time and ``is_starred``, ordered by ``created``."""
    test_id = path_id(request)
    context(request).store.require_test(test_id)
    return _runs_listing(request, test_id)


@routes.post(api_path("/validate_options"))
async def validate_options_endpoint(request: web.Request) -> web.Response:
    """``POST /validate_options``: 200 ``ValidateOptionsResponse`` (see ``_options``)."""
    store = context(request).store
    body = await read_json(request)
    return json_response(validate_options(body, lambda pid: pid in store.projects))
