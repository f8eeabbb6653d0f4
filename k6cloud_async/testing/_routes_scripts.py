"""Script endpoints: create a test (multipart), download and upload its script."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from ._context import context
from ._errors import ApiError
from ._forms import read_form
from ._http import api_path, path_id, read_octets, send_bytes
from ._json import json_response, load_test_json
from ._media import accepts, script_media_type
from ._state import ScriptUpload, check_name

__all__ = ["routes"]

routes: Final = web.RouteTableDef()

_NOT_ACCEPTABLE: Final = "The current script type can't satisfy the request Accept header format."


@routes.post(api_path("/projects/{id}/load_tests"))
async def create_load_test(request: web.Request) -> web.Response:
    """``POST /projects/{id}/load_tests``: multipart ``name`` + ``script``; 201 ``LoadTest``.

    404 for an unknown project; 415 for a body that is not ``multipart/form-data``;
    400 for a malformed body, or (target ``name`` or ``script``) a missing or invalid
    field; 409 for a name already taken in the project.
    """
    store = context(request).store
    project_id = path_id(request)
    store.require_project(project_id)
    parts = await read_form(request)
    name_part = parts.get("name")
    if name_part is None:
        raise ApiError.validation("This field is required.", "name")
    name = check_name(name_part.text("name"))
    script = parts.get("script")
    if script is None or not script.data:
        raise ApiError.validation("A non-empty script file is required.", "script")
    upload = ScriptUpload(
        via="create",
        filename=script.filename,
        content_type=script.content_type,
        size=len(script.data),
    )
    test = store.create_test(project_id, name, script.data, upload)
    return json_response(load_test_json(test), status=201)


@routes.get(api_path("/load_tests/{id}/script"))
async def download_script(request: web.Request) -> web.StreamResponse:
    """``GET /load_tests/{id}/script``: the script, streamed, typed by its content.

    ``application/x-tar`` for a tar archive, else ``text/javascript``; 406 when the
    ``Accept`` header rules that type out.
    """
    store = context(request).store
    test_id = path_id(request)
    store.require_test(test_id)
    script = store.scripts[test_id]
    media_type = script_media_type(script)
    if not accepts(request.headers.get("Accept"), media_type):
        raise ApiError(406, "not_acceptable", _NOT_ACCEPTABLE)
    return await send_bytes(request, script, media_type)


@routes.put(api_path("/load_tests/{id}/script"))
async def upload_script(request: web.Request) -> web.Response:
    """``PUT /load_tests/{id}/script``: the raw body replaces the script; 204.

    415 unless the body is ``application/octet-stream``; 400 when it is empty.
    """
    store = context(request).store
    test_id = path_id(request)
    store.require_test(test_id)
    script = await read_octets(request)
    if not script:
        raise ApiError.validation("The script must not be empty.", "script")
    upload = ScriptUpload(
        via="upload",
        filename=None,
        content_type=request.headers.get("Content-Type"),
        size=len(script),
    )
    store.set_script(test_id, script, upload)
    return web.Response(status=204)
