"""Configuration from arguments or the environment, checked at construction."""

from __future__ import annotations

import platform

import aiohttp
import pytest

import k6cloud_async as k6
from k6cloud_async._config import Secret, resolve_timeout

TOKEN = "tok-abcdef-secret"


def test_arguments_configure_the_client() -> None:
    client = k6.K6CloudClient(TOKEN, 42, base_url="https://k6.example.com/")
    assert client.stack_id == 42
    assert str(client.base_url) == "https://k6.example.com/"
    assert str(client._config.api_root) == "https://k6.example.com/cloud/v6"


def test_the_environment_is_read_as_k6_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K6_CLOUD_TOKEN", TOKEN)
    monkeypatch.setenv("K6_CLOUD_STACK_ID", "77")
    monkeypatch.setenv("K6_CLOUD_HOST_V6", "https://stack.example.net")
    client = k6.K6CloudClient()
    assert client.stack_id == 77
    assert client.base_url.host == "stack.example.net"
    assert client._config.headers["Authorization"] == f"Bearer {TOKEN}"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K6_CLOUD_STACK_ID", "77")
    assert k6.K6CloudClient(TOKEN, 5).stack_id == 5


def test_the_default_host_is_the_public_api() -> None:
    assert str(k6.K6CloudClient(TOKEN, 1).base_url) == "https://api.k6.io/"


def test_a_base_url_path_prefix_is_kept() -> None:
    client = k6.K6CloudClient(TOKEN, 1, base_url="https://proxy.example.com/k6/")
    assert client._config.api_root.path == "/k6/cloud/v6"


@pytest.mark.parametrize(
    ("token", "stack_id", "names"),
    [(None, 1, "K6_CLOUD_TOKEN"), (TOKEN, None, "K6_CLOUD_STACK_ID"), ("  ", 1, "K6_CLOUD_TOKEN")],
)
def test_missing_settings_name_the_variable_to_set(
    token: str | None, stack_id: int | None, names: str
) -> None:
    with pytest.raises(k6.ConfigurationError, match=names):
        k6.K6CloudClient(token, stack_id)


@pytest.mark.parametrize("stack_id", ["abc", "0", "-3", 0, "1.5"])
def test_a_bad_stack_id_is_a_configuration_error(stack_id: object) -> None:
    with pytest.raises(k6.ConfigurationError, match="stack_id"):
        k6.K6CloudClient(TOKEN, stack_id)  # type: ignore[arg-type]


def test_a_bool_stack_id_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="stack_id"):
        k6.K6CloudClient(TOKEN, True)


def test_a_bad_stack_id_in_the_environment_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K6_CLOUD_STACK_ID", "stack-1")
    with pytest.raises(k6.ConfigurationError, match=r"\$K6_CLOUD_STACK_ID"):
        k6.K6CloudClient(TOKEN)


@pytest.mark.parametrize("token", ["abc\r\nX-Evil: 1", "abc\x00", "tök"])
def test_a_token_that_would_break_the_header_is_refused_without_echoing_it(token: str) -> None:
    with pytest.raises(k6.ConfigurationError) as caught:
        k6.K6CloudClient(token, 1)
    assert token not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://api.k6.io", "http://10.0.0.5:8080", "http://example.com/cloud"]
)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(k6.ConfigurationError, match="allow_insecure_http"):
        k6.K6CloudClient(TOKEN, 1, base_url=url)


def test_plain_http_to_a_remote_host_needs_an_explicit_opt_in() -> None:
    client = k6.K6CloudClient(TOKEN, 1, base_url="http://k6.internal", allow_insecure_http=True)
    assert client.base_url.scheme == "http"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"])
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert k6.K6CloudClient(TOKEN, 1, base_url=url).base_url.scheme == "http"


@pytest.mark.parametrize(
    "url", ["ftp://h", "/relative", "https://user:pw@h", "https://h/?q=1", "https://h/#f"]
)
def test_a_base_url_that_is_not_a_plain_origin_is_refused(url: str) -> None:
    with pytest.raises(k6.ConfigurationError, match="base_url"):
        k6.K6CloudClient(TOKEN, 1, base_url=url)


def test_the_user_agent_names_library_python_and_aiohttp() -> None:
    agent = k6.K6CloudClient(TOKEN, 1)._config.headers["User-Agent"]
    assert agent.startswith(f"k6cloud-async/{k6.__version__} ")
    assert f"Python/{platform.python_version()}" in agent
    assert f"aiohttp/{aiohttp.__version__}" in agent


def test_a_custom_user_agent_is_used() -> None:
    assert k6.K6CloudClient(TOKEN, 1, user_agent="ci/1")._config.headers["User-Agent"] == "ci/1"


def test_the_token_is_not_in_any_repr() -> None:
    client = k6.K6CloudClient(TOKEN, 1)
    for text in (repr(client), str(client), repr(client._config), repr(client._config.token)):
        assert TOKEN not in text
    assert str(Secret(TOKEN)) == "Secret('***')"


def test_timeouts_are_numbers_or_client_timeouts() -> None:
    assert resolve_timeout(5).total == 5
    # sock_connect, not connect: aiohttp's connect would count the wait for a pooled slot
    assert resolve_timeout(5).sock_connect == 10
    assert resolve_timeout(5).connect is None
    custom = aiohttp.ClientTimeout(total=3)
    assert resolve_timeout(custom) is custom
    with pytest.raises(ValueError, match="timeout"):
        resolve_timeout(0)
    with pytest.raises(TypeError, match="timeout"):
        resolve_timeout("5")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_retries": -1}, ValueError),
        ({"max_retries": True}, TypeError),
        ({"max_connections": 0}, ValueError),
        ({"session": object()}, TypeError),
        ({"retry_policy": {"max": 1}}, TypeError),
        ({"max_response_bytes": 0}, ValueError),
    ],
)
def test_bad_client_arguments_fail_at_construction(kwargs: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        k6.K6CloudClient(TOKEN, 1, **kwargs)  # type: ignore[arg-type]


def test_the_client_can_be_built_outside_an_event_loop() -> None:
    client = k6.K6CloudClient(TOKEN, 1)
    assert client._transport._session is None
    assert not client.closed
