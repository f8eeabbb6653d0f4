"""k6.bulk and the load_tests.*_many helpers: every item once, bounded, cancellable.

The large runs go through FakeK6Cloud over real HTTP with faults injected; the rest use
plain coroutines to pin down ordering, laziness and cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import Any, TypeVar

import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault
from tests.conftest import until

T = TypeVar("T")
R = TypeVar("R")


async def collect(outcomes: AsyncGenerator[k6.Outcome[T, R], None]) -> list[k6.Outcome[T, R]]:
    async with contextlib.aclosing(outcomes):
        return [outcome async for outcome in outcomes]


def report(label: str, outcomes: list[k6.Outcome[Any, Any]], fake: FakeK6Cloud) -> None:
    succeeded = sum(outcome.ok for outcome in outcomes)
    print(
        f"\n{label}: items={len(outcomes)} succeeded={succeeded} "
        f"failed={len(outcomes) - succeeded} max concurrency observed={fake.max_in_flight}"
    )


def fail_once(fake: FakeK6Cloud, method: str, ids: list[int], fault: Fault) -> None:
    """The first request for each id fails with ``fault``; its retry goes through."""
    for test_id in ids:
        fake.inject(fault, method=method, path=f"/cloud/v6/load_tests/{test_id}", times=1)


def interleave(main: list[int], extra: list[int], *, every: int) -> list[int]:
    """``main`` with an item of ``extra`` at every ``every``-th place."""
    mains, extras = iter(main), iter(extra)
    count = len(main) + len(extra)
    return [next(extras) if n % every == 0 else next(mains) for n in range(count)]


async def settle(fake: FakeK6Cloud) -> None:
    """Wait for the fake to finish handling requests the client gave up on."""
    await until(lambda: fake.in_flight == 0)


class TestThroughTheFake:
    async def test_two_thousand_gets_with_faults_yield_one_outcome_per_item(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        existing = [fake.add_test(project, f"test {n}").id for n in range(1900)]
        unknown = list(range(100_001, 100_101))
        ids = interleave(existing, unknown, every=20)  # a 404 every 20 items
        fail_once(fake, "GET", existing[5::47], Fault.status(503))
        fail_once(fake, "GET", existing[11::97], Fault.reset())
        fake.latency = 0.001  # so that the calls overlap and the bound is reached

        outcomes = await collect(client.load_tests.get_many(ids, concurrency=16, max_retries=3))

        report("get_many", outcomes, fake)
        assert len(outcomes) == len(ids) == 2000
        assert Counter(outcome.item for outcome in outcomes) == Counter(ids)
        failed = {o.item for o in outcomes if not o.ok}
        assert failed == set(unknown)
        assert all(isinstance(o.error, k6.NotFoundError) for o in outcomes if not o.ok)
        assert all(o.value is not None and o.value.id == o.item for o in outcomes if o.ok)
        assert fake.faults_injected == len(existing[5::47]) + len(existing[11::97])
        assert fake.max_in_flight == 16

    async def test_a_thousand_deletes_with_faults_yield_one_outcome_per_item(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        existing = [fake.add_test(project, f"test {n}").id for n in range(950)]
        running = existing[::40]
        for test_id in running:
            fake.start_run(test_id)  # deleting a test with a run going on is a 409
        unknown = list(range(100_001, 100_051))
        ids = [*unknown, *existing]
        fail_once(fake, "DELETE", existing[3::31], Fault.status(503, retry_after=0))
        fail_once(fake, "DELETE", existing[7::53], Fault.reset())
        fake.latency = 0.001

        outcomes = await collect(
            client.load_tests.delete_many(ids, concurrency=8, ordered=True, max_retries=3)
        )

        report("delete_many", outcomes, fake)
        assert [outcome.item for outcome in outcomes] == ids
        errors = Counter(type(o.error).__name__ for o in outcomes if not o.ok)
        assert errors == {"NotFoundError": len(unknown), "ConflictError": len(running)}
        assert [test.id for test in fake.tests] == running
        assert fake.max_in_flight == 8

    async def test_cancelling_the_consumer_cancels_calls_in_flight(
        self,
        fake: FakeK6Cloud,
        client: k6.K6CloudClient,
        project: int,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        ids = [fake.add_test(project, f"test {n}").id for n in range(500)]
        fake.latency = 0.005
        calls: list[asyncio.Task[Any]] = []
        halfway = asyncio.Event()

        async def get(test_id: int) -> k6.LoadTest:
            calls.append(asyncio.current_task())  # type: ignore[arg-type]
            return await client.load_tests.get(test_id)

        async def consume() -> None:
            async with contextlib.aclosing(k6.bulk(get, ids, concurrency=16)) as outcomes:
                async for outcome in outcomes:
                    if outcome.item == ids[40]:
                        halfway.set()

        consumer = asyncio.create_task(consume())
        await halfway.wait()
        consumer.cancel()

        with pytest.raises(asyncio.CancelledError):
            await consumer
        assert all(call.done() for call in calls)  # awaited, not left running
        assert any(call.cancelled() for call in calls)
        assert len(calls) < len(ids)
        await settle(fake)
        assert fake.in_flight == 0
        gc.collect()  # an unretrieved task exception would be logged as its task goes
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


class TestHelpers:
    async def test_get_many_yields_each_test(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        tests = [fake.add_test(project, f"test {n}") for n in range(5)]

        outcomes = await collect(client.load_tests.get_many(t.id for t in tests))

        assert sorted((o.item, o.value) for o in outcomes) == [(t.id, t) for t in tests]

    async def test_move_many_moves_each_test(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        ids = [fake.add_test(project, f"test {n}").id for n in range(5)]
        target = fake.add_project("Target")

        outcomes = await collect(client.load_tests.move_many(ids, target, ordered=True))

        assert [(o.item, o.value, o.error) for o in outcomes] == [(i, None, None) for i in ids]
        assert {test.project_id for test in fake.tests} == {target}

    async def test_start_many_sends_the_given_idempotency_keys(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        ids = [fake.add_test(project, f"test {n}").id for n in range(3)]
        keys = {ids[0]: "key-for-the-first"}

        outcomes = await collect(
            client.load_tests.start_many(ids, idempotency_keys=keys, ordered=True)
        )

        assert [o.value.test_id for o in outcomes if o.value is not None] == ids
        sent = {int(r.path.split("/")[-2]): r.headers["K6-Idempotency-Key"] for r in fake.requests}
        assert sent[ids[0]] == "key-for-the-first"
        assert len(set(sent.values())) == 3

    async def test_a_failed_start_carries_its_idempotency_key(
        self, client: k6.K6CloudClient
    ) -> None:
        outcomes = await collect(client.load_tests.start_many([999], idempotency_keys={999: "k"}))

        assert isinstance(outcomes[0].error, k6.NotFoundError)
        assert outcomes[0].error.idempotency_key == "k"

    @pytest.mark.parametrize(
        ("call", "error", "argument"),
        [
            (lambda c: c.load_tests.get_many(5), TypeError, "ids"),
            (lambda c: c.load_tests.get_many([1], concurrency=0), ValueError, "concurrency"),
            (lambda c: c.load_tests.delete_many([1], concurrency=2.0), TypeError, "concurrency"),
            (lambda c: c.load_tests.delete_many([1], max_retries=-1), ValueError, "max_retries"),
            (lambda c: c.load_tests.move_many([1], 0), ValueError, "project_id"),
            (lambda c: c.load_tests.start_many([1], idempotency_keys=[]), TypeError, "keys"),
            (
                lambda c: c.load_tests.start_many([1], idempotency_keys={1: "x" * 37}),
                ValueError,
                "idempotency_keys",
            ),
        ],
    )
    async def test_helpers_refuse_bad_arguments_before_any_request(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, call: Any, error: Any, argument: str
    ) -> None:
        with pytest.raises(error, match=argument):
            call(client)
        assert fake.requests == []


async def echo_after(item: tuple[int, float]) -> int:
    index, delay = item
    await asyncio.sleep(delay)
    return index


class TestBulk:
    async def test_ordered_outcomes_follow_the_input_order(self) -> None:
        items = [(index, (50 - index) * 0.0004) for index in range(50)]  # later ones end first

        outcomes = await collect(k6.bulk(echo_after, items, concurrency=10, ordered=True))

        assert [outcome.value for outcome in outcomes] == list(range(50))

    async def test_unordered_outcomes_come_in_completion_order(self) -> None:
        finished: list[int] = []

        async def operation(item: int) -> int:
            if item == 0:
                await until(lambda: len(finished) == 2)  # the first item ends last
            finished.append(item)
            return item

        outcomes = await collect(k6.bulk(operation, range(3), concurrency=3))

        assert [outcome.value for outcome in outcomes][-1] == 0

    async def test_ordered_mode_holds_at_most_twice_the_concurrency(self) -> None:
        release = asyncio.Event()
        started: list[int] = []

        async def operation(item: int) -> int:
            started.append(item)
            if item == 0:
                await release.wait()
            return item

        outcomes = k6.bulk(operation, range(100), concurrency=4, ordered=True)
        async with contextlib.aclosing(outcomes):
            first = asyncio.ensure_future(anext(outcomes))
            for _ in range(20):
                await asyncio.sleep(0)
            assert started == list(range(8))  # item 0 is stuck: 7 wait behind it, no more
            release.set()
            rest = [await first] + [outcome async for outcome in outcomes]

        assert [outcome.item for outcome in rest] == list(range(100))

    async def test_a_failing_item_does_not_cancel_the_others(self) -> None:
        cancelled: list[int] = []
        failure = ValueError("item 3 is bad")

        async def operation(item: int) -> int:
            if item == 3:
                raise failure
            try:
                await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                cancelled.append(item)
                raise
            return item * 10

        outcomes = await collect(k6.bulk(operation, range(8), concurrency=8))

        assert cancelled == []
        assert {o.item: (o.value, o.error) for o in outcomes} == {
            **{item: (item * 10, None) for item in range(8) if item != 3},
            3: (None, failure),
        }

    async def test_items_are_pulled_lazily(self) -> None:
        pulled = itertools.count()

        def numbers() -> Iterator[int]:
            yield from pulled

        async def operation(item: int) -> int:
            await asyncio.sleep(0)
            return item

        seen = 0
        async with contextlib.aclosing(k6.bulk(operation, numbers(), concurrency=5)) as outcomes:
            async for _ in outcomes:
                seen += 1
                if seen == 100:
                    break

        assert next(pulled) <= 100 + 5  # an endless source, read only as far as needed

    async def test_items_may_be_an_async_iterable(self) -> None:
        async def numbers() -> AsyncIterator[int]:
            for number in range(30):
                await asyncio.sleep(0)
                yield number

        async def double(item: int) -> int:
            return item * 2

        outcomes = await collect(k6.bulk(double, numbers(), concurrency=4, ordered=True))

        assert [outcome.value for outcome in outcomes] == [n * 2 for n in range(30)]

    async def test_an_error_from_the_items_propagates_after_the_started_items(self) -> None:
        def numbers() -> Iterator[int]:
            yield from range(3)
            raise RuntimeError("the source broke")

        async def identity(item: int) -> int:
            return item

        seen: list[int] = []

        async def consume() -> None:
            async for outcome in k6.bulk(identity, numbers(), concurrency=10):
                seen.append(outcome.item)

        with pytest.raises(RuntimeError, match="source broke"):
            await consume()
        assert sorted(seen) == [0, 1, 2]

    async def test_closing_the_generator_early_cancels_calls_in_flight(self) -> None:
        started: list[int] = []
        cancelled: list[int] = []

        async def operation(item: int) -> int:
            started.append(item)
            if item == 0:
                return item
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append(item)
                raise
            return item

        async with contextlib.aclosing(k6.bulk(operation, range(100), concurrency=6)) as it:
            first = await anext(it)

        assert first.item == 0
        # Every call under way was cancelled, and awaited: it saw its CancelledError before
        # the generator's close returned.
        assert sorted(cancelled) == started[1:]
        assert started[1:6] == [1, 2, 3, 4, 5]

    async def test_a_cancelled_error_from_an_operation_propagates(self) -> None:
        async def operation(item: int) -> int:
            raise asyncio.CancelledError

        with pytest.raises(asyncio.CancelledError):
            await collect(k6.bulk(operation, [1]))

    async def test_outcome_unwrap_returns_the_value_or_raises_the_error(self) -> None:
        error = KeyError("x")
        good: k6.Outcome[int, str] = k6.Success(1, "one")
        bad: k6.Outcome[int, str] = k6.Failure(2, error)

        assert (good.ok, good.value, good.error, good.unwrap()) == (True, "one", None, "one")
        assert (bad.ok, bad.value, bad.error) == (False, None, error)
        with pytest.raises(KeyError):
            bad.unwrap()

    async def test_outcomes_are_successes_and_failures(self) -> None:
        error = ValueError("odd")

        async def operation(item: int) -> str:
            if item % 2:
                raise error
            return str(item)

        outcomes = await collect(k6.bulk(operation, range(4), ordered=True))

        assert outcomes == [
            k6.Success(0, "0"),
            k6.Failure(1, error),
            k6.Success(2, "2"),
            k6.Failure(3, error),
        ]

    @pytest.mark.parametrize(
        ("kwargs", "error", "argument"),
        [
            ({"concurrency": 0}, ValueError, "concurrency"),
            ({"concurrency": True}, TypeError, "concurrency"),
            ({"ordered": 1}, TypeError, "ordered"),
            ({"items": 3}, TypeError, "items"),
            ({"items": "abc"}, TypeError, "items"),
            ({"operation": None}, TypeError, "operation"),
        ],
    )
    def test_bad_arguments_are_refused_at_the_call(
        self, kwargs: dict[str, Any], error: type[Exception], argument: str
    ) -> None:
        arguments: dict[str, Any] = {"operation": echo_after, "items": [], **kwargs}
        with pytest.raises(error, match=argument):
            k6.bulk(arguments.pop("operation"), arguments.pop("items"), **arguments)
