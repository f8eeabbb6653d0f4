"""Human-readable tables and key/value lines, or JSON for machines.

``--json`` prints a single result as one JSON document (the API's shape, through
``k6.to_dict``) and a listing as JSON Lines: one compact object per line, written as pages
arrive (``jq -s`` makes an array of them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO, Literal, TextIO

import attrs

import k6cloud_async as k6

__all__ = ["Column", "Output", "Table", "format_time", "format_value", "model_fields"]

Align = Literal["<", ">"]

#: Fields of a run left out of its human view (shown by --json).
_RUN_DETAILS_SKIPPED = frozenset({"status_details", "distribution", "options", "k6_dependencies"})


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


def model_fields(model: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A model as ``(key, value)`` pairs, nested models and mappings flattened with dots."""
    pairs: list[tuple[str, str]] = []
    skipped = _RUN_DETAILS_SKIPPED if isinstance(model, k6.TestRun) else frozenset()
    for field in attrs.fields(type(model)):
        if field.name in skipped or not field.repr:  # e.g. a cost's raw JSON, as sent
            continue
        _flatten(pairs, prefix + field.name, getattr(model, field.name))
    return pairs


def _flatten(pairs: list[tuple[str, str]], key: str, value: Any) -> None:
    if attrs.has(type(value)):
        pairs.extend(model_fields(value, prefix=key + "."))
    elif isinstance(value, Mapping) and value:
        for name, item in value.items():
            _flatten(pairs, f"{key}.{name}", item)
    elif isinstance(value, Mapping):
        pairs.append((key, "-"))
    else:
        pairs.append((key, format_value(value)))


@attrs.frozen
class Column:
    title: str
    align: Align = "<"
    #: The least width of the column (its values' widths are not known in advance).
    width: int = 0


class Table:
    """Rows printed as they arrive, in columns sized by the first batch (and the titles).

    Later rows keep those widths, so a streamed listing stays aligned page after page
    (a longer cell just pushes the rest of its row to the right).
    """

    def __init__(self, stream: TextIO, columns: Sequence[Column]) -> None:
        self._stream = stream
        self._columns = list(columns)
        self._widths: list[int] | None = None
        self.rows = 0

    def write(self, rows: Iterable[Sequence[str]]) -> None:
        batch = [list(row) for row in rows]
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


class Output:
    """Where a command's results go: stdout (results) and stderr (notes, errors)."""

    def __init__(self, stdout: TextIO, stderr: TextIO, *, json_mode: bool) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.json_mode = json_mode

    def model(self, model: Any) -> None:
        """One object: key/value lines, or one JSON document of its API shape."""
        if self.json_mode:
            self.document(k6.to_dict(model))
        else:
            self.pairs(model_fields(model))

    def pairs(self, pairs: Sequence[tuple[str, str]]) -> None:
        width = max((len(key) for key, _ in pairs), default=0)
        for key, value in pairs:
            self.stdout.write(f"{key:<{width}}  {value}".rstrip() + "\n")
        self.stdout.flush()

    def document(self, data: Any) -> None:
        """One JSON document (indented)."""
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        self.stdout.flush()

    def json_lines(self, items: Iterable[Any]) -> None:
        """JSON Lines: one compact object per line, flushed together."""
        for item in items:
            self.stdout.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.stdout.flush()

    def binary(self) -> BinaryIO:
        """stdout for bytes (a script), after flushing what was written as text."""
        self.stdout.flush()
        return self.stdout.buffer

    def line(self, text: str) -> None:
        """A human-readable result line (not printed with --json)."""
        if not self.json_mode:
            self.stdout.write(text + "\n")
            self.stdout.flush()

    def note(self, text: str) -> None:
        """A line for the person watching, on stderr (also with --json)."""
        self.stderr.write(text + "\n")
        self.stderr.flush()

    def error(self, text: str) -> None:
        self.note(f"error: {text}")

    def table(self, columns: Sequence[Column]) -> Table:
        return Table(self.stdout, columns)
