"""``k6cloud demo``: a real workflow with the library, against an in-process FakeK6Cloud."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._output import Output

__all__ = ["register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    text = "walk through a workflow with the library against an in-process fake API"
    p = commands.add_parser("demo", help=text, description=text, parents=[common])
    p.set_defaults(local_handler=run)


def run(args: argparse.Namespace, out: Output) -> int:
    import asyncio

    from ._demo_walkthrough import demo  # the fake, tarfile, tempfile: not for --help

    asyncio.run(demo(out.stdout))
    return 0
