"""Attrs classes for the bodies of the schedules endpoints (v6).

Attribute names are the API's field names (``ScheduleApiModel``, ``ScheduleCron``,
``ScheduleRecurrenceRule``, ``CreateScheduleRequest``). ``frequency`` and the ``byday``
weekdays are plain ``str`` when decoded, so that a value this version does not know does
not break decoding; what ``set`` sends is checked against :data:`FREQUENCIES` and
:data:`WEEKDAYS`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from attrs import define

__all__ = [
    "FREQUENCIES",
    "WEEKDAYS",
    "RecurrenceRule",
    "Schedule",
    "ScheduleCron",
    "ScheduleRequest",
]

#: The API's ``Frequency`` values.
FREQUENCIES: Final = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
#: The API's ``Weekday`` values, Monday first.
WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@define
class ScheduleCron:
    """A cron schedule (``ScheduleCron``): five fields or an alias such as ``@daily``, read
    in ``time_zone`` (an IANA name such as ``Europe/Berlin``, or ``UTC``)."""

    schedule: str
    time_zone: str


@define
class RecurrenceRule:
    """A recurrence rule (``ScheduleRecurrenceRule``), counted from the schedule's ``starts``.

    Every ``interval`` ``frequency`` units (``HOURLY`` … ``YEARLY``); ``byday`` (``WEEKLY``
    only) the weekdays, ``MO`` … ``SU``; it ends after ``count`` runs or at ``until``, or
    never. A monthly rule on days 29-31 runs on the last day of shorter months.
    """

    frequency: str
    interval: int = 1
    byday: list[str] | None = None
    until: datetime | None = None
    count: int | None = None


@define
class Schedule:
    """A load test's schedule (``ScheduleApiModel``).

    Neither ``recurrence_rule`` nor ``cron``: the test runs once, at ``starts``.
    ``next_run`` is None once the schedule has expired.
    """

    id: int
    load_test_id: int
    starts: datetime
    recurrence_rule: RecurrenceRule | None
    cron: ScheduleCron | None
    deactivated: bool
    next_run: datetime | None
    created_by: str | None


@define
class ScheduleRequest:
    """Request body of ``POST /load_tests/{id}/schedule`` (``CreateScheduleRequest``)."""

    starts: datetime
    recurrence_rule: RecurrenceRule | None = None
    cron: ScheduleCron | None = None
