"""``k6cloud script …``: stream a test's script (or .tar archive) down or up."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from ._arguments import positive_int, read_script
from ._script_output import check_output, report_saved, save_to, stream_to_stdout

if TYPE_CHECKING:
    from ._context import Context

__all__ = ["register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    script = commands.add_parser(
        "script", help="test scripts", description="Stream a load test's script down or up."
    )
    actions = script.add_subparsers(dest="action", required=True, metavar="ACTION")

    text = "download a test's script: to stdout, or saved atomically with -o"
    p = actions.add_parser("download", help=text, description=text, parents=[common])
    p.add_argument("test_id", type=positive_int, metavar="ID")
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write to PATH atomically (the file is the whole script, or left as it was)",
    )
    p.set_defaults(handler=download_script)

    text = "replace a test's script with a .js file or a .tar archive"
    p = actions.add_parser("upload", help=text, description=text, parents=[common])
    p.add_argument("test_id", type=positive_int, metavar="ID")
    p.add_argument("script", metavar="PATH", help="a .js file or a .tar archive; - reads stdin")
    p.set_defaults(handler=upload_script)


async def download_script(ctx: Context, args: argparse.Namespace) -> int:
    out = ctx.out
    target: str | None = args.output
    check_output(target)
    bar = ctx.progress(f"download {args.test_id}")
    try:
        async with ctx.client.load_tests.download_script(
            args.test_id, on_progress=bar.on_progress
        ) as download:
            if target is None:
                await stream_to_stdout(out, download)
                return 0
            size = await save_to(download, target)
    finally:
        bar.close()
    report_saved(out, download, target, size, {"test_id": args.test_id})
    return 0


async def upload_script(ctx: Context, args: argparse.Namespace) -> int:
    script = read_script(args.script, ctx.stdin)
    size = len(script) if isinstance(script, bytes) else script.stat().st_size
    label = "stdin" if args.script == "-" else os.path.basename(args.script)
    bar = ctx.progress(f"upload {label}")
    try:
        await ctx.client.load_tests.upload_script(args.test_id, script, on_progress=bar.on_progress)
    finally:
        bar.close()
    ctx.out.line(f"uploaded {size} bytes to load test {args.test_id}")
    if ctx.out.json_mode:
        ctx.out.document({"test_id": args.test_id, "bytes": size})
    return 0
