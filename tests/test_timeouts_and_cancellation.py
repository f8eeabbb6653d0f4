"""Timeouts, cancellation and broken bodies: calls end cleanly, retry what can be retried,
leave no partial file and no connection behind.

``filterwarnings = error`` turns an unclosed session or connector into a failure, so each
test that closes its client also checks that nothing was left open.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault
from tests.conftest import CannedServer

TINY = k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.005)


def _client(fake: FakeK6Cloud, **kwargs: Any) -> k6.K6CloudClient:
    options: dict[str, Any] = {"base_url": fake.base_url, "retry_policy": TINY}
    options.update(kwargs)
    return k6.K6CloudClient(fake.token, fake.stack_id, **options)


def _requests(fake: FakeK6Cloud, method: str, path: str) -> list[Any]:
    return [r for r in fake.requests if r.method == method and r.path == path]


def _test_path(test_id: int) -> str:
    return f"/cloud/v6/load_tests/{test_id}"


def _connections_in_use(client: k6.K6CloudClient) -> int:
    connector = client._transport.session().connector
    assert connector is not None
    return len(connector._acquired)  # no public count in aiohttp


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def _listing_tasks() -> list[asyncio.Task[Any]]:
    """Tasks still running a listing's page fetch (the read-ahead)."""
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done() and "fetch" in getattr(task.get_coro(), "__qualname__", "")
    ]


@pytest.fixture
async def test_id(fake: FakeK6Cloud, project: int) -> int:
    return fake.add_test(project, "timed").id


# -- timeouts ---------------------------------------------------------------------------


class TestTimeouts:
    async def test_a_stall_beyond_the_call_timeout_raises_after_the_retries(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.stall(1.0), method="GET", path=_test_path(test_id), times=None)

        with pytest.raises(k6.RequestTimeoutError) as caught:
            await client.load_tests.get(test_id, timeout=0.2)

        assert isinstance(caught.value, k6.TransportError)
        assert caught.value.attempts == client.max_retries + 1
        assert len(_requests(fake, "GET", _test_path(test_id))) == client.max_retries + 1

    async def test_a_stall_shorter_than_a_retry_is_retried_into_success(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.stall(1.0), method="GET", path=_test_path(test_id), times=1)

        test = await client.load_tests.get(test_id, timeout=0.2)

        assert test.id == test_id
        assert len(_requests(fake, "GET", _test_path(test_id))) == 2

    async def test_the_client_level_timeout_applies(self, fake: FakeK6Cloud, test_id: int) -> None:
        fake.inject(Fault.stall(1.0), method="GET", path=_test_path(test_id), times=None)

        async with _client(fake, timeout=0.2, max_retries=0) as client:
            with pytest.raises(k6.RequestTimeoutError) as caught:
                await client.load_tests.get(test_id)

        assert caught.value.attempts == 1

    @pytest.mark.parametrize(
        "timeout",
        [aiohttp.ClientTimeout(total=0.2), aiohttp.ClientTimeout(sock_read=0.2)],
        ids=["total", "sock_read"],
    )
    async def test_an_aiohttp_client_timeout_is_accepted_per_call_and_per_client(
        self, fake: FakeK6Cloud, test_id: int, timeout: aiohttp.ClientTimeout
    ) -> None:
        fake.inject(Fault.stall(1.0), method="GET", path=_test_path(test_id), times=None)

        async with _client(fake, timeout=timeout, max_retries=0) as client:
            assert client.timeout is timeout
            with pytest.raises(k6.RequestTimeoutError):
                await client.load_tests.get(test_id)
        async with _client(fake, max_retries=0) as client:
            with pytest.raises(k6.RequestTimeoutError):
                await client.load_tests.get(test_id, timeout=timeout)

    async def test_asyncio_timeout_around_a_call_cancels_it_without_retry(
        self, fake: FakeK6Cloud, test_id: int
    ) -> None:
        fake.inject(Fault.stall(0.5), method="GET", path=_test_path(test_id), times=None)

        async with _client(fake) as client:
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.1):
                    await client.load_tests.get(test_id)
            assert _connections_in_use(client) == 0
        await _until(lambda: fake.in_flight == 0)

        assert len(_requests(fake, "GET", _test_path(test_id))) == 1


