"""Client configuration: arguments, then the environment k6 itself reads, then defaults."""

from __future__ import annotations

import ipaddress
import os
import platform
import urllib.request
from collections.abc import Mapping
from typing import Any, Final

import aiohttp
from attrs import define, field
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from ._constants import (
    API_PREFIX,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    ENV_HOST,
    ENV_STACK_ID,
    ENV_STACK_URL,
    ENV_TOKEN,
)
from ._errors import ConfigurationError
from ._validation import check_header_value, check_stack_url, check_timeout
from ._version import __version__

__all__ = ["ClientConfig", "Secret", "resolve_timeout"]

_LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost.localdomain"})


class Secret:
    """A string that never shows itself in ``repr``/``str`` (the API token)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def default_user_agent() -> str:
    return (
        f"k6cloud-async/{__version__} Python/{platform.python_version()} "
        f"aiohttp/{aiohttp.__version__}"
    )


@define(repr=False)
class ClientConfig:
    """What every request of a client needs; built once, shared by ``with_options`` copies.

    Configured with a ``stack_url`` instead of a stack id, ``stack_id`` is None and the
    headers carry no ``X-Stack-Id`` until :meth:`set_stack_id` records the id ``GET /auth``
    resolved (in place: every copy sharing this configuration sees it at once).
    """

    token: Secret
    stack_id: int | None
    base_url: URL
    api_root: URL
    headers: CIMultiDictProxy[str] = field()
    stack_url: str | None = None

    @classmethod
    def resolve(
        cls,
        *,
        token: str | None,
        stack_id: int | str | None,
        base_url: str | URL | None,
        user_agent: str | None,
        allow_insecure_http: bool,
        environ: Mapping[str, str] | None = None,
        proxy: str | URL | None = None,
        trust_env: bool = False,
        stack_url: str | None = None,
    ) -> ClientConfig:
        """The configuration, or ``ConfigurationError``/``TypeError`` before any request.

        Plain ``http://`` needs ``allow_insecure_http=True`` unless nothing but loopback
        sees the token: the base URL's host, and the proxy on the way if there is one
        (``proxy=``, or with ``trust_env`` the proxy aiohttp takes from the environment).

        The stack is ``stack_id`` or ``stack_url`` (not both), else ``$K6_CLOUD_STACK_ID``,
        else ``$K6_CLOUD_STACK_URL``: an argument wins over the environment, and an id over
        a URL in the environment (no request is needed to use it).
        """
        env = os.environ if environ is None else environ
        resolved_token = _resolve_token(token, env)
        resolved_stack, resolved_url = _resolve_stack(stack_id, stack_url, env)
        url = _resolve_base_url(base_url, env, allow_insecure_http)
        if url.scheme == "http" and not allow_insecure_http:
            _check_plain_http_route(url, proxy, trust_env)
        if user_agent is not None:
            check_header_value(user_agent, "user_agent")  # a TypeError for a non-str first
        agent = user_agent or default_user_agent()
        headers = CIMultiDict(
            {
                "Authorization": f"Bearer {resolved_token}",
                "User-Agent": agent,
                "Accept": "application/json",
            }
        )
        if resolved_stack is not None:
            headers["X-Stack-Id"] = str(resolved_stack)
        return cls(
            token=Secret(resolved_token),
            stack_id=resolved_stack,
            base_url=url,
            api_root=url.joinpath(*API_PREFIX),
            headers=CIMultiDictProxy(headers),
            stack_url=resolved_url,
        )

    def set_stack_id(self, stack_id: int) -> None:
        """Record the stack id ``GET /auth`` resolved: every later request carries it."""
        headers = CIMultiDict(self.headers)
        headers["X-Stack-Id"] = str(stack_id)
        self.headers = CIMultiDictProxy(headers)
        self.stack_id = stack_id

    def same_origin(self, url: URL) -> bool:
        """Whether ``url`` may receive the token: same scheme, host and port as the base URL."""
        return url.origin() == self.base_url.origin()

    def __repr__(self) -> str:
        stack = (
            f"stack_url={self.stack_url!r}"
            if self.stack_id is None
            else f"stack_id={self.stack_id}"
        )
        return f"ClientConfig(base_url={str(self.base_url)!r}, {stack})"


def _resolve_token(token: str | None, env: Mapping[str, Any]) -> str:
    if token is None:
        token = env.get(ENV_TOKEN) or None
    if token is None:
        raise ConfigurationError(f"no API token: pass token= or set ${ENV_TOKEN}")
    if not isinstance(token, str):
        raise TypeError(f"token must be a str, not {type(token).__name__}")
    if not token.strip():
        raise ConfigurationError(f"the API token is empty: pass token= or set ${ENV_TOKEN}")
    try:
        return check_header_value(token, "token")
    except ValueError as exc:  # never echo the token itself
        raise ConfigurationError(str(exc)) from None


def _resolve_stack(
    stack_id: int | str | None, stack_url: str | None, env: Mapping[str, Any]
) -> tuple[int | None, str | None]:
    """(stack id, None) or (None, stack URL): arguments first, then the environment."""
    if stack_id is not None and stack_url is not None:
        raise ConfigurationError("pass stack_id= or stack_url=, not both")
    if stack_id is not None:
        return _resolve_stack_id(stack_id, "stack_id"), None
    if stack_url is not None:
        return None, _resolve_stack_url(stack_url, "stack_url")
    if env.get(ENV_STACK_ID):
        return _resolve_stack_id(env[ENV_STACK_ID], f"${ENV_STACK_ID}"), None
    if env.get(ENV_STACK_URL):
        return None, _resolve_stack_url(env[ENV_STACK_URL], f"${ENV_STACK_URL}")
    raise ConfigurationError(
        f"no stack: pass stack_id= or stack_url=, or set ${ENV_STACK_ID} or ${ENV_STACK_URL}"
    )


def _resolve_stack_url(stack_url: Any, source: str) -> str:
    try:
        return check_stack_url(stack_url, source)
    except ValueError as exc:  # a TypeError (not a str) stays one
        raise ConfigurationError(str(exc)) from None


def _resolve_stack_id(stack_id: int | str, source: str) -> int:
    if isinstance(stack_id, bool) or not isinstance(stack_id, int | str):
        raise TypeError(f"stack_id must be an int, not {type(stack_id).__name__}")
    if isinstance(stack_id, str):
        text = stack_id.strip()
        if not text.isdecimal() or not text.isascii():
            raise ConfigurationError(f"{source} must be a positive integer, got {stack_id!r}")
        stack_id = int(text)
    if stack_id < 1:
        raise ConfigurationError(f"{source} must be a positive integer, got {stack_id}")
    return stack_id


def _resolve_base_url(
    base_url: str | URL | None, env: Mapping[str, Any], allow_insecure_http: bool
) -> URL:
    raw = base_url if base_url is not None else (env.get(ENV_HOST) or DEFAULT_BASE_URL)
    if not isinstance(raw, str | URL):
        raise TypeError(f"base_url must be a str or yarl.URL, not {type(raw).__name__}")
    url = URL(raw)
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {str(url)!r}")
    if url.user or url.password or url.query_string or url.fragment:
        raise ConfigurationError("base_url must not carry credentials, a query or a fragment")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise ConfigurationError(
            f"refusing to send the token over plain http to {url.host}: use https, "
            "or pass allow_insecure_http=True"
        )
    # A base URL with a path prefix keeps it; the API root is appended below it.
    return url.with_path(url.path.rstrip("/") or "/")


def _check_plain_http_route(url: URL, proxy: str | URL | None, trust_env: bool) -> None:
    """Refuse a proxy off this machine in front of a plain-http base URL: it would read the
    token in the clear."""
    if proxy is not None and not isinstance(proxy, str | URL):
        raise TypeError(f"proxy must be a str or yarl.URL, not {type(proxy).__name__}")
    route = URL(proxy) if proxy is not None else _environment_proxy(url) if trust_env else None
    if route is None:
        return
    if not route.host or not _is_loopback(route.host):
        source = "proxy=" if proxy is not None else "the environment's proxy"
        raise ConfigurationError(
            f"refusing to send the token over plain http through {source} "
            f"{route.host or str(route)!r}, which is not loopback: use https, "
            "or pass allow_insecure_http=True"
        )


def _environment_proxy(url: URL) -> URL | None:
    """The proxy aiohttp's ``trust_env`` would use for ``url`` (``*_proxy``/``no_proxy``)."""
    assert url.host is not None
    if urllib.request.proxy_bypass(url.host):
        return None
    proxy = urllib.request.getproxies().get(url.scheme)
    return URL(proxy) if proxy else None


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_timeout(timeout: float | aiohttp.ClientTimeout | None) -> aiohttp.ClientTimeout:
    """A number of seconds is the total timeout of each attempt, with the default
    ``sock_connect`` (never ``connect``, which would also count the wait for the pool).

    TypeError/ValueError naming ``timeout`` unless it is a positive, finite number.
    """
    if timeout is None:
        return DEFAULT_TIMEOUT
    checked = check_timeout(timeout)
    if isinstance(checked, aiohttp.ClientTimeout):
        return checked
    return aiohttp.ClientTimeout(total=checked, sock_connect=DEFAULT_TIMEOUT.sock_connect)
