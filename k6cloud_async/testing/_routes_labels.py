"""Label key endpoints: list, create (additive), update, delete."""

from __future__ import annotations

from typing import Any, Final

from aiohttp import web

from .._models_labels import LabelKey
from ._context import context
from ._errors import ApiError
from ._http import api_path, path_id, read_json
from ._json import json_response

__all__ = ["label_key_json", "routes"]

routes: Final = web.RouteTableDef()


def label_key_json(label: LabelKey) -> dict[str, Any]:
    """``LabelKeyResponse``."""
    return {"id": label.id, "key": label.key, "description": label.description}


def _listing(labels: list[LabelKey]) -> dict[str, Any]:
    return {"value": [label_key_json(label) for label in labels]}


@routes.get(api_path("/labels"))
async def list_labels(request: web.Request) -> web.Response:
    """``GET /labels``: every key by id (not paginated)."""
    return json_response(_listing(context(request).store.label_keys.listing()))


@routes.post(api_path("/labels"))
async def create_labels(request: web.Request) -> web.Response:
    """``POST /labels`` with ``{"value": [{"key", "description"?}, …]}``: 201 with the
    created keys. 415 unless JSON; 400 for a malformed item or a repeated or existing key;
    409 beyond 100 keys."""
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("value"), list):
        raise ApiError.validation("The body must be an object with a value array.", "value")
    if set(body) - {"value"}:
        raise ApiError.validation(f"Unknown field {sorted(set(body) - {'value'})[0]!r}.")
    created = context(request).store.label_keys.create(body["value"])
    return json_response(_listing(created), status=201)


@routes.patch(api_path("/labels/{id}"))
async def patch_label(request: web.Request) -> web.Response:
    """``PATCH /labels/{id}`` with ``key`` and/or ``description``: 200 with the key.
    404 unknown id; 415 unless JSON; 400 malformed; 409 a rename to a taken key."""
    book = context(request).store.label_keys
    label_id = path_id(request)
    book.require(label_id)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError.validation("The request body must be a JSON object.")
    return json_response(label_key_json(book.update(label_id, body)))


@routes.delete(api_path("/labels/{id}"))
async def delete_label(request: web.Request) -> web.Response:
    """``DELETE /labels/{id}``: 204; the project labels using the key go with it."""
    context(request).store.label_keys.delete(path_id(request))
    return web.Response(status=204)
