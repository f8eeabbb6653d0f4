"""The transport on a real wire: compressed bodies, lying lengths, closing mid-call,
queueing for the pool, and where a ``@nextLink`` may lead.

Every server here is real and on 127.0.0.1: FakeK6Cloud (with and without its compression
switch), small aiohttp apps that compress or hold requests, and a raw socket server that
writes whatever bytes a test chose.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

import k6cloud_async as k6
from k6cloud_async._models import Page
from k6cloud_async._pagination import check_next_link
from k6cloud_async.testing import FakeK6Cloud
from tests._wire_servers import HoldingServer, RawServer, slow_chunks, until
from tests.conftest import CannedServer

FAST = k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.01)
SCRIPT = b"import http from 'k6/http';\nexport default function () { http.get('x'); }\n" * 200
LOAD_TEST: dict[str, Any] = {
    "id": 1,
    "project_id": 1,
    "name": "compressed",
    "baseline_test_run_id": None,
    "k6_version": None,
    "created": "2025-01-06T09:00:00Z",
    "updated": "2025-01-06T09:00:00Z",
}


class EncodingSeen:
    """A trace config noting the Content-Encoding of every response the client got."""

    def __init__(self) -> None:
        self.codings: list[str | None] = []
        self.config = aiohttp.TraceConfig()
        self.config.on_request_end.append(self._end)

    async def _end(
        self, session: aiohttp.ClientSession, ctx: Any, params: aiohttp.TraceRequestEndParams
    ) -> None:
        self.codings.append(params.response.headers.get("Content-Encoding"))


# -- 1. compressed responses -------------------------------------------------------------


@pytest.fixture(params=[None, "gzip", "deflate"], ids=["identity", "gzip", "deflate"])
async def wire_fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeK6Cloud]:
    async with FakeK6Cloud(compression=request.param) as server:
        yield server


@pytest.fixture
async def seen() -> EncodingSeen:
    return EncodingSeen()


@pytest.fixture
async def wire_client(
    wire_fake: FakeK6Cloud, seen: EncodingSeen
) -> AsyncIterator[k6.K6CloudClient]:
    async with k6.K6CloudClient(
        wire_fake.token,
        wire_fake.stack_id,
        base_url=wire_fake.base_url,
        retry_policy=FAST,
        trace_configs=[seen.config],
    ) as client:
        yield client


def _compressed_as_asked(fake: FakeK6Cloud, seen: EncodingSeen) -> None:
    assert seen.codings, "no response was seen"
    bodied = [coding for coding in seen.codings if coding is not None]
    if fake.compression is None:
        assert bodied == []
    else:
        assert bodied
        assert set(bodied) == {fake.compression}


class TestCoreScenariosWithAndWithoutCompression:
    async def test_get_list_and_pages(
        self, wire_fake: FakeK6Cloud, wire_client: k6.K6CloudClient, seen: EncodingSeen
    ) -> None:
        project = wire_fake.add_project()
        ids = [wire_fake.add_test(project, f"t{index}").id for index in range(5)]

        one = await wire_client.load_tests.get(ids[3])
        listed = [
            test.id async for test in wire_client.load_tests.list(project_id=project, page_size=2)
        ]
        pages = [page async for page in wire_client.load_tests.pages(count=True, page_size=2)]

        assert one.name == "t3"
        assert listed == ids
        assert [len(page.items) for page in pages] == [2, 2, 1]
        assert pages[0].count == 5
        _compressed_as_asked(wire_fake, seen)

    async def test_create_upload_and_download(
        self,
        wire_fake: FakeK6Cloud,
        wire_client: k6.K6CloudClient,
        seen: EncodingSeen,
        tmp_path: Path,
    ) -> None:
        project = wire_fake.add_project()
        test = await wire_client.load_tests.create(project, "made", SCRIPT)
        await wire_client.load_tests.upload_script(test.id, SCRIPT + b"// v2\n")
        expected = SCRIPT + b"// v2\n"
        progress: list[tuple[int, int | None]] = []

        async with wire_client.load_tests.download_script(test.id) as download:
            size = download.size
            read = await download.read()
        async with wire_client.load_tests.download_script(test.id) as download:
            chunks = [chunk async for chunk in download]
        async with wire_client.load_tests.download_script(
            test.id, on_progress=lambda done, total: progress.append((done, total))
        ) as download:
            written = await download.save(tmp_path / "script.js")

        assert read == b"".join(chunks) == expected
        assert written == len(expected)
        assert (tmp_path / "script.js").read_bytes() == expected
        # A compressed body's Content-Length counts encoded bytes: the size is unknown then.
        assert size == (None if wire_fake.compression else len(expected))
        assert progress[-1] == (len(expected), size)
        assert wire_fake.script_of(test.id) == expected
        _compressed_as_asked(wire_fake, seen)

    async def test_start_poll_validate_and_delete(
        self, wire_fake: FakeK6Cloud, wire_client: k6.K6CloudClient, seen: EncodingSeen
    ) -> None:
        project = wire_fake.add_project()
        test_id = wire_fake.add_test(project, "t").id

        run = await wire_client.load_tests.start(test_id)
        polled = await wire_client.test_runs.get(run.id)
        runs = [r.id async for r in wire_client.test_runs.list(test_id=test_id)]
        result = await wire_client.load_tests.validate_options({"vus": 10, "duration": "1h"})
        await wire_client.test_runs.abort(run.id)
        await wire_client.load_tests.delete(test_id)

        assert polled.id == run.id == runs[0]
        assert result.vuh_usage == 10.0
        assert wire_fake.get_test(test_id) is None
        _compressed_as_asked(wire_fake, seen)

    async def test_error_bodies_are_decoded(
        self, wire_fake: FakeK6Cloud, wire_client: k6.K6CloudClient, seen: EncodingSeen
    ) -> None:
        project = wire_fake.add_project()
        wire_fake.add_test(project, "taken")

        with pytest.raises(k6.NotFoundError) as missing:
            await wire_client.load_tests.get(999)
        with pytest.raises(k6.ConflictError) as taken:
            await wire_client.load_tests.create(project, "taken", SCRIPT)

        assert missing.value.code == "not_found"
        assert taken.value.code is not None
        assert taken.value.target == "name"
        _compressed_as_asked(wire_fake, seen)


def _compressing_route(
    canned: CannedServer, path: str, body: bytes, *, coding: str = "gzip", **kwargs: Any
) -> None:
    """A route whose body aiohttp compresses (Content-Length: the encoded size)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.Response(body=body, **kwargs)
        response.enable_compression(force=web.ContentCoding(coding))
        return response

    canned.routes[("GET", path)] = handler


