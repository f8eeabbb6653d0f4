"""Test runs: starting (with idempotency keys), progressing one step per poll, aborting."""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, get_args

from attrs import define, field, frozen

from .._models import CostBreakdown, StatusEvent, StatusExtra, TestCost, TestRun
from ._clock import FakeClock
from ._errors import ApiError

__all__ = ["FINAL_STATUSES", "IDEMPOTENCY_WINDOW", "RETENTION", "RunBook", "RunOutcome"]

#: How long ``K6-Idempotency-Key`` keeps returning the run it started.
IDEMPOTENCY_WINDOW: Final = timedelta(minutes=10)

STARTED_BY: Final = "user@example.com"
PAGE_URL: Final = "https://fake.grafana.net/a/k6-app/runs/{id}"
RETENTION: Final = timedelta(days=30)
FINAL_STATUSES: Final = frozenset({"completed", "aborted"})
_HELD_LIMIT: Final = frozenset({"processing_metrics", "completed", "aborted"})

Result = Literal["passed", "failed", "error"]
FinalStatus = Literal["completed", "aborted"]

_DEFAULT_MESSAGES: Final[dict[str, str | None]] = {
    "passed": None,
    "failed": "Thresholds have been crossed.",
    "error": "The test run ended with an error.",
}


def _one_of(choices: tuple[str, ...]) -> Any:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if value not in choices:
            raise ValueError(f"{attribute.name} must be one of {choices}, got {value!r}")

    return check


