"""``k6cloud completion SHELL``: print a tab-completion script for bash, zsh or tcsh.

The script is generated from the parser itself by shtab (the ``completion`` extra), so it
knows every command and option; it is static: completing runs no Python.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Final

from ._errors import CliError

if TYPE_CHECKING:
    from ._output import Output

__all__ = ["SHELLS", "register"]

SHELLS: Final = ("bash", "zsh", "tcsh")
#: Arguments that name a file, completed with file names.
_FILE_METAVARS: Final = frozenset({"PATH", "SCRIPT", "OPTIONS.json"})


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    text = "print a shell completion script (needs the 'completion' extra)"
    p = commands.add_parser(
        "completion",
        help=text,
        description=f'{text}. bash: eval "$(k6cloud completion bash)"; see docs/cli.md.',
        parents=[common],
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(local_handler=run)


def run(args: argparse.Namespace, out: Output) -> int:
    out.stdout.write(completion_script(args.shell))
    out.stdout.flush()
    return 0


def completion_script(shell: str) -> str:
    """The completion script of ``k6cloud`` for ``shell``; a CliError without shtab."""
    try:
        import shtab
    except ImportError:
        raise CliError(
            "shell completion needs shtab: pip install 'k6cloud-async[completion]'"
        ) from None
    from ._parser import build_parser  # here: _parser imports this module

    parser = build_parser()
    _complete_files(parser, shtab.FILE)
    script: str = shtab.complete(parser, shell=shell)
    return script


def _complete_files(parser: argparse.ArgumentParser, files: object) -> None:
    """Mark every argument naming a file (``PATH``, ``SCRIPT``, …) for file-name completion."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _complete_files(sub, files)
        elif action.metavar in _FILE_METAVARS:
            action.complete = files  # type: ignore[attr-defined]  # read by shtab
