"""The aiohttp application and its life on a TCP socket."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from . import (
    _routes_auth,
    _routes_labels,
    _routes_load_tests,
    _routes_load_zones,
    _routes_projects,
    _routes_run_state,
    _routes_runs,
    _routes_schedules,
    _routes_scripts,
)
from ._context import CONTEXT, ServerContext
from ._middleware import MIDDLEWARES
from ._request_ids import stamp_streamed

__all__ = ["SHUTDOWN_TIMEOUT", "ServerHandle", "make_app"]

#: How long :meth:`ServerHandle.stop` lets requests in flight finish before cancelling them.
SHUTDOWN_TIMEOUT: Final = 0.25


def make_app(ctx: ServerContext) -> web.Application:
    """The fake API as an aiohttp application serving ``ctx``."""
    app = web.Application(middlewares=MIDDLEWARES)
    app[CONTEXT] = ctx
    app.on_response_prepare.append(stamp_streamed)
    app.router.add_routes(_routes_load_tests.routes)
    app.router.add_routes(_routes_scripts.routes)
    app.router.add_routes(_routes_runs.routes)
    app.router.add_routes(_routes_projects.routes)
    app.router.add_routes(_routes_run_state.routes)
    app.router.add_routes(_routes_auth.routes)
    app.router.add_routes(_routes_load_zones.routes)
    app.router.add_routes(_routes_labels.routes)
    app.router.add_routes(_routes_schedules.routes)
    return app


class ServerHandle:
    """A running site: ``web.AppRunner`` + ``web.TCPSite`` on ``host:port``."""

    def __init__(self, runner: web.AppRunner, host: str, port: int) -> None:
        self._runner = runner
        self.host = host
        self.port = port

    @classmethod
    async def start(cls, app: web.Application, host: str, port: int) -> ServerHandle:
        """Listen on ``host:port`` (``0``: an ephemeral port) in the running event loop."""
        runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            bound = runner.addresses[0][1]
        except BaseException:
            await runner.cleanup()
            raise
        return cls(runner, host, int(bound))

    async def stop(self) -> None:
        """Stop listening, close connections (cancelling handlers still running)."""
        await self._runner.cleanup()
