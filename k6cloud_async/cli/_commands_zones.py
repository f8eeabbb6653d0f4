"""``k6cloud zones list|projects|set-projects``: load zones and who may use private ones."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._arguments import positive_int
from ._errors import EXIT_USAGE, CliError

if TYPE_CHECKING:
    from ._context import Context

__all__ = ["register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    text = "load zones: list them; read or set the projects allowed to use a private one"
    group = commands.add_parser("zones", help=text, description=text, parents=[common])
    zones = group.add_subparsers(dest="zones_command", required=True, metavar="ACTION")

    text = "list the stack's load zones, public and private"
    p = zones.add_parser("list", help=text, description=text, parents=[common])
    p.add_argument(
        "--k6-id", metavar="NAME", help="only the zone scripts call NAME (amazon:us:ashburn)"
    )
    p.set_defaults(handler=list_zones)

    text = "list the projects allowed to use a private load zone"
    p = zones.add_parser("projects", help=text, description=text, parents=[common])
    p.add_argument("zone_id", type=positive_int, metavar="ZONE_ID")
    p.set_defaults(handler=zone_projects)

    text = "allow exactly these projects to use a private load zone (a full replacement)"
    p = zones.add_parser("set-projects", help=text, description=text, parents=[common])
    p.add_argument("zone_id", type=positive_int, metavar="ZONE_ID")
    p.add_argument("project_ids", type=positive_int, nargs="*", metavar="PROJECT_ID")
    p.add_argument("--none", action="store_true", help="allow no project (give no PROJECT_ID)")
    p.set_defaults(handler=set_zone_projects)


async def list_zones(ctx: Context, args: argparse.Namespace) -> int:
    from ._output import Column

    zones = await ctx.client.load_zones.list(k6_load_zone_id=args.k6_id)
    _print(
        ctx,
        zones,
        [
            Column("ID", ">"),
            Column("K6 ID"),
            Column("NAME"),
            Column("PUBLIC"),
            Column("AVAILABLE"),
            Column("IMAGE"),
        ],
        lambda z: [
            str(z.id),
            z.k6_load_zone_id,
            z.name,
            z.public,
            z.available,
            z.custom_load_runner_image,
        ],
    )
    return 0


async def zone_projects(ctx: Context, args: argparse.Namespace) -> int:
    projects = await ctx.client.load_zones.allowed_projects(args.zone_id)
    _print_projects(ctx, projects)
    return 0


async def set_zone_projects(ctx: Context, args: argparse.Namespace) -> int:
    if bool(args.project_ids) == args.none:
        raise CliError(
            "give the PROJECT_IDs to allow, or --none to allow no project", exit_code=EXIT_USAGE
        )
    projects = await ctx.client.load_zones.set_allowed_projects(args.zone_id, args.project_ids)
    _print_projects(ctx, projects)
    return 0


def _print_projects(ctx: Context, projects: list[Any]) -> None:
    from ._output import Column

    _print(ctx, projects, [Column("ID", ">"), Column("NAME")], lambda p: [str(p.id), p.name])


def _print(ctx: Context, items: list[Any], columns: list[Any], row: Any) -> None:
    """JSON Lines with --json, else a table whose API strings have controls escaped."""
    import k6cloud_async as k6

    from ._output import format_value
    from ._printable import printable

    if ctx.out.json_mode:
        ctx.out.json_lines(k6.to_dict(item) for item in items)
        return
    ctx.out.table(columns).write(
        [printable(format_value(cell)) for cell in row(item)] for item in items
    )
