"""``K6CloudClient``: configuration, lifecycle, and the API's resources.

The client builds one ``Requestor`` (the transport, the configuration and the default call
options) and hands it to each resource; ``with_options()`` is a client over another
requestor that shares the same transport.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import aiohttp
from yarl import URL

from ._config import ClientConfig, resolve_timeout
from ._constants import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from ._models_auth import Authentication
from ._requestor import KEEP, Requestor, Timeout
from ._retry import RetryPolicy
from ._transport import CallOptions, Transport
from ._validation import check_max_retries, check_positive_int, check_proxy, check_ssl
from .resources.labels import Labels
from .resources.load_tests import LoadTests
from .resources.load_zones import LoadZones
from .resources.projects import Projects
from .resources.schedules import Schedules
from .resources.test_runs import TestRuns

__all__ = ["K6CloudClient"]


class K6CloudClient:
    """An asyncio client for the Grafana Cloud k6 Tests REST API (v6).

    ``token`` falls back to ``$K6_CLOUD_TOKEN``, ``stack_id`` to ``$K6_CLOUD_STACK_ID`` and
    ``base_url`` to ``$K6_CLOUD_HOST_V6``, then ``https://api.k6.io``. The pooled
    ``aiohttp.ClientSession`` is created on first use; a caller's ``session`` is used as is
    and never closed. Use ``async with`` or ``await client.close()``.

    ``stack_url`` (``https://mystack.grafana.net``, or ``$K6_CLOUD_STACK_URL``) may stand in
    for the stack id: the id is then resolved through ``GET /auth`` once, before the first
    call that needs it (``stack_id`` is None until then).
    """

    load_tests: LoadTests
    projects: Projects
    test_runs: TestRuns
    schedules: Schedules
    load_zones: LoadZones
    labels: Labels

    def __init__(
        self,
        token: str | None = None,
        stack_id: int | str | None = None,
        *,
        base_url: str | URL | None = None,
        timeout: float | aiohttp.ClientTimeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        session: aiohttp.ClientSession | None = None,
        user_agent: str | None = None,
        ssl: Any = None,
        proxy: str | URL | None = None,
        trust_env: bool = False,
        trace_configs: list[aiohttp.TraceConfig] | None = None,
        allow_insecure_http: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        stack_url: str | None = None,
    ) -> None:
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise TypeError(
                f"session must be an aiohttp.ClientSession, not {type(session).__name__}"
            )
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise TypeError("retry_policy must be a RetryPolicy")
        check_positive_int(max_connections, "max_connections")
        check_positive_int(max_response_bytes, "max_response_bytes")
        check_proxy(proxy)
        check_ssl(ssl)
        config = ClientConfig.resolve(
            token=token,
            stack_id=stack_id,
            base_url=base_url,
            user_agent=user_agent,
            allow_insecure_http=allow_insecure_http,
            proxy=proxy,
            trust_env=trust_env,
            stack_url=stack_url,
        )
        policy = retry_policy or RetryPolicy()
        transport = Transport(
            config,
            policy=policy,
            max_connections=max_connections,
            session=session,
            ssl=ssl,
            proxy=proxy,
            trust_env=trust_env,
            trace_configs=trace_configs,
            max_response_bytes=max_response_bytes,
        )
        defaults = CallOptions(
            timeout=resolve_timeout(timeout),
            max_retries=check_max_retries(max_retries),
            policy=policy,
        )
        self._bind(Requestor(transport, config, defaults), owns_transport=True)

    @classmethod
    def _over(cls, requestor: Requestor) -> K6CloudClient:
        """A client over ``requestor``, whose transport some other client owns and closes."""
        client = cls.__new__(cls)
        client._bind(requestor, owns_transport=False)
        return client

    def _bind(self, requestor: Requestor, *, owns_transport: bool) -> None:
        """Hand ``requestor`` to every resource: the client's only state besides it is
        whether ``close()`` closes the transport."""
        self._requestor = requestor
        self._owns_transport = owns_transport
        self.load_tests = LoadTests(requestor)
        self.test_runs = TestRuns(requestor)
        self.projects = Projects(requestor)
        self.schedules = Schedules(requestor)
        self.load_zones = LoadZones(requestor)
        self.labels = Labels(requestor)

    @property
    def _transport(self) -> Transport:
        return self._requestor.transport

    @property
    def _config(self) -> ClientConfig:
        return self._requestor.config

    @property
    def base_url(self) -> URL:
        """The API's base URL (the origin the token is sent to)."""
        return self._config.base_url

    @property
    def stack_id(self) -> int | None:
        """The stack every call works in; None while a ``stack_url`` is still unresolved."""
        return self._config.stack_id

    @property
    def stack_url(self) -> str | None:
        """The stack URL the client was configured with (None when given a stack id)."""
        return self._config.stack_url

    async def authenticate(
        self,
        stack_url: str | None = None,
        *,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> Authentication:
        """``GET /auth`` with ``X-Stack-Url``: check the token's access to the stack at
        ``stack_url`` (None: the client's own ``stack_url``) and return its stack id and
        default project id, as ``k6 cloud login`` does.

        For the client's own, unresolved stack URL this is the resolution itself: later
        calls carry the id it returns. AuthenticationError for a bad token,
        PermissionDeniedError for a stack the token cannot reach; ValueError before any
        request when there is no stack URL to ask about.
        """
        options = self._requestor.options(timeout, max_retries)
        return await self._requestor.authenticate(stack_url, options)

    @property
    def timeout(self) -> aiohttp.ClientTimeout:
        """The default timeout of each call (a per-call ``timeout=`` overrides it)."""
        return self._requestor.defaults.timeout

    @property
    def max_retries(self) -> int:
        """The default number of retries of a call that is safe to repeat."""
        return self._requestor.defaults.max_retries

    @property
    def retry_policy(self) -> RetryPolicy:
        """The backoff, ``Retry-After`` and deadline rules of the retries."""
        return self._requestor.defaults.policy

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called."""
        return self._transport.closed

    def with_options(
        self,
        *,
        timeout: Timeout = KEEP,
        max_retries: int = KEEP,
        retry_policy: RetryPolicy = KEEP,
    ) -> K6CloudClient:
        """A client with other defaults that shares this one's connection pool and retry
        budget. Closing it does not close the pool; closing this client does."""
        requestor = self._requestor.with_options(
            timeout=timeout, max_retries=max_retries, retry_policy=retry_policy
        )
        return type(self)._over(requestor)

    async def close(self) -> None:
        """Close the connection pool (idempotent). A caller's session is left open."""
        if self._owns_transport:
            await self._transport.close()

    async def __aenter__(self) -> K6CloudClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        config = self._config
        stack = (
            f"stack_url={config.stack_url!r}"
            if config.stack_id is None
            else f"stack_id={config.stack_id}"
        )
        return (
            f"<K6CloudClient base_url={str(config.base_url)!r} "
            f"{stack}{' closed' if self.closed else ''}>"
        )
