"""MkDocs hook: the ``<!-- k6cloud-usage -->`` marker becomes every command's ``--help``.

The usage is printed by the installed parser when the site is built, so the reference can
not drift from the command line.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from typing import Any

MARKER = "<!-- k6cloud-usage -->"
#: The width argparse wraps to (it reads $COLUMNS), so the page does not depend on a terminal.
WIDTH = "100"


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """The parser and each subcommand's parser, depth first, in declaration order."""
    yield path, parser
    # argparse offers its subcommands through these private names only.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:  # an alias names the same parser again
                    seen.add(id(sub))
                    yield from _commands(sub, (*path, name))


def usage_markdown() -> str:
    from k6cloud_async.cli._parser import build_parser

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        sections = []
        for path, parser in _commands(build_parser()):
            title = " ".join(("k6cloud", *path))
            sections.append(f"## `{title}`\n\n```text\n{parser.format_help().rstrip()}\n```\n")
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return "\n".join(sections)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, usage_markdown())
    return markdown
