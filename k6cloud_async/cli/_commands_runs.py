"""``k6cloud runs …``: get, list, abort and wait for test runs, with CI exit codes (and,
from ``_commands_run_state``, note, star, save, delete, script and distribution)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Final

import k6cloud_async as k6

from . import _commands_run_state
from ._arguments import page_size, positive_float, positive_int
from ._commands_run_state import aware_datetime
from ._errors import EXIT_USAGE, CliError
from ._listing import print_pages
from ._table import Column, format_value

if TYPE_CHECKING:
    from ._context import Context

__all__ = [
    "EXIT_RUN_ERROR",
    "EXIT_THRESHOLDS_FAILED",
    "add_wait_options",
    "register",
    "run_exit_code",
    "wait_for_run",
]

#: ``k6 cloud run``'s exit codes: thresholds crossed (the result ``failed``) …
EXIT_THRESHOLDS_FAILED: Final = 99
#: … and a run that ended in error or was aborted.
EXIT_RUN_ERROR: Final = 97
#: The longest wait between two polls (the library's default), unless --poll-interval is longer.
_MAX_POLL_INTERVAL: Final = 30.0

_COLUMNS = (
    Column("ID", ">"),
    Column("TEST", ">"),
    Column("STATUS", width=18),
    Column("RESULT", width=6),
    Column("CREATED", width=20),
    Column("ENDED"),
)


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    runs = commands.add_parser("runs", help="test runs", description="Follow test runs.")
    actions = runs.add_subparsers(dest="action", required=True, metavar="ACTION")

    def add(name: str, text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=text, description=text, parents=[common])

    p = add("list", "list test runs (of one load test with --test), page by page")
    p.add_argument("--test", type=positive_int, metavar="ID", help="only this load test's runs")
    p.add_argument(
        "--since",
        type=aware_datetime,
        metavar="TIME",
        help="runs created at or after TIME (ISO 8601; without an offset, UTC)",
    )
    p.add_argument("--until", type=aware_datetime, metavar="TIME", help="runs created before TIME")
    p.add_argument("--starred", action="store_true", help="only starred runs (with --test)")
    p.add_argument(
        "--order-by",
        choices=["created", "created desc"],
        help="order by creation time (with --test)",
    )
    p.add_argument(
        "--page-size", type=page_size, default=1000, metavar="N", help="runs per page (1-1000)"
    )
    p.add_argument("--limit", type=positive_int, metavar="N", help="stop after N runs")
    p.set_defaults(handler=list_runs)

    p = add("get", "show one test run")
    p.add_argument("run_id", type=positive_int, metavar="ID")
    p.set_defaults(handler=get_run)

    p = add("abort", "abort a test run that is going on")
    p.add_argument("run_id", type=positive_int, metavar="ID")
    p.set_defaults(handler=abort_run)

    p = add("wait", "wait for a test run to finish; exit 0 passed, 99 failed, 97 error/aborted")
    p.add_argument("run_id", type=positive_int, metavar="ID")
    add_wait_options(p)
    p.set_defaults(handler=wait_run)

    _commands_run_state.register(add)


def add_wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll-interval",
        type=positive_float,
        default=5.0,
        metavar="S",
        help="first wait between polls, growing to 30 s while nothing changes (default: 5)",
    )
    parser.add_argument(
        "--wait-timeout",
        type=positive_float,
        metavar="S",
        help="stop waiting after S seconds: exit 1, the run goes on (default: no limit)",
    )


def run_exit_code(run: k6.TestRun) -> int:
    """As ``k6 cloud run``: 0 passed, 99 thresholds crossed, 97 ended in error or aborted."""
    if run.result == "failed":
        return EXIT_THRESHOLDS_FAILED
    if run.status == "completed" and run.result == "passed":
        return 0
    return EXIT_RUN_ERROR


def _verdict(run: k6.TestRun) -> str:
    message = (run.result_details or {}).get("message")
    reason = f": {message}" if isinstance(message, str) and message else ""
    if run.result == "failed":
        return f"run {run.id} failed: thresholds crossed{reason}"
    if run.status == "completed" and run.result == "passed":
        return f"run {run.id} passed"
    if run.status == "aborted":
        return f"run {run.id} was aborted{reason}"
    return f"run {run.id} ended in error ({run.status}, result {run.result}){reason}"


async def wait_for_run(ctx: Context, run_id: int, args: argparse.Namespace) -> int:
    """Poll until the run ends, noting each status on stderr; print it; its exit code.

    Stopped (Ctrl-C, SIGTERM) it says which run goes on, and how to abort it.
    """
    import asyncio  # loaded by now (the command runs in it); not needed for --help

    def on_update(run: k6.TestRun) -> None:
        ctx.out.note(f"run {run.id}: {run.status}")

    try:
        run = await ctx.client.test_runs.wait(
            run_id,
            poll_interval=args.poll_interval,
            max_poll_interval=max(_MAX_POLL_INTERVAL, args.poll_interval),
            max_wait=args.wait_timeout,
            on_update=on_update,
        )
    except k6.WaitTimeoutError as exc:
        status = exc.run.status if exc.run is not None else "unknown"
        raise CliError(
            f"run {run_id} did not finish within {args.wait_timeout:g} s (status: {status}); "
            f"it goes on: stop it with 'k6cloud runs abort {run_id}'"
        ) from None
    except asyncio.CancelledError:
        ctx.out.note(f"stopped waiting; run {run_id} goes on: 'k6cloud runs abort {run_id}'")
        raise
    ctx.out.model(run)
    ctx.out.note(_verdict(run))
    return run_exit_code(run)


def _row(run: k6.TestRun) -> list[str]:
    return [
        str(run.id),
        str(run.test_id),
        run.status,
        format_value(run.result),
        format_value(run.created),
        format_value(run.ended),
    ]


async def list_runs(ctx: Context, args: argparse.Namespace) -> int:
    for given, option in ((args.starred, "--starred"), (args.order_by, "--order-by")):
        if given and args.test is None:
            # The API offers both only for one load test's runs.
            raise CliError(f"{option} needs --test", EXIT_USAGE)
    pages = ctx.client.test_runs.pages(
        test_id=args.test,
        created_after=args.since,
        created_before=args.until,
        is_starred=True if args.starred else None,
        order_by=args.order_by,
        page_size=min(args.page_size, args.limit or args.page_size),
    )
    await print_pages(ctx.out, pages, _COLUMNS, _row, limit=args.limit)
    return 0


async def get_run(ctx: Context, args: argparse.Namespace) -> int:
    ctx.out.model(await ctx.client.test_runs.get(args.run_id))
    return 0


async def abort_run(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.test_runs.abort(args.run_id)
    ctx.out.line(f"aborted run {args.run_id}")
    if ctx.out.json_mode:
        ctx.out.document({"id": args.run_id, "aborted": True})
    return 0


async def wait_run(ctx: Context, args: argparse.Namespace) -> int:
    return await wait_for_run(ctx, args.run_id, args)
