"""``k6cloud labels list|create|rename|delete``: the organization's label keys."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import k6cloud_async as k6

from ._arguments import positive_int
from ._listing import print_items
from ._table import Column, format_value

if TYPE_CHECKING:
    from ._context import Context

__all__ = ["register"]

_COLUMNS = (Column("ID", ">"), Column("KEY"), Column("DESCRIPTION"))


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    text = "label keys: list, create, rename or delete them"
    group = commands.add_parser("labels", help=text, description=text, parents=[common])
    labels = group.add_subparsers(dest="labels_command", required=True, metavar="ACTION")

    text = "list the label keys"
    p = labels.add_parser("list", help=text, description=text, parents=[common])
    p.set_defaults(handler=list_labels)

    text = "add label keys (KEY, or KEY=DESCRIPTION); existing keys are kept"
    p = labels.add_parser("create", help=text, description=text, parents=[common])
    p.add_argument("keys", nargs="+", metavar="KEY[=DESCRIPTION]")
    p.set_defaults(handler=create_labels)

    text = "rename a label key (and optionally describe it)"
    p = labels.add_parser("rename", help=text, description=text, parents=[common])
    p.add_argument("label_id", type=positive_int, metavar="LABEL_ID")
    p.add_argument("key", metavar="NEW_KEY")
    p.add_argument("--description", metavar="TEXT", help="set its description too")
    p.set_defaults(handler=rename_label)

    text = "delete a label key, and every project label that uses it"
    p = labels.add_parser("delete", help=text, description=text, parents=[common])
    p.add_argument("label_id", type=positive_int, metavar="LABEL_ID")
    p.set_defaults(handler=delete_label)


def parse_keys(arguments: list[str]) -> dict[str, str | None]:
    """``["team", "env=Environment"]`` → ``{"team": None, "env": "Environment"}`` (a key
    repeated keeps its last description)."""
    keys: dict[str, str | None] = {}
    for argument in arguments:
        key, sep, description = argument.partition("=")
        keys[key] = description if sep else None
    return keys


async def list_labels(ctx: Context, args: argparse.Namespace) -> int:
    print_items(ctx.out, await ctx.client.labels.list(), _COLUMNS, _row)
    return 0


async def create_labels(ctx: Context, args: argparse.Namespace) -> int:
    print_items(ctx.out, await ctx.client.labels.create(parse_keys(args.keys)), _COLUMNS, _row)
    return 0


async def rename_label(ctx: Context, args: argparse.Namespace) -> int:
    description = k6.UNSET if args.description is None else args.description
    label = await ctx.client.labels.update(args.label_id, key=args.key, description=description)
    print_items(ctx.out, [label], _COLUMNS, _row)
    return 0


async def delete_label(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.labels.delete(args.label_id)
    ctx.out.line(f"deleted label key {args.label_id}")
    if ctx.out.json_mode:
        ctx.out.document({"id": args.label_id, "deleted": True})
    return 0


def _row(label: k6.LabelKey) -> list[str]:
    return [str(label.id), label.key, format_value(label.description)]
