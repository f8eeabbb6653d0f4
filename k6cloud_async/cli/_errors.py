"""Errors the command line reports: one line on stderr (one JSON object with ``--json``)
and an exit code."""

from __future__ import annotations

from typing import Any, Final

import k6cloud_async as k6

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "CliError",
    "UsageError",
    "describe",
    "error_document",
]

#: Any failure the command reports itself (an API error, a missing token, a bad file).
EXIT_ERROR: Final = 1
#: A usage error: an unknown command, a bad option value.
EXIT_USAGE: Final = 2
#: Interrupted with Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED: Final = 130
#: Stopped by SIGTERM (128 + SIGTERM), as shells report it.
EXIT_TERMINATED: Final = 143


class CliError(Exception):
    """A failure the command line reports as ``error: <message>`` with ``exit_code``.

    With ``--json`` it is reported as ``{"status": null, "code": <code>, "message": …}``,
    or, when it explains a library error (``cause``), as that error's object; ``fields`` are
    added to the object (``{"idempotency_key": …}``).
    """

    def __init__(
        self,
        message: str,
        exit_code: int = EXIT_ERROR,
        *,
        code: str = "error",
        cause: BaseException | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.code = code
        self.cause = cause
        self.fields = fields or {}


class UsageError(CliError):
    """The command line does not parse: argparse's message, and the usage of the command."""

    def __init__(self, message: str, *, prog: str, usage: str) -> None:
        super().__init__(message, EXIT_USAGE, code="usage_error")
        self.prog = prog
        self.usage = usage


def describe(exc: BaseException) -> str:
    """One line for an error: the API's status, code and message, without the request URL.

    ``APIError`` → ``404 not_found: Load test not found.`` (plus the target and the
    details' messages when the API sent them); an OS error → its file and reason; other
    library errors → their message.
    """
    if isinstance(exc, k6.APIError):
        head = f"{exc.status} {exc.code}" if exc.code else str(exc.status)
        text = f"{head}: {exc.message}"
        if exc.target:
            text += f" (target: {exc.target})"
        if exc.details:
            text += " [" + "; ".join(_detail(d) for d in exc.details) + "]"
        return _one_line(text)
    if isinstance(exc, OSError) and exc.strerror and not isinstance(exc, k6.K6CloudError):
        where = f"{exc.filename}: " if exc.filename is not None else ""
        return _one_line(f"{where}{exc.strerror}")
    return _one_line(str(exc) or type(exc).__name__)


def error_document(exc: BaseException) -> dict[str, Any]:
    """An error as ``--json`` reports it: ``{"status", "code", "message"}``.

    For an API error, its status, code and message (and ``target`` and ``details`` when the
    API sent them); for any other failure ``status`` is null and ``code`` names the kind of
    failure: the library's exception class (``TransportError``, …) or the command line's own
    code (``error``, ``usage_error``, ``interrupted``, …).
    """
    document: dict[str, Any]
    if isinstance(exc, CliError):
        document = (
            error_document(exc.cause)
            if exc.cause is not None
            else {"status": None, "code": exc.code, "message": exc.message}
        )
        return document | exc.fields
    if isinstance(exc, k6.APIError):
        document = {"status": exc.status, "code": exc.code, "message": exc.message}
        if exc.target:
            document["target"] = exc.target
        if exc.details:
            document["details"] = [
                {"code": d.code, "message": d.message, "target": d.target} for d in exc.details
            ]
        return document
    return {"status": None, "code": type(exc).__name__, "message": describe(exc)}


def _detail(detail: k6.ErrorDetail) -> str:
    where = f"{detail.target}: " if detail.target else ""
    return f"{where}{detail.message or detail.code}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
