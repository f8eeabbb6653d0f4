"""The pool's slots: free slots are taken without waiting, queued calls are served in order,
and a cancelled waiter never keeps or loses a slot."""

from __future__ import annotations

import asyncio

import pytest

from k6cloud_async._slots import Slots


async def test_free_slots_are_taken_at_once_then_callers_wait() -> None:
    slots = Slots(2)
    assert slots.take_now()
    assert slots.take_now()
    assert not slots.take_now()
    waiter = asyncio.ensure_future(slots.take())
    await asyncio.sleep(0)
    assert not waiter.done()
    slots.give_back()
    await asyncio.wait_for(waiter, 1)
    assert not slots.take_now()  # the slot went to the waiter, not back to the pool


async def test_waiters_are_served_first_come_first_served() -> None:
    slots = Slots(1)
    assert slots.take_now()
    order: list[int] = []

    async def queued(n: int) -> None:
        await slots.take()
        order.append(n)

    tasks = [asyncio.ensure_future(queued(n)) for n in range(5)]
    await asyncio.sleep(0)
    # A newcomer does not overtake the queue, even at the moment a slot comes back.
    slots.give_back()
    assert not slots.take_now()
    for _ in range(5):
        await asyncio.sleep(0)
        slots.give_back()
    await asyncio.wait_for(asyncio.gather(*tasks), 1)
    assert order == [0, 1, 2, 3, 4]
    assert slots.take_now()  # every waiter gave its slot back: one is free again
    assert not slots.take_now()


async def test_a_cancelled_waiter_leaves_the_queue_and_the_count_intact() -> None:
    slots = Slots(1)
    assert slots.take_now()
    first = asyncio.ensure_future(slots.take())
    second = asyncio.ensure_future(slots.take())
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    slots.give_back()
    await asyncio.wait_for(second, 1)  # the slot skipped the cancelled waiter
    slots.give_back()
    assert slots.take_now()
    assert not slots.take_now()


async def test_a_waiter_cancelled_as_it_is_handed_a_slot_passes_it_on() -> None:
    slots = Slots(1)
    assert slots.take_now()
    first = asyncio.ensure_future(slots.take())
    second = asyncio.ensure_future(slots.take())
    await asyncio.sleep(0)
    slots.give_back()  # handed to ``first``, which has not run yet...
    first.cancel()  # ...and is cancelled before it does
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)
    slots.give_back()
    assert slots.take_now()
    assert not slots.take_now()


async def test_a_deadline_on_a_full_pool_times_out_without_taking_a_slot() -> None:
    slots = Slots(1)
    assert slots.take_now()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(slots.take(), 0.01)
    slots.give_back()
    assert slots.take_now()
