"""Cron expressions as the schedules API takes them: five fields, or an alias.

``parse_cron("0 7 * * 1")`` gives the values each field allows, or raises a ValueError
saying which field is wrong. The grammar is the classic one: ``*``, numbers, ranges
(``1-5``), steps (``*/15``, ``0-30/10``, ``5/10``: from 5 to the field's end), lists of
those (``1,15``), month names ``JAN``-``DEC`` and weekday names ``SUN``-``SAT`` (any
case; weekday 0 and 7 are both Sunday). As in Vixie and Debian cron, when both the day of
the month and the day of the week are restricted (neither starts with ``*``) a day
matches either; otherwise it must match both.
"""

from __future__ import annotations

from typing import Final

from attrs import frozen

__all__ = ["CRON_ALIASES", "CronExpression", "parse_cron"]

#: The aliases the API accepts, and the expressions they stand for.
CRON_ALIASES: Final = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@hourly": "0 * * * *",
}

_MONTHS: Final = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        start=1,
    )
}
_WEEKDAYS: Final = {
    name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))
}

#: (name, lowest, highest, names) of the five fields, in order.
_NO_NAMES: Final[dict[str, int]] = {}
_FIELDS: Final = (
    ("minute", 0, 59, _NO_NAMES),
    ("hour", 0, 23, _NO_NAMES),
    ("day of month", 1, 31, _NO_NAMES),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _WEEKDAYS),
)


@frozen
class CronExpression:
    """The values each field allows. ``weekdays`` counts from Monday = 0 (as
    ``date.weekday()``); ``days_and_weekdays`` is True when a day must match both."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    days_and_weekdays: bool


def parse_cron(expression: str) -> CronExpression:
    """``expression`` (five fields or an alias) parsed; a ValueError names what is wrong."""
    text = CRON_ALIASES.get(expression.strip().lower(), expression)
    parts = text.split()
    if len(parts) != len(_FIELDS):
        raise ValueError(
            f"a cron expression has exactly 5 fields (minute hour day month weekday) or is "
            f"one of {', '.join(CRON_ALIASES)}; got {len(parts)} field(s)"
        )
    values = [_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
    minutes, hours, days, months, cron_weekdays = values
    if not any(day <= _LONGEST_MONTH[month] for month in months for day in days):
        raise ValueError(f"the cron expression {expression!r} names no day that exists")
    return CronExpression(
        minutes=minutes,
        hours=hours,
        days=days,
        months=months,
        # cron counts from Sunday = 0 (and 7); date.weekday() from Monday = 0.
        weekdays=frozenset((day - 1) % 7 for day in cron_weekdays),
        days_and_weekdays=parts[2].startswith("*") or parts[4].startswith("*"),
    )


#: The most days each month can have (February: in a leap year).
_LONGEST_MONTH: Final = dict(enumerate((31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), start=1))


def _field(text: str, name: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    allowed: set[int] = set()
    for item in text.split(","):
        allowed.update(_item(item, name, low, high, names))
    return frozenset(allowed)


def _item(item: str, name: str, low: int, high: int, names: dict[str, int]) -> range:
    span, slash, step_text = item.partition("/")
    step = 1
    if slash:
        step = _number(step_text, name, item)
        if step < 1:
            raise ValueError(f"cron {name} field: the step of {item!r} must be at least 1")
    if span == "*":
        return range(low, high + 1, step)
    first_text, dash, last_text = span.partition("-")
    first = _value(first_text, name, low, high, names, item)
    if dash:
        last = _value(last_text, name, low, high, names, item)
        if last < first:
            raise ValueError(f"cron {name} field: the range {item!r} runs backwards")
    else:
        last = high if slash else first
    return range(first, last + 1, step)


def _value(text: str, name: str, low: int, high: int, names: dict[str, int], item: str) -> int:
    named = names.get(text.upper())
    value = named if named is not None else _number(text, name, item)
    if not low <= value <= high:
        raise ValueError(f"cron {name} field: {text!r} is not between {low} and {high}")
    return value


def _number(text: str, name: str, item: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"cron {name} field: {item!r} is not a number, range, step or list")
    return int(text)
