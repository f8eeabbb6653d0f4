"""Authentication: client.authenticate(), and a client configured by stack URL, whose id is
resolved once through GET /auth before the first call that needs it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault
from tests._wire_servers import until
from tests.conftest import CannedServer

TOKEN = "tok-abcdef-secret"
STACK_URL = "https://mystack.grafana.net"
AUTH = "/cloud/v6/auth"


@pytest.fixture
async def fake() -> AsyncIterator[FakeK6Cloud]:
    async with FakeK6Cloud(stack_id=12345, stack_url=STACK_URL) as server:
        yield server


def _by_url(fake: FakeK6Cloud, **options: Any) -> k6.K6CloudClient:
    options.setdefault("retry_policy", k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.01))
    token = options.pop("token", fake.token)
    stack_url = options.pop("stack_url", STACK_URL)
    return k6.K6CloudClient(token, stack_url=stack_url, base_url=fake.base_url, **options)


class TestConfiguration:
    def test_a_stack_url_stands_in_for_the_stack_id(self) -> None:
        client = k6.K6CloudClient(TOKEN, stack_url=f"  {STACK_URL}  ")
        assert client.stack_id is None
        assert client.stack_url == STACK_URL
        assert "X-Stack-Id" not in client._config.headers
        assert f"stack_url={STACK_URL!r}" in repr(client)

    def test_the_stack_url_is_read_from_the_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("K6_CLOUD_STACK_URL", STACK_URL)
        client = k6.K6CloudClient(TOKEN)
        assert (client.stack_id, client.stack_url) == (None, STACK_URL)

    def test_an_id_in_the_environment_wins_over_a_url_there(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("K6_CLOUD_STACK_URL", STACK_URL)
        monkeypatch.setenv("K6_CLOUD_STACK_ID", "77")
        client = k6.K6CloudClient(TOKEN)
        assert (client.stack_id, client.stack_url) == (77, None)

    def test_an_argument_wins_over_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("K6_CLOUD_STACK_ID", "77")
        assert k6.K6CloudClient(TOKEN, stack_url=STACK_URL).stack_id is None
        monkeypatch.setenv("K6_CLOUD_STACK_URL", STACK_URL)
        assert k6.K6CloudClient(TOKEN, 5).stack_url is None

    def test_no_stack_at_all_names_both_variables(self) -> None:
        with pytest.raises(k6.ConfigurationError) as caught:
            k6.K6CloudClient(TOKEN)
        assert "K6_CLOUD_STACK_ID" in str(caught.value)
        assert "K6_CLOUD_STACK_URL" in str(caught.value)

    def test_both_a_stack_id_and_a_stack_url_is_refused(self) -> None:
        with pytest.raises(k6.ConfigurationError, match="not both"):
            k6.K6CloudClient(TOKEN, 5, stack_url=STACK_URL)

    @pytest.mark.parametrize(
        "url",
        ["mystack", "ftp://mystack.grafana.net", "https://u:p@x.net", "https://x.net/?a=1", ""],
    )
    def test_a_stack_url_that_is_not_one_is_a_configuration_error(self, url: str) -> None:
        with pytest.raises(k6.ConfigurationError, match="stack_url"):
            k6.K6CloudClient(TOKEN, stack_url=url)

    def test_a_bad_stack_url_in_the_environment_names_the_variable(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("K6_CLOUD_STACK_URL", "https://x.net\r\nX-Evil: 1")
        with pytest.raises(k6.ConfigurationError, match=r"\$K6_CLOUD_STACK_URL"):
            k6.K6CloudClient(TOKEN)

    def test_a_stack_url_that_is_not_a_str_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match="stack_url"):
            k6.K6CloudClient(TOKEN, stack_url=b"https://x.net")  # type: ignore[arg-type]


class TestAuthenticate:
    async def test_answers_the_stack_and_its_default_project(self, fake: FakeK6Cloud) -> None:
        project = fake.add_project("Default project")
        fake.add_project("Other")
        async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
            answer = await client.authenticate(STACK_URL + "/")

        assert answer == k6.Authentication(stack_id=12345, default_project_id=project)
        (request,) = fake.assert_called("GET", AUTH, times=1)
        assert request.headers["X-Stack-Url"] == STACK_URL + "/"
        assert request.headers["Authorization"] == f"Bearer {fake.token}"

    async def test_a_stack_without_projects_gets_a_default_one(self, fake: FakeK6Cloud) -> None:
        async with _by_url(fake) as client:
            answer = await client.authenticate()
        assert fake.projects == [answer.default_project_id]

    async def test_a_wrong_token_is_an_authentication_error(self, fake: FakeK6Cloud) -> None:
        async with _by_url(fake, token="wrong") as client:
            with pytest.raises(k6.AuthenticationError) as caught:
                await client.authenticate()
        assert caught.value.status == 401
        assert client.stack_id is None

    async def test_another_stack_url_is_permission_denied(self, fake: FakeK6Cloud) -> None:
        async with _by_url(fake) as client:
            with pytest.raises(k6.PermissionDeniedError) as caught:
                await client.authenticate("https://otherstack.grafana.net")
        assert caught.value.status == 403
        assert caught.value.attempts == 1

    async def test_a_500_is_retried(self, fake: FakeK6Cloud) -> None:
        fake.inject(Fault.status(500), path=AUTH)
        async with _by_url(fake) as client:
            assert (await client.authenticate()).stack_id == 12345
        fake.assert_called("GET", AUTH, times=2)

        fake.inject(Fault.status(500), path=AUTH, times=3)
        async with _by_url(fake) as client:
            with pytest.raises(k6.ServerError) as caught:
                await client.authenticate()
        assert caught.value.attempts == 3

    async def test_without_a_stack_url_to_ask_about_it_fails_before_any_request(
        self, fake: FakeK6Cloud
    ) -> None:
        async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
            with pytest.raises(ValueError, match="stack_url"):
                await client.authenticate()
        assert fake.requests == []

    @pytest.mark.parametrize(
        ("stack_url", "error"),
        [(7, TypeError), ("mystack", ValueError), ("https://x.net\r\nX-Evil: 1", ValueError)],
    )
    async def test_a_bad_stack_url_fails_before_any_request(
        self, fake: FakeK6Cloud, stack_url: Any, error: type[Exception]
    ) -> None:
        async with _by_url(fake) as client:
            with pytest.raises(error, match="stack_url"):
                await client.authenticate(stack_url)
            with pytest.raises(ValueError, match="max_retries"):
                await client.authenticate(max_retries=-1)
        assert fake.requests == []

    async def test_the_fake_wants_the_stack_url_header(self, fake: FakeK6Cloud) -> None:
        headers = {"Authorization": f"Bearer {fake.token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(fake.base_url + AUTH, headers=headers) as response,
        ):
            body = await response.json()
        assert response.status == 400
        assert body["error"]["target"] == "X-Stack-Url"

    async def test_a_stack_id_that_is_not_positive_is_a_decode_error(
        self, canned: CannedServer
    ) -> None:
        canned.json(AUTH, {"stack_id": 0, "default_project_id": 1})
        canned.json("/cloud/v6/labels", {"value": []})
        async with k6.K6CloudClient(TOKEN, stack_url=STACK_URL, base_url=canned.base_url) as api:
            with pytest.raises(k6.ResponseDecodeError, match="stack_id"):
                await api.labels.list()
            assert api.stack_id is None
        assert canned.hits == [("GET", AUTH)]

    async def test_an_answer_missing_the_default_project_is_a_decode_error(
        self, canned: CannedServer
    ) -> None:
        canned.json(AUTH, {"stack_id": 3})
        async with k6.K6CloudClient(TOKEN, stack_url=STACK_URL, base_url=canned.base_url) as api:
            with pytest.raises(k6.ResponseDecodeError) as caught:
                await api.authenticate()
        assert caught.value.field == "$.default_project_id"


class TestResolution:
    async def test_the_first_call_resolves_the_id_and_every_call_carries_it(
        self, fake: FakeK6Cloud
    ) -> None:
        async with _by_url(fake) as client:
            await client.labels.list()
            await client.load_zones.list()
            assert client.stack_id == 12345

        auth, labels, zones = fake.requests
        assert (auth.path, auth.headers["X-Stack-Url"]) == (AUTH, STACK_URL)
        assert "X-Stack-Id" not in auth.headers
        assert labels.headers["X-Stack-Id"] == zones.headers["X-Stack-Id"] == "12345"

    async def test_authenticate_resolves_the_client_too(self, fake: FakeK6Cloud) -> None:
        async with _by_url(fake) as client:
            answer = await client.authenticate()
            await client.labels.list()
        assert client.stack_id == answer.stack_id
        fake.assert_called("GET", AUTH, times=1)

    async def test_concurrent_first_calls_resolve_it_once(self, fake: FakeK6Cloud) -> None:
        async with _by_url(fake) as client:
            answers = await asyncio.gather(
                *(client.labels.list() for _ in range(5)), client.authenticate()
            )
        assert answers[:5] == [[]] * 5
        fake.assert_called("GET", AUTH, times=1)
        assert fake.requests[0].path == AUTH

    async def test_a_failed_resolution_reaches_every_caller_and_the_next_call_asks_again(
        self, fake: FakeK6Cloud
    ) -> None:
        fake.inject(Fault.status(403), path=AUTH)
        async with _by_url(fake) as client:
            failures = await asyncio.gather(
                *(client.labels.list() for _ in range(3)), return_exceptions=True
            )
            assert all(isinstance(f, k6.PermissionDeniedError) for f in failures)
            assert client.stack_id is None
            fake.assert_called("GET", AUTH, times=1)
            fake.assert_called("GET", "/cloud/v6/labels", times=0)

            assert await client.labels.list() == []
        fake.assert_called("GET", AUTH, times=2)
        assert client.stack_id == 12345

    async def test_a_client_with_other_options_shares_the_resolution(
        self, fake: FakeK6Cloud
    ) -> None:
        async with _by_url(fake) as client:
            derived = client.with_options(max_retries=0)
            await derived.labels.list()
            assert client.stack_id == derived.stack_id == 12345
            await client.labels.list()
            await client.with_options(timeout=5).labels.list()
        fake.assert_called("GET", AUTH, times=1)

    async def test_one_caller_cancelled_does_not_cancel_the_others_resolution(
        self, fake: FakeK6Cloud
    ) -> None:
        fake.inject(Fault.stall(0.3), path=AUTH)
        async with _by_url(fake) as client:
            first = asyncio.create_task(client.labels.list())
            second = asyncio.create_task(client.load_zones.list())
            await until(lambda: fake.in_flight == 1)
            first.cancel()

            zones = await second

        assert first.cancelled()
        assert zones == fake.load_zones
        fake.assert_called("GET", AUTH, times=1)

    async def test_closing_the_client_fails_a_resolution_in_flight(self, fake: FakeK6Cloud) -> None:
        fake.inject(Fault.stall(5), path=AUTH)
        client = _by_url(fake)
        call = asyncio.create_task(client.labels.list())
        await until(lambda: fake.in_flight == 1)

        await client.close()

        with pytest.raises(k6.TransportError, match="closed"):
            await call

    async def test_the_first_calls_options_apply_to_the_resolution(self, fake: FakeK6Cloud) -> None:
        fake.inject(Fault.status(503), path=AUTH)
        async with _by_url(fake) as client:
            with pytest.raises(k6.ServerError) as caught:
                await client.labels.list(max_retries=0)
        assert caught.value.attempts == 1
