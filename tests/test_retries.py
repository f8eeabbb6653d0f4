"""Retries: which failures are retried, how often, how long between, and what never is.

Every test runs against FakeK6Cloud over real HTTP, with faults injected on the server side.
"""

from __future__ import annotations

import asyncio
import email.utils
import io
import logging
import math
import random
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async._retry import parse_retry_after
from k6cloud_async.testing import FakeK6Cloud, Fault

TINY = k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.005)
RETRYABLE = [408, 429, 500, 502, 503, 504]
NEVER_RETRIED = [400, 401, 403, 404, 406, 409]
ERROR_CLASSES = {
    400: k6.BadRequestError,
    401: k6.AuthenticationError,
    403: k6.PermissionDeniedError,
    404: k6.NotFoundError,
    406: k6.NotAcceptableError,
    409: k6.ConflictError,
    408: k6.APIError,
    429: k6.RateLimitError,
    500: k6.ServerError,
    502: k6.ServerError,
    503: k6.ServerError,
    504: k6.ServerError,
}
SCRIPT_V2 = b"export default function () { /* v2 */ }\n" + b"// padding\n" * 60_000


def _client(fake: FakeK6Cloud, **kwargs: Any) -> k6.K6CloudClient:
    options: dict[str, Any] = {"base_url": fake.base_url, "retry_policy": TINY}
    options.update(kwargs)
    return k6.K6CloudClient(fake.token, fake.stack_id, **options)


def _requests(fake: FakeK6Cloud, method: str, path: str) -> list[Any]:
    return [r for r in fake.requests if r.method == method and r.path == path]


def _test_path(test_id: int) -> str:
    return f"/cloud/v6/load_tests/{test_id}"


@pytest.fixture
async def test_id(fake: FakeK6Cloud, project: int) -> int:
    return fake.add_test(project, "retried").id


# -- which failures are retried ---------------------------------------------------------


class TestRetryableStatuses:
    @pytest.mark.parametrize("status", RETRYABLE)
    async def test_get_succeeds_after_as_many_faults_as_max_retries(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, status: int
    ) -> None:
        assert client.max_retries == 2
        fake.inject(Fault.status(status), method="GET", path=_test_path(test_id), times=2)

        test = await client.load_tests.get(test_id)

        assert test.id == test_id
        assert [r.status for r in _requests(fake, "GET", _test_path(test_id))] == [
            status,
            status,
            200,
        ]

    @pytest.mark.parametrize("status", RETRYABLE)
    async def test_get_gives_up_after_max_retries_plus_one_attempts(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, status: int
    ) -> None:
        fake.inject(Fault.status(status), method="GET", path=_test_path(test_id), times=None)

        with pytest.raises(ERROR_CLASSES[status]) as caught:
            await client.load_tests.get(test_id)

        assert caught.value.status == status
        assert caught.value.attempts == client.max_retries + 1
        assert len(_requests(fake, "GET", _test_path(test_id))) == client.max_retries + 1

    async def test_get_succeeds_after_connection_resets(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.reset(), method="GET", path=_test_path(test_id), times=2)

        test = await client.load_tests.get(test_id)

        assert test.id == test_id
        assert [r.fault for r in _requests(fake, "GET", _test_path(test_id))] == [
            "reset",
            "reset",
            None,
        ]

    async def test_get_gives_up_on_persistent_resets_after_max_retries_plus_one_attempts(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.reset(), method="GET", path=_test_path(test_id), times=None)

        with pytest.raises(k6.TransportError) as caught:
            await client.load_tests.get(test_id)

        assert caught.value.attempts == client.max_retries + 1
        assert not isinstance(caught.value, k6.APIError)

    @pytest.mark.xfail(
        strict=True,
        reason="known limitation: aiohttp re-sends an idempotent request (GET/PUT/DELETE) once "
        "when a reused keep-alive connection fails before a response (RFC 9112 9.3.1), with no "
        "public switch (aio-libs/aiohttp#10790), so max_retries=0 can still make two requests",
    )
    async def test_a_reset_with_max_retries_0_makes_exactly_one_request(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.reset(), method="GET", path=_test_path(test_id), times=None)

        with pytest.raises(k6.TransportError) as caught:
            await client.load_tests.get(test_id, max_retries=0)

        assert caught.value.attempts == 1
        assert len(_requests(fake, "GET", _test_path(test_id))) == 1


