"""The sleep between the polls of ``test_runs.wait()``, which a fake clock may take over."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Final

__all__ = ["POLL_SLEEP", "Sleep", "SwappableSleep"]

Sleep = Callable[[float], Awaitable[None]]


class SwappableSleep:
    """``await sleep(seconds)``: ``asyncio.sleep``, or what :meth:`replaced_by` put in place.

    Process-wide, like the event loop's own clock: ``testing.FakeClock.driving_waits()``
    moves fake time by the sleeps of every ``wait()`` while it is active.
    """

    __slots__ = ("_active",)

    def __init__(self) -> None:
        # Each active replacement under its own key, newest last: a block that ends out of
        # order (two tests' fakes, interleaved) takes out its own sleep and no other.
        self._active: dict[object, Sleep] = {}

    def __call__(self, seconds: float) -> Awaitable[None]:
        return self.current(seconds)

    @property
    def current(self) -> Sleep:
        """The newest replacement still active, else ``asyncio.sleep``."""
        return next(reversed(self._active.values()), asyncio.sleep)

    @contextlib.contextmanager
    def replaced_by(self, sleep: Sleep) -> Iterator[None]:
        """Sleep with ``sleep`` inside the block. Blocks nest; when one ends, the newest
        block still active decides again (``asyncio.sleep`` once none is)."""
        key = object()
        self._active[key] = sleep
        try:
            yield
        finally:
            del self._active[key]


#: The polls' sleep of ``test_runs.wait()``.
POLL_SLEEP: Final = SwappableSleep()
