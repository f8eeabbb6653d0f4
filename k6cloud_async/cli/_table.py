"""Tables printed as their rows arrive, and the text of one cell (standard library only)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple, TextIO

import k6cloud_async as k6

from ._printable import printable

__all__ = ["Column", "Table", "format_time", "format_value"]

Align = Literal["<", ">"]


def format_time(value: datetime) -> str:
    """``2024-05-01 12:30:00Z``: UTC, to the second."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def format_value(value: Any) -> str:
    """One value for a table cell or a key/value line."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        if value and all(isinstance(item, k6.StatusEvent) for item in value):
            return " > ".join(item.type for item in value)
        return ", ".join(format_value(item) for item in value) or "-"
    return str(value)


class Column(NamedTuple):
    title: str
    align: Align = "<"
    #: The least width of the column (its values' widths are not known in advance).
    width: int = 0


class Table:
    """Rows printed as they arrive, in columns sized by the first batch (and the titles).

    Later rows keep those widths, so a streamed listing stays aligned page after page
    (a longer cell just pushes the rest of its row to the right). Cells are printed with
    control characters escaped (see ``printable``).
    """

    def __init__(self, stream: TextIO, columns: Sequence[Column]) -> None:
        self._stream = stream
        self._columns = list(columns)
        self._widths: list[int] | None = None
        self.rows = 0

    def write(self, rows: Iterable[Sequence[str]]) -> None:
        batch = [[printable(cell) for cell in row] for row in rows]
        if self._widths is None:
            self._widths = [
                max([len(column.title), column.width] + [len(row[i]) for row in batch])
                for i, column in enumerate(self._columns)
            ]
            self._line([column.title for column in self._columns])
        for row in batch:
            self._line(row)
        self.rows += len(batch)
        self._stream.flush()

    def _line(self, cells: Sequence[str]) -> None:
        assert self._widths is not None
        parts = [
            f"{cell:{column.align}{width}}"
            for cell, column, width in zip(cells, self._columns, self._widths, strict=True)
        ]
        self._stream.write("  ".join(parts).rstrip() + "\n")
