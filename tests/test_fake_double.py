"""FakeK6Cloud as a test double for failure paths: request ids, the request log, fault
rules and their assertions, scripted run outcomes, and the fake clock driving ``wait()``."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import aiohttp
import pytest

import k6cloud_async as k6
from k6cloud_async._waits import POLL_SLEEP
from k6cloud_async.testing import UNTIL_REMOVED, FakeK6Cloud, Fault

TESTS = "/cloud/v6/load_tests"


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for ``condition`` to hold, polling the event loop (no fixed sleeps)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.001)


@pytest.fixture
async def raw(fake: FakeK6Cloud) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session with the fake's credentials, to read response headers."""
    headers = {"Authorization": f"Bearer {fake.token}", "X-Stack-Id": str(fake.stack_id)}
    async with aiohttp.ClientSession(fake.base_url, headers=headers) as session:
        yield session


# -- request ids ------------------------------------------------------------------------


class TestRequestIds:
    async def test_every_response_carries_the_request_id_of_its_record(
        self, fake: FakeK6Cloud, raw: aiohttp.ClientSession, project: int
    ) -> None:
        test = fake.add_test(project, "smoke")
        fake.inject(Fault.status(503), path=f"{TESTS}/{test.id}")
        fake.inject(Fault.after_processing(Fault.html_502()), path=f"{TESTS}/{test.id}")
        ids: list[str] = []
        for path, headers in [
            (f"{TESTS}/{test.id}", None),  # injected 503
            (f"{TESTS}/{test.id}", None),  # handled, then a proxy's 502
            (f"{TESTS}/{test.id}", None),  # JSON
            (f"{TESTS}/{test.id}/script", None),  # streamed by its handler
            ("/cloud/v6/load_tests/999", None),  # 404 error JSON
            (TESTS, {"Authorization": "Bearer wrong"}),  # 401
        ]:
            async with raw.get(path, headers=headers) as response:
                await response.read()
                ids.append(response.headers["X-Request-Id"])

        assert ids == [r.request_id for r in fake.requests]
        assert [r.status for r in fake.requests] == [503, 502, 200, 200, 404, 401]
        assert len(set(ids)) == len(ids)

    async def test_a_truncated_response_still_carries_its_request_id(
        self, fake: FakeK6Cloud, raw: aiohttp.ClientSession, project: int
    ) -> None:
        test = fake.add_test(project, "smoke")
        fake.inject(Fault.truncated_body(), path=f"{TESTS}/{test.id}/script")

        async with raw.get(f"{TESTS}/{test.id}/script") as response:
            request_id = response.headers["X-Request-Id"]
            with pytest.raises(aiohttp.ClientPayloadError):
                await response.read()

        assert request_id == fake.requests[0].request_id

    async def test_a_faults_own_request_id_wins(
        self, fake: FakeK6Cloud, raw: aiohttp.ClientSession
    ) -> None:
        fake.inject(Fault.status(500, headers={"X-Request-Id": "upstream-7"}))

        async with raw.get(TESTS) as response:
            assert response.headers["X-Request-Id"] == "upstream-7"

    async def test_user_code_can_log_the_request_id_of_a_failure(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        log = logging.getLogger("my_service")

        async def describe(test_id: int) -> str | None:  # the code under test
            try:
                return (await client.load_tests.get(test_id)).name
            except k6.NotFoundError as exc:
                log.warning("test %d is gone (request id %s)", test_id, exc.request_id)
                return None

        with caplog.at_level(logging.WARNING, logger="my_service"):
            assert await describe(404) is None

        assert f"(request id {fake.requests[-1].request_id})" in caplog.text

    async def test_request_ids_keep_counting_after_reset_requests(
        self, fake: FakeK6Cloud, raw: aiohttp.ClientSession
    ) -> None:
        async with raw.get(TESTS):
            pass
        first = fake.requests[0].request_id
        fake.reset_requests()
        async with raw.get(TESTS):
            pass

        assert fake.requests[0].request_id != first


# -- the request log ----------------------------------------------------------------------


class TestRequests:
    async def test_requests_is_a_new_list_of_live_records(
        self, fake: FakeK6Cloud, raw: aiohttp.ClientSession, project: int
    ) -> None:
        test = fake.add_test(project, "smoke")
        rest = asyncio.Event()

        async def script() -> AsyncIterator[bytes]:  # an upload that waits half-way
            yield b"export default function () {"
            await rest.wait()
            yield b"}"

        async def upload() -> int:
            async with raw.put(f"{TESTS}/{test.id}/script", data=script()) as response:
                return response.status

        uploading = asyncio.create_task(upload())
        await until(lambda: fake.in_flight == 1)
        taken = fake.requests
        assert [(r.done, r.status) for r in taken] == [(False, None)]
        async with raw.get(TESTS):
            pass
        rest.set()
        assert await uploading == 204

        assert len(taken) == 1  # a list already taken does not grow...
        assert (taken[0].done, taken[0].status) == (True, 204)  # ...but its records are live
        assert [r.method for r in fake.requests] == ["PUT", "GET"]

    async def test_reset_requests_forgets_what_was_received(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        _ = [t async for t in client.load_tests.list()]
        fake.reset_requests()

        assert fake.requests == []
        fake.assert_called("GET", TESTS, times=0)


# -- fault rules ---------------------------------------------------------------------------


class TestInject:
    async def test_a_fault_applies_once_by_default(
        self, fake: FakeK6Cloud, raw: aiohttp.ClientSession
    ) -> None:
        rule = fake.inject(Fault.status(500), method="GET")

        statuses = []
        for _ in range(3):
            async with raw.get(TESTS) as response:
                statuses.append(response.status)

        assert statuses == [500, 200, 200]
        assert rule.applied == 1

    async def test_until_removed_applies_to_every_match_until_removed(
        self, fake: FakeK6Cloud, raw: aiohttp.ClientSession
    ) -> None:
        rule = fake.inject(Fault.status(503), method="GET", times=UNTIL_REMOVED)

        statuses = []
        for _ in range(3):
            async with raw.get(TESTS) as response:
                statuses.append(response.status)
        fake.remove_fault(rule)
        async with raw.get(TESTS) as response:
            statuses.append(response.status)

        assert statuses == [503, 503, 503, 200]
        assert rule.applied == 3
        assert UNTIL_REMOVED is None  # the old spelling, times=None, means the same

    @pytest.mark.parametrize(
        ("kwargs", "error", "argument"),
        [
            ({"times": 0}, ValueError, "times"),
            ({"times": "2"}, TypeError, "times"),
            ({"times": True}, TypeError, "times"),
            ({"method": 1}, TypeError, "method"),
            ({"path": 1}, TypeError, "path"),
        ],
    )
    def test_wrong_arguments_name_themselves(
        self, fake: FakeK6Cloud, kwargs: dict[str, object], error: type[Exception], argument: str
    ) -> None:
        with pytest.raises(error, match=argument):
            fake.inject(Fault.reset(), **kwargs)  # type: ignore[arg-type]

    def test_a_fault_must_be_a_fault(self, fake: FakeK6Cloud) -> None:
        with pytest.raises(TypeError, match="fault"):
            fake.inject(503)  # type: ignore[arg-type]


class TestAssertions:
    async def test_assert_called_counts_matching_requests(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        test = fake.add_test(project, "smoke")
        await client.load_tests.get(test.id)
        await client.load_tests.get(test.id)

        found = fake.assert_called("get", f"{TESTS}/*", times=2)
        fake.assert_called("GET", re.compile(r"/cloud/v6/load_tests/\d+"))
        fake.assert_called("DELETE", None, times=0)
        assert [r.status for r in found] == [200, 200]

    async def test_assert_called_lists_what_was_received(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        with pytest.raises(k6.NotFoundError):
            await client.load_tests.get(7)

        with pytest.raises(AssertionError) as caught:
            fake.assert_called("DELETE", f"{TESTS}/7")

        message = str(caught.value)
        assert "expected at least 1 request(s) DELETE /cloud/v6/load_tests/7, got 0" in message
        assert "GET /cloud/v6/load_tests/7 -> 404" in message

    async def test_assert_called_with_an_exact_count_fails_on_more(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        _ = [t async for t in client.load_tests.list()]
        _ = [t async for t in client.load_tests.list()]

        with pytest.raises(AssertionError, match="expected 1 request"):
            fake.assert_called("GET", TESTS, times=1)

    def test_assert_called_checks_its_arguments(self, fake: FakeK6Cloud) -> None:
        with pytest.raises(ValueError, match="times"):
            fake.assert_called("GET", None, times=-1)
        with pytest.raises(TypeError, match="method"):
            fake.assert_called(b"GET", None)  # type: ignore[arg-type]

    async def test_assert_all_faults_used_names_the_rules_left(
        self, fake: FakeK6Cloud, raw: aiohttp.ClientSession
    ) -> None:
        fake.inject(Fault.status(503), method="GET", times=2)
        fake.inject(Fault.reset(), method="DELETE", times=UNTIL_REMOVED)
        async with raw.get(TESTS):
            pass

        with pytest.raises(AssertionError) as caught:
            fake.assert_all_faults_used()

        assert str(caught.value).splitlines() == [
            "2 injected fault(s) not used up:",
            "  Fault.status on GET any path: applied 1, 1 left",
            "  Fault.reset on DELETE any path: applied 0, until removed",
        ]

    async def test_assert_all_faults_used_passes_once_every_rule_did_its_part(
        self, fake: FakeK6Cloud, raw: aiohttp.ClientSession
    ) -> None:
        fake.inject(Fault.status(503), method="GET", times=2)
        fake.inject(Fault.status(500), method="POST", times=UNTIL_REMOVED)
        for _ in range(2):
            async with raw.get(TESTS):
                pass
        async with raw.post(f"{TESTS}/1/start"):
            pass

        fake.assert_all_faults_used()


# -- run outcomes -------------------------------------------------------------------------


class TestRunOutcomes:
    async def test_set_run_outcome_by_keyword_decides_how_a_started_run_ends(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        test = fake.add_test(project, "checkout")
        fake.set_run_outcome(test_id=test.id, result="failed", steps=2)

        run = await client.load_tests.start(test.id)
        final = await client.test_runs.wait(run.id, poll_interval=0.001)

        assert (final.status, final.result) == ("completed", "failed")
        assert final.result_details is not None
        assert final.result_details["message"] == "Thresholds have been crossed."
        fake.assert_called("GET", f"/cloud/v6/test_runs/{run.id}", times=2)

    @pytest.mark.parametrize(
        ("kwargs", "error", "argument"),
        [
            ({"result": "flaky"}, ValueError, "result"),
            ({"status": "done"}, ValueError, "status"),
            ({"steps": 0}, ValueError, "steps"),
            ({"steps": 2.5}, TypeError, "steps"),
            ({"duration": -1}, ValueError, "duration"),
            ({"duration": "1h"}, TypeError, "duration"),
            ({"message": 3}, TypeError, "message"),
            ({"test_id": "7"}, TypeError, "test_id"),
        ],
    )
    def test_wrong_outcomes_name_their_argument(
        self, fake: FakeK6Cloud, kwargs: dict[str, object], error: type[Exception], argument: str
    ) -> None:
        with pytest.raises(error, match=argument):
            fake.set_run_outcome(**kwargs)  # type: ignore[arg-type]

    async def test_a_run_with_a_duration_stays_running_until_the_clock_passes_it(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        test = fake.add_test(project, "soak")
        fake.set_run_outcome(test_id=test.id, duration=600)
        run = fake.start_run(test.id)

        seen = [(await client.test_runs.get(run.id)).status for _ in range(5)]
        fake.clock.advance(600)
        seen += [(await client.test_runs.get(run.id)).status for _ in range(2)]

        running = ["running"] * 4
        assert seen == ["initializing", *running, "processing_metrics", "completed"]
        final = fake.get_run(run.id)
        assert final is not None
        assert final.execution_duration == 600


class TestDrivenWaits:
    async def test_a_wait_for_an_hour_long_run_is_driven_by_the_fake_clock(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        test = fake.add_test(project, "soak")
        fake.set_run_outcome(test_id=test.id, result="failed", duration=3600)
        run = await client.load_tests.start(test.id)
        start = fake.clock.now()

        with fake.clock.driving_waits():
            # The default 5 s → 30 s polling; timeout= counts real seconds, so it passing
            # shows the hour's sleeps were not real.
            final = await client.test_runs.wait(run.id, max_wait=30)

        assert final.result == "failed"
        assert fake.clock.now() - start == timedelta(seconds=fake.clock.driven)
        assert 3600 <= fake.clock.driven < 3600 + 30
        assert final.execution_duration >= 3600
        polls = len(fake.assert_called("GET", f"/cloud/v6/test_runs/{run.id}"))
        assert 120 <= polls < 140  # mostly 30 s apart: the real interval schedule

    async def test_driving_waits_gives_back_the_real_sleep(self, fake: FakeK6Cloud) -> None:
        real = POLL_SLEEP.current
        with fake.clock.driving_waits():
            assert POLL_SLEEP.current is not real
            with fake.clock.driving_waits():  # nested: the outer one's sleep comes back
                inner = POLL_SLEEP.current
            assert POLL_SLEEP.current is not inner
            assert POLL_SLEEP.current is not real
        assert POLL_SLEEP.current is real

    async def test_a_wait_that_never_ends_fails_past_the_limit(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        run = fake.start_run(fake.add_test(project, "stuck").id)
        fake.hold_run(run.id)
        began = time.monotonic()

        with (
            fake.clock.driving_waits(limit=3600),
            pytest.raises(RuntimeError, match="more than 3600 simulated seconds"),
        ):
            await client.test_runs.wait(run.id, max_wait=30)

        assert time.monotonic() - began < 30  # it failed on the limit, not the timeout
        assert fake.clock.driven <= 3600

    @pytest.mark.parametrize(("limit", "error"), [(0, ValueError), ("1", TypeError)])
    def test_the_limit_must_be_positive_seconds(
        self, fake: FakeK6Cloud, limit: object, error: type[Exception]
    ) -> None:
        with pytest.raises(error, match="limit"), fake.clock.driving_waits(limit):  # type: ignore[arg-type]
            pass


class TestLookups:
    def test_test_by_name_finds_one_test(self, fake: FakeK6Cloud, project: int) -> None:
        other = fake.add_project("Other")
        made = fake.add_test(project, "smoke")
        fake.add_test(other, "soak")
        fake.add_test(other, "smoke")

        assert fake.test_by_name("smoke", project).id == made.id
        assert fake.test_by_name("soak").project_id == other
        with pytest.raises(ValueError, match="give project_id"):
            fake.test_by_name("smoke")
        with pytest.raises(KeyError, match="nope"):
            fake.test_by_name("nope")
