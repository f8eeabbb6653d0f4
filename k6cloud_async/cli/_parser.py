"""The ``k6cloud`` argument parser: global options, then one command module per area."""

from __future__ import annotations

import argparse
from typing import Any

import k6cloud_async as k6

from . import (
    _commands_options,
    _commands_runs,
    _commands_schedules,
    _commands_scripts,
    _commands_tests,
    _demo,
    _fake_server,
)
from ._arguments import GLOBAL_DEFAULTS, add_global_options

__all__ = ["build_parser", "parse"]

_EPILOG = """\
configuration: --token/--token-file, --stack-id and --base-url fall back to K6_CLOUD_TOKEN,
K6_CLOUD_STACK_ID and K6_CLOUD_HOST_V6, as the library does.

exit codes: 0 success; 1 an error (one line on stderr); 2 a usage error;
tests start --wait and runs wait: 99 thresholds crossed, 97 the run ended in error or was aborted.
"""


class _Parser(argparse.ArgumentParser):
    """No abbreviated options: a script's ``--to`` must not turn into ``--token``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


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
    for module in (
        _commands_tests,
        _commands_scripts,
        _commands_runs,
        _commands_options,
        _commands_schedules,
        _fake_server,
        _demo,
    ):
        module.register(commands, common)
    return parser


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The parsed arguments, with every global option present (argparse exits 2 on misuse)."""
    args = build_parser().parse_args(argv)
    for name, default in GLOBAL_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, default)
    return args
