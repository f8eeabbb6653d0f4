"""Progress bars on stderr, drawn only when it is a terminal (standard library only)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal, TextIO

__all__ = ["ProgressBar", "format_bytes"]

Unit = Literal["bytes", "items"]

_WIDTH = 24
_MIN_INTERVAL = 0.1


def format_bytes(count: float) -> str:
    """``1536`` → ``1.5 KiB``."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


class ProgressBar:
    """A one-line bar redrawn in place with ``\\r`` (at most every 0.1 s), on a terminal.

    ``update(done, total)`` moves it (``total`` may be ``None``: a counter without a bar);
    ``close()`` draws the last state and ends the line. When ``stream`` is not a terminal
    (a CI log, a pipe, a test's captured stderr) nothing is ever written, and
    :attr:`on_progress` is ``None`` so the library does not even call it.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO,
        *,
        unit: Unit = "bytes",
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._label = label
        self._stream = stream
        self._unit = unit
        self.enabled = stream.isatty() if enabled is None else enabled
        self._clock = clock
        self._last_draw = float("-inf")
        self._done = 0
        self._total: int | None = None
        self._drawn = False
        self._stale = False

    @property
    def on_progress(self) -> Callable[[int, int | None], None] | None:
        """The callback to give the library's ``on_progress=``, or None when silent."""
        return self.update if self.enabled else None

    def update(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        self._done, self._total = done, total
        now = self._clock()
        finished = total is not None and done >= total
        if finished or now - self._last_draw >= _MIN_INTERVAL:
            self._last_draw = now
            self._draw()
        else:
            self._stale = True

    def advance(self, total: int | None) -> None:
        """One more item done (bulk operations)."""
        self.update(self._done + 1, total)

    def clear(self) -> None:
        """Erase the bar so that a line can be printed; the next update draws it again."""
        if self.enabled and self._drawn:
            self._stream.write("\r" + " " * len(self.render()) + "\r")
            self._stream.flush()
            self._drawn = False
            self._last_draw = float("-inf")

    def close(self) -> None:
        """Draw the last state if it was not, and end the line."""
        if not self.enabled:
            return
        if self._stale or (self._done and not self._drawn):
            self._draw()
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self) -> None:
        self._stream.write("\r" + self.render())
        self._stream.flush()
        self._drawn = True
        self._stale = False

    def render(self) -> str:
        """The bar's text, e.g. ``upload [##########--------------]  42%  1.1/2.6 MiB``."""
        done, total = self._done, self._total
        if self._unit == "bytes":
            amount = format_bytes(done) + ("" if total is None else f" / {format_bytes(total)}")
        else:
            amount = f"{done}" + ("" if total is None else f"/{total}")
        if not total:
            return f"{self._label} {amount}"
        fraction = min(1.0, done / total)
        filled = int(fraction * _WIDTH)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        return f"{self._label} [{bar}] {fraction:4.0%}  {amount}"