def _streaming_compressed_route(canned: CannedServer, path: str, body: bytes) -> None:
    """A route streaming a gzip body in chunks, without a Content-Length."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_compression(force=web.ContentCoding.gzip)
        await response.prepare(request)
        for start in range(0, len(body), 64 * 1024):
            await response.write(body[start : start + 64 * 1024])
        await response.write_eof()
        return response

    canned.routes[("GET", path)] = handler


class TestHostileCompression:
    @pytest.mark.parametrize("coding", ["gzip", "deflate"])
    async def test_a_server_compressing_unasked_is_understood(
        self, canned: CannedServer, canned_client: k6.K6CloudClient, coding: str
    ) -> None:
        body = json.dumps({**LOAD_TEST, "name": "n" * 280}).encode()
        _compressing_route(
            canned, "/cloud/v6/load_tests/1", body, coding=coding, content_type="application/json"
        )

        test = await canned_client.load_tests.get(1)

        assert test.name == "n" * 280

    async def test_a_compressed_error_body_gives_the_api_error(
        self, canned: CannedServer, canned_client: k6.K6CloudClient
    ) -> None:
        error = {"error": {"code": "not_found", "message": "No such test.", "target": "id"}}
        _compressing_route(
            canned,
            "/cloud/v6/load_tests/1",
            json.dumps(error).encode() * 1,
            status=404,
            content_type="application/json",
        )

        with pytest.raises(k6.NotFoundError) as caught:
            await canned_client.load_tests.get(1)

        assert (caught.value.code, caught.value.message) == ("not_found", "No such test.")

    @pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
    async def test_a_small_body_that_decodes_past_the_limit_is_refused(
        self, canned: CannedServer, streamed: bool
    ) -> None:
        # ~8 MiB of JSON that gzip packs into a few KiB: the encoded size is no guide.
        body = json.dumps({**LOAD_TEST, "name": " " * (8 * 1024 * 1024)}).encode()
        assert len(gzip.compress(body)) < 64 * 1024
        if streamed:
            _streaming_compressed_route(canned, "/cloud/v6/load_tests/1", body)
        else:
            _compressing_route(
                canned, "/cloud/v6/load_tests/1", body, content_type="application/json"
            )

        async with k6.K6CloudClient(
            "canned-token", 1, base_url=canned.base_url, max_response_bytes=1024 * 1024
        ) as client:
            with pytest.raises(k6.ResponseDecodeError, match="limit of 1048576 bytes once decoded"):
                await client.load_tests.get(1)

        assert len(canned.hits) == 1  # not retried

    async def test_a_compressed_script_downloads_whole_with_an_unknown_size(
        self, canned: CannedServer, canned_client: k6.K6CloudClient, tmp_path: Path
    ) -> None:
        _compressing_route(
            canned, "/cloud/v6/load_tests/1/script", SCRIPT, content_type="text/javascript"
        )
        totals: list[int | None] = []

        async with canned_client.load_tests.download_script(
            1, on_progress=lambda done, total: totals.append(total)
        ) as download:
            size = download.size
            written = await download.save(tmp_path / "s.js")

        assert size is None
        assert set(totals) == {None}
        assert written == len(SCRIPT)
        assert (tmp_path / "s.js").read_bytes() == SCRIPT

    async def test_a_download_asks_for_the_script_as_stored(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        test_id = fake.add_test(project, "t", SCRIPT).id

        async with client.load_tests.download_script(test_id) as download:
            assert download.size == len(SCRIPT)
            await download.read()

        assert fake.requests[-1].headers["Accept-Encoding"] == "identity"

    async def test_a_session_that_does_not_decode_asks_for_identity(
        self, fake: FakeK6Cloud, project: int
    ) -> None:
        test_id = fake.add_test(project, "t").id
        async with (
            aiohttp.ClientSession(auto_decompress=False) as session,
            k6.K6CloudClient(
                fake.token, fake.stack_id, base_url=fake.base_url, session=session
            ) as client,
        ):
            assert (await client.load_tests.get(test_id)).id == test_id
            fake.compression = "gzip"  # a server compressing although asked not to
            with pytest.raises(k6.ResponseDecodeError, match="auto_decompress=False"):
                await client.load_tests.get(test_id)

        assert fake.requests[0].headers["Accept-Encoding"] == "identity"


def _http_response(
    body: bytes, *, length: int, content_type: str = "application/json", extra: str = ""
) -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n"
        f"{extra}\r\n"
    )
    return head.encode() + body


class TestLyingContentLength:
    async def test_a_body_shorter_than_announced_is_a_transport_error(self) -> None:
        body = json.dumps(LOAD_TEST).encode()
        async with (
            RawServer(_http_response(body, length=len(body) + 100)) as server,
            k6.K6CloudClient("raw-token", 1, base_url=server.base_url, max_retries=0) as client,
        ):
            with pytest.raises(k6.TransportError):
                await client.load_tests.get(1)

    async def test_a_body_longer_than_announced_is_a_transport_error(self) -> None:
        body = json.dumps(LOAD_TEST).encode()
        async with (
            RawServer(_http_response(body, length=len(body) - 10)) as server,
            k6.K6CloudClient("raw-token", 1, base_url=server.base_url, max_retries=0) as client,
        ):
            # aiohttp reads the surplus as the next response on the connection, and refuses it.
            with pytest.raises(k6.TransportError, match="Bad status line"):
                await client.load_tests.get(1)

    @pytest.mark.parametrize("coding", [None, "gzip", "deflate"])
    async def test_a_short_script_leaves_no_file(self, tmp_path: Path, coding: str | None) -> None:
        encoded = {None: SCRIPT, "gzip": gzip.compress(SCRIPT), "deflate": zlib.compress(SCRIPT)}
        body = encoded[coding]
        extra = f"Content-Encoding: {coding}\r\n" if coding else ""
        response = _http_response(
            body[: len(body) // 2], length=len(body), content_type="text/javascript", extra=extra
        )
        target = tmp_path / "script.js"
        async with (
            RawServer(response) as server,
            k6.K6CloudClient("raw-token", 1, base_url=server.base_url, max_retries=0) as client,
        ):
            with pytest.raises(k6.TransportError):
                async with client.load_tests.download_script(1) as download:
                    await download.save(target)

        assert list(tmp_path.iterdir()) == []


# -- 3. closing the client while calls are in flight -------------------------------------


async def _closed_promptly(tasks: list[asyncio.Task[Any]]) -> list[BaseException]:
    async with asyncio.timeout(2):
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    for outcome in outcomes:
        assert isinstance(outcome, k6.TransportError), outcome
        assert "the client was closed" in str(outcome)
    return [outcome for outcome in outcomes if isinstance(outcome, BaseException)]


class TestClosingWithCallsInFlight:
    async def test_every_kind_of_call_fails_promptly_and_no_file_remains(
        self, tmp_path: Path
    ) -> None:
        gate = asyncio.Event()
        async with HoldingServer() as server:
            client = k6.K6CloudClient("held-token", 1, base_url=server.base_url)

            async def read() -> bytes:
                async with client.load_tests.download_script(1) as download:
                    return await download.read()

            async def iterate() -> list[bytes]:
                async with client.load_tests.download_script(1) as download:
                    return [chunk async for chunk in download]

            async def save() -> int:
                async with client.load_tests.download_script(1) as download:
                    return await download.save(tmp_path / "script.js")

            async def first_item() -> object:
                return await anext(client.load_tests.list())

            calls = [
                client.load_tests.get(1),
                first_item(),
                client.load_tests.upload_script(1, b"export default () => {}\n"),
                client.load_tests.upload_script(1, slow_chunks(gate)),
                read(),
                iterate(),
                save(),
            ]
            tasks = [asyncio.ensure_future(call) for call in calls]
            await until(lambda: server.arrived == 6)  # all but the stalled upload

            await client.close()
            errors = await _closed_promptly(tasks)

        assert len(errors) == len(calls)
        assert list(tmp_path.iterdir()) == []

    async def test_a_call_waiting_for_a_pooled_connection_fails_promptly(self) -> None:
        async with HoldingServer() as server:
            client = k6.K6CloudClient("held-token", 1, base_url=server.base_url, max_connections=1)
            tasks = [asyncio.ensure_future(client.load_tests.get(1)) for _ in range(3)]
            await until(lambda: server.arrived == 1)

            await client.close()
            errors = await _closed_promptly(tasks)

        assert server.arrived == 1
        assert len(errors) == 3

    async def test_a_call_waiting_to_retry_fails_promptly(self, fake: FakeK6Cloud) -> None:
        from k6cloud_async.testing import Fault

        fake.inject(Fault.status(503, retry_after=30), times=None)
        client = k6.K6CloudClient(
            fake.token,
            fake.stack_id,
            base_url=fake.base_url,
            retry_policy=k6.RetryPolicy(max_retry_after=60),
        )
        task = asyncio.ensure_future(client.load_tests.get(1))
        await until(lambda: len(fake.requests) == 1 and fake.in_flight == 0)

        await client.close()
        [error] = await _closed_promptly([task])

        assert error.attempts == 1  # type: ignore[attr-defined]

    async def test_with_a_callers_session_calls_fail_and_the_session_stays_open(
        self,
    ) -> None:
        async with HoldingServer() as server, aiohttp.ClientSession() as session:
            client = k6.K6CloudClient("held-token", 1, base_url=server.base_url, session=session)

            async def read() -> bytes:
                async with client.load_tests.download_script(1) as download:
                    return await download.read()

            tasks = [asyncio.ensure_future(client.load_tests.get(1)), asyncio.ensure_future(read())]
            await until(lambda: server.arrived == 2)

            await client.close()
            await _closed_promptly(tasks)

            assert not session.closed

    async def test_a_call_its_caller_cancelled_is_still_cancelled(self) -> None:
        async with HoldingServer() as server:
            client = k6.K6CloudClient("held-token", 1, base_url=server.base_url)
            task = asyncio.ensure_future(client.load_tests.get(1))
            await until(lambda: server.arrived == 1)

            task.cancel()
            await client.close()

            with pytest.raises(asyncio.CancelledError):
                await task


# -- 7. waiting for the pool is not a timeout --------------------------------------------


class TestQueueingForThePool:
    async def test_three_thousand_gets_through_ten_connections_all_succeed(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        calls, connections, latency = 3000, 10, 0.05
        async with FakeK6Cloud(latency=latency) as fake:
            test_id = fake.add_test(fake.add_project(), "t").id
            async with k6.K6CloudClient(
                fake.token, fake.stack_id, base_url=fake.base_url, max_connections=connections
            ) as client:
                tokens = client._transport.budget.tokens
                began = time.monotonic()
                results = await asyncio.gather(
                    *(client.load_tests.get(test_id) for _ in range(calls))
                )
                wall = time.monotonic() - began

                assert client._transport.budget.tokens == tokens  # no retry was spent
            assert {test.id for test in results} == {test_id}
            assert len(fake.requests) == calls  # one attempt each
            assert fake.max_in_flight <= connections
        with capsys.disabled():
            print(
                f"\n{calls} gets, {connections} connections, {latency * 1000:.0f} ms each: "
                f"{wall:.1f} s wall (at least {calls * latency / connections:.1f} s)"
            )

    async def test_time_queued_is_not_counted_in_the_calls_timeout(self) -> None:
        async with HoldingServer() as server:
            client = k6.K6CloudClient(
                "held-token", 1, base_url=server.base_url, max_connections=1, max_retries=0
            )
            async with client:
                first = asyncio.ensure_future(client.load_tests.get(1))
                await until(lambda: server.arrived == 1)
                queued_at = time.monotonic()
                second = asyncio.ensure_future(client.load_tests.get(1, timeout=0.2))
                # Hold the only connection well past the queued call's own timeout.
                await until(lambda: time.monotonic() - queued_at > 0.6)
                server.release.set()

                assert (await first).id == (await second).id == 1
            assert server.arrived == 2

    async def test_the_calls_deadline_bounds_its_time_in_the_queue(self) -> None:
        async with HoldingServer() as server:
            client = k6.K6CloudClient("held-token", 1, base_url=server.base_url, max_connections=1)
            async with client:
                first = asyncio.ensure_future(client.load_tests.get(1))
                await until(lambda: server.arrived == 1)
                tokens = client._transport.budget.tokens
                hurried = client.with_options(retry_policy=k6.RetryPolicy(deadline=0.2))

                with pytest.raises(k6.RequestTimeoutError, match="free connection") as caught:
                    await hurried.load_tests.get(1)

                assert caught.value.attempts == 1  # the call's error, finished like any other
                assert caught.value.maybe_processed_earlier is False
                assert client._transport.budget.tokens == tokens
                server.release.set()
                await first
            assert server.arrived == 1


# -- 8. where a @nextLink may lead -------------------------------------------------------

ORIGIN = URL("http://127.0.0.1:8443")
PAGE_URL = URL("http://127.0.0.1:8443/cloud/v6/projects/5/load_tests?$top=2")


class TestNextLinkValues:
    @pytest.mark.parametrize(
        "link",
        [
            "http://user:pw@127.0.0.1:8443/cloud/v6/load_tests?$skip=2",
            "http://user@127.0.0.1:8443/cloud/v6/load_tests?$skip=2",
            "ftp://127.0.0.1:8443/cloud/v6/load_tests",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "mailto:ops@example.com",
            "http://127.0.0.1:99999/cloud/v6/load_tests",
            "http://[::1/cloud/v6/load_tests",
            "http://127.0.0.1:8443/cloud/v6/load tests",
            "http://127.0.0.1:8443/cloud/v6/load_tests?\r\nX-Injected: 1",
            "http:///cloud/v6/load_tests",
        ],
    )
    def test_a_link_the_client_must_not_follow_is_a_decode_error_naming_it(self, link: str) -> None:
        with pytest.raises(k6.ResponseDecodeError) as caught:
            check_next_link(Page(items=[1], next_link=link), ORIGIN, set(), page_url=PAGE_URL)

        assert caught.value.field == "$.@nextLink"
        shown = link.replace(":pw@", ":***@")
        assert repr(shown) in str(caught.value) or shown in str(caught.value)
        assert ":pw@" not in str(caught.value)

    @pytest.mark.parametrize(
        ("link", "resolved"),
        [
            ("?$skip=2&$top=2", "/cloud/v6/projects/5/load_tests?$skip=2&$top=2"),
            ("load_tests?$skip=2", "/cloud/v6/projects/5/load_tests?$skip=2"),
            ("../7/load_tests?$skip=2", "/cloud/v6/projects/7/load_tests?$skip=2"),
            ("/cloud/v6/load_tests?$skip=2", "/cloud/v6/load_tests?$skip=2"),
        ],
    )
    def test_a_relative_link_is_resolved_against_its_page(self, link: str, resolved: str) -> None:
        url = check_next_link(Page(items=[1], next_link=link), ORIGIN, set(), page_url=PAGE_URL)

        assert url == ORIGIN.with_path("/").join(URL(resolved))

    async def test_a_relative_link_on_the_wire_follows_the_page_and_can_resume(
        self, canned: CannedServer, canned_client: k6.K6CloudClient
    ) -> None:
        path = "/cloud/v6/projects/5/load_tests"

        async def listing(request: web.Request) -> web.StreamResponse:
            if "$skip" in request.query:
                return web.json_response({"value": [{**LOAD_TEST, "id": 2}]})
            return web.json_response({"value": [LOAD_TEST], "@nextLink": "?$skip=1&$top=1"})

        canned.routes[("GET", path)] = listing

        ids = [t.id async for t in canned_client.load_tests.list(project_id=5, page_size=1)]
        first = await anext(canned_client.load_tests.pages(project_id=5, page_size=1))
        resumed = await anext(canned_client.load_tests.pages(next_link=first.next_link))

        assert ids == [1, 2]
        assert canned.hits[1] == ("GET", f"{path}?$skip=1&$top=1")
        assert first.next_link == f"{canned.base_url}{path}?$skip=1&$top=1"
        assert [t.id for t in resumed.items] == [2]

    async def test_a_link_with_credentials_is_refused_unsent(
        self, canned: CannedServer, canned_client: k6.K6CloudClient
    ) -> None:
        host = canned.base_url.split("//", 1)[1]
        link = f"http://admin:hunter22@{host}/cloud/v6/load_tests?$skip=1"
        canned.json("/cloud/v6/load_tests", {"value": [LOAD_TEST], "@nextLink": link})

        with pytest.raises(k6.ResponseDecodeError, match="credentials") as caught:
            [t async for t in canned_client.load_tests.list()]

        assert "hunter22" not in str(caught.value)
        assert len(canned.hits) == 1
