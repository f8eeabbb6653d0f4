"""``k6cloud``: the command line of k6cloud_async (``python -m k6cloud_async``).

Standard library only (argparse, asyncio.run); see docs/cli.md. ``main(argv)`` returns the
exit code: 0 success, 1 an error reported on one stderr line (one JSON object with
``--json``), 2 a usage error, 130 and 143 when stopped by SIGINT or SIGTERM, and for
``tests start --wait`` / ``runs wait`` 99 (thresholds crossed) or 97 (run error or aborted).

Parsing, ``--help`` and ``--version`` load neither aiohttp nor the models: what runs a
command (``_run``) is imported only once the arguments parsed.
"""

from __future__ import annotations

import sys

from ._errors import EXIT_ERROR, EXIT_USAGE, UsageError
from ._parser import parse
from ._printable import printable

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run ``k6cloud`` with ``argv`` (default: ``sys.argv[1:]``) and return its exit code."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parse(argv)
    except UsageError as exc:
        _report_usage_error(exc, json_mode=_wants_json(argv))
        return EXIT_USAGE
    except SystemExit as exc:  # after --help or --version (argparse ignores a closed pipe)
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    from ._run import run

    return run(args)


def _wants_json(argv: list[str]) -> bool:
    """Whether ``--json`` was given (the arguments did not parse, so look for it)."""
    options = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in options


def _report_usage_error(exc: UsageError, *, json_mode: bool) -> None:
    """As argparse reports it (the usage, then ``prog: error: …``), or one JSON object."""
    if json_mode:
        from ._output import Output

        Output(sys.stdout, sys.stderr, json_mode=True).exception(exc)
        return
    sys.stderr.write(f"{exc.usage}{exc.prog}: error: {printable(exc.message)}\n")
    sys.stderr.flush()
