"""The token stays secret and goes only to the base URL's origin; hostile responses are refused.

Real HTTP only: FakeK6Cloud as the API, the canned server as a second origin (or as an API
that answers what the test wants), each on its own 127.0.0.1 port.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, ClassVar

import pytest
from aiohttp import web
from yarl import URL

import k6cloud_async as k6
from k6cloud_async._models import Page
from k6cloud_async._pagination import check_next_link
from k6cloud_async.testing import FakeK6Cloud, Fault
from tests._bodies import running_run
from tests.conftest import CannedServer

TOKEN = "tok-Sup3rS3cret-4f9a1c0e7b2d"
TINY = k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.005)
TEST_JSON: dict[str, Any] = {
    "id": 1,
    "project_id": 1,
    "name": "n" * 250,
    "baseline_test_run_id": None,
    "k6_version": None,
    "created": "2025-01-06T09:00:00Z",
    "updated": "2025-01-06T09:00:00Z",
}
RUN_JSON: dict[str, Any] = running_run(
    id=7,
    test_id=1,
    project_id=1,
    started_by="user@example.com",
    created="2025-01-06T09:00:00Z",
    status_details={"type": "running", "entered": "2025-01-06T09:00:00Z"},
    status_history=[{"type": "running", "entered": "2025-01-06T09:00:00Z"}],
)


@pytest.fixture
async def secret_fake() -> AsyncIterator[FakeK6Cloud]:
    async with FakeK6Cloud(token=TOKEN) as server:
        yield server


def _client(base_url: str, token: str = TOKEN, **kwargs: Any) -> k6.K6CloudClient:
    options: dict[str, Any] = {"base_url": base_url, "retry_policy": TINY}
    options.update(kwargs)
    return k6.K6CloudClient(token, 1, **options)


def _texts(error: BaseException) -> list[str]:
    """str() and repr() of an error, its arguments and every error it was raised from."""
    texts = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args)]
        texts += [repr(value) for value in vars(current).values()]
        current = current.__cause__ or current.__context__
    return texts


# -- the token never shows --------------------------------------------------------------


class TestTokenNeverShows:
    async def test_not_in_the_client_or_its_config(self, secret_fake: FakeK6Cloud) -> None:
        async with _client(secret_fake.base_url) as client:
            shown = [repr(client), str(client), repr(client._config), str(client._config)]
            shown += [repr(client._config.token), str(client._config.token)]
            shown += [repr(client.with_options(max_retries=0))]
        assert all(TOKEN not in text for text in shown)
        assert client._config.token.reveal() == TOKEN  # but it is there

    async def test_not_in_an_authentication_error(self, secret_fake: FakeK6Cloud) -> None:
        wrong = "tok-Wr0ngS3cret-0000"
        async with _client(secret_fake.base_url, token=wrong) as client:
            with pytest.raises(k6.AuthenticationError) as caught:
                await client.load_tests.get(1)
        assert all(wrong not in text for text in _texts(caught.value))

    @pytest.mark.parametrize(
        ("fault", "error"),
        [
            (None, k6.NotFoundError),
            (Fault.reset(), k6.TransportError),
            (Fault.malformed_json(), k6.ResponseDecodeError),
            (Fault.stall(1.0), k6.RequestTimeoutError),
            (Fault.html_502(), k6.ServerError),
        ],
        ids=["404", "transport", "decode", "timeout", "html-502"],
    )
    async def test_not_in_any_raised_error(
        self, secret_fake: FakeK6Cloud, fault: Fault | None, error: type[k6.K6CloudError]
    ) -> None:
        project = secret_fake.add_project()
        test_id = secret_fake.add_test(project, "t").id if fault is not None else 999
        if fault is not None:
            secret_fake.inject(fault, method="GET", times=None)

        async with _client(secret_fake.base_url, timeout=0.2) as client:
            with pytest.raises(error) as caught:
                await client.load_tests.get(test_id)

        assert all(TOKEN not in text for text in _texts(caught.value))

    async def test_not_in_any_log_record(
        self, secret_fake: FakeK6Cloud, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)  # every logger, at every level
        project = secret_fake.add_project()
        test_id = secret_fake.add_test(project, "t").id
        path = f"/cloud/v6/load_tests/{test_id}"
        secret_fake.inject(Fault.status(503), method="GET", path=path, times=1)
        secret_fake.inject(Fault.reset(), method="GET", path=path, times=1)
        secret_fake.inject(Fault.truncated_body(), method="GET", path=path, times=1)

        async with _client(secret_fake.base_url, timeout=0.3) as client:
            await client.load_tests.get(test_id)
            await client.load_tests.start(test_id)
            await client.load_tests.upload_script(test_id, b"export default () => {}\n")
            secret_fake.inject(Fault.stall(1.0), method="GET", path=path, times=None)
            with pytest.raises(k6.RequestTimeoutError):
                await client.load_tests.get(test_id)
            secret_fake.clear_faults()
            secret_fake.inject(Fault.malformed_json(), method="GET", path=path)
            with pytest.raises(k6.ResponseDecodeError):
                await client.load_tests.get(test_id)
            with pytest.raises(k6.NotFoundError):
                await client.load_tests.get(999)
        async with _client(secret_fake.base_url, token=TOKEN + "x") as client:
            with pytest.raises(k6.AuthenticationError):
                await client.load_tests.get(test_id)

        assert any(
            r.name == "k6cloud_async" and "retrying" in r.getMessage() for r in caplog.records
        )
        for record in caplog.records:
            text = record.getMessage() + repr(record.args) + (record.exc_text or "")
            assert TOKEN not in text, record
        assert TOKEN not in caplog.text


# -- the token goes to the base URL's origin only ---------------------------------------


class TestForeignNextLink:
    async def test_a_next_link_to_another_port_is_refused_and_never_followed(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, canned: CannedServer, project: int
    ) -> None:
        fake.add_test(project, "t1")
        foreign = f"{canned.base_url}/cloud/v6/load_tests?$skip=1"
        fake.inject(Fault.foreign_next_link(foreign), method="GET", path="/cloud/v6/load_tests")

        with pytest.raises(k6.ResponseDecodeError) as caught:
            [t async for t in client.load_tests.list()]

        assert caught.value.field == "$.@nextLink"
        assert canned.hits == []

    async def test_pages_refuse_the_foreign_next_link_before_yielding(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, canned: CannedServer, project: int
    ) -> None:
        fake.add_test(project, "t1")
        foreign = f"{canned.base_url}/cloud/v6/load_tests?$skip=1"
        fake.inject(Fault.foreign_next_link(foreign), method="GET", path="/cloud/v6/load_tests")
        pages = client.load_tests.pages()

        with pytest.raises(k6.ResponseDecodeError):
            await anext(pages)  # the first page is never handed out

        assert canned.hits == []

    @pytest.mark.parametrize(
        "link",
        [
            "https://127.0.0.1:8443/cloud/v6/load_tests?$skip=1",  # another scheme and port
            "http://127.0.0.2:8443/cloud/v6/load_tests?$skip=1",  # another host
            "http://evil.example:8443/cloud/v6/load_tests?$skip=1",
            "ftp://127.0.0.1:8443/cloud/v6/load_tests",
        ],
    )
    def test_another_scheme_or_host_is_refused(self, link: str) -> None:
        page = Page(items=[1], next_link=link)
        with pytest.raises(k6.ResponseDecodeError):
            check_next_link(page, URL("http://127.0.0.1:8443"), set())

    async def test_a_scheme_relative_next_link_is_a_decode_error(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, canned: CannedServer, project: int
    ) -> None:
        fake.add_test(project, "t1")
        foreign = "//" + canned.base_url.split("//", 1)[1] + "/cloud/v6/load_tests?$skip=1"
        fake.inject(Fault.foreign_next_link(foreign), method="GET", path="/cloud/v6/load_tests")

        with pytest.raises(k6.ResponseDecodeError):
            [t async for t in client.load_tests.list()]

        assert canned.hits == []

    def test_the_same_origin_is_followed(self) -> None:
        link = "http://127.0.0.1:8443/cloud/v6/load_tests?$skip=1"
        page = Page(items=[1], next_link=link)
        assert check_next_link(page, URL("http://127.0.0.1:8443"), set()) == URL(link)


class TestRedirects:
    @pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
    async def test_a_redirect_is_not_followed_and_is_an_api_error(
        self, canned: CannedServer, fake: FakeK6Cloud, status: int
    ) -> None:
        target = f"{fake.base_url}/cloud/v6/load_tests/1"
        canned.raw("/cloud/v6/load_tests/1", b"", status=status, headers={"Location": target})

        async with _client(canned.base_url, token=fake.token) as client:
            with pytest.raises(k6.APIError) as caught:
                await client.load_tests.get(1)

        assert caught.value.status == status
        assert caught.value.attempts == 1
        assert fake.requests == []


# -- configuration refused before any request -------------------------------------------


class TestRefusedConfiguration:
    @pytest.mark.parametrize(
        "base_url", ["http://api.k6.io", "http://10.0.0.5:8080", "http://[2001:db8::1]"]
    )
    def test_plain_http_to_a_non_loopback_host_is_refused(self, base_url: str) -> None:
        with pytest.raises(k6.ConfigurationError, match="allow_insecure_http"):
            k6.K6CloudClient("t", 1, base_url=base_url)

    async def test_plain_http_to_a_non_loopback_host_is_allowed_when_asked(self) -> None:
        async with k6.K6CloudClient(
            "t", 1, base_url="http://api.example.com", allow_insecure_http=True
        ) as client:
            assert client.base_url == URL("http://api.example.com/")

    @pytest.mark.parametrize(
        "base_url", ["http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080"]
    )
    async def test_plain_http_to_loopback_is_allowed(self, base_url: str) -> None:
        async with k6.K6CloudClient("t", 1, base_url=base_url) as client:
            assert client.base_url.scheme == "http"

    @pytest.mark.parametrize("bad", ["tok\r\nX-Injected: 1", "tok\nen", "tok\x00en", "tök"])
    def test_a_token_with_control_characters_is_refused(self, bad: str) -> None:
        with pytest.raises(k6.ConfigurationError) as caught:
            k6.K6CloudClient(bad, 1, base_url="https://api.k6.io")
        assert bad not in str(caught.value)

    @pytest.mark.parametrize("bad", ["1\r\nX-Injected: 1", "1\x00", "1 2"])
    def test_a_stack_id_with_control_characters_is_refused(self, bad: str) -> None:
        with pytest.raises(k6.ConfigurationError):
            k6.K6CloudClient("t", bad, base_url="https://api.k6.io")

    @pytest.mark.parametrize("bad", ["k6cloud\r\nX-Injected: 1", "ua\n", "ua\x7f"])
    def test_a_user_agent_with_control_characters_is_refused(self, bad: str) -> None:
        with pytest.raises((ValueError, k6.ConfigurationError)):
            k6.K6CloudClient("t", 1, base_url="https://api.k6.io", user_agent=bad)

    @pytest.mark.parametrize("bad", ["key\r\nX-Injected: 1", "key\n", "k\x00"])
    async def test_an_idempotency_key_with_control_characters_is_refused_unsent(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, bad: str
    ) -> None:
        test_id = fake.add_test(project, "t").id

        with pytest.raises(ValueError, match="idempotency_key"):
            await client.load_tests.start(test_id, idempotency_key=bad)

        assert fake.requests == []
        assert fake.runs == []


# -- hostile responses ------------------------------------------------------------------


class TestResponseSizeLimit:
    PATH = "/cloud/v6/load_tests/1"

    def _chunked(self, canned: CannedServer, body: bytes) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/json"})
            response.enable_chunked_encoding()
            await response.prepare(request)
            for start in range(0, len(body), 100):
                await response.write(body[start : start + 100])
            await response.write_eof()
            return response

        canned.routes[("GET", self.PATH)] = handler

    @pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
    async def test_a_body_over_the_limit_is_a_decode_error(
        self, canned: CannedServer, chunked: bool
    ) -> None:
        body = json.dumps(TEST_JSON).encode()
        assert len(body) > 300
        if chunked:
            self._chunked(canned, body)
        else:
            canned.raw(self.PATH, body)

        async with _client(canned.base_url, max_response_bytes=300) as client:
            with pytest.raises(k6.ResponseDecodeError, match="limit"):
                await client.load_tests.get(1)

        assert len(canned.hits) == 1  # not retried

    @pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
    async def test_the_same_body_within_the_limit_decodes(
        self, canned: CannedServer, chunked: bool
    ) -> None:
        body = json.dumps(TEST_JSON).encode()
        if chunked:
            self._chunked(canned, body)
        else:
            canned.raw(self.PATH, body)

        async with _client(canned.base_url, max_response_bytes=len(body)) as client:
            test = await client.load_tests.get(1)

        assert test.name == TEST_JSON["name"]


class TestRequestId:
    async def test_an_api_error_carries_the_x_request_id(self, canned: CannedServer) -> None:
        error = {"error": {"code": "not_found", "message": "Not found."}}
        canned.raw(
            "/cloud/v6/load_tests/7",
            json.dumps(error).encode(),
            status=404,
            headers={"X-Request-Id": "req-4e1f-77"},
        )

        async with _client(canned.base_url) as client:
            with pytest.raises(k6.NotFoundError) as caught:
                await client.load_tests.get(7)

        assert caught.value.request_id == "req-4e1f-77"

    async def test_a_retried_error_carries_the_last_request_id(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        fake.inject(
            Fault.status(503, headers={"X-Request-Id": "req-last"}), method="GET", times=None
        )

        with pytest.raises(k6.ServerError) as caught:
            await client.load_tests.get(1)

        assert caught.value.request_id == "req-last"


class TestTrustEnv:
    async def test_trust_env_is_passed_to_the_session(
        self, fake: FakeK6Cloud, project: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv("all_proxy", raising=False)
        test_id = fake.add_test(project, "t").id

        async with _client(fake.base_url, token=fake.token, trust_env=True) as client:
            assert client._transport.session()._trust_env is True
            assert (await client.load_tests.get(test_id)).id == test_id
        async with _client(fake.base_url, token=fake.token) as client:
            assert client._transport.session()._trust_env is False


# -- plain http only when nothing but loopback is involved -------------------------------

_PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
)


@pytest.fixture
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


class TestPlainHttpThroughAProxy:
    @pytest.mark.parametrize(
        "proxy", ["http://proxy.example:3128", URL("http://10.0.0.8:3128"), "http://[2001:db8::2]"]
    )
    def test_a_proxy_off_this_machine_is_refused(self, proxy: str | URL) -> None:
        with pytest.raises(k6.ConfigurationError, match="allow_insecure_http"):
            k6.K6CloudClient("t", 1, base_url="http://127.0.0.1:8080", proxy=proxy)

    @pytest.mark.parametrize("proxy", ["http://127.0.0.1:3128", "http://localhost:3128"])
    async def test_a_loopback_proxy_is_accepted(self, proxy: str) -> None:
        async with k6.K6CloudClient("t", 1, base_url="http://127.0.0.1:8080", proxy=proxy):
            pass

    async def test_allow_insecure_http_or_https_accept_any_proxy(self) -> None:
        proxy = "http://proxy.example:3128"
        async with k6.K6CloudClient(
            "t", 1, base_url="http://127.0.0.1:8080", proxy=proxy, allow_insecure_http=True
        ):
            pass
        async with k6.K6CloudClient("t", 1, base_url="https://api.k6.io", proxy=proxy):
            pass

    def test_a_proxy_of_the_wrong_type_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match="proxy"):
            k6.K6CloudClient("t", 1, base_url="http://127.0.0.1:8080", proxy=3128)  # type: ignore[arg-type]

    @pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy"])
    def test_trust_env_with_a_proxy_variable_is_refused(
        self, no_proxy_environment: pytest.MonkeyPatch, variable: str
    ) -> None:
        no_proxy_environment.setenv(variable, "http://proxy.example:3128")

        with pytest.raises(k6.ConfigurationError, match="environment's proxy"):
            k6.K6CloudClient("t", 1, base_url="http://127.0.0.1:8080", trust_env=True)

    async def test_trust_env_is_fine_when_the_proxy_is_bypassed_or_unused(
        self, no_proxy_environment: pytest.MonkeyPatch
    ) -> None:
        no_proxy_environment.setenv("HTTPS_PROXY", "http://proxy.example:3128")  # https only
        async with k6.K6CloudClient("t", 1, base_url="http://127.0.0.1:8080", trust_env=True):
            pass
        no_proxy_environment.setenv("HTTP_PROXY", "http://proxy.example:3128")
        no_proxy_environment.setenv("NO_PROXY", "127.0.0.1")
        async with k6.K6CloudClient("t", 1, base_url="http://127.0.0.1:8080", trust_env=True):
            pass
        # Without trust_env the environment is not read.
        no_proxy_environment.delenv("NO_PROXY")
        async with k6.K6CloudClient("t", 1, base_url="http://127.0.0.1:8080"):
            pass


# -- a server echoing the token back ----------------------------------------------------


def _echo(request: web.Request) -> str:
    return request.headers.get("Authorization", "")


class EchoServer(CannedServer):
    """Routes that put the request's Authorization header wherever an error reads from."""

    def __init__(self) -> None:
        super().__init__()
        self.routes[("GET", "/cloud/v6/load_tests/1")] = self._json_error
        self.routes[("GET", "/cloud/v6/load_tests/2")] = self._text_error
        self.routes[("GET", "/cloud/v6/load_tests/3")] = self._not_json
        self.routes[("GET", "/cloud/v6/load_tests/4")] = self._header_only
        self.routes[("GET", "/cloud/v6/load_tests")] = self._foreign_link
        self.routes[("GET", "/cloud/v6/test_runs/7")] = self._running_run
        for project, (items, link) in self.SAME_ORIGIN_LINKS.items():
            self.routes[("GET", f"/cloud/v6/projects/{project}/load_tests")] = self._linking(
                items, link
            )

    async def _json_error(self, request: web.Request) -> web.StreamResponse:
        echoed = _echo(request)
        body = {
            "error": {
                "code": f"bad_{echoed}",
                "message": f"rejected {echoed}",
                "target": echoed,
                "details": [{"code": echoed, "message": f"token {echoed}", "target": echoed}],
            }
        }
        return web.json_response(body, status=400, headers={"X-Request-Id": echoed})

    async def _text_error(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text=f"<h1>502</h1> you sent {_echo(request)}", status=502)

    async def _not_json(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text=f"hello {_echo(request)}", content_type="text/plain")

    async def _header_only(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=404, headers={"X-Request-Id": _echo(request)})

    async def _foreign_link(self, request: web.Request) -> web.StreamResponse:
        token = _echo(request).removeprefix("Bearer ")
        body = {"value": [TEST_JSON], "@nextLink": f"http://evil.example/?token={token}"}
        return web.json_response(body)

    async def _running_run(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({**RUN_JSON, "status": f"running {_echo(request)}"})

    #: A project's listing: whether its pages hold an item, and the @nextLink it sends,
    #: built from the request (its URL, the echoed token) and followed or refused.
    SAME_ORIGIN_LINKS: ClassVar[dict[int, tuple[bool, Callable[[web.Request, str], str]]]] = {
        # The same link on every page: followed once, then refused as a loop.
        1: (True, lambda request, token: f"{request.url.origin()}{request.path}?t={token}"),
        # A link on an empty page: refused before it is followed.
        2: (False, lambda request, token: f"{request.url.origin()}{request.path}?t={token}"),
        # Not a URI: refused by what it holds.
        3: (True, lambda request, token: f"{request.url.origin()}{request.path}?t={token} x"),
        # The token as the link's user name.
        4: (True, lambda request, token: f"http://{token}@{request.host}{request.path}"),
    }

    def _linking(
        self, items: bool, link: Callable[[web.Request, str], str]
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            token = _echo(request).removeprefix("Bearer ")
            body = {"value": [TEST_JSON] if items else [], "@nextLink": link(request, token)}
            return web.json_response(body)

        return handler


@pytest.fixture
async def echo() -> AsyncIterator[EchoServer]:
    server = EchoServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def _every_text(error: BaseException) -> list[str]:
    texts = _texts(error) + list(getattr(error, "__notes__", []))
    details = getattr(error, "details", None) or []
    texts += [repr(detail) for detail in details]
    return texts


class TestAnEchoedTokenIsRedacted:
    @pytest.mark.parametrize(
        ("test_id", "error"),
        [
            (1, k6.BadRequestError),
            (2, k6.ServerError),
            (3, k6.ResponseDecodeError),
            (4, k6.NotFoundError),
        ],
        ids=["json-error-and-header", "html-error", "not-json", "header"],
    )
    async def test_in_every_text_of_the_error(
        self, echo: EchoServer, test_id: int, error: type[k6.K6CloudError]
    ) -> None:
        async with _client(echo.base_url, max_retries=1) as client:
            with pytest.raises(error) as caught:
                await client.load_tests.get(test_id)

        texts = _every_text(caught.value)
        assert all(TOKEN not in text for text in texts), texts
        assert any("***" in text for text in texts)

    async def test_in_the_fields_of_the_api_error(self, echo: EchoServer) -> None:
        async with _client(echo.base_url) as client:
            with pytest.raises(k6.BadRequestError) as caught:
                await client.load_tests.get(1)

        error = caught.value
        assert error.message == "rejected Bearer ***"
        assert error.target == "Bearer ***"
        assert error.code == "bad_Bearer ***"
        assert error.request_id == "Bearer ***"
        assert error.details is not None
        assert error.details[0].message == "token Bearer ***"

    async def test_in_a_next_link(self, echo: EchoServer) -> None:
        async with _client(echo.base_url) as client:
            with pytest.raises(k6.ResponseDecodeError, match="another origin") as caught:
                [t async for t in client.load_tests.list()]

        assert all(TOKEN not in text for text in _every_text(caught.value))
        assert "token=***" in str(caught.value)

    @pytest.mark.parametrize(
        ("project", "why"),
        [
            (1, "repeats an earlier one"),
            (2, "an empty page has a next link"),
            (3, "whitespace or control characters"),
            (4, "carries credentials"),
        ],
        ids=["repeated", "after-an-empty-page", "not-a-uri", "as-credentials"],
    )
    @pytest.mark.parametrize("how", ["list", "pages", "resumed"])
    async def test_in_a_same_origin_next_link(
        self, echo: EchoServer, project: int, why: str, how: str
    ) -> None:
        link = f"{echo.base_url}/cloud/v6/projects/{project}/load_tests?t={TOKEN}"
        async with _client(echo.base_url) as client:
            listing: AsyncIterator[object] = (
                client.load_tests.list(project_id=project)
                if how == "list"
                else client.load_tests.pages(project_id=project)
                if how == "pages"
                else client.load_tests.pages(next_link=link)
            )
            with pytest.raises(k6.ResponseDecodeError, match=why) as caught:
                [item async for item in listing]

        texts = _every_text(caught.value)
        assert all(TOKEN not in text for text in texts), texts
        assert "***" in str(caught.value)
        assert caught.value.field == "$.@nextLink"
        assert caught.value.attempts == 1  # raised as the call that brought the link

    async def test_in_a_repeated_next_link_after_pages_were_handed_out(
        self, echo: EchoServer
    ) -> None:
        async with _client(echo.base_url) as client:
            pages = client.load_tests.pages(project_id=1)
            first = await anext(pages)
            with pytest.raises(k6.ResponseDecodeError, match="repeats") as caught:
                await anext(pages)

        assert first.next_link is not None  # the caller's own page: the link as it came
        assert all(TOKEN not in text for text in _every_text(caught.value))

    async def test_in_the_last_status_a_wait_saw(self, echo: EchoServer) -> None:
        async with _client(echo.base_url) as client:
            with pytest.raises(k6.WaitTimeoutError) as caught:
                await client.test_runs.wait(7, poll_interval=0.01, max_wait=0.05)

        error = caught.value
        texts = [str(error), repr(error), repr(error.args), error.message]
        assert all(TOKEN not in text for text in texts), texts
        assert "last status seen: running Bearer ***" in str(error)
        assert error.run is not None  # the run as it came: the caller's own data

    def test_a_short_token_is_not_blanked_out_of_messages(self) -> None:
        from k6cloud_async._errors import redact

        error = k6.TransportError("GET /t: reset")
        redact(error, "t")
        assert str(error) == "GET /t: reset"
