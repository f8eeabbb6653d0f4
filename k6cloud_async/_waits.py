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

    __slots__ = ("_sleep",)

    def __init__(self) -> None:
        self._sleep: Sleep = asyncio.sleep

    def __call__(self, seconds: float) -> Awaitable[None]:
        return self._sleep(seconds)

    @property
    def current(self) -> Sleep:
        return self._sleep

    @contextlib.contextmanager
    def replaced_by(self, sleep: Sleep) -> Iterator[None]:
        """Sleep with ``sleep`` inside the block; the previous sleep is back after it
        (blocks nest)."""
        previous, self._sleep = self._sleep, sleep
        try:
            yield
        finally:
            self._sleep = previous


#: The polls' sleep of ``test_runs.wait()``.
POLL_SLEEP: Final = SwappableSleep()
