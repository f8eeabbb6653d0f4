"""Attrs classes for the bodies of the Tests REST API (v6).

Attribute names are the API's field names. A field is required only when both the
documentation page and the OpenAPI document require it; fields only the OpenAPI
document has default to ``None``. The classes are slotted but not frozen: frozen
``__init__`` costs about twice as much when decoding thousand-item pages, so treat
instances as read-only by convention.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Final, Generic, Literal, TypeVar

from attrs import define, field

__all__ = [
    "UNSET",
    "CostBreakdown",
    "ErrorDetail",
    "LoadTest",
    "Page",
    "StatusEvent",
    "StatusExtra",
    "TestCost",
    "TestRun",
    "Unset",
    "ValidateOptionsResult",
]

T = TypeVar("T")


class Unset(enum.Enum):
    """Type of the :data:`UNSET` sentinel: "leave this field alone"."""

    UNSET = enum.auto()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


#: A keyword left at ``UNSET`` is not sent at all; ``None`` sends JSON ``null``.
UNSET: Final = Unset.UNSET


@define
class LoadTest:
    """A load test (``LoadTestApiModel``)."""

    id: int
    project_id: int
    name: str
    baseline_test_run_id: int | None
    created: datetime
    updated: datetime
    k6_version: int | None = None


@define
class Page(Generic[T]):
    """One page of a listing: its ``value`` items, ``@count`` and ``@nextLink``."""

    items: list[T]
    count: int | None = None
    next_link: str | None = None


@define
class StatusExtra:
    """Extra information about a test run status (``StatusExtraApiModel``)."""

    by_user: str | None = None
    code: int | None = None
    message: str | None = None


@define
class StatusEvent:
    """A test run status: ``status_details`` or one ``status_history`` entry."""

    type: str
    entered: datetime
    extra: StatusExtra | None = None


@define
class CostBreakdown:
    """Breakdown of a VUH figure (``CostBreakdownApiModel``)."""

    base_total_vuh: float
    browser_vuh: float
    protocol_vuh: float
    reduction_rate: float
    reduction_rate_breakdown: dict[str, float] | None


@define
class TestCost:
    """The cost of a test run (``TestCostApiModel``)."""

    __test__ = False  # not a pytest test class

    total_vuh: float
    breakdown: CostBreakdown


@define
class TestRun:
    """A test run (``TestRunApiModel``; ``StartLoadTestResponse`` adds the page URL)."""

    __test__ = False  # not a pytest test class

    id: int
    test_id: int
    project_id: int
    started_by: str | None
    created: datetime
    ended: datetime | None
    note: str
    retention_expiry: datetime | None
    cost: TestCost | None
    status: str
    status_details: StatusEvent
    status_history: list[StatusEvent]
    distribution: list[dict[str, Any]] | None
    result: str | None
    result_details: dict[str, Any] | None
    options: dict[str, Any] | None
    k6_dependencies: dict[str, str]
    k6_versions: dict[str, str]
    max_vus: int | None = None
    max_browser_vus: int | None = None
    estimated_duration: int | None = None
    execution_duration: int | None = None
    is_starred: bool | None = None
    test_run_details_page_url: str | None = None

    @property
    def is_finished(self) -> bool:
        """Whether the run reached a final status (``completed`` or ``aborted``)."""
        return self.status in _FINAL_STATUSES


_FINAL_STATUSES: Final = frozenset({"completed", "aborted"})


@define
class ValidateOptionsResult:
    """What ``validate_options`` answers (``ValidateOptionsResponse``)."""

    vuh_usage: float
    breakdown: CostBreakdown


@define
class ErrorDetail:
    """One entry of an error's ``details`` (``ErrorDetailsApiModel``)."""

    code: str
    message: str
    target: str | None = None


@define
class ErrorBody:
    """The ``error`` object of an error response (``ErrorApiModel``)."""

    code: str
    message: str
    target: str | None = None
    details: list[ErrorDetail] | None = field(default=None)


@define
class LoadTestPatch:
    """Request body of ``PATCH /load_tests/{id}`` (``PatchLoadTestApiModel``)."""

    name: str | Unset = UNSET
    baseline_test_run_id: int | Unset | None = UNSET


@define
class LoadTestMove:
    """Request body of ``PUT /load_tests/{id}/move`` (``MoveLoadTestApiModel``)."""

    project_id: int


@define
class ValidateOptionsRequest:
    """Request body of ``POST /validate_options`` (``ValidateOptionsRequest``)."""

    options: dict[str, Any]
    project_id: int | Unset | None = UNSET
    k6_dependencies: dict[str, str] | Unset | None = UNSET
    is_local_execution: bool | Unset = UNSET
