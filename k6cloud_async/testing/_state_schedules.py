"""The fake's schedules: at most one per load test, with their activation flags.

Setting a test's schedule replaces the one it had, under a new id (the old id is then
unknown). ``next_run`` is computed from the fake clock whenever a schedule is read (see
``_next_run``); a schedule whose ``next_run`` is None has expired and cannot be activated.
The fake never starts runs on a schedule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from attrs import define, field

from .._cron import parse_cron
from .._models_schedules import RecurrenceRule, Schedule, ScheduleCron
from ._clock import FakeClock
from ._errors import ApiError
from ._json import iso
from ._next_run import next_run

__all__ = ["CREATED_BY", "ScheduleBook", "schedule_json"]

#: Who the fake says created every schedule.
CREATED_BY: Final = "user@example.com"


@define
class _Stored:
    id: int
    load_test_id: int
    starts: datetime
    recurrence_rule: RecurrenceRule | None
    cron: ScheduleCron | None
    deactivated: bool = False
    created_by: str | None = CREATED_BY


@define
class ScheduleBook:
    """The schedules by id, and which test each belongs to. Methods raise :class:`ApiError`."""

    clock: FakeClock
    schedules: dict[int, _Stored] = field(factory=dict)
    by_test: dict[int, int] = field(factory=dict)
    _next_id: int = 1

    def set(
        self,
        test_id: int,
        starts: datetime,
        recurrence_rule: RecurrenceRule | None,
        cron: ScheduleCron | None,
    ) -> Schedule:
        """The test's new schedule (its previous one, if any, is gone)."""
        self.forget_test(test_id)
        schedule_id, self._next_id = self._next_id, self._next_id + 1
        stored = _Stored(schedule_id, test_id, starts, recurrence_rule, cron)
        self.schedules[schedule_id] = stored
        self.by_test[test_id] = schedule_id
        return self.snapshot(stored)

    def get(self, schedule_id: int) -> Schedule:
        """The schedule as the API shows it now, or a ``404``."""
        return self.snapshot(self._require(schedule_id))

    def for_test(self, test_id: int) -> Schedule:
        """The test's schedule, or a ``404`` when it has none."""
        schedule_id = self.by_test.get(test_id)
        if schedule_id is None:
            raise ApiError.not_found("Schedule")
        return self.get(schedule_id)

    def listing(self) -> list[Schedule]:
        """Every schedule, by ascending id."""
        return [self.snapshot(stored) for _, stored in sorted(self.schedules.items())]

    def delete(self, schedule_id: int) -> None:
        stored = self._require(schedule_id)
        del self.schedules[schedule_id]
        del self.by_test[stored.load_test_id]

    def activate(self, schedule_id: int) -> None:
        """Clear ``deactivated``: a ``409`` once the schedule has expired."""
        stored = self._require(schedule_id)
        if self._next_run(stored) is None:
            raise ApiError.conflict("Cannot re-activate an expired schedule.")
        stored.deactivated = False

    def deactivate(self, schedule_id: int) -> None:
        """Set ``deactivated``; no effect on an expired schedule."""
        stored = self._require(schedule_id)
        if self._next_run(stored) is not None:
            stored.deactivated = True

    def forget_test(self, test_id: int) -> None:
        """Drop the test's schedule, if any (the test is deleted or rescheduled)."""
        schedule_id = self.by_test.pop(test_id, None)
        if schedule_id is not None:
            del self.schedules[schedule_id]

    def snapshot(self, stored: _Stored) -> Schedule:
        return Schedule(
            id=stored.id,
            load_test_id=stored.load_test_id,
            starts=stored.starts,
            recurrence_rule=stored.recurrence_rule,
            cron=stored.cron,
            deactivated=stored.deactivated,
            next_run=self._next_run(stored),
            created_by=stored.created_by,
        )

    def _next_run(self, stored: _Stored) -> datetime | None:
        cron = stored.cron
        parsed = None if cron is None else (parse_cron(cron.schedule), ZoneInfo(cron.time_zone))
        return next_run(stored.starts, self.clock.now(), cron=parsed, rule=stored.recurrence_rule)

    def _require(self, schedule_id: int) -> _Stored:
        stored = self.schedules.get(schedule_id)
        if stored is None:
            raise ApiError.not_found("Schedule")
        return stored


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    """``ScheduleApiModel``."""
    rule = schedule.recurrence_rule
    cron = schedule.cron
    return {
        "id": schedule.id,
        "load_test_id": schedule.load_test_id,
        "deactivated": schedule.deactivated,
        "starts": iso(schedule.starts),
        "recurrence_rule": None
        if rule is None
        else {
            "frequency": rule.frequency,
            "interval": rule.interval,
            "byday": None if rule.byday is None else list(rule.byday),
            "until": iso(rule.until),
            "count": rule.count,
        },
        "cron": None if cron is None else {"schedule": cron.schedule, "time_zone": cron.time_zone},
        "next_run": iso(schedule.next_run),
        "created_by": schedule.created_by,
    }
