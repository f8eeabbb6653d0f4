"""Human-readable tables and key/value lines, or JSON for machines.

``--json`` prints a single result as one JSON document (the API's shape, through
``k6.to_dict``) and a listing as JSON Lines: one compact object per line, written as pages
arrive (``jq -s`` makes an array of them). A failure is then one JSON object on stderr.
Whatever is printed has control characters escaped (see ``printable``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, BinaryIO, TextIO

import k6cloud_async as k6

from ._errors import describe, error_document
from ._printable import json_printable, printable
from ._table import Column, Table, format_value

__all__ = ["Output", "model_fields"]

#: Fields of a run left out of its human view (shown by --json).
_RUN_DETAILS_SKIPPED = frozenset({"status_details", "distribution", "options", "k6_dependencies"})


def model_fields(model: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A model as ``(key, value)`` pairs, nested models and mappings flattened with dots."""
    import attrs  # here, not at the top: ``k6cloud --help`` does not need it

    pairs: list[tuple[str, str]] = []
    skipped = _RUN_DETAILS_SKIPPED if isinstance(model, k6.TestRun) else frozenset()
    for field in attrs.fields(type(model)):
        if field.name in skipped or not field.repr:  # e.g. a cost's raw JSON, as sent
            continue
        _flatten(pairs, prefix + field.name, getattr(model, field.name))
    return pairs


def _flatten(pairs: list[tuple[str, str]], key: str, value: Any) -> None:
    import attrs

    if attrs.has(type(value)):
        pairs.extend(model_fields(value, prefix=key + "."))
    elif isinstance(value, Mapping) and value:
        for name, item in value.items():
            _flatten(pairs, f"{key}.{name}", item)
    elif isinstance(value, Mapping):
        pairs.append((key, "-"))
    else:
        pairs.append((key, format_value(value)))


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
        safe = [(printable(key), printable(value)) for key, value in pairs]
        width = max((len(key) for key, _ in safe), default=0)
        for key, value in safe:
            self.stdout.write(f"{key:<{width}}  {value}".rstrip() + "\n")
        self.stdout.flush()

    def document(self, data: Any) -> None:
        """One JSON document (indented)."""
        self.stdout.write(json_printable(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")
        self.stdout.flush()

    def json_lines(self, items: Iterable[Any]) -> None:
        """JSON Lines: one compact object per line, flushed together."""
        for item in items:
            self.stdout.write(_compact(item) + "\n")
        self.stdout.flush()

    def binary(self) -> BinaryIO:
        """stdout for bytes (a script), after flushing what was written as text."""
        self.stdout.flush()
        return self.stdout.buffer

    def line(self, text: str) -> None:
        """A human-readable result line (not printed with --json)."""
        if not self.json_mode:
            self.stdout.write(printable(text) + "\n")
            self.stdout.flush()

    def note(self, text: str) -> None:
        """A line for the person watching, on stderr (also with --json)."""
        self.stderr.write(printable(text) + "\n")
        self.stderr.flush()

    def warning(self, text: str) -> None:
        """``warning: <text>`` on stderr; the command goes on."""
        self.note(f"warning: {text}")

    def error(self, text: str) -> None:
        """``error: <text>`` on stderr; with --json ``{"status": null, "code": "error", …}``."""
        self.failure(text, code="error")

    def exception(self, exc: BaseException) -> None:
        """``error: <describe(exc)>``, or with --json the error's object (``error_document``)."""
        if self.json_mode:
            self._stderr_json(error_document(exc))
        else:
            self.note(f"error: {describe(exc)}")

    def failure(self, message: str, *, code: str) -> None:
        """A failure of the command line itself: ``error: <message>``, or with --json
        ``{"status": null, "code": <code>, "message": <message>}``."""
        if self.json_mode:
            self._stderr_json({"status": None, "code": code, "message": message})
        else:
            self.note(f"error: {message}")

    def _stderr_json(self, document: dict[str, Any]) -> None:
        self.stderr.write(_compact(document) + "\n")
        self.stderr.flush()

    def table(self, columns: Sequence[Column]) -> Table:
        return Table(self.stdout, columns)


def _compact(item: Any) -> str:
    return json_printable(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
