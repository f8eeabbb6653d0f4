"""When a schedule runs next: the first occurrence of its rule at or after a moment.

Pure functions over aware datetimes, for the fake's ``next_run``:

- once (no rule): ``starts``, while it has not passed;
- a cron expression: the first whole minute, at or after both ``starts`` and the moment,
  whose local time in the expression's zone matches. Local times that a daylight-saving
  change skips are skipped, and a repeated local hour runs once (its first time): an
  approximation of cron daemons, which differ among themselves there;
- a recurrence rule (RFC 5545, as python-dateutil reads it): counted from ``starts`` in
  ``starts``' own offset, ``interval`` periods apart; ``WEEKLY`` with ``byday`` on those
  weekdays of every ``interval``-th week (weeks start on Monday), ``starts`` itself
  counting only if it falls on one; ``MONTHLY`` and ``YEARLY`` on ``starts``' day, or the
  month's last day when it is shorter (as the API documents for months); ending after
  ``count`` occurrences or after ``until``.

None means the schedule has expired (or, for a cron expression, matches nothing in the
next :data:`CRON_HORIZON_DAYS` days).

:func:`occurrences_due` walks a schedule's occurrences up to a moment, for the runs it starts.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from .._cron import CronExpression
from .._models_schedules import WEEKDAYS, RecurrenceRule

__all__ = [
    "CATCH_UP_LIMIT",
    "CRON_HORIZON_DAYS",
    "next_cron_run",
    "next_recurrence",
    "next_run",
    "occurrences_due",
]

#: How far ahead a cron expression is searched: 50 years. A day of the month on a given
#: weekday can be 11 years away (May 1st on a Sunday: 2022, then 2033), February 29th on
#: one 40 years (across 2100, which is no leap year); what does not match within 50 years
#: never does (cron libraries such as cronsim give up after 50 years too).
CRON_HORIZON_DAYS: Final = 366 * 50

#: How many of a schedule's missed occurrences start a run when the clock jumps over them:
#: the latest 100 (advancing a year on an every-minute cron would otherwise start 525,600).
CATCH_UP_LIMIT: Final = 100

_MINUTE: Final = timedelta(minutes=1)
#: The clock's resolution: the next occurrence strictly after ``t`` is the first at or
#: after ``t + _TICK``.
_TICK: Final = timedelta(microseconds=1)
_FIXED_STEPS: Final = {
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
}


def next_run(
    starts: datetime,
    now: datetime,
    *,
    cron: tuple[CronExpression, ZoneInfo] | None = None,
    rule: RecurrenceRule | None = None,
) -> datetime | None:
    """The first run at or after ``now`` of a schedule from ``starts`` (see the module)."""
    if cron is not None:
        return next_cron_run(cron[0], cron[1], max(starts, now))
    if rule is not None:
        return next_recurrence(rule, starts, now)
    return starts if starts >= now else None


def occurrences_due(
    following: Callable[[datetime], datetime | None],
    pending: datetime,
    now: datetime,
    limit: int = CATCH_UP_LIMIT,
) -> tuple[list[datetime], datetime | None]:
    """The occurrences from ``pending`` to ``now`` included, in order (only the latest
    ``limit`` when there are more), and the first one after ``now`` (None: none).

    ``following(t)`` is the first occurrence at or after ``t``, and ``pending`` one of
    them. When more than ``limit`` are due, a bisection finds the moment from which
    exactly ``limit`` remain, so the work is bounded by ``limit`` walks of ``limit`` steps
    per halving of the span, however many occurrences it holds.
    """
    moments, after = _walk(following, pending, now, limit)
    if len(moments) <= limit:
        return moments, after
    low, high = pending, now + _TICK  # more than limit are due from low, none from high
    while high - low > _TICK:
        middle = low + (high - low) // 2
        moments, after = _walk(following, middle, now, limit)
        if len(moments) == limit:
            return moments, after
        if len(moments) > limit:
            low = middle
        else:
            high = middle
    return _walk(following, high, now, limit)  # pragma: no cover - occurrences are distinct


def _walk(
    following: Callable[[datetime], datetime | None], start: datetime, now: datetime, limit: int
) -> tuple[list[datetime], datetime | None]:
    """The occurrences from ``start`` to ``now``, stopping after ``limit + 1`` of them, and
    the one after the last."""
    moments: list[datetime] = []
    moment = following(start)
    while moment is not None and moment <= now and len(moments) <= limit:
        moments.append(moment)
        moment = following(moment + _TICK)
    return moments, moment


def next_cron_run(expression: CronExpression, zone: ZoneInfo, after: datetime) -> datetime | None:
    """The first whole minute at or after ``after`` that ``expression`` matches in ``zone``."""
    local = after.astimezone(zone)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + _MINUTE
    first = local.replace(tzinfo=None)
    hours = sorted(expression.hours)
    minutes = sorted(expression.minutes)
    day = first_day = first.date()
    for _ in range(CRON_HORIZON_DAYS):
        if _day_matches(expression, day):
            for hour in hours:
                if day == first_day and hour < first.hour:
                    continue
                for minute in minutes:
                    wall = datetime(day.year, day.month, day.day, hour, minute)
                    if wall < first:
                        continue
                    moment = _existing(wall, zone)
                    if moment is not None and moment >= after:
                        return moment
        day += timedelta(days=1)
    return None


def _day_matches(expression: CronExpression, day: date) -> bool:
    if day.month not in expression.months:
        return False
    by_date = day.day in expression.days
    by_weekday = day.weekday() in expression.weekdays
    if expression.days_and_weekdays:
        return by_date and by_weekday
    return by_date or by_weekday


def _existing(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """``wall`` as an aware time in ``zone``, or None when the zone's clocks skip it."""
    moment = wall.replace(tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return moment


def next_recurrence(rule: RecurrenceRule, starts: datetime, now: datetime) -> datetime | None:
    """The first occurrence of ``rule`` from ``starts`` at or after ``now``."""
    if rule.frequency == "WEEKLY" and rule.byday:
        found = _next_weekly_by_day(rule, starts, now)
    elif rule.frequency in _FIXED_STEPS:
        found = _next_fixed(rule, _FIXED_STEPS[rule.frequency] * rule.interval, starts, now)
    elif rule.frequency in ("MONTHLY", "YEARLY"):
        found = _next_monthly(rule, 12 if rule.frequency == "YEARLY" else 1, starts, now)
    else:  # a frequency the fake does not know never runs
        return None
    if found is None:
        return None
    index, moment = found
    if rule.count is not None and index >= rule.count:
        return None
    if rule.until is not None and moment > rule.until:
        return None
    return moment


def _next_fixed(
    rule: RecurrenceRule, step: timedelta, starts: datetime, now: datetime
) -> tuple[int, datetime]:
    if now <= starts:
        return 0, starts
    index = -((starts - now) // step)  # ceiling division of timedeltas
    return index, starts + step * index


def _next_monthly(
    rule: RecurrenceRule, months_per_unit: int, starts: datetime, now: datetime
) -> tuple[int, datetime]:
    step = months_per_unit * rule.interval
    elapsed = (now.year - starts.year) * 12 + now.month - starts.month
    index = max(0, elapsed // step)
    while True:
        moment = _add_months(starts, index * step)
        if moment >= now:
            return index, moment
        index += 1


def _add_months(starts: datetime, months: int) -> datetime:
    year, month = divmod(starts.month - 1 + months, 12)
    year += starts.year
    last = calendar.monthrange(year, month + 1)[1]
    return starts.replace(year=year, month=month + 1, day=min(starts.day, last))


def _next_weekly_by_day(
    rule: RecurrenceRule, starts: datetime, now: datetime
) -> tuple[int, datetime] | None:
    days = sorted({WEEKDAYS.index(day) for day in rule.byday or () if day in WEEKDAYS})
    if not days:
        return None
    period = timedelta(weeks=rule.interval)
    monday = starts - timedelta(days=starts.weekday())
    # Occurrences of the first period: those of its days not before starts.
    first_period = [monday + timedelta(days=day) for day in days]
    first_period = [moment for moment in first_period if moment >= starts]
    target = max(now, starts)
    periods = max(0, (target - monday) // period)
    for number in (periods, periods + 1):
        base = monday + period * number
        moments = first_period if number == 0 else [base + timedelta(days=d) for d in days]
        for position, moment in enumerate(moments):
            if moment >= target:
                before = 0 if number == 0 else len(first_period) + (number - 1) * len(days)
                return before + position, moment
    return None  # pragma: no cover - the second period always ends after target
