"""Run endpoints beyond start/get/abort: note, delete, star, save, distribution, script."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from .._models_runs import LoadZoneDistribution
from ._context import context
from ._errors import ApiError
from ._http import api_path, path_id, read_json, send_bytes
from ._json import json_response
from ._media import accepts, script_media_type
from ._state_runs import RunState

__all__ = ["routes"]

routes: Final = web.RouteTableDef()

_RUN: Final = api_path("/test_runs/{id}")
_NOT_ACCEPTABLE: Final = "The current script type can't satisfy the request Accept header format."


def _runs(request: web.Request) -> RunState:
    return context(request).store.run_state


@routes.patch(_RUN)
async def patch_test_run(request: web.Request) -> web.Response:
    """``PATCH /test_runs/{id}`` with ``{"note": str}`` and nothing else; 204."""
    runs = _runs(request)
    run_id = path_id(request)
    runs.book.require(run_id)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError.validation("The request body must be a JSON object.")
    for name in body:
        if name != "note":
            raise ApiError.validation(f"Unknown field {name!r}.", name)
    note = body.get("note")
    if not isinstance(note, str):
        raise ApiError.validation("note is required and must be a string.", "note")
    runs.note(run_id, note)
    return web.Response(status=204)


@routes.delete(_RUN)
async def delete_test_run(request: web.Request) -> web.Response:
    """``DELETE /test_runs/{id}``: 204; 409 while the run has not ended."""
    _runs(request).delete(path_id(request))
    return web.Response(status=204)


@routes.post(_RUN + "/star")
async def star_test_run(request: web.Request) -> web.Response:
    """``POST /test_runs/{id}/star``: 204."""
    _runs(request).star(path_id(request), True)
    return web.Response(status=204)


@routes.post(_RUN + "/unstar")
async def unstar_test_run(request: web.Request) -> web.Response:
    """``POST /test_runs/{id}/unstar``: 204."""
    _runs(request).star(path_id(request), False)
    return web.Response(status=204)


@routes.post(_RUN + "/save")
async def save_test_run(request: web.Request) -> web.Response:
    """``POST /test_runs/{id}/save``: 204; 409 when the results expired or the saved-runs
    limit is reached."""
    _runs(request).save(path_id(request))
    return web.Response(status=204)


@routes.post(_RUN + "/unsave")
async def unsave_test_run(request: web.Request) -> web.Response:
    """``POST /test_runs/{id}/unsave``: 204."""
    _runs(request).unsave(path_id(request))
    return web.Response(status=204)


def _zone_json(part: LoadZoneDistribution) -> dict[str, Any]:
    return {
        "percentage": part.percentage,
        "nodes": [{"size": node.size, "public_ip": node.public_ip} for node in part.nodes],
    }


@routes.get(_RUN + "/distribution")
async def test_run_distribution(request: web.Request) -> web.Response:
    """``GET /test_runs/{id}/distribution``: ``TestRunDistributionApiModel``; 404 for a run
    without distribution data."""
    distribution = _runs(request).distribution(path_id(request))
    body = {"distribution": {zone: _zone_json(part) for zone, part in distribution.items()}}
    return json_response(body)


@routes.get(_RUN + "/script")
async def test_run_script(request: web.Request) -> web.StreamResponse:
    """``GET /test_runs/{id}/script``: the script the run started with, streamed and typed
    by its content, as the load test's script is (406 when ``Accept`` rules it out)."""
    script = _runs(request).script(path_id(request))
    media_type = script_media_type(script)
    if not accepts(request.headers.get("Accept"), media_type):
        raise ApiError(406, "not_acceptable", _NOT_ACCEPTABLE)
    return await send_bytes(request, script, media_type)
