"""What the fake keeps of a run besides its status: its note, star and saved results, the
script it ran, and its load zone distribution."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from attrs import define, evolve, field

from .._models_runs import DistributionNode, LoadZoneDistribution
from ._clock import FakeClock
from ._errors import ApiError
from ._runs import FINAL_STATUSES, RETENTION, RunBook

__all__ = ["DEFAULT_LOAD_ZONE", "RunState"]

#: Where a run goes when nothing else is said: the OpenAPI examples' load zone.
DEFAULT_LOAD_ZONE: Final = "amazon:us:ashburn"
_NODE_SIZE: Final = "m5.large"
#: Statuses a run can have without ever having been given load generators.
_BEFORE_NODES: Final = frozenset({"created", "aborted"})


def _default_distribution(run_id: int) -> dict[str, LoadZoneDistribution]:
    # 203.0.113.0/24 is TEST-NET-3 (RFC 5737): an address that is nobody's.
    node = DistributionNode(size=_NODE_SIZE, public_ip=f"203.0.113.{(run_id - 1) % 254 + 1}")
    return {DEFAULT_LOAD_ZONE: LoadZoneDistribution(percentage=100, nodes=[node])}


@define
class RunState:
    """The per-run data the endpoints beyond start/get/abort read and change.

    Methods raise :class:`ApiError` as the OpenAPI document describes each operation.
    ``max_saved_runs`` (``None``: no limit) is how many runs may be saved at once.
    """

    book: RunBook
    clock: FakeClock
    scripts: dict[int, bytes] = field(factory=dict)
    distributions: dict[int, dict[str, LoadZoneDistribution]] = field(factory=dict)
    max_saved_runs: int | None = None

    def ran(self, run_id: int, script: bytes) -> None:
        """A new run: it keeps the script its test had when it started."""
        self.scripts[run_id] = script
        run = self.book.require(run_id)
        run.distribution = [{"load_zone": DEFAULT_LOAD_ZONE, "percent": 100}]

    def note(self, run_id: int, note: str) -> None:
        """``PATCH /test_runs/{id}``: replace the note."""
        self.book.require(run_id).note = note

    def star(self, run_id: int, starred: bool) -> None:
        """``POST /test_runs/{id}/star`` and ``…/unstar``."""
        self.book.require(run_id).is_starred = starred

    def save(self, run_id: int) -> None:
        """``POST /test_runs/{id}/save``: keep the results (``retention_expiry`` null).

        ``409`` when the results already expired, or when ``max_saved_runs`` other runs
        are saved. Saving a saved run changes nothing.
        """
        run = self.book.require(run_id)
        if run.retention_expiry is None:
            return
        if self.clock.now() >= run.retention_expiry:
            raise ApiError.conflict("Test run has been deleted")
        saved = sum(1 for r in self.book.runs.values() if r.retention_expiry is None)
        if self.max_saved_runs is not None and saved >= self.max_saved_runs:
            raise ApiError.conflict("The maximum number of saved test runs has been reached")
        run.retention_expiry = None

    def unsave(self, run_id: int) -> None:
        """``POST /test_runs/{id}/unsave``: the results expire again, 30 days after the
        run was created (so possibly at once)."""
        run = self.book.require(run_id)
        if run.retention_expiry is None:
            run.retention_expiry = run.created + RETENTION

    def delete(self, run_id: int) -> None:
        """``DELETE /test_runs/{id}``: ``409`` while the run has not ended."""
        run = self.book.require(run_id)
        if run.status not in FINAL_STATUSES:
            raise ApiError.conflict("Cannot delete test while it's running.")
        self.book.forget(run_id)
        self.forget([run_id])

    def forget(self, run_ids: list[int]) -> None:
        """Runs that are gone (deleted, or their test deleted)."""
        for run_id in run_ids:
            self.scripts.pop(run_id, None)
            self.distributions.pop(run_id, None)

    def script(self, run_id: int) -> bytes:
        """The script the run ran (``404`` for an unknown run)."""
        self.book.require(run_id)
        return self.scripts[run_id]

    def distribution(self, run_id: int) -> dict[str, LoadZoneDistribution]:
        """``GET /test_runs/{id}/distribution``: ``404`` for an unknown run, and for one
        that never had load generators (still ``created``, or aborted before it had)."""
        run = self.book.require(run_id)
        given = self.distributions.get(run_id)
        if given is not None:
            return given
        if all(event.type in _BEFORE_NODES for event in run.status_history):
            raise ApiError.not_found("Distribution data for this test run")
        return _default_distribution(run_id)

    def set_distribution(
        self, run_id: int, distribution: Mapping[str, LoadZoneDistribution]
    ) -> None:
        """Decide the run's distribution (and the zones its ``distribution`` field lists)."""
        run = self.book.require(run_id)
        copied = {zone: evolve(part, nodes=list(part.nodes)) for zone, part in distribution.items()}
        self.distributions[run_id] = copied
        run.distribution = [
            {"load_zone": zone, "percent": part.percentage} for zone, part in copied.items()
        ]