# -- cancellation -----------------------------------------------------------------------


class TestCancellation:
    async def test_cancelling_a_call_raises_cancelled_and_does_not_retry(
        self, fake: FakeK6Cloud, test_id: int
    ) -> None:
        fake.inject(Fault.stall(0.5), method="GET", path=_test_path(test_id), times=None)

        async with _client(fake) as client:
            task = asyncio.create_task(client.load_tests.get(test_id))
            await _until(lambda: fake.in_flight == 1)
            await _cancel(task)
            assert _connections_in_use(client) == 0
        await _until(lambda: fake.in_flight == 0)

        assert len(_requests(fake, "GET", _test_path(test_id))) == 1

    async def test_cancelling_a_listing_waiting_for_its_read_ahead_page(
        self, fake: FakeK6Cloud, project: int
    ) -> None:
        for index in range(3):
            fake.add_test(project, f"t{index}")
        # Both pages share the path: the first rule (no stall) is used by page 1.
        fake.inject(Fault.stall(0), method="GET", path="/cloud/v6/load_tests", times=1)
        fake.inject(Fault.stall(0.5), method="GET", path="/cloud/v6/load_tests", times=1)
        seen: list[int] = []

        async def consume(client: k6.K6CloudClient) -> None:
            async for test in client.load_tests.list(page_size=1):
                seen.append(test.id)

        async with _client(fake) as client:
            task = asyncio.create_task(consume(client))
            await _until(lambda: len(fake.requests) == 2 and fake.in_flight == 1)
            await _cancel(task)
            assert _listing_tasks() == []
            assert _connections_in_use(client) == 0
        await _until(lambda: fake.in_flight == 0)

        assert len(seen) == 1
        assert len(fake.requests) == 2

    async def test_cancelling_a_listing_consumer_cancels_the_read_ahead_in_flight(
        self, fake: FakeK6Cloud, project: int
    ) -> None:
        for index in range(3):
            fake.add_test(project, f"t{index}")
        fake.inject(Fault.stall(0), method="GET", path="/cloud/v6/load_tests", times=1)
        fake.inject(Fault.stall(0.5), method="GET", path="/cloud/v6/load_tests", times=1)
        busy = asyncio.Event()

        async def consume(client: k6.K6CloudClient) -> None:
            async with contextlib.aclosing(client.load_tests.list(page_size=1)) as tests:
                async for _ in tests:
                    busy.set()
                    await asyncio.Event().wait()  # the consumer works on item 1

        async with _client(fake) as client:
            task = asyncio.create_task(consume(client))
            await busy.wait()
            await _until(lambda: len(fake.requests) == 2 and fake.in_flight == 1)
            assert len(_listing_tasks()) == 1
            await _cancel(task)
            assert _listing_tasks() == []
            assert _connections_in_use(client) == 0
        await _until(lambda: fake.in_flight == 0)

        assert len(fake.requests) == 2

    async def test_cancelling_an_upload_mid_body_stores_nothing(
        self, fake: FakeK6Cloud, test_id: int
    ) -> None:
        before = fake.script_of(test_id)
        first_chunk_sent = asyncio.Event()

        async def slow_script() -> AsyncIterator[bytes]:
            yield b"export default function () {}\n" * 100
            first_chunk_sent.set()
            await asyncio.Event().wait()  # the rest never comes
            yield b"// never sent\n"

        async with _client(fake) as client:
            task = asyncio.create_task(client.load_tests.upload_script(test_id, slow_script()))
            await first_chunk_sent.wait()
            await _until(lambda: fake.in_flight == 1)
            await _cancel(task)
            assert _connections_in_use(client) == 0
        await _until(lambda: fake.in_flight == 0)

        assert fake.script_of(test_id) == before
        assert len(_requests(fake, "PUT", f"{_test_path(test_id)}/script")) == 1

    async def test_cancelling_a_download_mid_save_leaves_no_file(
        self, canned: CannedServer, canned_client: k6.K6CloudClient, tmp_path: Path
    ) -> None:
        body = b"x" * 200_000

        async def half_then_hang(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "text/javascript"})
            response.content_length = len(body)
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            with contextlib.suppress(ConnectionError):
                # The rest never comes: hold on until the cancelled client has hung up.
                await _until(lambda: request.transport is None or request.transport.is_closing())
            return response

        canned.routes[("GET", "/cloud/v6/load_tests/1/script")] = half_then_hang
        target = tmp_path / "script.js"
        received = asyncio.Event()

        def progress(done: int, total: int | None) -> None:
            if done:
                received.set()

        async def save() -> None:
            async with canned_client.load_tests.download_script(1, on_progress=progress) as dl:
                await dl.save(target)

        task = asyncio.create_task(save())
        await received.wait()
        await _cancel(task)

        assert list(tmp_path.iterdir()) == []
        assert _connections_in_use(canned_client) == 0


