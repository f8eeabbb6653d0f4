"""``k6cloud``: the command line of k6cloud_async (``python -m k6cloud_async``).

Standard library only (argparse, asyncio.run); see docs/cli.md. ``main(argv)`` returns the
exit code: 0 success, 1 an error reported on one stderr line, 2 a usage error, and for
``tests start --wait`` / ``runs wait`` 99 (thresholds crossed) or 97 (run error or aborted).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import k6cloud_async as k6

from ._context import Context, make_client
from ._errors import EXIT_ERROR, EXIT_INTERRUPTED, CliError, describe
from ._output import Output
from ._parser import parse

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run ``k6cloud`` with ``argv`` (default: ``sys.argv[1:]``) and return its exit code."""
    try:
        args = parse(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    out = Output(sys.stdout, sys.stderr, json_mode=args.json)
    try:
        if hasattr(args, "local_handler"):  # runs without a client: demo, fake-server
            code: int = args.local_handler(args, out)
            return code
        return asyncio.run(_run(args, out))
    except CliError as exc:
        out.error(exc.message)
        return exc.exit_code
    except k6.K6CloudError as exc:
        out.error(describe(exc))
        return EXIT_ERROR
    except ValueError as exc:  # an argument the library refused (a name too long, …)
        out.error(describe(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        out.note("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `k6cloud tests list | head`: the reader left
        _silence_stdout()
        return EXIT_ERROR


async def _run(args: argparse.Namespace, out: Output) -> int:
    async with make_client(args) as client:
        code: int = await args.handler(Context(client, out, sys.stdin.buffer), args)
        return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass
