"""``k6cloud schedules …``: list, get, set, delete, activate and deactivate schedules."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import k6cloud_async as k6

from ._arguments import positive_int
from ._errors import EXIT_USAGE, CliError
from ._listing import print_pages
from ._table import Column, format_value

if TYPE_CHECKING:
    from ._context import Context

__all__ = ["register"]

_COLUMNS = (
    Column("ID", ">"),
    Column("TEST", ">"),
    Column("ACTIVE", width=6),
    Column("NEXT RUN", width=20),
    Column("RULE"),
)

#: ``--every`` units and the frequencies they stand for.
_UNITS: Final = {"h": "HOURLY", "d": "DAILY", "w": "WEEKLY", "mo": "MONTHLY", "y": "YEARLY"}
_EVERY: Final = re.compile(r"([0-9]*)(h|d|w|mo|y)")
_WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    schedules = commands.add_parser(
        "schedules", help="test schedules", description="Schedule load tests to run by themselves."
    )
    actions = schedules.add_subparsers(dest="action", required=True, metavar="ACTION")

    def add(name: str, text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=text, description=text, parents=[common])

    p = add("list", "list every schedule, printing each page as it arrives")
    p.add_argument(
        "--page-size", type=positive_int, default=1000, metavar="N", help="per page (1-1000)"
    )
    p.add_argument("--limit", type=positive_int, metavar="N", help="stop after N schedules")
    p.set_defaults(handler=list_schedules)

    p = add("get", "show a schedule, or a load test's schedule with --test")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("schedule_id", type=positive_int, nargs="?", metavar="ID")
    which.add_argument("--test", type=positive_int, metavar="TEST_ID", help="the test's schedule")
    p.set_defaults(handler=get_schedule)

    p = add(
        "set",
        "schedule a load test (replacing its schedule): --cron, --every or --weekly, "
        "or none of them for one run at --starts",
    )
    p.add_argument("test_id", type=positive_int, metavar="TEST_ID")
    p.add_argument(
        "--starts",
        type=aware_time,
        metavar="TIME",
        help="ISO 8601 with an offset, e.g. 2025-01-06T08:00:00+01:00 (default: now)",
    )
    rule = p.add_mutually_exclusive_group()
    rule.add_argument("--cron", metavar="EXPR", help="five cron fields or an alias (@daily …)")
    rule.add_argument(
        "--every", type=every, metavar="N{h,d,w,mo,y}", help="e.g. 2h, 1d, 3w, 1mo, 1y"
    )
    p.add_argument(
        "--weekly",
        type=weekdays,
        metavar="DAYS",
        help="on these weekdays, e.g. SA,SU (every week, or every N weeks with --every Nw)",
    )
    p.add_argument("--tz", metavar="ZONE", help="the time zone of --cron (default: UTC)")
    p.add_argument("--count", type=positive_int, metavar="N", help="stop after N runs")
    p.add_argument("--until", type=aware_time, metavar="TIME", help="stop after this time")
    p.set_defaults(handler=set_schedule)

    for name, text, handler in (
        ("delete", "delete a schedule (the test stays)", delete_schedule),
        ("activate", "let a deactivated schedule trigger runs again", activate_schedule),
        ("deactivate", "stop a schedule triggering runs (until activated)", deactivate_schedule),
    ):
        p = add(name, text)
        p.add_argument("schedule_id", type=positive_int, metavar="ID")
        p.set_defaults(handler=handler)


def aware_time(text: str) -> datetime:
    """An ISO 8601 time with an offset (``Z`` or ``+01:00``)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO 8601 time, got {text!r}") from None
    if value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"give {text!r} an offset, e.g. {text}Z or {text}+01:00 (a time without one "
            "would be read in an unknown zone)"
        )
    return value


def every(text: str) -> tuple[str, int]:
    """``2h`` → ``("HOURLY", 2)``; the number defaults to 1."""
    match = _EVERY.fullmatch(text.strip().lower())
    interval = int(match.group(1) or 1) if match is not None else 0
    if match is None or interval < 1:
        raise argparse.ArgumentTypeError(f"expected N and a unit (h, d, w, mo, y), got {text!r}")
    return _UNITS[match.group(2)], interval


