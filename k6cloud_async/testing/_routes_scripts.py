"""Script endpoints: create a test (multipart), download and upload its script."""

from __future__ import annotations

import warnings
from typing import Final

from aiohttp import BodyPartReader, web

from ._context import context
from ._errors import ApiError
from ._http import CHUNK_SIZE, path_id, read_body, send_bytes
from ._json import json_response, load_test_json
from ._media import accepts, script_media_type
from ._state import ScriptUpload, check_name

__all__ = ["routes"]

routes: Final = web.RouteTableDef()

_NOT_ACCEPTABLE: Final = "The current script type can't satisfy the request Accept header format."


async def _read_part(part: BodyPartReader) -> bytes:
    data = bytearray()
    with warnings.catch_warnings():
        # aiohttp 3.14's multipart reader calls its own deprecated unread_data() for
        # chunked bodies; the fake must not fail a request over aiohttp's internals.
        warnings.filterwarnings("ignore", "unread_data", DeprecationWarning)
        while chunk := await part.read_chunk(CHUNK_SIZE):
            data += chunk
    return bytes(data)


@routes.post(r"/cloud/v6/projects/{id:\d+}/load_tests")
async def create_load_test(request: web.Request) -> web.Response:
    """``POST /projects/{id}/load_tests``: multipart ``name`` + ``script``; 201 ``LoadTest``.

    404 for an unknown project; 400 (target ``name`` or ``script``) for a missing or
    invalid field or a body that is not ``multipart/form-data``; 409 for a name
    already taken in the project.
    """
    store = context(request).store
    project_id = path_id(request)
    store.require_project(project_id)
    name: str | None = None
    script: bytes | None = None
    upload: ScriptUpload | None = None
    if request.content_type == "application/x-www-form-urlencoded":
        value = (await request.post()).get("name")  # a form without a file part
        name = value if isinstance(value, str) else None
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise ApiError.validation("Nested multipart bodies are not supported.")
            if part.name == "name":
                name = await part.text()
            elif part.name == "script":
                script = await _read_part(part)
                upload = ScriptUpload(
                    via="create",
                    filename=part.filename,
                    content_type=part.headers.get("Content-Type"),
                    size=len(script),
                )
            else:
                await part.release()
    else:
        raise ApiError.validation("The request body must be multipart/form-data.")
    if name is None:
        raise ApiError.validation("This field is required.", "name")
    check_name(name)
    if not script or upload is None:
        raise ApiError.validation("A non-empty script file is required.", "script")
    test = store.create_test(project_id, name, script, upload)
    return json_response(load_test_json(test), status=201)


@routes.get(r"/cloud/v6/load_tests/{id:\d+}/script")
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


@routes.put(r"/cloud/v6/load_tests/{id:\d+}/script")
async def upload_script(request: web.Request) -> web.Response:
    """``PUT /load_tests/{id}/script``: the raw body replaces the script; 204 (400 if empty)."""
    store = context(request).store
    test_id = path_id(request)
    store.require_test(test_id)
    script = await read_body(request)
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
