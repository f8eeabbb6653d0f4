"""Load test endpoints: listing, get, update, delete, move."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from .._models import UNSET, LoadTest, Unset
from ._context import context
from ._errors import ApiError
from ._http import api_path, path_id, read_json
from ._json import json_response, load_test_json
from ._listing import page_body, parse_list_query, sort_items
from ._request_rules import int64, optional_int64
from ._state import check_name

__all__ = ["routes"]

routes: Final = web.RouteTableDef()

_ORDER_FIELDS: Final = frozenset({"id", "project_id", "name", "created", "updated"})
_PATCH_FIELDS: Final = frozenset({"name", "baseline_test_run_id"})


def _field(test: LoadTest, name: str) -> Any:
    return getattr(test, name)


def _listing(request: web.Request, project_id: int | None) -> web.Response:
    ctx = context(request)
    query = parse_list_query(request.query, fields=_ORDER_FIELDS, default_top=ctx.page_size_default)
    tests = ctx.store.list_tests(project_id, request.query.get("name"))
    ordered = sort_items(tests, query.order, _field)
    return json_response(page_body(request.url, ordered, query, load_test_json))


@routes.get(api_path("/load_tests"))
async def list_load_tests(request: web.Request) -> web.Response:
    """``GET /load_tests``: a page of all tests."""
    return _listing(request, None)


@routes.get(api_path("/projects/{id}/load_tests"))
async def list_project_load_tests(request: web.Request) -> web.Response:
    """``GET /projects/{id}/load_tests``: a page of the project's tests (404 unknown project)."""
    project_id = path_id(request)
    context(request).store.require_project(project_id)
    return _listing(request, project_id)


@routes.get(api_path("/load_tests/{id}"))
async def get_load_test(request: web.Request) -> web.Response:
    """``GET /load_tests/{id}``."""
    return json_response(load_test_json(context(request).store.require_test(path_id(request))))


async def _json_object(request: web.Request, allowed: frozenset[str]) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError.validation("The request body must be a JSON object.")
    for name in body:
        if name not in allowed:
            raise ApiError.validation(f"Unknown field {name!r}.", name)
    return body


@routes.patch(api_path("/load_tests/{id}"))
async def patch_load_test(request: web.Request) -> web.Response:
    """``PATCH /load_tests/{id}``: ``name`` and/or ``baseline_test_run_id``; 204.

    415 unless the body is ``application/json``; 400 for invalid JSON, an unknown
    field or a bad value (``baseline_test_run_id``: int64 or ``null``).
    """
    store = context(request).store
    test_id = path_id(request)
    store.require_test(test_id)
    body = await _json_object(request, _PATCH_FIELDS)
    name: str | Unset = UNSET
    baseline: int | Unset | None = UNSET
    if "name" in body:
        name = check_name(body["name"])
    if "baseline_test_run_id" in body:
        baseline = optional_int64(body["baseline_test_run_id"], "baseline_test_run_id")
    store.update_test(test_id, name=name, baseline_test_run_id=baseline)
    return web.Response(status=204)


@routes.delete(api_path("/load_tests/{id}"))
async def delete_load_test(request: web.Request) -> web.Response:
    """``DELETE /load_tests/{id}``: 204; 409 while one of its runs has not ended."""
    context(request).store.delete_test(path_id(request))
    return web.Response(status=204)


@routes.put(api_path("/load_tests/{id}/move"))
async def move_load_test(request: web.Request) -> web.Response:
    """``PUT /load_tests/{id}/move`` with ``{"project_id": int64}``: 204.

    415 unless the body is ``application/json``; 400 for invalid JSON or fields.
    """
    store = context(request).store
    test_id = path_id(request)
    store.require_test(test_id)
    body = await _json_object(request, frozenset({"project_id"}))
    if "project_id" not in body:
        raise ApiError.validation("project_id is required.", "project_id")
    store.move_test(test_id, int64(body["project_id"], "project_id"))
    return web.Response(status=204)
