"""The sleep between ``wait()``'s polls, and the blocks that take it over."""

from __future__ import annotations

import asyncio
import contextlib

from k6cloud_async._waits import POLL_SLEEP, SwappableSleep
from k6cloud_async.testing import FakeClock


async def _first(seconds: float) -> None:
    return None


async def _second(seconds: float) -> None:
    return None


def test_it_is_asyncio_sleep_until_a_block_replaces_it() -> None:
    sleep = SwappableSleep()
    assert sleep.current is asyncio.sleep
    with sleep.replaced_by(_first):
        assert sleep.current is _first
    assert sleep.current is asyncio.sleep


def test_nested_blocks_give_back_the_outer_sleep() -> None:
    sleep = SwappableSleep()
    with sleep.replaced_by(_first):
        with sleep.replaced_by(_second):
            assert sleep.current is _second
        assert sleep.current is _first
    assert sleep.current is asyncio.sleep


def test_a_block_that_ends_out_of_order_takes_out_only_its_own_sleep() -> None:
    sleep = SwappableSleep()
    outer, inner = contextlib.ExitStack(), contextlib.ExitStack()
    outer.enter_context(sleep.replaced_by(_first))
    inner.enter_context(sleep.replaced_by(_second))
    outer.close()  # the first block ends while the second is still active
    assert sleep.current is _second
    inner.close()
    assert sleep.current is asyncio.sleep  # not _first, whose block is over


def test_the_same_function_in_two_blocks_is_two_replacements() -> None:
    sleep = SwappableSleep()
    outer, inner = contextlib.ExitStack(), contextlib.ExitStack()
    outer.enter_context(sleep.replaced_by(_first))
    inner.enter_context(sleep.replaced_by(_first))
    inner.close()
    assert sleep.current is _first
    outer.close()
    assert sleep.current is asyncio.sleep


async def test_a_call_sleeps_with_the_current_replacement() -> None:
    sleep = SwappableSleep()
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    with sleep.replaced_by(record):
        await sleep(2.5)
    await sleep(0)  # asyncio.sleep again: returns at once
    assert slept == [2.5]


def test_two_fake_clocks_driving_waits_interleaved_leave_the_real_sleep() -> None:
    first, second = FakeClock(), FakeClock()
    a, b = contextlib.ExitStack(), contextlib.ExitStack()
    a.enter_context(first.driving_waits())
    b.enter_context(second.driving_waits())
    a.close()
    assert POLL_SLEEP.current is not asyncio.sleep  # the second clock still drives
    b.close()
    assert POLL_SLEEP.current is asyncio.sleep
