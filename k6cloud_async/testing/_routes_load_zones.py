"""Load zone endpoints: the zones, and the projects allowed to use a private one."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from .._models_load_zones import LoadZone
from .._models_projects import AllowedLoadZone
from ._context import context
from ._errors import ApiError
from ._http import api_path, path_id, read_json
from ._json import json_response
from ._request_rules import int64
from ._state import Store

__all__ = ["load_zone_json", "routes"]

routes: Final = web.RouteTableDef()


def load_zone_json(zone: LoadZone | AllowedLoadZone) -> dict[str, Any]:
    """``LoadZoneApiModel``, or ``AllowedLoadZoneApiModel`` (the same fields)."""
    return {
        "id": zone.id,
        "name": zone.name,
        "k6_load_zone_id": zone.k6_load_zone_id,
        "available": zone.available,
        "custom_load_runner_image": zone.custom_load_runner_image,
        "public": zone.public,
    }


def _allowed_json(store: Store, project_ids: list[int]) -> dict[str, Any]:
    """``AllowedProjectsListApiModel``: projects deleted since they were allowed are gone."""
    return {
        "value": [
            {"id": project_id, "name": store.projects[project_id].name}
            for project_id in project_ids
            if project_id in store.projects
        ]
    }


@routes.get(api_path("/load_zones"))
async def list_load_zones(request: web.Request) -> web.Response:
    """``GET /load_zones``: every zone by id (not paginated), or the one whose
    ``k6_load_zone_id`` matches exactly."""
    name = request.query.get("k6_load_zone_id")
    zones = context(request).store.load_zones.listing(name)
    return json_response({"value": [load_zone_json(zone) for zone in zones]})


@routes.get(api_path("/load_zones/{id}/allowed_projects"))
async def get_allowed_projects(request: web.Request) -> web.Response:
    """``GET /load_zones/{id}/allowed_projects`` (404: unknown or public zone)."""
    store = context(request).store
    return json_response(_allowed_json(store, store.load_zones.projects_of(path_id(request))))


@routes.put(api_path("/load_zones/{id}/allowed_projects"))
async def put_allowed_projects(request: web.Request) -> web.Response:
    """``PUT /load_zones/{id}/allowed_projects`` with ``{"value": [{"id": int64}, …]}``.

    404 for an unknown or public zone; 415 unless JSON; 400 for a malformed body, more
    than 500 projects or a project that does not exist (target ``value``).
    """
    store = context(request).store
    zone_id = path_id(request)
    store.load_zones.require_private(zone_id)
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("value"), list):
        raise ApiError.validation("The body must be an object with a value array.", "value")
    if set(body) - {"value"}:
        raise ApiError.validation(f"Unknown field {sorted(set(body) - {'value'})[0]!r}.")
    ids = []
    for index, item in enumerate(body["value"]):
        target = f"value[{index}].id"
        if not isinstance(item, dict) or set(item) != {"id"}:
            raise ApiError.validation("Each item is an object with an id only.", target)
        ids.append(int64(item["id"], target))
    unknown = [project_id for project_id in ids if project_id not in store.projects]
    if unknown:
        raise ApiError.validation(f"Unknown project ids: {unknown}.", "value")
    allowed = store.load_zones.set_projects(zone_id, ids)
    return json_response(_allowed_json(store, allowed))
