"""The fake's schedules: at most one per load test, with their activation flags.

Setting a test's schedule replaces the one it had, under a new id (the old id is then
unknown). Each schedule keeps its ``next_run``: the first occurrence (see ``_next_run``) at
or after the fake clock when it was set, then moved on by :meth:`ScheduleBook.due` as the
clock reaches it. A schedule whose ``next_run`` is None has expired and cannot be activated.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from attrs import define, field

from .._cron import parse_cron
from .._models_schedules import RecurrenceRule, Schedule, ScheduleCron
from ._clock import FakeClock
from ._errors import ApiError
from ._json import iso
from ._next_run import next_run, occurrences_due

__all__ = ["CREATED_BY", "Due", "ScheduleBook", "schedule_json"]

#: Who the fake says created every schedule.
CREATED_BY: Final = "user@example.com"

_TICK: Final = timedelta(microseconds=1)


@define
class _Stored:
    id: int
    load_test_id: int
    starts: datetime
    recurrence_rule: RecurrenceRule | None
    cron: ScheduleCron | None
    #: The first occurrence not yet reached by the clock (None: expired).
    next_run: datetime | None
    deactivated: bool = False
    created_by: str | None = CREATED_BY

    def following(self) -> Callable[[datetime], datetime | None]:
        """The first occurrence at or after a moment."""
        cron = self.cron
        parsed = None if cron is None else (parse_cron(cron.schedule), ZoneInfo(cron.time_zone))
        rule = self.recurrence_rule
        return lambda moment: next_run(self.starts, moment, cron=parsed, rule=rule)


#: A run a schedule starts: when, and of which test.
Due = tuple[datetime, int]


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
        stored = _Stored(schedule_id, test_id, starts, recurrence_rule, cron, None)
        stored.next_run = stored.following()(self.clock.now())
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
        if stored.next_run is None:
            raise ApiError.conflict("Cannot re-activate an expired schedule.")
        stored.deactivated = False

    def deactivate(self, schedule_id: int) -> None:
        """Set ``deactivated``; no effect on an expired schedule."""
        stored = self._require(schedule_id)
        if stored.next_run is not None:
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
            next_run=stored.next_run,
            created_by=stored.created_by,
        )

    def due(self) -> list[Due]:
        """The runs the schedules start now that the clock reached their ``next_run``s,
        in time order, each ``next_run`` moved on to the first occurrence after now.

        An active schedule starts one run per occurrence reached (at most the latest
        ``CATCH_UP_LIMIT`` of them); a deactivated one starts none and skips them, so that
        activating it later replays nothing.
        """
        now = self.clock.now()
        started: list[tuple[datetime, int, int]] = []
        for stored in self.schedules.values():
            pending = stored.next_run
            if pending is None or pending > now:
                continue
            following = stored.following()
            if stored.deactivated:
                stored.next_run = following(now + _TICK)
                continue
            moments, stored.next_run = occurrences_due(following, pending, now)
            started.extend((moment, stored.id, stored.load_test_id) for moment in moments)
        return [(moment, test_id) for moment, _, test_id in sorted(started)]

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
