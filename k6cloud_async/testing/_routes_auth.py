"""``GET /auth``: a token's access to the stack named by ``X-Stack-Url``."""

from __future__ import annotations

from typing import Final

from aiohttp import web
from yarl import URL

from ._context import context
from ._errors import ApiError
from ._http import api_path
from ._json import json_response

__all__ = ["AUTH_PATH", "routes", "same_stack_url"]

#: The one path whose stack is named by ``X-Stack-Url`` rather than ``X-Stack-Id``.
AUTH_PATH: Final = api_path("/auth")

routes: Final = web.RouteTableDef()


def same_stack_url(given: str, accepted: str) -> bool:
    """Whether ``given`` names the stack at ``accepted``: scheme and host in any case, the
    path without a trailing ``/``."""
    try:
        a, b = URL(given.strip()), URL(accepted)
    except ValueError:
        return False
    return (
        a.is_absolute()
        and (a.scheme, a.host, a.port, a.path.rstrip("/"))
        == (b.scheme, b.host, b.port, b.path.rstrip("/"))
        and not a.query_string
    )


@routes.get(AUTH_PATH)
async def authenticate(request: web.Request) -> web.Response:
    """``GET /auth``: ``{"stack_id", "default_project_id"}`` for the fake's stack URL.

    The token was checked already (401); a missing ``X-Stack-Url`` is a 400, another
    stack's URL a 403. The default project is the stack's first one, created as "Default
    project" when the stack has none.
    """
    ctx = context(request)
    stack_url = request.headers.get("X-Stack-Url")
    if stack_url is None:
        raise ApiError.validation("The X-Stack-Url header is required.", "X-Stack-Url")
    if not same_stack_url(stack_url, ctx.stack_url):
        raise ApiError(403, "forbidden", "You do not have permission to access this stack.")
    store = ctx.store
    default_project = (
        min(store.projects) if store.projects else store.add_project("Default project")
    )
    return json_response({"stack_id": ctx.stack_id, "default_project_id": default_project})
