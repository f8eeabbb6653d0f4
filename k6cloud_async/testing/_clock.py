"""A manual clock for the fake server: time moves only when a test says so."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Final

from .._waits import POLL_SLEEP

__all__ = ["DEFAULT_START", "DRIVE_LIMIT", "FakeClock"]

#: Where a :class:`FakeClock` starts unless told otherwise.
DEFAULT_START: Final = datetime(2025, 1, 6, 9, 0, 0, tzinfo=UTC)

#: How many simulated seconds :meth:`FakeClock.driving_waits` lets waits sleep in all,
#: so that a wait that can never end fails instead of spinning.
DRIVE_LIMIT: Final = 7 * 24 * 3600.0


class FakeClock:
    """The fake server's notion of "now".

    Every timestamp the fake writes (``created``, ``updated``, status ``entered``,
    ``ended``) and the 10-minute idempotency window of ``start`` read this clock,
    never the wall clock, so tests are deterministic. It starts at
    :data:`DEFAULT_START` (or ``start``) and moves only through :meth:`advance`
    and :meth:`set` — or, inside :meth:`driving_waits`, by the sleeps of
    ``client.test_runs.wait()``. Whenever it moves, the fake starts the runs its
    schedules reached (see ``FakeK6Cloud``), before anything else can read it.
    """

    __slots__ = ("_moved", "_now", "driven")

    def __init__(self, start: datetime | None = None) -> None:
        self._now = DEFAULT_START
        self._moved: list[Callable[[], None]] = []
        #: Seconds the sleeps of driven waits moved the clock (see :meth:`driving_waits`).
        self.driven = 0.0
        if start is not None:
            self.set(start)

    def _on_move(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every :meth:`advance` and :meth:`set` (the fake's
        schedules catch up so)."""
        self._moved.append(callback)

    def now(self) -> datetime:
        """The current fake time: a timezone-aware UTC ``datetime``."""
        return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` (``>= 0``) and return the new time."""
        if seconds < 0:
            raise ValueError("the fake clock cannot go backwards")
        self._now += timedelta(seconds=seconds)
        self._notify()
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when``, which must be timezone-aware (it is stored as UTC)."""
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("the fake clock needs a timezone-aware datetime")
        self._now = when.astimezone(UTC)
        self._notify()

    def _notify(self) -> None:
        for callback in self._moved:
            callback()

    @contextlib.contextmanager
    def driving_waits(self, limit: float = DRIVE_LIMIT) -> Iterator[None]:
        """While inside, ``client.test_runs.wait()`` sleeps on this clock, not in real time.

        Each sleep between polls advances the clock by its length at once (and lets other
        tasks run), so a wait for a run that lasts an hour of fake time (see
        ``set_run_outcome(duration=…)``) returns in milliseconds. It applies to every
        ``wait()`` in the process until the block exits. ``wait(max_wait=…)`` still counts
        real seconds. When the sleeps add up to more than ``limit`` seconds, the next one
        raises ``RuntimeError`` (a run that never ends would otherwise be polled without pause).
        """
        if isinstance(limit, bool) or not isinstance(limit, int | float):
            raise TypeError(f"limit must be a number of seconds, not {type(limit).__name__}")
        if not 0 < limit < math.inf:
            raise ValueError(f"limit must be a positive, finite number of seconds, got {limit}")
        budget = self.driven + limit

        async def sleep(seconds: float) -> None:
            if self.driven + seconds > budget:
                raise RuntimeError(
                    f"waits on the fake clock slept more than {limit:g} simulated seconds"
                )
            self.driven += seconds
            self.advance(seconds)
            await asyncio.sleep(0)

        with POLL_SLEEP.replaced_by(sleep):
            yield

    def __repr__(self) -> str:
        return f"FakeClock({self._now.isoformat()})"
