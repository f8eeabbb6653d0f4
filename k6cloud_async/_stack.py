"""The stack a client works in, when it was configured by URL: ``GET /auth`` once.

``K6CloudClient(token, stack_url=…)`` knows no stack id at first. Before the first call
that needs one, ``StackResolution.resolve`` asks ``GET /cloud/v6/auth`` (``X-Stack-Url``)
and records the answer's ``stack_id`` in the shared configuration, whose headers every
later request carries. Calls that arrive while that request is in flight wait for the same
answer (one request, however many calls); a failure reaches every one of them and is
forgotten, so that the next call asks again.
"""

from __future__ import annotations

import asyncio
from typing import Final

from ._config import ClientConfig
from ._constants import STACK_URL_HEADER
from ._errors import ResponseDecodeError
from ._handlers import JsonModel
from ._models_auth import Authentication
from ._transport import CallOptions, Transport
from ._validation import check_stack_url

__all__ = ["StackResolution"]

_AUTH_PATH: Final = "auth"


class StackResolution:
    """``GET /auth`` for one client and its ``with_options`` copies (they share it)."""

    __slots__ = ("_config", "_handler", "_pending", "_transport")

    def __init__(self, transport: Transport, config: ClientConfig) -> None:
        self._transport = transport
        self._config = config
        self._handler = JsonModel(Authentication, transport.max_response_bytes)
        self._pending: asyncio.Future[Authentication] | None = None

    async def resolve(self, options: CallOptions) -> None:
        """Make sure the configuration has a stack id (a no-op once it has one)."""
        if self._config.stack_id is None:
            await self._resolution(options)

    async def authenticate(self, stack_url: str | None, options: CallOptions) -> Authentication:
        """``GET /auth`` for ``stack_url`` (None: the client's own stack URL).

        Asked for the client's own URL before its id is known, this is the resolution
        itself. Raises ValueError when there is no URL to ask about, before any request.
        """
        if stack_url is None:
            url = self._config.stack_url
            if url is None:
                raise ValueError(
                    "stack_url must be given: this client was configured with a stack id, "
                    "not a stack URL"
                )
        else:
            url = check_stack_url(stack_url, "stack_url")
        if url == self._config.stack_url and self._config.stack_id is None:
            return await self._resolution(options)
        return await self._fetch(url, options)

    async def _resolution(self, options: CallOptions) -> Authentication:
        pending = self._pending
        if pending is None:
            pending = self._pending = asyncio.ensure_future(self._resolve(options))
            pending.add_done_callback(self._settle)
        # Shielded: one caller cancelled must not cancel the answer the others wait for.
        return await asyncio.shield(pending)

    async def _resolve(self, options: CallOptions) -> Authentication:
        assert self._config.stack_url is not None
        answer = await self._fetch(self._config.stack_url, options)
        if answer.stack_id < 1:
            raise ResponseDecodeError(
                f"GET /auth answered stack_id {answer.stack_id}, not a positive id",
                field="$.stack_id",
            )
        self._config.set_stack_id(answer.stack_id)
        return answer

    def _settle(self, pending: asyncio.Future[Authentication]) -> None:
        if pending is self._pending:
            self._pending = None  # resolved (the id is in the config) or failed: ask again
        if not pending.cancelled():
            pending.exception()  # retrieved here, even when every caller has gone

    async def _fetch(self, stack_url: str, options: CallOptions) -> Authentication:
        return await self._transport.call(
            "GET",
            self._config.api_root / _AUTH_PATH,
            self._handler,
            options=options,
            headers={STACK_URL_HEADER: stack_url},
        )
