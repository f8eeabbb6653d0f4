"""The seam between the client and its resources: one requestor, shared by with_options()."""

from __future__ import annotations

import aiohttp
import pytest
from yarl import URL

import k6cloud_async as k6
from k6cloud_async import LoadTest
from k6cloud_async.testing import FakeK6Cloud


async def test_every_resource_is_handed_the_clients_requestor(client: k6.K6CloudClient) -> None:
    requestor = client._requestor
    assert client.load_tests._requestor is requestor
    assert client.test_runs._requestor is requestor


async def test_with_options_is_a_client_over_a_new_requestor_on_the_same_transport(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "t")
    quick = client.with_options(max_retries=0, timeout=3)

    assert quick._requestor is not client._requestor
    assert quick._requestor.transport is client._requestor.transport
    assert quick.load_tests._requestor is quick._requestor
    assert (await quick.load_tests.get(test.id)).id == test.id
    assert client.max_retries == 2
    assert quick.max_retries == 0


async def test_with_options_checks_its_retry_policy(client: k6.K6CloudClient) -> None:
    with pytest.raises(TypeError, match="retry_policy"):
        client.with_options(retry_policy={"backoff_base": 1})  # type: ignore[arg-type]


async def test_a_streaming_call_keeps_the_defaults_but_not_the_total_limit(
    client: k6.K6CloudClient,
) -> None:
    requestor = client.with_options(timeout=aiohttp.ClientTimeout(total=7, connect=2))._requestor

    plain = requestor.options(None, None)
    streaming = requestor.options(None, None, streaming=True)
    overridden = requestor.options(None, 5, streaming=True)

    assert (plain.timeout.total, plain.timeout.connect) == (7, 2)
    assert (streaming.timeout.total, streaming.timeout.sock_read) == (None, 7)
    assert streaming.timeout.connect == 2
    assert overridden.max_retries == 5
    assert overridden.timeout == streaming.timeout


async def test_a_requestor_builds_each_handler_once(client: k6.K6CloudClient) -> None:
    requestor = client._requestor
    assert requestor.model(k6.LoadTest) is requestor.model(k6.LoadTest)
    assert requestor.page(k6.LoadTest) is requestor.page(k6.LoadTest)
    assert requestor.model_list(k6.LoadTest) is not requestor.model(k6.LoadTest)


async def test_options_after_close_fail_before_any_request(fake: FakeK6Cloud) -> None:
    client = k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url)
    await client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client._requestor.options(None, None)
    assert fake.requests == []


async def test_a_call_to_another_origin_fails_before_any_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    """The token only ever goes to the base URL's origin: another port, host or scheme is
    refused by the transport itself, whatever built the URL."""
    requestor = client._requestor
    base = URL(fake.base_url)
    others = [
        base.with_port((base.port or 80) + 1),
        base.with_host("localhost"),
        base.with_scheme("https"),
    ]
    before = len(fake.requests)
    for other in others:
        with pytest.raises(k6.ResponseDecodeError, match="refusing to send the API token"):
            await requestor.call(
                "GET",
                other / "cloud/v6/load_tests/1",
                requestor.model(LoadTest),
                options=requestor.options(None, None),
            )
    assert len(fake.requests) == before
    # The base URL's own origin, with another path, is let through.
    test_id = fake.add_test(fake.add_project(), "t").id
    same = base.with_path(f"/cloud/v6/load_tests/{test_id}")
    found = await requestor.call(
        "GET", same, requestor.model(LoadTest), options=requestor.options(None, None)
    )
    assert found.id == test_id