# -- broken bodies ----------------------------------------------------------------------


class TestTruncatedAndMalformedBodies:
    async def test_a_truncated_json_body_is_retried_into_success(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.truncated_body(), method="GET", path=_test_path(test_id), times=1)

        test = await client.load_tests.get(test_id)

        assert test == fake.get_test(test_id)
        assert [r.fault for r in _requests(fake, "GET", _test_path(test_id))] == [
            "truncated_body",
            None,
        ]

    async def test_a_truncated_json_body_without_retries_raises(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.truncated_body(), method="GET", path=_test_path(test_id), times=1)

        with pytest.raises((k6.TransportError, k6.ResponseDecodeError)) as caught:
            await client.load_tests.get(test_id, max_retries=0)

        assert caught.value.attempts == 1

    async def test_a_truncated_listing_page_without_retries_raises(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        for index in range(5):
            fake.add_test(project, f"t{index}")
        fake.inject(Fault.truncated_body(), method="GET", path="/cloud/v6/load_tests", times=1)

        with pytest.raises((k6.TransportError, k6.ResponseDecodeError)):
            [t async for t in client.load_tests.list(max_retries=0)]

    async def test_a_truncated_download_leaves_no_file_at_the_target(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path
    ) -> None:
        test = fake.add_test(project, "big", b"export default function () {}\n" * 5_000)
        fake.inject(Fault.truncated_body(), method="GET", path=f"{_test_path(test.id)}/script")
        target = tmp_path / "script.js"

        with pytest.raises(k6.TransportError):
            async with client.load_tests.download_script(test.id) as download:
                await download.save(target)

        assert list(tmp_path.iterdir()) == []
        assert _connections_in_use(client) == 0

    async def test_a_truncated_download_keeps_an_existing_target_unchanged(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path
    ) -> None:
        test = fake.add_test(project, "big", b"export default function () {}\n" * 5_000)
        fake.inject(Fault.truncated_body(), method="GET", path=f"{_test_path(test.id)}/script")
        target = tmp_path / "script.js"
        target.write_bytes(b"old")

        with pytest.raises(k6.TransportError):
            async with client.load_tests.download_script(test.id) as download:
                await download.save(target)

        assert target.read_bytes() == b"old"
        assert [p.name for p in tmp_path.iterdir()] == ["script.js"]

    async def test_malformed_json_is_a_decode_error_and_not_retried(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.malformed_json(), method="GET", path=_test_path(test_id), times=3)

        with pytest.raises(k6.ResponseDecodeError) as caught:
            await client.load_tests.get(test_id)

        assert caught.value.attempts == 1
        assert len(_requests(fake, "GET", _test_path(test_id))) == 1

    async def test_an_html_502_is_retried(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.html_502(), method="GET", path=_test_path(test_id), times=1)

        test = await client.load_tests.get(test_id)

        assert test.id == test_id
        assert len(_requests(fake, "GET", _test_path(test_id))) == 2

    async def test_an_html_502_after_the_retries_is_a_server_error_with_the_page_text(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.html_502(), method="GET", path=_test_path(test_id), times=None)

        with pytest.raises(k6.ServerError) as caught:
            await client.load_tests.get(test_id)

        assert caught.value.status == 502
        assert caught.value.code is None
        assert "502 Bad Gateway" in caught.value.message
        assert caught.value.attempts == client.max_retries + 1
