"""``k6cloud login --stack-url URL``: check the token and print the stack's settings."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import k6cloud_async as k6

from ._errors import CliError

if TYPE_CHECKING:
    from ._context import Context

__all__ = ["register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    text = (
        "check the token's access to the stack at --stack-url (or $K6_CLOUD_STACK_URL) and "
        "print the export lines of its stack id and default project"
    )
    p = commands.add_parser("login", help=text, description=text, parents=[common])
    p.set_defaults(handler=login)


async def login(ctx: Context, args: argparse.Namespace) -> int:
    """``export K6_CLOUD_STACK_ID=…`` and ``export K6_CLOUD_PROJECT_ID=…``; with --json the
    API's answer as one JSON object."""
    from .._constants import ENV_STACK_ID  # imports aiohttp: not at the module's top

    if ctx.client.stack_url is None:
        raise CliError("login needs the stack's URL: pass --stack-url or set K6_CLOUD_STACK_URL")
    answer = await ctx.client.authenticate()
    if ctx.out.json_mode:
        ctx.out.document(k6.to_dict(answer))
    else:
        ctx.out.line(f"export {ENV_STACK_ID}={answer.stack_id}")
        ctx.out.line(f"export K6_CLOUD_PROJECT_ID={answer.default_project_id}")
    return 0
