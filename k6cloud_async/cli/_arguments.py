"""Argument types and the options every command takes."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from ._errors import CliError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "GLOBAL_DEFAULTS",
    "add_global_options",
    "idempotency_key",
    "load_test_name",
    "non_negative_int",
    "order_by",
    "page_size",
    "positive_float",
    "positive_int",
    "read_script",
]

#: The global options' values when not given (they are parsed with SUPPRESS defaults, so
#: that they may stand before or after the command without one hiding the other).
GLOBAL_DEFAULTS: dict[str, object] = {
    "token": None,
    "token_file": None,
    "stack_id": None,
    "stack_url": None,
    "base_url": None,
    "json": False,
    "timeout": None,
    "max_retries": None,
}


def _int_at_least(minimum: int, wanted: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}")
        return value

    return parse


#: An id or a count: a positive integer.
positive_int = _int_at_least(1, "a positive integer")
non_negative_int = _int_at_least(0, "an integer >= 0")


def positive_float(text: str) -> float:
    """A number of seconds, greater than zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _judged_by_the_library(check: Callable[[Any], object], value: Any, argument: str) -> None:
    """Run one of the library's argument checks at parse time, so that a bad value is a
    usage error naming the option (argparse prefixes ``argument --order-by:``), not the
    library's argument (``order_by``), which is cut from the start of the message."""
    try:
        check(value)
    except (TypeError, ValueError) as exc:
        message = str(exc).removeprefix(f"{argument} ")
        raise argparse.ArgumentTypeError(message) from None


# The checks are imported when an option is given, not before: they load the library's
# constants (and so aiohttp), which ``--help`` does not need.


def order_by(text: str) -> str:
    """``--order-by`` of load tests: ``FIELD`` or ``FIELD desc``, separated by commas."""
    from .._validation import check_order_by

    _judged_by_the_library(check_order_by, text, "order_by")
    return text


def idempotency_key(text: str) -> str:
    """``--idempotency-key``: 1 to 36 printable ASCII characters."""
    from .._validation import check_idempotency_key

    _judged_by_the_library(check_idempotency_key, text, "idempotency_key")
    return text


def load_test_name(text: str) -> str:
    """A load test's ``NAME`` (or ``--name``): 1 to 300 characters."""
    from .._validation import check_name

    _judged_by_the_library(check_name, text, "name")
    return text


def page_size(text: str) -> int:
    """``--page-size``: items per page, 1 to 1000."""
    from .._validation import check_page_size

    value = positive_int(text)
    _judged_by_the_library(check_page_size, value, "page_size")
    return value


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """``--token`` … ``--max-retries``; accepted before or after the command."""
    group = parser.add_argument_group("connection and output (before or after the command)")
    suppress = argparse.SUPPRESS
    group.add_argument(
        "--token",
        default=suppress,
        help="API token (default: $K6_CLOUD_TOKEN); other processes can see arguments, "
        "so prefer the variable or --token-file",
    )
    group.add_argument(
        "--token-file",
        metavar="PATH",
        default=suppress,
        help="read the API token from a file (surrounding whitespace is stripped)",
    )
    group.add_argument(
        "--stack-id",
        type=positive_int,
        metavar="ID",
        default=suppress,
        help="Grafana stack id (default: $K6_CLOUD_STACK_ID)",
    )
    group.add_argument(
        "--stack-url",
        metavar="URL",
        default=suppress,
        help="Grafana stack URL instead of its id, e.g. https://mystack.grafana.net "
        "(default: $K6_CLOUD_STACK_URL); the id is looked up once",
    )
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=suppress,
        help="API base URL (default: $K6_CLOUD_HOST_V6, else https://api.k6.io)",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=suppress,
        help="machine output: one JSON document; listings as JSON Lines (one object a line)",
    )
    group.add_argument(
        "--timeout",
        type=positive_float,
        metavar="SECONDS",
        default=suppress,
        help="total timeout of each API call (default: 60)",
    )
    group.add_argument(
        "--max-retries",
        type=non_negative_int,
        metavar="N",
        default=suppress,
        help="retries of a failed call that is safe to repeat (default: 2)",
    )


def read_script(argument: str, stdin: BinaryIO) -> bytes | Path:
    """A SCRIPT argument: ``-`` reads standard input whole; a path is streamed from disk
    by the library (after checking here that it is a readable file)."""
    from pathlib import Path  # not needed for --help

    if argument == "-":
        return stdin.read()
    path = Path(argument)
    if not path.is_file():
        what = "is not a file" if path.exists() else "not found"
        raise CliError(f"script {argument}: {what}")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise CliError(f"script {argument}: {exc.strerror or exc}") from None
    return path