def weekdays(text: str) -> list[str]:
    """``SA,SU`` → ``["SA", "SU"]`` (any case)."""
    days = [day.strip().upper() for day in text.split(",")]
    wrong = [day for day in days if day not in _WEEKDAYS]
    if wrong or len(set(days)) != len(days):
        raise argparse.ArgumentTypeError(
            f"expected distinct weekdays among {','.join(_WEEKDAYS)}, got {text!r}"
        )
    return days


def _usage(message: str) -> CliError:
    return CliError(message, exit_code=EXIT_USAGE)


def schedule_keywords(args: argparse.Namespace) -> dict[str, Any]:
    """``cron=`` or ``recurrence=`` for ``client.schedules.set`` from the options."""
    if args.tz is not None and args.cron is None:
        raise _usage("--tz is the time zone of --cron; give --cron too")
    if args.cron is not None:
        if args.weekly is not None or args.count is not None or args.until is not None:
            raise _usage("--weekly, --count and --until go with --every or --weekly, not --cron")
        return {"cron": k6.ScheduleCron(args.cron, args.tz or "UTC")}
    if args.every is None and args.weekly is None:
        if args.count is not None or args.until is not None:
            raise _usage("--count and --until need --every or --weekly")
        return {}
    frequency, interval = args.every or ("WEEKLY", 1)
    if args.weekly is not None and frequency != "WEEKLY":
        raise _usage("--weekly repeats every N weeks: --every must then be in weeks (e.g. 2w)")
    if args.count is not None and args.until is not None:
        raise _usage("give --count or --until, not both")
    rule = k6.RecurrenceRule(
        frequency, interval, byday=args.weekly, until=args.until, count=args.count
    )
    return {"recurrence": rule}


def describe_rule(schedule: k6.Schedule) -> str:
    """``cron 0 7 * * 1 (Europe/Berlin)``, ``every 2 HOURLY``, ``once``, …"""
    if schedule.cron is not None:
        return f"cron {schedule.cron.schedule} ({schedule.cron.time_zone})"
    rule = schedule.recurrence_rule
    if rule is None:
        return "once"
    text = f"every {rule.interval} {rule.frequency}"
    if rule.byday:
        text += f" on {','.join(rule.byday)}"
    if rule.count is not None:
        text += f", {rule.count} runs"
    if rule.until is not None:
        text += f", until {format_value(rule.until)}"
    return text


def _row(schedule: k6.Schedule) -> list[str]:
    return [
        str(schedule.id),
        str(schedule.load_test_id),
        format_value(not schedule.deactivated),
        format_value(schedule.next_run),
        describe_rule(schedule),
    ]


async def list_schedules(ctx: Context, args: argparse.Namespace) -> int:
    pages = ctx.client.schedules.pages(page_size=min(args.page_size, args.limit or args.page_size))
    await print_pages(ctx.out, pages, _COLUMNS, _row, limit=args.limit)
    return 0


async def get_schedule(ctx: Context, args: argparse.Namespace) -> int:
    if args.test is not None:
        schedule = await ctx.client.schedules.for_test(args.test)
    else:
        schedule = await ctx.client.schedules.get(args.schedule_id)
    ctx.out.model(schedule)
    return 0


async def set_schedule(ctx: Context, args: argparse.Namespace) -> int:
    keywords = schedule_keywords(args)
    starts = args.starts or datetime.now(UTC)
    schedule = await ctx.client.schedules.set(args.test_id, starts=starts, **keywords)
    ctx.out.model(schedule)
    return 0


async def _change(ctx: Context, schedule_id: int, verb: str, flag: str) -> int:
    ctx.out.line(f"{verb} schedule {schedule_id}")
    if ctx.out.json_mode:
        ctx.out.document({"id": schedule_id, flag: True})
    return 0


async def delete_schedule(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.schedules.delete(args.schedule_id)
    return await _change(ctx, args.schedule_id, "deleted", "deleted")


async def activate_schedule(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.schedules.activate(args.schedule_id)
    return await _change(ctx, args.schedule_id, "activated", "activated")


async def deactivate_schedule(ctx: Context, args: argparse.Namespace) -> int:
    await ctx.client.schedules.deactivate(args.schedule_id)
    return await _change(ctx, args.schedule_id, "deactivated", "deactivated")
