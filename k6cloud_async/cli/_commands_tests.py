"""``k6cloud tests …``: list, get, create, rename, delete, move, upsert, start."""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import k6cloud_async as k6

from ._arguments import (
    idempotency_key,
    load_test_name,
    order_by,
    page_size,
    positive_int,
    read_script,
)
from ._bulk_report import report_each
from ._commands_runs import add_wait_options, wait_for_run
from ._errors import CliError, describe
from ._listing import print_pages
from ._table import Column, format_time

if TYPE_CHECKING:
    from pathlib import Path

    from ._context import Context

__all__ = ["register"]

T = TypeVar("T")

_COLUMNS = (Column("ID", ">"), Column("PROJECT", ">"), Column("NAME"), Column("UPDATED"))


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    tests = commands.add_parser("tests", help="load tests", description="Manage load tests.")
    actions = tests.add_subparsers(dest="action", required=True, metavar="ACTION")

    def add(name: str, text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=text, description=text, parents=[common])

    p = add("list", "list load tests, printing each page as it arrives")
    p.add_argument("--project", type=positive_int, metavar="ID", help="only this project's tests")
    p.add_argument("--name", type=load_test_name, help="only tests with this name")
    p.add_argument(
        "--order-by",
        type=order_by,
        metavar="ORDER",
        help="e.g. 'name', 'updated desc,id' (fields: id, project_id, name, created, updated)",
    )
    p.add_argument(
        "--page-size", type=page_size, default=1000, metavar="N", help="tests per page (1-1000)"
    )
    p.add_argument("--limit", type=positive_int, metavar="N", help="stop after N tests")
    p.set_defaults(handler=list_tests)

    p = add("get", "show one load test")
    p.add_argument("test_id", type=positive_int, metavar="ID")
    p.set_defaults(handler=get_test)

    p = add("create", "create a load test from a script or a k6 .tar archive")
    p.add_argument("project_id", type=positive_int, metavar="PROJECT")
    p.add_argument("name", type=load_test_name, metavar="NAME")
    p.add_argument("script", metavar="SCRIPT", help="a .js file or a .tar archive; - reads stdin")
    p.set_defaults(handler=create_test)

    p = add("upsert", "replace the script of the project's test of that name, or create it")
    p.add_argument("project_id", type=positive_int, metavar="PROJECT")
    p.add_argument("name", type=load_test_name, metavar="NAME")
    p.add_argument("script", metavar="SCRIPT", help="a .js file or a .tar archive; - reads stdin")
    p.set_defaults(handler=upsert_test)

    p = add("rename", "rename a load test")
    p.add_argument("test_id", type=positive_int, metavar="ID")
    p.add_argument("name", type=load_test_name, metavar="NAME")
    p.set_defaults(handler=rename_test)

    p = add("delete", "delete load tests (several at once when given several ids)")
    p.add_argument("test_ids", type=positive_int, nargs="+", metavar="ID")
    p.set_defaults(handler=delete_tests)

    p = add("move", "move load tests to another project")
    p.add_argument("test_ids", type=positive_int, nargs="+", metavar="ID")
    p.add_argument("--to", type=positive_int, required=True, metavar="PROJECT", dest="project_id")
    p.set_defaults(handler=move_tests)

    p = add("start", "start a run; with --wait, exit as 'k6 cloud run' does (0, 99 or 97)")
    p.add_argument("test_id", type=positive_int, metavar="ID")
    p.add_argument("--wait", action="store_true", help="wait for the run to finish")
    p.add_argument(
        "--idempotency-key",
        type=idempotency_key,
        metavar="KEY",
        help="K6-Idempotency-Key (1-36 characters): the same key within 10 minutes "
        "returns the same run instead of starting another",
    )
    add_wait_options(p)
    p.set_defaults(handler=start_test)


def _unique(ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(ids))