class TestNeverRetried:
    @pytest.mark.parametrize("status", NEVER_RETRIED)
    async def test_client_error_status_is_raised_after_exactly_one_request(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, status: int
    ) -> None:
        fake.inject(Fault.status(status), method="GET", path=_test_path(test_id), times=3)

        with pytest.raises(ERROR_CLASSES[status]) as caught:
            await client.load_tests.get(test_id)

        assert caught.value.status == status
        assert caught.value.attempts == 1
        assert len(_requests(fake, "GET", _test_path(test_id))) == 1


# -- max_retries overrides --------------------------------------------------------------


class TestMaxRetriesOverrides:
    async def test_per_call_max_retries_0_overrides_the_client_default(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(Fault.status(503), method="GET", path=_test_path(test_id), times=1)

        with pytest.raises(k6.ServerError) as caught:
            await client.load_tests.get(test_id, max_retries=0)

        assert caught.value.attempts == 1
        assert len(_requests(fake, "GET", _test_path(test_id))) == 1

    async def test_per_call_max_retries_raises_a_client_default_of_0(
        self, fake: FakeK6Cloud, test_id: int
    ) -> None:
        fake.inject(Fault.status(503), method="GET", path=_test_path(test_id), times=2)

        async with _client(fake, max_retries=0) as client:
            test = await client.load_tests.get(test_id, max_retries=2)

        assert test.id == test_id
        assert len(_requests(fake, "GET", _test_path(test_id))) == 3

    async def test_with_options_max_retries_applies_to_the_copy_only(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        no_retries = client.with_options(max_retries=0)
        fake.inject(Fault.status(503), method="GET", path=_test_path(test_id), times=2)

        with pytest.raises(k6.ServerError) as caught:
            await no_retries.load_tests.get(test_id)
        assert caught.value.attempts == 1

        test = await client.load_tests.get(test_id)  # the original still retries
        assert test.id == test_id
        assert len(_requests(fake, "GET", _test_path(test_id))) == 3

    async def test_with_options_shares_the_connection_pool(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        no_retries = client.with_options(max_retries=0)
        await no_retries.load_tests.get(test_id)

        assert no_retries._transport.session() is client._transport.session()
        await no_retries.close()
        assert not client.closed
        assert (await client.load_tests.get(test_id)).id == test_id


# -- Retry-After ------------------------------------------------------------------------


class TestRetryAfter:
    @pytest.mark.parametrize("status", [429, 503])
    async def test_retry_after_seconds_is_waited(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, status: int
    ) -> None:
        fake.inject(Fault.status(status, retry_after=0.3), method="GET", path=_test_path(test_id))

        began = time.monotonic()
        await client.load_tests.get(test_id)

        assert time.monotonic() - began >= 0.3
        assert len(_requests(fake, "GET", _test_path(test_id))) == 2

    async def test_retry_after_http_date_is_waited(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        # An HTTP-date has whole seconds: aim at the next full second but one.
        when = math.floor(time.time()) + 2
        header = email.utils.formatdate(when, usegmt=True)
        fake.inject(Fault.status(429, retry_after=header), method="GET", path=_test_path(test_id))

        await client.load_tests.get(test_id)

        assert time.time() >= when - 0.05  # allow for clock granularity only
        assert len(_requests(fake, "GET", _test_path(test_id))) == 2

    async def test_retry_after_beyond_max_retry_after_fails_at_once(
        self, fake: FakeK6Cloud, test_id: int
    ) -> None:
        fake.inject(
            Fault.status(429, retry_after=30), method="GET", path=_test_path(test_id), times=1
        )

        async with _client(fake, retry_policy=k6.RetryPolicy(max_retry_after=1.0)) as client:
            began = time.monotonic()
            with pytest.raises(k6.RateLimitError) as caught:
                await client.load_tests.get(test_id)

        assert time.monotonic() - began < 5  # not the 30 s the server asked for
        assert caught.value.retry_after == 30
        assert caught.value.attempts == 1
        assert len(_requests(fake, "GET", _test_path(test_id))) == 1

    async def test_retry_after_http_date_beyond_max_retry_after_fails_with_its_wait(
        self, fake: FakeK6Cloud, test_id: int
    ) -> None:
        header = email.utils.formatdate(time.time() + 3600, usegmt=True)
        fake.inject(Fault.status(429, retry_after=header), method="GET", path=_test_path(test_id))

        async with _client(fake, retry_policy=k6.RetryPolicy(max_retry_after=60)) as client:
            with pytest.raises(k6.RateLimitError) as caught:
                await client.load_tests.get(test_id)

        assert caught.value.retry_after is not None
        assert 3590 <= caught.value.retry_after <= 3601
        assert len(_requests(fake, "GET", _test_path(test_id))) == 1

    async def test_a_503_retry_after_beyond_max_retry_after_fails_at_once(
        self, fake: FakeK6Cloud, test_id: int
    ) -> None:
        fake.inject(
            Fault.status(503, retry_after=30), method="GET", path=_test_path(test_id), times=1
        )

        async with _client(fake, retry_policy=k6.RetryPolicy(max_retry_after=0.5)) as client:
            with pytest.raises(k6.ServerError):
                async with asyncio.timeout(1):
                    await client.load_tests.get(test_id)


# -- start: the same idempotency key on every attempt -----------------------------------


class TestStartIdempotency:
    async def test_start_after_lost_responses_sends_one_key_and_makes_one_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        path = f"{_test_path(test_id)}/start"
        fake.inject(Fault.after_processing(Fault.reset()), method="POST", path=path, times=2)

        run = await client.load_tests.start(test_id)

        sent = _requests(fake, "POST", path)
        assert len(sent) == 3
        keys = {r.headers["K6-Idempotency-Key"] for r in sent}
        assert len(keys) == 1
        assert [r.id for r in fake.runs] == [run.id]

    async def test_start_error_carries_the_idempotency_key_and_attempts(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        path = f"{_test_path(test_id)}/start"
        fake.inject(Fault.after_processing(Fault.reset()), method="POST", path=path, times=None)

        with pytest.raises(k6.TransportError) as caught:
            await client.load_tests.start(test_id)

        sent = _requests(fake, "POST", path)
        assert caught.value.attempts == client.max_retries + 1 == len(sent)
        assert caught.value.idempotency_key == sent[0].headers["K6-Idempotency-Key"]
        assert len(fake.runs) == 1

    async def test_start_with_the_key_of_a_failed_call_returns_the_same_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        path = f"{_test_path(test_id)}/start"
        fake.inject(Fault.after_processing(Fault.reset()), method="POST", path=path, times=3)
        with pytest.raises(k6.TransportError) as caught:
            await client.load_tests.start(test_id)

        run = await client.load_tests.start(test_id, idempotency_key=caught.value.idempotency_key)

        assert [r.id for r in fake.runs] == [run.id]

    async def test_start_decode_error_carries_the_idempotency_key(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        path = f"{_test_path(test_id)}/start"
        fake.inject(Fault.after_processing(Fault.malformed_json()), method="POST", path=path)

        with pytest.raises(k6.ResponseDecodeError) as caught:
            await client.load_tests.start(test_id)

        assert caught.value.idempotency_key == fake.requests[-1].headers["K6-Idempotency-Key"]


class TestDeleteReplay:
    async def test_delete_whose_response_was_lost_reports_success(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.inject(
            Fault.after_processing(Fault.status(503)), method="DELETE", path=_test_path(test_id)
        )

        await client.load_tests.delete(test_id)

        assert fake.get_test(test_id) is None


# -- create: retried only when it provably was not processed ----------------------------


class TestCreateIsNotRepeated:
    async def test_create_is_not_retried_after_a_503(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        path = f"/cloud/v6/projects/{project}/load_tests"
        fake.inject(Fault.status(503), method="POST", path=path, times=1)

        with pytest.raises(k6.ServerError) as caught:
            await client.load_tests.create(project, "new", b"export default () => {}\n")

        assert caught.value.attempts == 1
        assert len(_requests(fake, "POST", path)) == 1
        assert "may exist" in str(caught.value)

    async def test_create_is_not_retried_after_a_lost_response(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        path = f"/cloud/v6/projects/{project}/load_tests"
        fake.inject(Fault.after_processing(Fault.reset()), method="POST", path=path, times=1)

        with pytest.raises(k6.TransportError) as caught:
            await client.load_tests.create(project, "new", b"export default () => {}\n")

        assert len(_requests(fake, "POST", path)) == 1
        assert "may exist" in str(caught.value)
        assert [t.name for t in fake.tests] == ["new"]  # it did take effect

    async def test_create_is_retried_after_a_429(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        path = f"/cloud/v6/projects/{project}/load_tests"
        fake.inject(Fault.status(429, retry_after=0), method="POST", path=path, times=1)

        test = await client.load_tests.create(project, "new", b"export default () => {}\n")

        assert len(_requests(fake, "POST", path)) == 2
        assert [t.id for t in fake.tests] == [test.id]


# -- bodies are replayed whole, or not at all -------------------------------------------


async def _one_shot() -> AsyncIterator[bytes]:
    for start in range(0, len(SCRIPT_V2), 100_000):
        yield SCRIPT_V2[start : start + 100_000]


class _NonSeekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, target: Any) -> int:
        data = self._buffer.read(len(target))
        target[: len(data)] = data
        return len(data)


class TestBodiesAreReplayed:
    @pytest.mark.parametrize("kind", ["bytes", "path", "bytesio"])
    async def test_upload_script_retried_after_a_503_stores_the_whole_script(
        self,
        fake: FakeK6Cloud,
        client: k6.K6CloudClient,
        test_id: int,
        tmp_path: Path,
        kind: str,
    ) -> None:
        source: Any
        if kind == "bytes":
            source = SCRIPT_V2
        elif kind == "path":
            source = tmp_path / "script.js"
            source.write_bytes(SCRIPT_V2)
        else:
            source = io.BytesIO(SCRIPT_V2)
        path = f"{_test_path(test_id)}/script"
        fake.inject(Fault.status(503), method="PUT", path=path, times=1)

        await client.load_tests.upload_script(test_id, source)

        assert [r.status for r in _requests(fake, "PUT", path)] == [503, 204]
        assert fake.script_of(test_id) == SCRIPT_V2

    @pytest.mark.parametrize(
        ("kind", "why"),
        [("async iterator", "async iterator"), ("non-seekable", "non-seekable stream")],
    )
    async def test_upload_script_from_a_one_shot_source_is_not_retried_and_says_why(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, kind: str, why: str
    ) -> None:
        source = _one_shot() if kind == "async iterator" else _NonSeekable(SCRIPT_V2)
        path = f"{_test_path(test_id)}/script"
        before = fake.script_of(test_id)
        fake.inject(Fault.status(503), method="PUT", path=path, times=1)

        with pytest.raises(k6.ServerError) as caught:
            await client.load_tests.upload_script(test_id, source)

        assert "not retried" in str(caught.value)
        assert why in str(caught.value)
        assert len(_requests(fake, "PUT", path)) == 1
        assert fake.script_of(test_id) == before  # no empty (or short) script stored

    async def test_upload_script_from_an_async_iterator_after_a_reset_stores_nothing_short(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        path = f"{_test_path(test_id)}/script"
        before = fake.script_of(test_id)
        fake.inject(Fault.reset(), method="PUT", path=path, times=1)

        with pytest.raises(k6.TransportError) as caught:
            await client.load_tests.upload_script(test_id, _one_shot())

        assert "async iterator" in str(caught.value)
        assert fake.script_of(test_id) == before
        assert all(r.status != 204 for r in _requests(fake, "PUT", path))


# -- the retry budget -------------------------------------------------------------------


class TestRetryBudget:
    async def test_a_spent_budget_stops_retries_then_fails_fast(
        self, fake: FakeK6Cloud, test_id: int
    ) -> None:
        policy = k6.RetryPolicy(
            backoff_base=0.001, backoff_cap=0.005, budget_capacity=10, retry_cost=5
        )
        fake.inject(Fault.status(503), method="GET", path=_test_path(test_id), times=None)

        async with _client(fake, retry_policy=policy, max_retries=5) as client:
            with pytest.raises(k6.ServerError) as first:
                await client.load_tests.get(test_id)
            with pytest.raises(k6.ServerError) as second:
                await client.load_tests.get(test_id)

        assert first.value.attempts == 3  # two retries of 5 tokens each, then empty
        assert second.value.attempts == 1
        assert "budget" in str(second.value)
        assert len(_requests(fake, "GET", _test_path(test_id))) == 4

    async def test_successes_refund_the_budget(
        self, fake: FakeK6Cloud, project: int, test_id: int
    ) -> None:
        healthy = fake.add_test(project, "healthy").id
        policy = k6.RetryPolicy(
            backoff_base=0.001,
            backoff_cap=0.005,
            budget_capacity=5,
            retry_cost=5,
            success_refund=5,
        )
        fake.inject(Fault.status(503), method="GET", path=_test_path(test_id), times=None)

        async with _client(fake, retry_policy=policy, max_retries=3) as client:
            with pytest.raises(k6.ServerError) as spent:
                await client.load_tests.get(test_id)
            with pytest.raises(k6.ServerError) as fast:
                await client.load_tests.get(test_id)
            await client.load_tests.get(healthy)
            with pytest.raises(k6.ServerError) as refunded:
                await client.load_tests.get(test_id)

        assert (spent.value.attempts, fast.value.attempts, refunded.value.attempts) == (2, 1, 2)

    async def test_the_budget_is_shared_with_with_options_copies(
        self, fake: FakeK6Cloud, test_id: int
    ) -> None:
        policy = k6.RetryPolicy(
            backoff_base=0.001, backoff_cap=0.005, budget_capacity=5, retry_cost=5
        )
        fake.inject(Fault.status(503), method="GET", path=_test_path(test_id), times=None)

        async with _client(fake, retry_policy=policy, max_retries=3) as client:
            with pytest.raises(k6.ServerError):
                await client.load_tests.get(test_id)
            copy = client.with_options(timeout=30)
            with pytest.raises(k6.ServerError) as caught:
                await copy.load_tests.get(test_id)

        assert caught.value.attempts == 1


# -- the deadline -----------------------------------------------------------------------


class TestDeadline:
    async def test_deadline_stops_retrying_when_the_next_wait_would_pass_it(
        self, fake: FakeK6Cloud, test_id: int
    ) -> None:
        policy = k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.005, deadline=0.5)
        fake.inject(
            Fault.status(503, retry_after=0.2), method="GET", path=_test_path(test_id), times=None
        )

        async with _client(fake, retry_policy=policy, max_retries=10) as client:
            with pytest.raises(k6.ServerError) as caught:
                await client.load_tests.get(test_id)

        # Attempts at about 0 s, 0.2 s and 0.4 s; a fourth would start after the deadline.
        assert 2 <= caught.value.attempts <= 3
        assert len(_requests(fake, "GET", _test_path(test_id))) == caught.value.attempts
        assert "deadline" in str(caught.value)

    async def test_deadline_cuts_an_attempt_short(self, fake: FakeK6Cloud, test_id: int) -> None:
        policy = k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.005, deadline=0.3)
        fake.inject(Fault.stall(3), method="GET", path=_test_path(test_id), times=None)

        async with _client(fake, retry_policy=policy, max_retries=10, timeout=30) as client:
            began = time.monotonic()
            with pytest.raises(k6.RequestTimeoutError):
                await client.load_tests.get(test_id)

        assert time.monotonic() - began < 2.5  # neither the 3 s stall nor the 30 s timeout


# -- logging ----------------------------------------------------------------------------


class TestLogging:
    async def test_one_debug_line_per_attempt_and_one_info_line_per_retry(
        self,
        fake: FakeK6Cloud,
        client: k6.K6CloudClient,
        test_id: int,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="k6cloud_async")
        fake.inject(Fault.status(503), method="GET", path=_test_path(test_id), times=2)

        await client.load_tests.get(test_id)

        records = [r for r in caplog.records if r.name == "k6cloud_async"]
        debug = [r.getMessage() for r in records if r.levelno == logging.DEBUG]
        info = [r.getMessage() for r in records if r.levelno == logging.INFO]
        url = f"{fake.base_url}{_test_path(test_id)}"
        assert len(debug) == 3
        for attempt, (line, status) in enumerate(zip(debug, [503, 503, 200], strict=True), 1):
            assert line.startswith(f"GET {url} -> {status}")
            assert f"attempt {attempt}" in line
        assert len(info) == 2
        for line in info:
            assert "503" in line
            assert re.search(r"in \d+\.\d+s", line), line

    async def test_an_attempt_without_a_response_also_logs_a_debug_line(
        self,
        fake: FakeK6Cloud,
        client: k6.K6CloudClient,
        test_id: int,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="k6cloud_async")
        fake.inject(Fault.reset(), method="GET", path=_test_path(test_id), times=None)

        with pytest.raises(k6.TransportError) as caught:
            await client.load_tests.get(test_id)

        debug = [
            r for r in caplog.records if r.name == "k6cloud_async" and r.levelno == logging.DEBUG
        ]
        assert len(debug) == caught.value.attempts

    async def test_retry_info_line_names_a_transport_failure(
        self,
        fake: FakeK6Cloud,
        client: k6.K6CloudClient,
        test_id: int,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.INFO, logger="k6cloud_async")
        fake.inject(Fault.truncated_body(), method="GET", path=_test_path(test_id), times=1)

        await client.load_tests.get(test_id)

        info = [r.getMessage() for r in caplog.records if r.name == "k6cloud_async"]
        assert len(info) == 1
        assert "ClientPayloadError" in info[0]


# -- pure functions ---------------------------------------------------------------------


class TestParseRetryAfter:
    @pytest.mark.parametrize(("value", "seconds"), [("120", 120.0), (" 5 ", 5.0), ("0", 0.0)])
    def test_delta_seconds(self, value: str, seconds: float) -> None:
        assert parse_retry_after(value) == seconds

    def test_http_date_in_the_future_is_the_seconds_until_it(self) -> None:
        now = 1_700_000_000.0
        header = email.utils.formatdate(now + 90, usegmt=True)
        assert parse_retry_after(header, now=now) == pytest.approx(90)

    def test_http_date_in_the_past_is_zero(self) -> None:
        now = 1_700_000_000.0
        header = email.utils.formatdate(now - 3600, usegmt=True)
        assert parse_retry_after(header, now=now) == 0.0

    @pytest.mark.parametrize(
        "value", [None, "", "soon", "12 seconds", "-5", "-0.5", "nan", "Wed, 99 Foo 2015"]
    )
    def test_garbage_and_negative_values_are_ignored(self, value: str | None) -> None:
        assert parse_retry_after(value) is None

    @pytest.mark.parametrize("value", ["inf", "Infinity"])
    def test_infinite_values_are_ignored(self, value: str) -> None:
        assert parse_retry_after(value) is None


class TestBackoff:
    @pytest.mark.parametrize(("base", "cap"), [(0.5, 8.0), (0.001, 0.005), (1.0, 1.0), (0.0, 3.0)])
    def test_backoff_stays_within_full_jitter_bounds(self, base: float, cap: float) -> None:
        policy = k6.RetryPolicy(backoff_base=base, backoff_cap=cap)
        rng = random.Random(1234)
        for retry in range(1, 40):
            ceiling = min(cap, base * 2 ** (retry - 1))
            for _ in range(50):
                assert 0 <= policy.backoff(retry, rng) <= ceiling

    def test_backoff_is_jittered_across_the_whole_range(self) -> None:
        policy = k6.RetryPolicy(backoff_base=1.0, backoff_cap=100.0)
        rng = random.Random(7)
        waits = [policy.backoff(4, rng) for _ in range(500)]  # ceiling 8 s
        assert min(waits) < 1.0
        assert max(waits) > 7.0

    def test_backoff_of_a_very_late_retry_is_capped(self) -> None:
        policy = k6.RetryPolicy(backoff_base=0.5, backoff_cap=8.0)
        assert 0 <= policy.backoff(2000, random.Random(1)) <= 8.0
