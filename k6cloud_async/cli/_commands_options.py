"""``k6cloud validate OPTIONS.json``: can these k6 options run, and what would they cost."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._arguments import positive_int
from ._errors import CliError

if TYPE_CHECKING:
    from ._context import Context

__all__ = ["read_options", "register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    text = "validate k6 options (a JSON object) and print their VUH usage and its breakdown"
    p = commands.add_parser("validate", help=text, description=text, parents=[common])
    p.add_argument("options", metavar="OPTIONS.json", help="the k6 options object; - reads stdin")
    p.add_argument("--project", type=positive_int, metavar="ID", help="the project to run in")
    p.add_argument(
        "--local",
        action="store_true",
        help="the test runs locally (k6 cloud run --local-execution)",
    )
    p.set_defaults(handler=validate)


def read_options(argument: str, text: str | None = None) -> dict[str, Any]:
    """The options object from a file (or ``text`` when given); a file that is missing, is
    not JSON, or does not hold an object is a CliError."""
    import json
    from pathlib import Path

    if text is None:
        try:
            text = Path(argument).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CliError(f"options file {argument}: not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise CliError(f"options file {argument}: {reason or exc}") from None
    try:
        options = json.loads(text)
    except ValueError as exc:
        raise CliError(f"options file {argument}: not JSON ({exc})") from None
    if not isinstance(options, dict):
        raise CliError(f"options file {argument}: expected a JSON object, got {_kind(options)}")
    return options


async def validate(ctx: Context, args: argparse.Namespace) -> int:
    if args.options == "-":
        options = read_options("<stdin>", ctx.stdin.read().decode("utf-8", "replace"))
    else:
        options = read_options(args.options)
    result = await ctx.client.load_tests.validate_options(
        options, project_id=args.project, is_local_execution=args.local or None
    )
    ctx.out.model(result)
    return 0


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"
