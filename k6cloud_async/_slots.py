"""The connection pool's slots: a first-come, first-served counting lock with a free path.

``asyncio.Semaphore`` would do, but a call holding a free slot then still runs its
``acquire()`` coroutine; here ``take_now()`` is a plain method, and only a call that finds
the pool full awaits. A slot given back goes straight to the oldest waiter, so a queued call
is never overtaken by one that arrives later.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

__all__ = ["Slots"]


class Slots:
    """``size`` slots. ``take_now()`` or ``await take()``, then ``give_back()`` once."""

    __slots__ = ("_free", "_waiters")

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    def take_now(self) -> bool:
        """Take a free slot if there is one and no call is waiting for it."""
        if self._free and not self._waiters:
            self._free -= 1
            return True
        return False

    async def take(self) -> None:
        """Wait for a slot (first come, first served). Cancellable at any point."""
        if self.take_now():
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.give_back()  # handed a slot as the cancel came: pass it on
            raise
        finally:
            if not waiter.done() or waiter.cancelled():
                with contextlib.suppress(ValueError):  # already taken off by give_back()
                    self._waiters.remove(waiter)

    def give_back(self) -> None:
        """Return a slot: to the oldest call still waiting, else to the pool."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1
