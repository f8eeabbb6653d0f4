"""k6cloud_async: an asyncio client for the Grafana Cloud k6 Tests REST API (v6)."""

from ._bulk import Outcome, bulk
from ._client import K6CloudClient
from ._converter import to_dict
from ._download import ScriptDownload
from ._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    K6CloudError,
    NotAcceptableError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ResponseDecodeError,
    ServerError,
    TransportError,
    WaitTimeoutError,
)
from ._models import (
    UNSET,
    CostBreakdown,
    ErrorDetail,
    LoadTest,
    Page,
    StatusEvent,
    StatusExtra,
    TestCost,
    TestRun,
    Unset,
    ValidateOptionsResult,
)
from ._models_schedules import RecurrenceRule, Schedule, ScheduleCron
from ._retry import RetryPolicy
from ._version import __version__
from .resources.load_tests import LoadTests, new_idempotency_key
from .resources.schedules import Schedules
from .resources.test_runs import TestRuns

__all__ = [
    "UNSET",
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "CostBreakdown",
    "ErrorDetail",
    "K6CloudClient",
    "K6CloudError",
    "LoadTest",
    "LoadTests",
    "NotAcceptableError",
    "NotFoundError",
    "Outcome",
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "RecurrenceRule",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "RetryPolicy",
    "Schedule",
    "ScheduleCron",
    "Schedules",
    "ScriptDownload",
    "ServerError",
    "StatusEvent",
    "StatusExtra",
    "TestCost",
    "TestRun",
    "TestRuns",
    "TransportError",
    "Unset",
    "ValidateOptionsResult",
    "WaitTimeoutError",
    "__version__",
    "bulk",
    "new_idempotency_key",
    "to_dict",
]
