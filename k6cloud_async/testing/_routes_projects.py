"""Project endpoints: projects, their limits, allowed load zones and labels."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from .._models_projects import Project, ProjectLabel, ProjectLimits
from ._context import context
from ._errors import ApiError
from ._http import path_id, read_json
from ._json import iso, json_response
from ._listing import page_body, parse_list_query, sort_items
from ._routes_load_zones import load_zone_json
from ._state_projects import (
    LIMIT_FIELDS,
    MAX_PROJECT_NAME_LENGTH,
    check_project_name,
)

__all__ = ["routes"]

routes: Final = web.RouteTableDef()

_ORDER_FIELDS: Final = frozenset({"created", "name"})
#: ``project_id_in`` of ``GET /project-limits`` holds at most this many ids.
_MAX_IDS: Final = 30
_MAX_ZONES: Final = 500


def project_json(project: Project) -> dict[str, Any]:
    """``ProjectApiModel``."""
    return {
        "id": project.id,
        "name": project.name,
        "is_default": project.is_default,
        "grafana_folder_uid": project.grafana_folder_uid,
        "created": iso(project.created),
        "updated": iso(project.updated),
        "labels": dict(project.labels),
    }


def limits_json(limits: ProjectLimits) -> dict[str, Any]:
    """``ProjectLimitsApiModel``."""
    return {
        "project_id": limits.project_id,
        "vuh_max_per_month": limits.vuh_max_per_month,
        "vu_max_per_test": limits.vu_max_per_test,
        "vu_browser_max_per_test": limits.vu_browser_max_per_test,
        "duration_max_per_test": limits.duration_max_per_test,
    }


def label_json(label: ProjectLabel) -> dict[str, Any]:
    """``ProjectLabelItem``, or ``ProjectLabelPutResponseItem`` when it has a ``key_id``."""
    if label.key_id is None:
        return {"key": label.key, "value": label.value}
    return {"key_id": label.key_id, "key": label.key, "value": label.value}


async def _json_object(request: web.Request, allowed: frozenset[str]) -> dict[str, Any]:
    """The JSON object of the body: ``415`` when it is not sent as JSON, ``400`` when it is
    not an object or has a field outside ``allowed``."""
    if request.content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "The request body must be application/json.")
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError.validation("The request body must be a JSON object.")
    for name in body:
        if name not in allowed:
            raise ApiError.validation(f"Unknown field {name!r}.", name)
    return body


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_filter(request: web.Request, name: str) -> str | None:
    value = request.query.get(name)
    if value is not None and len(value) > MAX_PROJECT_NAME_LENGTH:
        raise ApiError.validation(
            f"{name} must be at most {MAX_PROJECT_NAME_LENGTH} characters long.", name
        )
    return value


def _field(project: Project, name: str) -> Any:
    return getattr(project, name)


# -- projects ------------------------------------------------------------------------------


@routes.get("/cloud/v6/projects")
async def list_projects(request: web.Request) -> web.Response:
    """``GET /projects``: a page; ``name`` exact, ``name_search`` a substring in any case."""
    ctx = context(request)
    query = parse_list_query(request.query, fields=_ORDER_FIELDS, default_top=ctx.page_size_default)
    found = ctx.store.book.listing(
        _text_filter(request, "name"), _text_filter(request, "name_search")
    )
    ordered = sort_items(found, query.order, _field)
    return json_response(page_body(request.url, ordered, query, project_json))


@routes.post("/cloud/v6/projects")
async def create_project(request: web.Request) -> web.Response:
    """``POST /projects`` with ``{"name"}``: 201 ``ProjectApiModel``; 409 name in use."""
    book = context(request).store.book
    body = await _json_object(request, frozenset({"name"}))
    if "name" not in body:
        raise ApiError.validation("name is required.", "name")
    project = book.add(check_project_name(body["name"]))
    return json_response(project_json(project), status=201)


@routes.get(r"/cloud/v6/projects/{id:\d+}")
async def get_project(request: web.Request) -> web.Response:
    """``GET /projects/{id}``."""
    return json_response(project_json(context(request).store.book.require(path_id(request))))


@routes.patch(r"/cloud/v6/projects/{id:\d+}")
async def patch_project(request: web.Request) -> web.Response:
    """``PATCH /projects/{id}`` with ``{"name"}``: 204; 409 name in use."""
    book = context(request).store.book
    project_id = path_id(request)
    book.require(project_id)
    body = await _json_object(request, frozenset({"name"}))
    if "name" not in body:
        raise ApiError.validation("name is required.", "name")
    book.rename(project_id, check_project_name(body["name"]))
    return web.Response(status=204)


@routes.delete(r"/cloud/v6/projects/{id:\d+}")
async def delete_project(request: web.Request) -> web.Response:
    """``DELETE /projects/{id}``: 204; 409 while the project holds load tests."""
    context(request).store.delete_project(path_id(request))
    return web.Response(status=204)


# -- limits --------------------------------------------------------------------------------


@routes.get(r"/cloud/v6/projects/{id:\d+}/limits")
async def get_limits(request: web.Request) -> web.Response:
    """``GET /projects/{id}/limits``: ``ProjectLimitsApiModel``."""
    book = context(request).store.book
    project_id = path_id(request)
    book.require(project_id)
    return json_response(limits_json(book.limits[project_id]))


@routes.patch(r"/cloud/v6/projects/{id:\d+}/limits")
async def patch_limits(request: web.Request) -> web.Response:
    """``PATCH /projects/{id}/limits``: each field a positive integer or null; 204."""
    book = context(request).store.book
    project_id = path_id(request)
    book.require(project_id)
    body = await _json_object(request, frozenset(LIMIT_FIELDS))
    for name, value in body.items():
        if value is not None and (not _is_int(value) or value < 1):
            raise ApiError.validation(f"{name} must be a positive integer or null.", name)
    book.patch_limits(project_id, body)
    return web.Response(status=204)


def _project_ids(request: web.Request) -> list[int] | None:
    raw = request.query.get("project_id_in")
    if raw is None:
        return None
    parts = [part.strip() for part in raw.split(",")]
    if not all(part.isdigit() for part in parts):
        raise ApiError.validation(
            "project_id_in must be a comma-separated list of integers.", "project_id_in"
        )
    if len(parts) > _MAX_IDS:
        raise ApiError.validation(
            f"project_id_in must hold at most {_MAX_IDS} ids.", "project_id_in"
        )
    return [int(part) for part in parts]


def _limits_field(limits: ProjectLimits, name: str) -> Any:
    return limits.project_id if name == "id" else getattr(limits, name)


@routes.get("/cloud/v6/project-limits")
async def list_limits(request: web.Request) -> web.Response:
    """``GET /project-limits``: a page of limits by project id (``project_id_in``: at most
    30 ids, unknown ones left out)."""
    ctx = context(request)
    query = parse_list_query(request.query, fields=(), default_top=ctx.page_size_default)
    found = ctx.store.book.limits_of(_project_ids(request))
    ordered = sort_items(found, query.order, _limits_field)
    return json_response(page_body(request.url, ordered, query, limits_json))


# -- allowed load zones --------------------------------------------------------------------


@routes.get(r"/cloud/v6/projects/{id:\d+}/allowed_load_zones")
async def get_allowed_zones(request: web.Request) -> web.Response:
    """``GET /projects/{id}/allowed_load_zones``: ``AllowedLoadZonesListApiModel``."""
    zones = context(request).store.book.zones_of(path_id(request))
    return json_response({"value": [load_zone_json(zone) for zone in zones]})


@routes.put(r"/cloud/v6/projects/{id:\d+}/allowed_load_zones")
async def put_allowed_zones(request: web.Request) -> web.Response:
    """``PUT /projects/{id}/allowed_load_zones`` with ``{"value": [{"id"}, …]}``: the new
    list; 400 for an unknown zone."""
    book = context(request).store.book
    project_id = path_id(request)
    book.require(project_id)
    body = await _json_object(request, frozenset({"value"}))
    value = body.get("value")
    if not isinstance(value, list) or len(value) > _MAX_ZONES:
        raise ApiError.validation(f"value must be a list of at most {_MAX_ZONES} zones.", "value")
    ids = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != {"id"} or not _is_int(item["id"]):
            raise ApiError.validation("A zone is an object with an integer id.", f"value[{index}]")
        ids.append(item["id"])
    zones = book.set_zones(project_id, ids)
    return json_response({"value": [load_zone_json(zone) for zone in zones]})


# -- labels --------------------------------------------------------------------------------


@routes.get(r"/cloud/v6/projects/{project_id:\d+}/labels")
async def get_labels(request: web.Request) -> web.Response:
    """``GET /projects/{project_id}/labels``: ``ProjectLabelListResponse``."""
    labels = context(request).store.book.labels_of(path_id(request, "project_id"))
    return json_response({"value": [label_json(label) for label in labels]})


@routes.put(r"/cloud/v6/projects/{project_id:\d+}/labels")
async def put_labels(request: web.Request) -> web.Response:
    """``PUT /projects/{project_id}/labels``: a full replacement; ``ProjectLabelPutResponse``."""
    book = context(request).store.book
    project_id = path_id(request, "project_id")
    book.require(project_id)
    body = await _json_object(request, frozenset({"value"}))
    value = body.get("value")
    if not isinstance(value, list):
        raise ApiError.validation("value must be a list of labels.", "value")
    labels = book.set_labels(project_id, value)
    return json_response({"value": [label_json(label) for label in labels]})


@routes.delete(r"/cloud/v6/projects/{project_id:\d+}/labels/{key}")
async def delete_label(request: web.Request) -> web.Response:
    """``DELETE /projects/{project_id}/labels/{key}``: 204; 404 when the project lacks it."""
    book = context(request).store.book
    book.delete_label(path_id(request, "project_id"), request.match_info["key"])
    return web.Response(status=204)
