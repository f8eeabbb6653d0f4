"""Errors the command line reports: one line on stderr and an exit code."""

from __future__ import annotations

from typing import Final

import k6cloud_async as k6

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_USAGE", "CliError", "describe"]

#: Any failure the command reports itself (an API error, a missing token, a bad file).
EXIT_ERROR: Final = 1
#: A usage error, as argparse reports it.
EXIT_USAGE: Final = 2
#: Interrupted with Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED: Final = 130


class CliError(Exception):
    """A failure the command line reports as ``error: <message>`` with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def describe(exc: BaseException) -> str:
    """One line for an error: the API's status, code and message, without the request URL.

    ``APIError`` → ``404 not_found: Load test not found.`` (plus the target and the
    details' messages when the API sent them); other library errors → their message.
    """
    if isinstance(exc, k6.APIError):
        head = f"{exc.status} {exc.code}" if exc.code else str(exc.status)
        text = f"{head}: {exc.message}"
        if exc.target:
            text += f" (target: {exc.target})"
        if exc.details:
            text += " [" + "; ".join(_detail(d) for d in exc.details) + "]"
        return _one_line(text)
    return _one_line(str(exc) or type(exc).__name__)


def _detail(detail: k6.ErrorDetail) -> str:
    where = f"{detail.target}: " if detail.target else ""
    return f"{where}{detail.message or detail.code}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
