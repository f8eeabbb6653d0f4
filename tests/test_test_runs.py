"""client.test_runs against FakeK6Cloud: get, abort, listings, and waiting for a run."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import math
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async._waits import POLL_SLEEP
from k6cloud_async.resources import test_runs as test_runs_module
from k6cloud_async.testing import FakeK6Cloud, Fault
from tests.conftest import ManualTime, until

# Fast polling for tests that only care about the statuses seen.
FAST: dict[str, Any] = {"poll_interval": 0.001, "max_poll_interval": 0.002}


@pytest.fixture
def manual_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[ManualTime]:
    """``wait``'s clock and sleep, moved by its own sleeps rather than by the machine."""
    time = ManualTime()
    monkeypatch.setattr(test_runs_module, "_clock", time.now)
    with POLL_SLEEP.replaced_by(time.sleep):
        yield time


@pytest.fixture
def test_id(fake: FakeK6Cloud, project: int) -> int:
    return fake.add_test(project, "Checkout flow").id


def test_run_statuses_and_results_are_the_documented_strings() -> None:
    # The Tests API page: StatusApiModel.type and TestRunApiModel.result.
    statuses = "created queued initializing running processing_metrics completed aborted"
    assert [str(status) for status in k6.RunStatus] == statuses.split()
    assert [str(result) for result in k6.RunResult] == ["passed", "failed", "error"]
    assert k6.RunStatus.COMPLETED == "completed"  # they compare equal to the plain strings


def run_gets(fake: FakeK6Cloud, run_id: int) -> int:
    """How many ``GET /test_runs/{run_id}`` the fake received."""
    path = f"/cloud/v6/test_runs/{run_id}"
    return sum(1 for r in fake.requests if r.method == "GET" and r.path == path)


def paths(fake: FakeK6Cloud, method: str = "GET") -> list[str]:
    return [r.path for r in fake.requests if r.method == method]


class TestGetAndAbort:
    async def test_get_returns_the_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        started = fake.start_run(test_id)

        run = await client.test_runs.get(started.id)

        assert run.id == started.id
        assert run.test_id == test_id
        assert run.status == "initializing"  # each GET moves the fake's run one status on
        assert run.created.tzinfo is not None

    async def test_get_of_an_unknown_run_is_not_found(self, client: k6.K6CloudClient) -> None:
        with pytest.raises(k6.NotFoundError) as caught:
            await client.test_runs.get(999)
        assert caught.value.url.endswith("/cloud/v6/test_runs/999")

    async def test_abort_ends_a_running_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        run = fake.start_run(test_id)

        await client.test_runs.abort(run.id)

        aborted = fake.get_run(run.id)
        assert aborted is not None
        assert aborted.status == "aborted"
        assert paths(fake, "POST") == [f"/cloud/v6/test_runs/{run.id}/abort"]

    async def test_abort_of_an_ended_run_is_a_conflict(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        run = fake.start_run(test_id)
        fake.finish_run(run.id)

        with pytest.raises(k6.ConflictError) as caught:
            await client.test_runs.abort(run.id)
        assert caught.value.status == 409


class TestList:
    async def test_list_by_test_yields_only_that_tests_runs(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, test_id: int
    ) -> None:
        other = fake.add_test(project, "Other").id
        mine = [fake.start_run(test_id).id, fake.start_run(test_id).id]
        fake.start_run(other)

        runs = [run async for run in client.test_runs.list(test_id=test_id)]

        assert [run.id for run in runs] == mine
        assert paths(fake) == [f"/cloud/v6/load_tests/{test_id}/test_runs"]

    async def test_list_without_a_test_yields_every_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, test_id: int
    ) -> None:
        other = fake.add_test(project, "Other").id
        started = [fake.start_run(test_id).id, fake.start_run(other).id]

        runs = [run async for run in client.test_runs.list()]

        assert [run.id for run in runs] == started
        assert paths(fake) == ["/cloud/v6/test_runs"]

    async def test_list_of_an_unknown_test_is_not_found(self, client: k6.K6CloudClient) -> None:
        with pytest.raises(k6.NotFoundError):
            _ = [run async for run in client.test_runs.list(test_id=999)]

    async def test_list_of_a_test_orders_by_created_desc(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        ids = []
        for _ in range(3):
            ids.append(fake.start_run(test_id).id)
            fake.clock.advance(60)

        runs = [r async for r in client.test_runs.list(test_id=test_id, order_by="created desc")]

        assert [run.id for run in runs] == ids[::-1]
        assert fake.requests[-1].query["$orderby"] == "created desc"

    @pytest.mark.parametrize("order_by", ["created", "created desc", ["created"]])
    async def test_order_by_without_a_test_is_refused_before_any_request(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, order_by: Any
    ) -> None:
        # The API documents $orderby on GET /load_tests/{id}/test_runs only, not on
        # GET /test_runs (OpenAPI 1.12.0).
        with pytest.raises(ValueError, match="order_by needs test_id"):
            _ = [run async for run in client.test_runs.list(order_by=order_by)]

        assert fake.requests == []

    async def test_list_follows_next_link_across_pages(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        ids = [fake.start_run(test_id).id for _ in range(5)]

        runs = [run async for run in client.test_runs.list(test_id=test_id, page_size=2)]

        assert [run.id for run in runs] == ids
        assert [r.query.get("$skip") for r in fake.requests] == [None, "2", "4"]

    async def test_pages_report_the_count(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        for _ in range(3):
            fake.start_run(test_id)

        pages = [page async for page in client.test_runs.pages(page_size=2, count=True)]

        assert [len(page.items) for page in pages] == [2, 1]
        assert pages[0].count == 3
        assert pages[0].next_link is not None
        assert pages[1].next_link is None

    async def test_pages_resume_from_a_kept_next_link(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        ids = [fake.start_run(test_id).id for _ in range(3)]
        pages = client.test_runs.pages(test_id=test_id, page_size=2)
        async with contextlib.aclosing(pages):
            first = await anext(pages)
        assert first.next_link is not None

        rest = [page async for page in client.test_runs.pages(next_link=first.next_link)]

        assert [run.id for page in rest for run in page.items] == ids[2:]

    async def test_list_filters_by_created_after_and_before(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        start = fake.clock.now()
        ids = []
        for _ in range(3):
            ids.append(fake.start_run(test_id).id)
            fake.clock.advance(60)
        berlin = timezone(timedelta(hours=1))

        runs = [
            run
            async for run in client.test_runs.list(
                created_after=(start + timedelta(seconds=60)).astimezone(berlin),
                created_before=start + timedelta(seconds=120),
            )
        ]

        assert [run.id for run in runs] == [ids[1]]
        query = fake.requests[-1].query
        assert query["created_after"] == "2025-01-06T09:01:00+00:00"
        assert query["created_before"] == "2025-01-06T09:02:00+00:00"


class TestWait:
    @pytest.mark.parametrize("result", ["passed", "failed", "error"])
    async def test_wait_returns_the_completed_run_with_its_result(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, result: Any
    ) -> None:
        fake.set_run_outcome(result=result, steps=4)
        run = fake.start_run(test_id)

        finished = await client.test_runs.wait(run.id, **FAST)

        assert finished.status == "completed"
        assert finished.result == result
        assert finished.is_finished
        assert run_gets(fake, run.id) == 4

    async def test_wait_returns_an_aborted_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.set_run_outcome(status="aborted", result="error", steps=3)
        run = fake.start_run(test_id)

        finished = await client.test_runs.wait(run.id, **FAST)

        assert finished.status == "aborted"
        assert finished.result == "error"

    async def test_wait_returns_a_run_aborted_while_waiting(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        run = fake.start_run(test_id)
        fake.hold_run(run.id)

        async def abort_once_running(seen: k6.TestRun) -> None:
            if seen.status == "running":
                await client.test_runs.abort(seen.id)

        finished = await client.test_runs.wait(run.id, on_update=abort_once_running, **FAST)

        assert finished.status == "aborted"

    async def test_wait_timeout_raises_wait_timeout_error_with_the_last_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, manual_time: ManualTime
    ) -> None:
        run = fake.start_run(test_id)
        fake.hold_run(run.id)

        with pytest.raises(k6.WaitTimeoutError) as caught:
            await client.test_runs.wait(run.id, poll_interval=1, max_poll_interval=2, max_wait=10)

        error = caught.value
        assert isinstance(error, TimeoutError)
        assert isinstance(error, k6.K6CloudError)
        assert error.run is not None
        assert error.run.id == run.id
        assert error.run.status == "running"
        assert error.timeout == 10
        # Polls at 0 s (initializing), 1 s (running), 2, 3.5, 5.5, 7.5 and 9.5 s; the sleep
        # after the last one passes the 10 s.
        assert manual_time.slept == [1, 1, 1.5, 2, 2, 2, 2]
        assert error.attempts == 7 == run_gets(fake, run.id)
        assert "running" in str(error)

    async def test_the_former_timeout_keyword_still_limits_the_wait_with_a_warning(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        run = fake.start_run(test_id)
        fake.hold_run(run.id)

        with (
            pytest.warns(DeprecationWarning, match=r"max_wait=") as warned,
            pytest.raises(k6.WaitTimeoutError) as caught,
        ):
            await client.test_runs.wait(run.id, timeout=0.05, **FAST)

        assert caught.value.timeout == 0.05
        assert [w.filename for w in warned] == [__file__]  # points at the caller's line

    async def test_max_wait_and_the_former_timeout_together_are_refused(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        run = fake.start_run(test_id)

        with pytest.raises(TypeError, match=r"max_wait= or its former name timeout="):
            await client.test_runs.wait(run.id, max_wait=1, timeout=1)

        assert run_gets(fake, run.id) == 0

    async def test_a_bad_former_timeout_is_refused_by_its_name(
        self, client: k6.K6CloudClient
    ) -> None:
        with (
            pytest.warns(DeprecationWarning, match=r"max_wait="),
            pytest.raises(ValueError, match=r"^timeout"),
        ):
            await client.test_runs.wait(1, timeout=-1)

    async def test_wait_ends_on_a_final_status_of_run_status(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        run = fake.start_run(test_id)

        finished = await client.test_runs.wait(run.id, **FAST)

        assert finished.status == k6.RunStatus.COMPLETED
        assert finished.result == k6.RunResult.PASSED
        assert finished.is_finished

    async def test_wait_timeout_cuts_a_stalled_poll_short(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        run = fake.start_run(test_id)
        fake.inject(Fault.stall(600), method="GET", path=f"/cloud/v6/test_runs/{run.id}")

        with pytest.raises(k6.WaitTimeoutError) as caught:
            await client.test_runs.wait(run.id, max_wait=0.2)

        assert (caught.value.run, caught.value.attempts) == (None, 1)
        assert [r.status for r in fake.requests] == [None]  # given up on, never answered

    async def test_cancelling_wait_raises_cancelled_error(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        run = fake.start_run(test_id)
        fake.hold_run(run.id)
        running = asyncio.Event()

        def note(seen: k6.TestRun) -> None:
            if seen.status == "running":
                running.set()

        task = asyncio.create_task(client.test_runs.wait(run.id, on_update=note, **FAST))
        await running.wait()

        task.cancel()

        with pytest.raises(asyncio.CancelledError):
            await task
        polls = run_gets(fake, run.id)
        await until(lambda: fake.in_flight == 0)
        await client.test_runs.get(run.id)  # a round trip in which a stray poll would show
        assert run_gets(fake, run.id) == polls + 1  # no poll after the cancellation

    async def test_on_update_is_called_once_per_status_change(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.set_run_outcome(steps=6)  # "running" is seen on three polls in a row
        run = fake.start_run(test_id)
        seen: list[str] = []

        await client.test_runs.wait(run.id, on_update=lambda r: seen.append(r.status), **FAST)

        assert seen == ["initializing", "running", "processing_metrics", "completed"]
        assert run_gets(fake, run.id) == 6

    async def test_poll_interval_grows_and_resets_when_the_status_changes(
        self,
        fake: FakeK6Cloud,
        client: k6.K6CloudClient,
        test_id: int,
    ) -> None:
        fake.set_run_outcome(steps=7)  # initializing, running ×4, processing_metrics, completed
        run = fake.start_run(test_id)
        waits: list[float] = []

        async def record(seconds: float) -> None:
            waits.append(seconds)

        with POLL_SLEEP.replaced_by(record):
            await client.test_runs.wait(run.id, poll_interval=1.0, max_poll_interval=2.0)

        # initializing | running, then 3 unchanged polls (×1.5, capped) | processing_metrics
        assert waits == [1.0, 1.0, 1.5, 2.0, 2.0, 1.0]

    async def test_poll_interval_backs_off_over_a_held_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, manual_time: ManualTime
    ) -> None:
        run = fake.start_run(test_id)
        fake.hold_run(run.id)
        interval, window = 0.005, 0.3

        with pytest.raises(k6.WaitTimeoutError):
            await client.test_runs.wait(
                run.id, poll_interval=interval, max_poll_interval=10.0, max_wait=window
            )

        # Two status changes, then sleeps of interval × 1.5**k until they add up past the
        # window: 10 polls where a fixed interval would make 60.
        growing = [interval * 1.5**k for k in range(1, 9)]
        assert manual_time.slept == pytest.approx([interval, interval, *growing])
        assert sum(manual_time.slept[:-1]) < window < sum(manual_time.slept)
        assert run_gets(fake, run.id) == 10 < window / interval / 3


async def _invoke(call: Callable[[k6.K6CloudClient], Any], client: k6.K6CloudClient) -> None:
    result = call(client)
    if inspect.isawaitable(result):
        await result


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda c: c.test_runs.get("1"), TypeError, "run_id"),
        (lambda c: c.test_runs.get(0), ValueError, "run_id"),
        (lambda c: c.test_runs.abort(True), TypeError, "run_id"),
        (lambda c: c.test_runs.get(1, max_retries=-1), ValueError, "max_retries"),
        (lambda c: c.test_runs.wait(1, poll_interval=0), ValueError, "poll_interval"),
        (lambda c: c.test_runs.wait(1, poll_interval="5"), TypeError, "poll_interval"),
        (
            lambda c: c.test_runs.wait(1, poll_interval=5, max_poll_interval=1),
            ValueError,
            "max_poll_interval",
        ),
        (lambda c: c.test_runs.wait(1, max_wait=-1), ValueError, "max_wait"),
        (lambda c: c.test_runs.wait(1, max_wait=math.inf), ValueError, "max_wait"),
        (lambda c: c.test_runs.wait(1, on_update=3), TypeError, "on_update"),
        (lambda c: c.test_runs.wait(1, request_timeout="x"), TypeError, "request_timeout"),
        (lambda c: c.test_runs.list(test_id=True), TypeError, "test_id"),
        (lambda c: c.test_runs.list(test_id=1, order_by="name"), ValueError, "order_by"),
        (
            lambda c: c.test_runs.list(test_id=1, order_by="created,created"),
            ValueError,
            "order_by",
        ),
        (lambda c: c.test_runs.list(test_id=1, order_by=5), TypeError, "order_by"),
        (lambda c: c.test_runs.list(page_size=0), ValueError, "page_size"),
        (
            lambda c: c.test_runs.list(created_after=datetime(2025, 1, 1)),
            ValueError,
            "created_after",
        ),
        (lambda c: c.test_runs.list(created_before="2025-01-01"), TypeError, "created_before"),
        (lambda c: c.test_runs.pages(count="yes"), TypeError, "count"),
        (
            lambda c: c.test_runs.pages(next_link="http://127.0.0.1:1/x", test_id=1),
            ValueError,
            "test_id",
        ),
        (lambda c: c.test_runs.pages(next_link="/cloud/v6/test_runs"), ValueError, "next_link"),
        (lambda c: c.test_runs.pages(next_link="//evil.example/x"), ValueError, "next_link"),
        (lambda c: c.test_runs.pages(next_link=3), TypeError, "next_link"),
    ],
)
async def test_bad_arguments_are_refused_before_any_request(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    call: Callable[[k6.K6CloudClient], Any],
    error: type[Exception],
    argument: str,
) -> None:
    with pytest.raises(error, match=argument):
        await _invoke(call, client)
    assert fake.requests == []
