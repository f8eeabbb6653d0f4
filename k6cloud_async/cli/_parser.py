"""The ``k6cloud`` argument parser: global options, then one module per command group.

Building the parser imports only the command modules' declarations: each module's top
level holds argparse and the standard library only (the library itself is reached through
``k6cloud_async``'s lazy names, inside the handlers), so ``k6cloud --help`` answers without
loading aiohttp (tests/test_cli_startup.py checks it). A new command group is a module with
``register(commands, common)``, listed in ``COMMAND_GROUPS``.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

import k6cloud_async as k6

from . import (
    _commands_labels,
    _commands_login,
    _commands_options,
    _commands_projects,
    _commands_runs,
    _commands_schedules,
    _commands_scripts,
    _commands_tests,
    _commands_zones,
    _completion,
    _demo,
    _fake_server,
)
from ._arguments import GLOBAL_DEFAULTS, add_global_options
from ._errors import UsageError

__all__ = ["COMMAND_GROUPS", "build_parser", "parse"]

#: The modules that declare the commands, in the order ``--help`` lists them.
COMMAND_GROUPS = (
    _commands_tests,
    _commands_scripts,
    _commands_runs,
    _commands_projects,
    _commands_options,
    _commands_zones,
    _commands_labels,
    _commands_login,
    _commands_schedules,
    _fake_server,
    _demo,
    _completion,
)

_EPILOG = """\
configuration: --token/--token-file, --stack-id (or --stack-url) and --base-url fall back to
K6_CLOUD_TOKEN, K6_CLOUD_STACK_ID (or K6_CLOUD_STACK_URL) and K6_CLOUD_HOST_V6, as the
library does.

exit codes: 0 success; 1 an error (one line on stderr; with --json one JSON object);
2 a usage error; 130 Ctrl-C; 143 SIGTERM;
tests start --wait and runs wait: 99 thresholds crossed, 97 the run ended in error or was aborted.
"""


class _Parser(argparse.ArgumentParser):
    """No abbreviated options (a script's ``--to`` must not turn into ``--token``), and a
    usage error raised as ``UsageError`` so that ``--json`` can report it as JSON."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, prog=self.prog, usage=self.format_usage())


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    add_global_options(common)
    parser = _Parser(
        prog="k6cloud",
        description="Grafana Cloud k6 load tests from the command line (Tests REST API v6).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {k6.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(commands, common)
    return parser


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The parsed arguments, with every global option present.

    Raises ``UsageError`` on misuse, and ``SystemExit(0)`` after printing ``--help`` or
    ``--version``.
    """
    args = build_parser().parse_args(argv)
    for name, default in GLOBAL_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, default)
    return args
