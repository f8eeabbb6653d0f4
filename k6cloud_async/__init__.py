"""k6cloud_async: an asyncio client for the Grafana Cloud k6 Tests REST API (v6)."""

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
from ._retry import RetryPolicy
from ._version import __version__
from .resources.load_tests import LoadTests, new_idempotency_key

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
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "RetryPolicy",
    "ScriptDownload",
    "ServerError",
    "StatusEvent",
    "StatusExtra",
    "TestCost",
    "TestRun",
    "TransportError",
    "Unset",
    "ValidateOptionsResult",
    "__version__",
    "new_idempotency_key",
    "to_dict",
]
