"""The client's lifecycle: one lazily created pool, shared by with_options(), closed once."""

from __future__ import annotations

import aiohttp
import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud


async def test_the_session_is_created_on_first_use_and_reused(
    fake: FakeK6Cloud, project: int
) -> None:
    test = fake.add_test(project, "t")
    client = k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url)
    assert client._transport._session is None

    await client.load_tests.get(test.id)
    session = client._transport._session
    await client.load_tests.get(test.id)

    assert session is not None
    assert client._transport._session is session
    await client.close()
    assert session.closed


async def test_close_is_idempotent_and_calls_after_it_fail(fake: FakeK6Cloud) -> None:
    client = k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url)
    await client.close()
    await client.close()
    assert client.closed
    assert "closed" in repr(client)
    with pytest.raises(RuntimeError, match="closed"):
        await client.load_tests.get(1)


async def test_async_with_closes_the_client(fake: FakeK6Cloud, project: int) -> None:
    test = fake.add_test(project, "t")
    async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
        await client.load_tests.get(test.id)
    assert client.closed


async def test_a_callers_session_is_used_and_never_closed(fake: FakeK6Cloud, project: int) -> None:
    test = fake.add_test(project, "t")
    async with aiohttp.ClientSession() as session:
        async with k6.K6CloudClient(
            fake.token, fake.stack_id, base_url=fake.base_url, session=session
        ) as client:
            assert (await client.load_tests.get(test.id)).id == test.id
            assert client._transport.session() is session
        assert not session.closed


async def test_with_options_shares_the_pool(fake: FakeK6Cloud, project: int) -> None:
    test = fake.add_test(project, "t")
    async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
        quick = client.with_options(timeout=5, max_retries=0)
        assert quick.max_retries == 0
        assert quick.timeout.total == 5
        assert client.max_retries == 2
        await quick.load_tests.get(test.id)
        assert quick._transport.session() is client._transport.session()
        await quick.close()  # does not close the shared pool
        assert not client.closed
        await client.load_tests.get(test.id)
    assert quick.closed


async def test_with_options_keeps_what_it_is_not_given(fake: FakeK6Cloud) -> None:
    client = k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url, max_retries=4)
    derived = client.with_options(timeout=aiohttp.ClientTimeout(total=1))
    assert derived.max_retries == 4
    assert derived.retry_policy is client.retry_policy
    assert derived.stack_id == client.stack_id
    with pytest.raises(TypeError, match="max_retries"):
        client.with_options(max_retries="3")  # type: ignore[arg-type]
    await client.close()


async def test_per_call_options_are_checked(client: k6.K6CloudClient) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        await client.load_tests.get(1, max_retries=-1)
    with pytest.raises(ValueError, match="timeout"):
        await client.load_tests.get(1, timeout=-5)


async def test_a_client_used_concurrently_makes_one_session(
    fake: FakeK6Cloud, project: int
) -> None:
    import asyncio

    tests = [fake.add_test(project, f"t{i}") for i in range(20)]
    fake.latency = 0.02
    async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
        got = await asyncio.gather(*(client.load_tests.get(t.id) for t in tests))
        assert [t.id for t in got] == [t.id for t in tests]
        session = client._transport._session
        assert fake.max_in_flight > 1
        await client.load_tests.get(tests[0].id)
        assert client._transport._session is session


def test_the_public_names_exist() -> None:
    for name in [
        "K6CloudClient",
        "LoadTest",
        "Page",
        "TestRun",
        "StatusEvent",
        "TestCost",
        "CostBreakdown",
        "ValidateOptionsResult",
        "ErrorDetail",
        "UNSET",
        "to_dict",
        "new_idempotency_key",
        "ScriptDownload",
        "RetryPolicy",
        "K6CloudError",
        "ConfigurationError",
        "APIError",
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "NotAcceptableError",
        "ConflictError",
        "RateLimitError",
        "ServerError",
        "TransportError",
        "RequestTimeoutError",
        "ResponseDecodeError",
        "__version__",
    ]:
        assert hasattr(k6, name), name
    assert issubclass(k6.RequestTimeoutError, k6.TransportError)
    assert issubclass(k6.RateLimitError, k6.APIError)


async def test_each_header_is_sent_once_whichever_session_carries_it(
    fake: FakeK6Cloud, project: int
) -> None:
    # The client's own session carries its headers as defaults; a call's own headers
    # (a download's Accept) replace them rather than being sent beside them. A caller's
    # session gets them on every request and keeps its own defaults as they were.
    test = fake.add_test(project, "t")
    async with aiohttp.ClientSession(headers={"X-Caller": "kept"}) as session:
        callers = k6.K6CloudClient(
            fake.token, fake.stack_id, base_url=fake.base_url, session=session
        )
        own = k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url)
        async with callers, own:
            for client in (callers, own):
                await client.load_tests.get(test.id)
                async with client.load_tests.download_script(test.id) as download:
                    await download.read()
        assert dict(session.headers) == {"X-Caller": "kept"}
    gets = [r for r in fake.requests if r.method == "GET"]
    assert len(gets) == 4
    for record in gets:
        for name in ("Authorization", "X-Stack-Id", "User-Agent", "Accept"):
            assert len(record.headers.getall(name)) == 1, (record.path, name)
        assert record.headers["Authorization"] == f"Bearer {fake.token}"
    assert [r.headers["Accept"] for r in gets] == [
        "application/json",
        "application/x-tar, text/javascript",
    ] * 2
    assert [r.headers.get("X-Caller") for r in gets] == ["kept", "kept", None, None]
