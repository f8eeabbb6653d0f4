"""The fake's in-memory store: projects, load tests, their scripts, the runs, load zones
and label keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from attrs import define, field, frozen

from .._models import UNSET, LoadTest, TestRun, Unset
from .._models_projects import Project
from .._models_schedules import RecurrenceRule, Schedule, ScheduleCron
from ._clock import FakeClock
from ._errors import ApiError
from ._runs import RunBook
from ._state_labels import LabelKeyBook
from ._state_load_zones import LoadZoneBook
from ._state_projects import ProjectBook
from ._state_runs import RunState
from ._state_schedules import ScheduleBook

__all__ = ["MAX_NAME_LENGTH", "ScriptUpload", "Store", "check_name"]

MAX_NAME_LENGTH: Final = 300


@frozen
class ScriptUpload:
    """How a test's current script arrived.

    ``via`` is ``"create"`` (the multipart ``script`` part of ``POST
    /projects/{id}/load_tests``: ``filename`` and ``content_type`` are the part's),
    ``"upload"`` (``PUT /load_tests/{id}/script``: ``content_type`` is the request's,
    ``filename`` is ``None``) or ``"helper"`` (``FakeK6Cloud.add_test``).
    """

    via: str
    filename: str | None
    content_type: str | None
    size: int


def check_name(value: Any, target: str = "name") -> str:
    """A test name: a string of 1..300 characters, else a ``400 validation_error``."""
    if not isinstance(value, str):
        raise ApiError.validation("The name must be a string.", target)
    if not 1 <= len(value) <= MAX_NAME_LENGTH:
        raise ApiError.validation(
            f"The name must be 1 to {MAX_NAME_LENGTH} characters long.", target
        )
    return value


@define
class Store:
    """All state the endpoints read and change. Methods raise :class:`ApiError`."""

    clock: FakeClock
    runs: RunBook
    run_state: RunState
    book: ProjectBook
    schedules: ScheduleBook
    load_zones: LoadZoneBook
    label_keys: LabelKeyBook
    tests: dict[int, LoadTest] = field(factory=dict)
    scripts: dict[int, bytes] = field(factory=dict)
    uploads: dict[int, ScriptUpload] = field(factory=dict)
    _next_test_id: int = 1

    @classmethod
    def new(cls, clock: FakeClock) -> Store:
        """An empty store on ``clock``."""
        runs = RunBook(clock)
        zones, keys = LoadZoneBook(), LabelKeyBook()
        store = cls(
            clock=clock,
            runs=runs,
            run_state=RunState(runs, clock),
            book=ProjectBook(clock, zones=zones, keys=keys),
            load_zones=zones,
            label_keys=keys,
            schedules=ScheduleBook(clock),
        )
        clock._on_move(store.run_schedules)
        return store

    @property
    def projects(self) -> dict[int, Project]:
        """The projects by id (``ProjectBook.projects``)."""
        return self.book.projects

    def add_project(self, name: str | None) -> int:
        """A new project; ids count up from 1 (``400``/``409`` as ``ProjectBook.add``)."""
        return self.book.add(name).id

    def delete_project(self, project_id: int) -> None:
        """``DELETE``: ``409`` while the project holds load tests."""
        self.book.require(project_id)
        if any(test.project_id == project_id for test in self.tests.values()):
            raise ApiError.conflict("Cannot delete a project that holds load tests.")
        self.book.delete(project_id)

    def require_project(self, project_id: int) -> None:
        """``404 not_found`` unless the project exists."""
        if project_id not in self.projects:
            raise ApiError.not_found("Project")

    def require_test(self, test_id: int) -> LoadTest:
        """The test, or a ``404 not_found``."""
        test = self.tests.get(test_id)
        if test is None:
            raise ApiError.not_found("Load test")
        return test

    def create_test(
        self, project_id: int, name: str, script: bytes, upload: ScriptUpload
    ) -> LoadTest:
        """A new test: ``404`` for an unknown project, ``409`` for a name taken in it."""
        self.require_project(project_id)
        check_name(name)
        self._check_free(project_id, name)
        now = self.clock.now()
        test_id, self._next_test_id = self._next_test_id, self._next_test_id + 1
        test = LoadTest(
            id=test_id,
            project_id=project_id,
            name=name,
            baseline_test_run_id=None,
            created=now,
            updated=now,
            k6_version=None,
        )
        self.tests[test_id] = test
        self.scripts[test_id] = script
        self.uploads[test_id] = upload
        return test

    def update_test(
        self,
        test_id: int,
        *,
        name: str | Unset = UNSET,
        baseline_test_run_id: int | Unset | None = UNSET,
    ) -> None:
        """``PATCH``: rename (``409`` if taken in the project) and/or set the baseline."""
        test = self.require_test(test_id)
        if not isinstance(name, Unset) and name != test.name:
            self._check_free(test.project_id, name)
            test.name = name
        if not isinstance(baseline_test_run_id, Unset):
            test.baseline_test_run_id = baseline_test_run_id
        test.updated = self.clock.now()

    def delete_test(self, test_id: int) -> None:
        """``DELETE``: ``409`` while a run of the test has not ended; its runs and its
        schedule go too."""
        self.require_test(test_id)
        if self.runs.has_unfinished(test_id):
            raise ApiError.conflict("Cannot delete test while it's running.")
        del self.tests[test_id]
        del self.scripts[test_id]
        del self.uploads[test_id]
        self.run_state.forget(self.runs.forget_test(test_id))
        self.schedules.forget_test(test_id)

    def set_schedule(
        self,
        test_id: int,
        starts: datetime,
        recurrence_rule: RecurrenceRule | None,
        cron: ScheduleCron | None,
    ) -> Schedule:
        """The test's new schedule (``404`` for an unknown test); an occurrence at the
        current time starts its run at once."""
        self.require_test(test_id)
        schedule = self.schedules.set(test_id, starts, recurrence_rule, cron)
        self.run_schedules()
        return self.schedules.get(schedule.id)

    def run_schedules(self) -> None:
        """Start the runs of the schedules' occurrences the clock reached (called whenever
        it moves): each as ``start`` would, created at its occurrence."""
        for moment, test_id in self.schedules.due():
            test = self.tests[test_id]
            run, _ = self.runs.start(test.id, test.project_id, None, at=moment)
            self.run_state.ran(run.id, self.scripts[test.id])

    def start_run(self, test_id: int, key: str | None) -> tuple[TestRun, bool]:
        """Start a run of the test (``404`` for an unknown test), or find the one ``key``
        started; a new run keeps the script the test has now. The run, and whether it is new.
        """
        test = self.require_test(test_id)
        run, new = self.runs.start(test.id, test.project_id, key)
        if new:
            self.run_state.ran(run.id, self.scripts[test.id])
        return run, new

    def move_test(self, test_id: int, project_id: int) -> None:
        """Move a test and its runs: ``400`` (target ``project_id``) for an unknown project,
        ``409`` when the destination has a test of the same name."""
        test = self.require_test(test_id)
        if project_id not in self.projects:
            raise ApiError.validation("The destination project does not exist.", "project_id")
        if project_id == test.project_id:
            return
        if self._find(project_id, test.name) is not None:
            raise ApiError.conflict("Test with the same name exists in the destination.")
        test.project_id = project_id
        test.updated = self.clock.now()
        self.runs.move_test(test_id, project_id)

    def set_script(self, test_id: int, script: bytes, upload: ScriptUpload) -> None:
        """Replace the test's script."""
        test = self.require_test(test_id)
        self.scripts[test_id] = script
        self.uploads[test_id] = upload
        test.updated = self.clock.now()

    def list_tests(self, project_id: int | None, name: str | None) -> list[LoadTest]:
        """The tests of ``project_id`` (``None``: all) named ``name`` (``None``: any), by id."""
        return [
            t
            for t in self.tests.values()
            if (project_id is None or t.project_id == project_id)
            and (name is None or t.name == name)
        ]

    def _find(self, project_id: int, name: str) -> LoadTest | None:
        return next(
            (t for t in self.tests.values() if t.project_id == project_id and t.name == name),
            None,
        )

    def _check_free(self, project_id: int, name: str) -> None:
        if self._find(project_id, name) is not None:
            raise ApiError.conflict("The name is already taken.", "name")
