"""``Requestor``: what a resource is handed instead of the client.

The contract between the client and its resources. A resource is built with one
``Requestor`` and uses nothing else of the client:

- ``api_root`` (``…/cloud/v6``) and ``base_url``, to build its URLs;
- ``options(timeout, max_retries, streaming=…)``: the per-call options, the client's defaults
  with the call's overrides, checked before any request (``streaming=True`` for script
  transfers, whose total time is not limited while bytes flow);
- ``call(method, url, handler, options=…, …)``: one API call through the transport, with
  its retries; ``handler`` turns the successful response into the result;
- ``model(cls)``, ``model_list(cls)``, ``page(cls)`` and ``no_content``: the handlers of
  JSON bodies, built once per requestor;
- ``redact(error)``: the token blanked out of an error a resource builds from what the
  server sent (``call`` does it for every error it raises).

A client configured with a stack URL resolves its stack id before the first call
(``_stack.StackResolution``): ``call`` then waits for ``GET /auth`` first, once.

``with_options()`` is a requestor with other defaults over the same transport: the
connection pool and the retry budget are shared.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from yarl import URL

from ._config import ClientConfig, resolve_timeout
from ._errors import K6CloudError
from ._handlers import JsonList, JsonModel, JsonPage, NoContent
from ._models_auth import Authentication
from ._retry import RetryPolicy
from ._stack import StackResolution
from ._transport import CallOptions, Transport
from ._validation import check_max_retries

__all__ = ["KEEP", "Handler", "Requestor", "Timeout"]

R = TypeVar("R")
T = TypeVar("T")

#: Reads a successful response into a call's result (or keeps it open, for streaming).
Handler = Callable[[aiohttp.ClientResponse], Awaitable[R]]
#: What ``timeout=`` takes: seconds, an ``aiohttp.ClientTimeout``, or None for the default.
Timeout = float | aiohttp.ClientTimeout | None

#: ``with_options``' default: keep the current setting.
KEEP: Any = object()


def _streaming(timeout: aiohttp.ClientTimeout) -> aiohttp.ClientTimeout:
    """A script transfer may take longer than a JSON call: its total limit becomes a limit
    on the time between reads, so a large archive is not cut off while bytes still flow."""
    return aiohttp.ClientTimeout(
        total=None,
        connect=timeout.connect,
        sock_connect=timeout.sock_connect,
        sock_read=timeout.sock_read if timeout.sock_read is not None else timeout.total,
    )


class Requestor:
    """The API root, the per-call options and the way to make a call: a resource's seam."""

    __slots__ = (
        "_config",
        "_defaults",
        "_handlers",
        "_limit",
        "_models",
        "_stack",
        "_streaming_defaults",
        "_transport",
        "call",
        "no_content",
    )

    def __init__(
        self,
        transport: Transport,
        config: ClientConfig,
        defaults: CallOptions,
        stack: StackResolution | None = None,
    ) -> None:
        self._transport = transport
        self._config = config
        self._defaults = defaults
        self._streaming_defaults = CallOptions(
            timeout=_streaming(defaults.timeout),
            max_retries=defaults.max_retries,
            policy=defaults.policy,
        )
        self._limit = transport.max_response_bytes
        self._handlers: dict[tuple[str, type[Any]], Any] = {}
        self._models: dict[type[Any], Any] = {}
        #: ``call(method, url, handler, *, options, replay=…, body=…, headers=…,
        #: idempotency_key=…)``: one API call with its retries, ``handler``'s result
        #: (``Transport.call``, bound as it is: a call costs no extra frame here, unless the
        #: stack id is still to be resolved from the stack URL).
        self._stack = stack or StackResolution(transport, config)
        self.call = transport.call if config.stack_id is not None else self._call_resolving
        #: Drains a bodiless success (204) so that its connection goes back to the pool.
        self.no_content = NoContent(self._limit)

    # -- what the client reads --------------------------------------------------------------

    @property
    def transport(self) -> Transport:
        """The transport every call goes through (the client closes it)."""
        return self._transport

    @property
    def config(self) -> ClientConfig:
        return self._config

    @property
    def defaults(self) -> CallOptions:
        """The options of a call that overrides nothing."""
        return self._defaults

    def with_options(
        self,
        *,
        timeout: Timeout = KEEP,
        max_retries: int = KEEP,
        retry_policy: RetryPolicy = KEEP,
    ) -> Requestor:
        """A requestor with other defaults over the same transport (pool and budget)."""
        if retry_policy is not KEEP and not isinstance(retry_policy, RetryPolicy):
            raise TypeError("retry_policy must be a RetryPolicy")
        current = self._defaults
        defaults = CallOptions(
            timeout=current.timeout if timeout is KEEP else resolve_timeout(timeout),
            max_retries=(
                current.max_retries if max_retries is KEEP else check_max_retries(max_retries)
            ),
            policy=current.policy if retry_policy is KEEP else retry_policy,
        )
        return Requestor(self._transport, self._config, defaults, self._stack)

    # -- what a resource uses ---------------------------------------------------------------

    @property
    def api_root(self) -> URL:
        """``{base_url}/cloud/v6``: every endpoint's path is below it."""
        return self._config.api_root

    @property
    def base_url(self) -> URL:
        """The only origin that receives the token (next links are checked against it)."""
        return self._config.base_url

    def options(
        self, timeout: Timeout, max_retries: int | None, *, streaming: bool = False
    ) -> CallOptions:
        """The options of one call: the defaults with the call's overrides.

        Raises TypeError/ValueError for a bad ``timeout``/``max_retries`` and RuntimeError
        once the client is closed, before any request.
        """
        if self._transport.closed:
            raise RuntimeError("this K6CloudClient is closed")
        defaults = self._streaming_defaults if streaming else self._defaults
        if timeout is None and max_retries is None:
            return defaults
        if timeout is None:
            limits = defaults.timeout
        else:
            # A call's own timeout= means what the client-wide one does: for a script
            # transfer, a limit on the time between reads, never a total.
            limits = _streaming(resolve_timeout(timeout)) if streaming else resolve_timeout(timeout)
        return CallOptions(
            timeout=limits,
            max_retries=(
                defaults.max_retries if max_retries is None else check_max_retries(max_retries)
            ),
            policy=defaults.policy,
        )

    def redact(self, error: K6CloudError) -> None:
        """Blank the token out of ``error``, in place: for an error a resource builds itself
        from server data (``call`` redacts every error it raises)."""
        self._transport.redact(error)

    async def authenticate(self, stack_url: str | None, options: CallOptions) -> Authentication:
        """``GET /auth`` (``X-Stack-Url``): see ``StackResolution.authenticate``."""
        return await self._stack.authenticate(stack_url, options)

    async def _call_resolving(
        self,
        method: str,
        url: URL,
        handler: Handler[R],
        *,
        options: CallOptions,
        **keywords: Any,
    ) -> R:
        await self._stack.resolve(options)
        return await self._transport.call(method, url, handler, options=options, **keywords)

    def model(self, cls: type[T]) -> JsonModel[T]:
        """The handler that decodes a JSON object into ``cls``."""
        handler = self._models.get(cls)  # asked on every call: one dict look-up
        if handler is None:
            handler = self._models[cls] = JsonModel(cls, self._limit)
        return handler

    def model_list(self, cls: type[T]) -> JsonList[T]:
        """The handler of a list of ``cls``: a bare JSON array or a ``{"value": [...]}``."""
        return self._handler("list", cls, JsonList)  # type: ignore[no-any-return]

    def page(self, cls: type[T]) -> JsonPage[T]:
        """The handler of one listing page of ``cls`` (``value``, ``@count``, ``@nextLink``)."""
        return self._handler("page", cls, JsonPage)  # type: ignore[no-any-return]

    def _handler(self, kind: str, cls: type[Any], build: Callable[[type[Any], int], Any]) -> Any:
        # Built once per model and requestor: a call reuses it rather than allocating one.
        key = (kind, cls)
        handler = self._handlers.get(key)
        if handler is None:
            handler = self._handlers[key] = build(cls, self._limit)
        return handler
