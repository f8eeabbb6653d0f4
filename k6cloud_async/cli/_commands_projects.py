"""``k6cloud projects …``: list, get, create, rename, delete; limits, load zones, labels."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import k6cloud_async as k6

from ._arguments import positive_int
from ._errors import EXIT_USAGE, CliError
from ._listing import print_items, print_pages
from ._table import Column, format_time, format_value

if TYPE_CHECKING:
    from ._context import Context

__all__ = ["register"]

_COLUMNS = (Column("ID", ">"), Column("NAME"), Column("DEFAULT"), Column("CREATED"))
_LIMIT_NAMES = (
    "vuh_max_per_month",
    "vu_max_per_test",
    "vu_browser_max_per_test",
    "duration_max_per_test",
)
_LIMIT_COLUMNS = (
    Column("PROJECT", ">"),
    Column("VUH/MONTH", ">"),
    Column("VUS/TEST", ">"),
    Column("BROWSER VUS/TEST", ">"),
    Column("SECONDS/TEST", ">"),
)
_ZONE_COLUMNS = (Column("ID", ">"), Column("K6 LOAD ZONE"), Column("NAME"), Column("AVAILABLE"))
_LABEL_COLUMNS = (Column("KEY"), Column("VALUE"))


def limit(text: str) -> int | None:
    """A limit: a positive integer, or ``none`` to remove it."""
    if text.lower() == "none":
        return None
    return positive_int(text)


def label(text: str) -> tuple[str, str]:
    """``KEY=VALUE``."""
    key, sep, value = text.partition("=")
    if not sep or not key or not value:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    projects = commands.add_parser(
        "projects", help="projects", description="Manage projects, their limits, zones and labels."
    )
    actions = projects.add_subparsers(dest="action", required=True, metavar="ACTION")

    def add(name: str, text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=text, description=text, parents=[common])

    p = add("list", "list projects, printing each page as it arrives")
    p.add_argument("--name", help="only the project of exactly this name")
    p.add_argument("--search", metavar="TEXT", help="only projects whose name holds TEXT")
    p.add_argument(
        "--order-by",
        metavar="ORDER",
        help="e.g. 'name', 'created desc,name' (fields: created, name)",
    )
    p.add_argument(
        "--page-size", type=positive_int, default=1000, metavar="N", help="projects per page"
    )
    p.add_argument("--limit", type=positive_int, metavar="N", help="stop after N projects")
    p.set_defaults(handler=list_projects)

    p = add("get", "show one project")
    p.add_argument("project_id", type=positive_int, metavar="ID")
    p.set_defaults(handler=get_project)

    p = add("create", "create a project")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=create_project)

    p = add("rename", "rename a project")
    p.add_argument("project_id", type=positive_int, metavar="ID")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=rename_project)

    p = add("delete", "delete a project (refused while it holds load tests)")
    p.add_argument("project_id", type=positive_int, metavar="ID")
    p.set_defaults(handler=delete_project)

    p = add("limits", "show the limits of projects (all of them when no id is given)")
    p.add_argument("project_ids", type=positive_int, nargs="*", metavar="ID")
    p.set_defaults(handler=show_limits)

    p = add("set-limits", "set project limits; 'none' removes one")
    p.add_argument("project_id", type=positive_int, metavar="ID")
    for name in _LIMIT_NAMES:
        p.add_argument(
            f"--{name.replace('_', '-')}",
            type=limit,
            metavar="N|none",
            dest=name,
            default=argparse.SUPPRESS,  # not given: left as it is (k6.UNSET, not loaded here)
        )
    p.set_defaults(handler=set_limits)

    p = add("zones", "list the private load zones a project may use")
    p.add_argument("project_id", type=positive_int, metavar="ID")
    p.set_defaults(handler=show_zones)

    p = add("set-zones", "allow exactly these load zones (none given: none)")
    p.add_argument("project_id", type=positive_int, metavar="ID")
    p.add_argument("zone_ids", type=positive_int, nargs="*", metavar="ZONE")
    p.set_defaults(handler=set_zones)

    p = add("labels", "list a project's labels")
    p.add_argument("project_id", type=positive_int, metavar="ID")
    p.set_defaults(handler=show_labels)

    p = add("set-labels", "replace a project's labels (none given: remove them all)")
    p.add_argument("project_id", type=positive_int, metavar="ID")
    p.add_argument("labels", type=label, nargs="*", metavar="KEY=VALUE")
    p.set_defaults(handler=set_labels)


async def list_projects(ctx: Context, args: argparse.Namespace) -> int:
    pages = ctx.client.projects.pages(
        name=args.name,
        name_search=args.search,
        order_by=args.order_by,
        page_size=min(args.page_size, args.limit or args.page_size),
    )
    await print_pages(ctx.out, pages, _COLUMNS, _row, limit=args.limit)
    return 0


def _row(project: k6.Project) -> list[str]:
    return [
        str(project.id),
        project.name,
        format_value(project.is_default),
        format_time(project.created),
    ]


async def get_project(ctx: Context, args: argparse.Namespace) -> int:
    ctx.out.model(await ctx.client.projects.get(args.project_id))
    return 0


async def create_project(ctx: Context, args: argparse.Namespace) -> int:
    ctx.out.model(await ctx.client.projects.create(args.name))
    return 0


async def rename_project(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.projects.update(args.project_id, name=args.name)
    ctx.out.line(f"renamed project {args.project_id} to {args.name!r}")
    if ctx.out.json_mode:
        ctx.out.document({"id": args.project_id, "name": args.name})
    return 0


async def delete_project(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.projects.delete(args.project_id)
    ctx.out.line(f"deleted project {args.project_id}")
    if ctx.out.json_mode:
        ctx.out.document({"id": args.project_id, "deleted": True})
    return 0


async def show_limits(ctx: Context, args: argparse.Namespace) -> int:
    if len(args.project_ids) == 1:
        ctx.out.model(await ctx.client.projects.get_limits(args.project_ids[0]))
        return 0
    ids = args.project_ids or None
    limits = [item async for item in ctx.client.projects.list_limits(project_ids=ids)]
    print_items(ctx.out, limits, _LIMIT_COLUMNS, _limits_row)
    return 0


def _limits_row(limits: k6.ProjectLimits) -> list[str]:
    return [str(limits.project_id)] + [format_value(getattr(limits, n)) for n in _LIMIT_NAMES]


async def set_limits(ctx: Context, args: argparse.Namespace) -> int:
    given = {name: getattr(args, name) for name in _LIMIT_NAMES if hasattr(args, name)}
    if not given:
        options = ", ".join(f"--{name.replace('_', '-')}" for name in _LIMIT_NAMES)
        raise CliError(f"give at least one of {options}", EXIT_USAGE)
    await ctx.client.projects.update_limits(args.project_id, **given)
    ctx.out.model(await ctx.client.projects.get_limits(args.project_id))
    return 0


async def show_zones(ctx: Context, args: argparse.Namespace) -> int:
    zones = await ctx.client.projects.allowed_load_zones(args.project_id)
    print_items(ctx.out, zones, _ZONE_COLUMNS, _zone_row)
    return 0


async def set_zones(ctx: Context, args: argparse.Namespace) -> int:
    zones = await ctx.client.projects.set_allowed_load_zones(args.project_id, args.zone_ids)
    print_items(ctx.out, zones, _ZONE_COLUMNS, _zone_row)
    return 0


def _zone_row(zone: k6.AllowedLoadZone) -> list[str]:
    return [str(zone.id), zone.k6_load_zone_id, zone.name, format_value(zone.available)]


async def show_labels(ctx: Context, args: argparse.Namespace) -> int:
    labels = await ctx.client.projects.labels(args.project_id)
    print_items(ctx.out, labels, _LABEL_COLUMNS, _label_row)
    return 0


async def set_labels(ctx: Context, args: argparse.Namespace) -> int:
    labels = dict(args.labels)
    if len(labels) != len(args.labels):
        raise CliError("each label KEY may be given once", EXIT_USAGE)
    answer = await ctx.client.projects.set_labels(args.project_id, labels)
    print_items(ctx.out, answer, _LABEL_COLUMNS, _label_row)
    return 0


def _label_row(item: k6.ProjectLabel) -> list[str]:
    return [item.key, item.value]
