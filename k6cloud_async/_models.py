"""Attrs classes for the bodies of the Tests REST API (v6).

Attribute names are the API's field names. A field is required only when both the
documentation page and the OpenAPI document require it; fields only the OpenAPI
document has default to ``None``. The classes are slotted but not frozen: frozen
``__init__`` costs about twice as much when decoding thousand-item pages, so treat
instances as read-only by convention.

These classes are the schema: the converters (``_converter``) generate their decoders from
``attrs.fields()``, so a field is declared here once and nowhere else.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Final, Generic, Literal, NamedTuple, TypeAlias, TypeVar

from attrs import define, field

__all__ = [
    "UNSET",
    "CostBreakdown",
    "ErrorDetail",
    "LoadTest",
    "Page",
    "RunResult",
    "RunStatus",
    "StatusEvent",
    "StatusExtra",
    "TestCost",
    "TestRun",
    "Unset",
    "Upserted",
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


class Upserted(NamedTuple, Generic[T]):
    """What an ``upsert`` gave: the ``value`` (the test or project), and whether it was
    ``created`` (``False``: it existed, and was updated or found).

    A named tuple, so both ``result.value`` and ``test, created = await ….upsert(…)`` read.
    """

    value: T
    created: bool


class _Mark:
    """``Annotated`` metadata that the converters recognise by identity."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


VUH_FIGURE: Final = _Mark("VUH figure")

#: A VUH figure, which the API types as a number *or a string*: a number, or a string holding
#: a decimal number ("12.5"), is read as a float; anything else (another string, null, an
#: object...) is read as ``None`` rather than failing the whole body.
VuhFigure: TypeAlias = Annotated[float | None, VUH_FIGURE]

#: Metadata of a field that receives the JSON object exactly as sent (never compared).
SENT_OBJECT: Final = "k6cloud_async.sent_object"


def _sent_object() -> Any:
    return field(default=None, eq=False, repr=False, metadata={SENT_OBJECT: True})


class RunStatus(enum.StrEnum):
    """The test run statuses the API documents (``TestRun.status``, ``StatusEvent.type``).

    ``TestRun.status`` stays a plain ``str``, so that a status the API adds later still
    decodes. Compare it with these members (``run.status == RunStatus.COMPLETED``): a
    misspelt member is an ``AttributeError`` and a type checker's error, where a misspelt
    string would silently never match.
    """

    CREATED = "created"
    QUEUED = "queued"
    INITIALIZING = "initializing"
    RUNNING = "running"
    PROCESSING_METRICS = "processing_metrics"
    COMPLETED = "completed"
    ABORTED = "aborted"


class RunResult(enum.StrEnum):
    """The test run results the API documents (``TestRun.result``, a plain ``str | None``).

    ``passed`` when no threshold was crossed, ``failed`` when one was, ``error`` when the
    execution did not complete; ``None`` until the run has a result.
    """

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"


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
    """Breakdown of a VUH figure (``CostBreakdownApiModel``).

    Each figure is a float, or ``None`` when the API sent something that is not a number
    (a numeric string such as ``"12.5"`` is read as its number); so is each value of
    ``reduction_rate_breakdown``. ``raw`` is the JSON object as it was sent, so that a figure
    read as ``None`` can still be seen (``breakdown.raw["protocol_vuh"]``); it is ``None``
    for an instance not decoded from a response, and never compared.
    """

    base_total_vuh: VuhFigure
    browser_vuh: VuhFigure
    protocol_vuh: VuhFigure
    reduction_rate: VuhFigure
    reduction_rate_breakdown: dict[str, VuhFigure] | None
    raw: Mapping[str, Any] | None = _sent_object()


@define
class TestCost:
    """The cost of a test run (``TestCostApiModel``).

    ``total_vuh`` is a float, or ``None`` when the API sent something that is not a number
    (see ``CostBreakdown``); ``raw`` is the ``cost`` object as it was sent (``None`` for an
    instance not decoded from a response; never compared). Only the figures are lenient: a
    missing field or a ``breakdown`` that is not an object still fails decoding.
    """

    __test__ = False  # not a pytest test class

    total_vuh: VuhFigure
    breakdown: CostBreakdown
    raw: Mapping[str, Any] | None = _sent_object()


@define
class TestRun:
    """A test run (``TestRunApiModel``; ``StartLoadTestResponse`` adds the page URL).

    A ``cost`` figure the API sends as something other than a number is read as ``None``
    (see ``TestCost``) and never makes the run undecodable; its identity and status fields
    (``id``, ``status``, ``status_details``...) must be as documented.
    """

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
    #: One of ``RunStatus`` as documented; kept a ``str`` for statuses added later.
    status: str
    status_details: StatusEvent
    status_history: list[StatusEvent]
    distribution: list[dict[str, Any]] | None
    #: One of ``RunResult`` as documented, or ``None``; kept a ``str`` for results added later.
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


_FINAL_STATUSES: Final = frozenset({RunStatus.COMPLETED, RunStatus.ABORTED})


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