def _check_steps(instance: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"steps must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"steps must be at least 1, got {value}")


def _check_duration(instance: Any, attribute: Any, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"duration must be a number of seconds, not {type(value).__name__}")
    if not 0 <= value < math.inf:
        raise ValueError(f"duration must be a finite number of seconds >= 0, got {value}")


def _check_message(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"message must be a str or None, not {type(value).__name__}")


@frozen
class RunOutcome:
    """How runs started later end.

    A run takes ``steps`` polls (``GET /test_runs/{id}``) to reach its final
    ``status``, passing ``initializing``, ``running`` (repeated when ``steps`` > 4)
    and ``processing_metrics``; with fewer than 4 steps the first statuses are skipped.
    With a ``duration`` (seconds of :class:`FakeClock` time) it also stays before
    ``processing_metrics`` until that long after it was created. Wrong values raise
    ``TypeError`` or ``ValueError`` naming the field.
    """

    result: Result = field(default="passed", validator=_one_of(get_args(Result)))
    steps: int = field(default=4, validator=_check_steps)
    status: FinalStatus = field(default="completed", validator=_one_of(get_args(FinalStatus)))
    message: str | None = field(default=None, validator=_check_message)
    duration: float | None = field(default=None, validator=_check_duration)

    def path(self) -> list[str]:
        """The statuses a run enters on its successive polls."""
        head = ["initializing", "running"] + ["running"] * max(0, self.steps - 4)
        return [*head, "processing_metrics", self.status][-self.steps :]


@define
class _Plan:
    path: list[str]
    outcome: RunOutcome
    position: int = 0
    held: bool = False


@define
class RunBook:
    """Every test run, keyed by id, and the rules deciding how they progress."""

    clock: FakeClock
    runs: dict[int, TestRun] = field(factory=dict)
    _plans: dict[int, _Plan] = field(factory=dict)
    _keys: dict[tuple[int, str], tuple[int, datetime]] = field(factory=dict)
    _outcomes: dict[int | None, RunOutcome] = field(factory=dict)
    _next_id: int = 1

    def set_outcome(self, test_id: int | None, outcome: RunOutcome) -> None:
        """Runs of ``test_id`` (``None``: of any test without its own rule) started later end so."""
        self._outcomes[test_id] = outcome

    def start(
        self, test_id: int, project_id: int, key: str | None, at: datetime | None = None
    ) -> tuple[TestRun, bool]:
        """Start a run, or find the one ``key`` started for this test within the window.

        ``at`` is when the run was created (``None``: now; a schedule's runs start at the
        occurrence the clock reached). Returns the run and whether it is new.
        """
        now = self.clock.now() if at is None else at.astimezone(UTC)
        if key is not None:
            known = self._keys.get((test_id, key))
            if known is not None and now - known[1] < IDEMPOTENCY_WINDOW and known[0] in self.runs:
                return self.runs[known[0]], False
        run_id, self._next_id = self._next_id, self._next_id + 1
        created = StatusEvent(type="created", entered=now)
        run = TestRun(
            id=run_id,
            test_id=test_id,
            project_id=project_id,
            started_by=STARTED_BY,
            created=now,
            ended=None,
            note="",
            retention_expiry=now + RETENTION,
            cost=None,
            status="created",
            status_details=created,
            status_history=[created],
            distribution=None,
            result=None,
            result_details=None,
            options=None,
            k6_dependencies={},
            k6_versions={"k6": "v0.56.0"},
            max_vus=None,
            max_browser_vus=None,
            estimated_duration=None,
            execution_duration=0,
            is_starred=False,
            test_run_details_page_url=PAGE_URL.format(id=run_id),
        )
        outcome = self._outcomes.get(test_id) or self._outcomes.get(None) or RunOutcome()
        self.runs[run_id] = run
        self._plans[run_id] = _Plan(path=outcome.path(), outcome=outcome)
        if key is not None:
            self._keys[(test_id, key)] = (run_id, now)
        return run, True

    def require(self, run_id: int) -> TestRun:
        """The run, or a ``404 not_found``."""
        run = self.runs.get(run_id)
        if run is None:
            raise ApiError.not_found("Test run")
        return run

    def poll(self, run_id: int) -> TestRun:
        """Advance the run one step along its path.

        A held run, or one younger than its outcome's ``duration``, does not enter
        ``processing_metrics`` or a final status.
        """
        run = self.require(run_id)
        plan = self._plans[run_id]
        if run.status in FINAL_STATUSES or plan.position >= len(plan.path):
            return run
        status = plan.path[plan.position]
        if status in _HELD_LIMIT and (plan.held or self._too_young(run, plan.outcome)):
            return run
        plan.position += 1
        if status in FINAL_STATUSES:
            outcome = plan.outcome
            self._finish(run, status, outcome.result, outcome.message)
        elif status != run.status:
            self._enter(run, status)
        return run

    def _too_young(self, run: TestRun, outcome: RunOutcome) -> bool:
        if outcome.duration is None:
            return False
        return self.clock.now() < run.created + timedelta(seconds=outcome.duration)

    def hold(self, run_id: int, held: bool) -> None:
        """Keep the run from finishing (``held``), or let it go on."""
        self.require(run_id)
        self._plans[run_id].held = held

    def finish(
        self, run_id: int, status: FinalStatus, result: Result | None, message: str | None
    ) -> TestRun:
        """Jump the run to ``status`` now (``result`` defaults by status)."""
        run = self.require(run_id)
        if run.status in FINAL_STATUSES:
            raise ValueError(f"test run {run_id} already ended ({run.status})")
        if result is None:
            result = "error" if status == "aborted" else "passed"
        self._finish(run, status, result, message)
        return run

    def abort(self, run_id: int) -> None:
        """``POST /test_runs/{id}/abort``: ``409 conflict`` when the run already ended."""
        run = self.require(run_id)
        if run.status in FINAL_STATUSES:
            raise ApiError.conflict("Cannot abort a non-running test.")
        extra = StatusExtra(by_user=STARTED_BY, code=None, message=None)
        self._finish(run, "aborted", "error", "The test run was aborted by the user.", extra)

    def has_unfinished(self, test_id: int) -> bool:
        """Whether the test has a run that is neither ``completed`` nor ``aborted``."""
        return any(
            r.test_id == test_id and r.status not in FINAL_STATUSES for r in self.runs.values()
        )

    def of_test(self, test_id: int | None) -> list[TestRun]:
        """The runs of ``test_id`` (``None``: all), in id order."""
        return [r for r in self.runs.values() if test_id is None or r.test_id == test_id]

    def move_test(self, test_id: int, project_id: int) -> None:
        """A moved test takes its runs along."""
        for run in self.of_test(test_id):
            run.project_id = project_id

    def forget_test(self, test_id: int) -> list[int]:
        """A deleted test's runs go with it; their ids."""
        ids = [run.id for run in self.of_test(test_id)]
        for run_id in ids:
            self.forget(run_id)
        return ids

    def forget(self, run_id: int) -> None:
        """A deleted run."""
        del self.runs[run_id]
        del self._plans[run_id]

    def snapshot(self, run: TestRun) -> TestRun:
        """A deep copy a caller may keep."""
        return copy.deepcopy(run)

    def _enter(self, run: TestRun, status: str, extra: StatusExtra | None = None) -> None:
        event = StatusEvent(type=status, entered=self.clock.now(), extra=extra)
        run.status = status
        run.status_details = event
        run.status_history.append(event)

    def _finish(
        self,
        run: TestRun,
        status: str,
        result: str,
        message: str | None,
        extra: StatusExtra | None = None,
    ) -> None:
        self._enter(run, status, extra)
        run.ended = self.clock.now()
        run.result = result
        details: dict[str, Any] = {
            "type": result,
            "message": message if message is not None else _DEFAULT_MESSAGES.get(result),
            "code": None,
        }
        run.result_details = details
        running = next((e.entered for e in run.status_history if e.type == "running"), None)
        seconds = int((run.ended - running).total_seconds()) if running is not None else 0
        run.execution_duration = seconds
        vuh = round(seconds / 3600, 6)
        run.cost = TestCost(
            total_vuh=vuh,
            breakdown=CostBreakdown(
                base_total_vuh=vuh,
                browser_vuh=0.0,
                protocol_vuh=vuh,
                reduction_rate=0.0,
                reduction_rate_breakdown={},
            ),
        )
