"""``k6cloud runs note|star|unstar|save|unsave|delete|script|distribution``, and the
date-time arguments of ``runs list``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import k6cloud_async as k6

from ._arguments import positive_int
from ._printable import printable
from ._script_output import check_output, report_saved, save_to, stream_to_stdout
from ._table import Column

if TYPE_CHECKING:
    from ._context import Context

__all__ = ["aware_datetime", "register", "show_distribution"]

AddCommand = Callable[[str, str], argparse.ArgumentParser]

_DISTRIBUTION_COLUMNS: Final = (
    Column("LOAD ZONE"),
    Column("PERCENT", ">"),
    Column("SIZE"),
    Column("PUBLIC IP"),
)
#: The run state commands: the verb printed, the library method, the JSON field set.
_STATE_CHANGES: Final = {
    "star": ("starred", "star", ("is_starred", True)),
    "unstar": ("unstarred", "unstar", ("is_starred", False)),
    "save": ("saved", "save", ("saved", True)),
    "unsave": ("unsaved", "unsave", ("saved", False)),
}


def aware_datetime(text: str) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is UTC, as the API reads it."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 date-time such as 2025-08-01T12:00:00Z, got {text!r}"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def register(add: AddCommand) -> None:
    """Declare the commands under ``k6cloud runs`` (``add(name, help)`` makes one)."""
    p = add("note", "set a test run's note (an empty NOTE clears it)")
    p.add_argument("run_id", type=positive_int, metavar="ID")
    p.add_argument("note", metavar="NOTE")
    p.set_defaults(handler=note_run)

    texts = {
        "star": "star a test run (for comparisons; retention is unchanged)",
        "unstar": "unstar a test run",
        "save": "keep a test run's results past their retention (deprecated by the API: star)",
        "unsave": "let a saved test run's results expire again (deprecated by the API: unstar)",
    }
    for name, text in texts.items():
        p = add(name, text)
        p.add_argument("run_id", type=positive_int, metavar="ID")
        p.set_defaults(handler=change_run_state, change=name)

    p = add("delete", "delete a test run that has ended, and its results")
    p.add_argument("run_id", type=positive_int, metavar="ID")
    p.set_defaults(handler=delete_run)

    p = add("script", "download the script a run ran: to stdout, or saved atomically with -o")
    p.add_argument("run_id", type=positive_int, metavar="ID")
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write to PATH atomically (the file is the whole script, or left as it was)",
    )
    p.set_defaults(handler=download_run_script)

    p = add("distribution", "show a run's load zones, their share of the load and their nodes")
    p.add_argument("run_id", type=positive_int, metavar="ID")
    p.set_defaults(handler=distribution_of_run)


async def note_run(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.test_runs.update(args.run_id, note=args.note)
    ctx.out.line(
        f"noted run {args.run_id}" if args.note else f"cleared the note of run {args.run_id}"
    )
    if ctx.out.json_mode:
        ctx.out.document({"id": args.run_id, "note": args.note})
    return 0


async def change_run_state(ctx: Context, args: argparse.Namespace) -> int:
    verb, method, (field, value) = _STATE_CHANGES[args.change]
    await getattr(ctx.client.test_runs, method)(args.run_id)
    ctx.out.line(f"{verb} run {args.run_id}")
    if ctx.out.json_mode:
        ctx.out.document({"id": args.run_id, field: value})
    return 0


async def delete_run(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.test_runs.delete(args.run_id)
    ctx.out.line(f"deleted run {args.run_id}")
    if ctx.out.json_mode:
        ctx.out.document({"id": args.run_id, "deleted": True})
    return 0


async def download_run_script(ctx: Context, args: argparse.Namespace) -> int:
    out = ctx.out
    target: str | None = args.output
    check_output(target)
    bar = ctx.progress(f"script of run {args.run_id}")
    try:
        async with ctx.client.test_runs.download_script(
            args.run_id, on_progress=bar.on_progress
        ) as download:
            if target is None:
                await stream_to_stdout(out, download)
                return 0
            size = await save_to(download, target)
    finally:
        bar.close()
    report_saved(out, download, target, size, {"run_id": args.run_id})
    return 0


async def distribution_of_run(ctx: Context, args: argparse.Namespace) -> int:
    distribution = await ctx.client.test_runs.distribution(args.run_id)
    show_distribution(ctx, distribution)
    return 0


def show_distribution(ctx: Context, distribution: dict[str, k6.LoadZoneDistribution]) -> None:
    """One row per node (``-`` for a zone without nodes), or the API's JSON shape."""
    if ctx.out.json_mode:
        ctx.out.document({"distribution": {z: k6.to_dict(p) for z, p in distribution.items()}})
        return
    rows: list[list[str]] = []
    for zone, part in distribution.items():
        nodes: list[Any] = list(part.nodes) or [None]
        for node in nodes:
            rows.append(
                [
                    printable(zone),
                    str(part.percentage),
                    "-" if node is None else printable(node.size),
                    "-" if node is None else printable(node.public_ip),
                ]
            )
    ctx.out.table(_DISTRIBUTION_COLUMNS).write(rows)
