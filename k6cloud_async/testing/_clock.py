"""A manual clock for the fake server: time moves only when a test says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = ["DEFAULT_START", "FakeClock"]

#: Where a :class:`FakeClock` starts unless told otherwise.
DEFAULT_START: Final = datetime(2025, 1, 6, 9, 0, 0, tzinfo=UTC)


class FakeClock:
    """The fake server's notion of "now".

    Every timestamp the fake writes (``created``, ``updated``, status ``entered``,
    ``ended``) and the 10-minute idempotency window of ``start`` read this clock,
    never the wall clock, so tests are deterministic. It starts at
    :data:`DEFAULT_START` (or ``start``) and moves only through :meth:`advance`
    and :meth:`set`.
    """

    __slots__ = ("_now",)

    def __init__(self, start: datetime | None = None) -> None:
        self._now = DEFAULT_START
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        """The current fake time: a timezone-aware UTC ``datetime``."""
        return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` (``>= 0``) and return the new time."""
        if seconds < 0:
            raise ValueError("the fake clock cannot go backwards")
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to ``when``, which must be timezone-aware (it is stored as UTC)."""
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("the fake clock needs a timezone-aware datetime")
        self._now = when.astimezone(UTC)

    def __repr__(self) -> str:
        return f"FakeClock({self._now.isoformat()})"
