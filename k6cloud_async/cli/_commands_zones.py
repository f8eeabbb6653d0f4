"""``k6cloud zones list|projects|set-projects``: load zones and who may use private ones."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import k6cloud_async as k6

from ._arguments import positive_int
from ._errors import EXIT_USAGE, CliError
from ._listing import print_items
from ._table import Column, format_value

if TYPE_CHECKING:
    from ._context import Context

__all__ = ["register"]

_ZONE_COLUMNS = (
    Column("ID", ">"),
    Column("K6 ID"),
    Column("NAME"),
    Column("PUBLIC"),
    Column("AVAILABLE"),
    Column("IMAGE"),
)
_PROJECT_COLUMNS = (Column("ID", ">"), Column("NAME"))


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
    zones = await ctx.client.load_zones.list(k6_load_zone_id=args.k6_id)
    print_items(ctx.out, zones, _ZONE_COLUMNS, _zone_row)
    return 0


def _zone_row(zone: k6.LoadZone) -> list[str]:
    return [
        str(zone.id),
        zone.k6_load_zone_id,
        zone.name,
        format_value(zone.public),
        format_value(zone.available),
        format_value(zone.custom_load_runner_image),
    ]


async def zone_projects(ctx: Context, args: argparse.Namespace) -> int:
    projects = await ctx.client.load_zones.allowed_projects(args.zone_id)
    print_items(ctx.out, projects, _PROJECT_COLUMNS, _project_row)
    return 0


async def set_zone_projects(ctx: Context, args: argparse.Namespace) -> int:
    if bool(args.project_ids) == args.none:
        raise CliError(
            "give the PROJECT_IDs to allow, or --none to allow no project", exit_code=EXIT_USAGE
        )
    projects = await ctx.client.load_zones.set_allowed_projects(args.zone_id, args.project_ids)
    print_items(ctx.out, projects, _PROJECT_COLUMNS, _project_row)
    return 0


def _project_row(project: k6.AllowedProject) -> list[str]:
    return [str(project.id), project.name]