async def list_tests(ctx: Context, args: argparse.Namespace) -> int:
    pages = ctx.client.load_tests.pages(
        project_id=args.project,
        name=args.name,
        order_by=args.order_by,
        page_size=min(args.page_size, args.limit or args.page_size),
    )
    await print_pages(ctx.out, pages, _COLUMNS, _row, limit=args.limit)
    return 0


def _row(test: k6.LoadTest) -> list[str]:
    return [str(test.id), str(test.project_id), test.name, format_time(test.updated)]


async def get_test(ctx: Context, args: argparse.Namespace) -> int:
    ctx.out.model(await ctx.client.load_tests.get(args.test_id))
    return 0


def _script(ctx: Context, argument: str) -> tuple[bytes | Path, str]:
    script = read_script(argument, ctx.stdin)
    return script, ("stdin" if argument == "-" else os.path.basename(argument))


async def create_test(ctx: Context, args: argparse.Namespace) -> int:
    ctx.out.model(await _send_test(ctx, args, ctx.client.load_tests.create))
    return 0


async def upsert_test(ctx: Context, args: argparse.Namespace) -> int:
    """The test, and whether it was created or its script replaced: a line saying which
    above the test's fields, or with --json ``{"created": bool, "load_test": {…}}``."""
    test, created = await _send_test(ctx, args, ctx.client.load_tests.upsert)
    if ctx.out.json_mode:
        ctx.out.document({"created": created, "load_test": k6.to_dict(test)})
        return 0
    where = f"load test {test.id} {test.name!r} in project {test.project_id}"
    ctx.out.line(f"created {where}" if created else f"updated {where}: script replaced")
    ctx.out.model(test)
    return 0


async def _send_test(
    ctx: Context, args: argparse.Namespace, send: Callable[..., Awaitable[T]]
) -> T:
    """``create`` or ``upsert``: the script from a path (or stdin), with a progress bar."""
    script, label = _script(ctx, args.script)
    bar = ctx.progress(f"upload {label}")
    try:
        return await send(args.project_id, args.name, script, on_progress=bar.on_progress)
    finally:
        bar.close()


async def rename_test(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.load_tests.update(args.test_id, name=args.name)
    ctx.out.line(f"renamed load test {args.test_id} to {args.name!r}")
    if ctx.out.json_mode:
        ctx.out.document({"id": args.test_id, "name": args.name})
    return 0


async def delete_tests(ctx: Context, args: argparse.Namespace) -> int:
    tests = ctx.client.load_tests
    return await report_each(
        ctx,
        _unique(args.test_ids),
        verb="deleted",
        one=tests.delete,
        many=lambda ids: tests.delete_many(ids, ordered=True),
    )


async def move_tests(ctx: Context, args: argparse.Namespace) -> int:
    tests = ctx.client.load_tests
    project_id: int = args.project_id

    async def one(test_id: int) -> None:
        await tests.move(test_id, project_id)

    def many(ids: list[int]) -> AsyncIterator[k6.Outcome[int, None]]:
        return tests.move_many(ids, project_id, ordered=True)

    return await report_each(
        ctx,
        _unique(args.test_ids),
        verb="moved",
        suffix=f" to project {project_id}",
        one=one,
        many=many,
    )


async def start_test(ctx: Context, args: argparse.Namespace) -> int:
    key: str = args.idempotency_key or k6.new_idempotency_key()
    try:
        run = await ctx.client.load_tests.start(args.test_id, idempotency_key=key)
    except k6.K6CloudError as exc:
        if isinstance(exc, k6.APIError) and exc.status < 500 and exc.status != 429:
            raise
        # The run may have started: the same key within 10 minutes will not start another.
        raise CliError(
            f"{describe(exc)} (the run may have started: try again with "
            f"--idempotency-key {key} within 10 minutes)",
            cause=exc,
            fields={"idempotency_key": key},
        ) from None
    if not args.wait:
        ctx.out.model(run)
        return 0
    ctx.out.note(
        f"started run {run.id} of load test {run.test_id}"
        + (f": {run.test_run_details_page_url}" if run.test_run_details_page_url else "")
    )
    return await wait_for_run(ctx, run.id, args)
