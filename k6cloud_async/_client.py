"""``K6CloudClient``: configuration, lifecycle, and the API's resources."""

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
from ._retry import RetryPolicy
from ._transport import CallOptions, Transport
from ._validation import check_positive_int, check_proxy, check_ssl
from .resources.load_tests import LoadTests
from .resources.test_runs import TestRuns

__all__ = ["K6CloudClient"]

_KEEP: Any = object()


def _check_max_retries(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"max_retries must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"max_retries must be 0 or more, got {value}")
    return value


def _streaming(timeout: aiohttp.ClientTimeout) -> aiohttp.ClientTimeout:
    """A script transfer may take longer than a JSON call: its total limit becomes a limit
    on the time between reads, so a large archive is not cut off while bytes still flow.

    Applied alike to the client's timeout and to a call's ``timeout=``."""
    return aiohttp.ClientTimeout(
        total=None,
        connect=timeout.connect,
        sock_connect=timeout.sock_connect,
        sock_read=timeout.sock_read if timeout.sock_read is not None else timeout.total,
    )


class K6CloudClient:
    """An asyncio client for the Grafana Cloud k6 Tests REST API (v6).

    ``token`` falls back to ``$K6_CLOUD_TOKEN``, ``stack_id`` to ``$K6_CLOUD_STACK_ID`` and
    ``base_url`` to ``$K6_CLOUD_HOST_V6``, then ``https://api.k6.io``. The pooled
    ``aiohttp.ClientSession`` is created on first use; a caller's ``session`` is used as is
    and never closed. Use ``async with`` or ``await client.close()``.
    """

    load_tests: LoadTests
    test_runs: TestRuns

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
        self._config = ClientConfig.resolve(
            token=token,
            stack_id=stack_id,
            base_url=base_url,
            user_agent=user_agent,
            allow_insecure_http=allow_insecure_http,
        )
        policy = retry_policy or RetryPolicy()
        self._transport = Transport(
            self._config,
            policy=policy,
            max_connections=max_connections,
            session=session,
            ssl=ssl,
            proxy=proxy,
            trust_env=trust_env,
            trace_configs=trace_configs,
            max_response_bytes=max_response_bytes,
        )
        self._owns_transport = True
        self._defaults = CallOptions(
            timeout=resolve_timeout(timeout),
            max_retries=_check_max_retries(max_retries),
            policy=policy,
        )
        self._init_resources()

    def _init_resources(self) -> None:
        self._streaming_timeout = _streaming(self._defaults.timeout)
        self.load_tests = LoadTests(self)
        self.test_runs = TestRuns(self)

    @property
    def base_url(self) -> URL:
        return self._config.base_url

    @property
    def stack_id(self) -> int:
        return self._config.stack_id

    @property
    def timeout(self) -> aiohttp.ClientTimeout:
        return self._defaults.timeout

    @property
    def max_retries(self) -> int:
        return self._defaults.max_retries

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._defaults.policy

    @property
    def closed(self) -> bool:
        return self._transport.closed

    def with_options(
        self,
        *,
        timeout: float | aiohttp.ClientTimeout | None = _KEEP,
        max_retries: int = _KEEP,
        retry_policy: RetryPolicy = _KEEP,
    ) -> K6CloudClient:
        """A client with other defaults that shares this one's connection pool and retry
        budget. Closing it does not close the pool; closing this client does."""
        clone = object.__new__(type(self))
        clone._config = self._config
        clone._transport = self._transport
        clone._owns_transport = False
        clone._defaults = CallOptions(
            timeout=self._defaults.timeout if timeout is _KEEP else resolve_timeout(timeout),
            max_retries=(
                self._defaults.max_retries
                if max_retries is _KEEP
                else _check_max_retries(max_retries)
            ),
            policy=self._defaults.policy if retry_policy is _KEEP else retry_policy,
        )
        clone._init_resources()
        return clone

    def _call_options(
        self,
        timeout: float | aiohttp.ClientTimeout | None,
        max_retries: int | None,
        *,
        streaming: bool = False,
    ) -> CallOptions:
        """The options of one call: the client's defaults with the call's overrides."""
        if self._transport.closed:
            raise RuntimeError("this K6CloudClient is closed")
        if timeout is None and max_retries is None:
            if streaming:
                return CallOptions(
                    timeout=self._streaming_timeout,
                    max_retries=self._defaults.max_retries,
                    policy=self._defaults.policy,
                )
            return self._defaults
        if timeout is None:
            limits = self._streaming_timeout if streaming else self._defaults.timeout
        else:
            limits = _streaming(resolve_timeout(timeout)) if streaming else resolve_timeout(timeout)
        return CallOptions(
            timeout=limits,
            max_retries=(
                self._defaults.max_retries
                if max_retries is None
                else _check_max_retries(max_retries)
            ),
            policy=self._defaults.policy,
        )

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
        return (
            f"<K6CloudClient base_url={str(self._config.base_url)!r} "
            f"stack_id={self._config.stack_id}{' closed' if self.closed else ''}>"
        )
