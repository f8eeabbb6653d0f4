"""k6cloud_async: an asyncio client for the Grafana Cloud k6 Tests REST API (v6).

The public names are loaded on first use (PEP 562): ``import k6cloud_async`` alone imports
neither aiohttp nor the models, so the ``k6cloud`` command can answer ``--help`` at once.
``from k6cloud_async import K6CloudClient`` imports what the client needs, and no more
(the bulk helpers, the testing package and the command line stay unloaded until used).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # the same names, for type checkers and IDEs (kept equal to _EXPORTS)
    from ._bulk import Failure, Outcome, Success, bulk
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
        RunResult,
        RunStatus,
        StatusEvent,
        StatusExtra,
        TestCost,
        TestRun,
        Unset,
        Upserted,
        ValidateOptionsResult,
    )
    from ._models_auth import Authentication
    from ._models_labels import LabelKey
    from ._models_load_zones import AllowedProject, LoadZone
    from ._models_projects import AllowedLoadZone, Project, ProjectLabel, ProjectLimits
    from ._models_runs import DistributionNode, LoadZoneDistribution
    from ._models_schedules import RecurrenceRule, Schedule, ScheduleCron
    from ._retry import RetryPolicy
    from .resources.labels import Labels
    from .resources.load_tests import LoadTests, new_idempotency_key
    from .resources.load_zones import LoadZones
    from .resources.projects import Projects
    from .resources.schedules import Schedules
    from .resources.test_runs import TestRuns

#: Each public name and the module that defines it, imported on first access.
_EXPORTS: dict[str, str] = {
    "Failure": "._bulk",
    "Outcome": "._bulk",
    "Success": "._bulk",
    "bulk": "._bulk",
    "K6CloudClient": "._client",
    "to_dict": "._converter",
    "ScriptDownload": "._download",
    **dict.fromkeys(
        (
            "APIError",
            "AuthenticationError",
            "BadRequestError",
            "ConfigurationError",
            "ConflictError",
            "K6CloudError",
            "NotAcceptableError",
            "NotFoundError",
            "PermissionDeniedError",
            "RateLimitError",
            "RequestTimeoutError",
            "ResponseDecodeError",
            "ServerError",
            "TransportError",
            "WaitTimeoutError",
        ),
        "._errors",
    ),
    **dict.fromkeys(
        (
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
        ),
        "._models",
    ),
    "RetryPolicy": "._retry",
    "LoadTests": ".resources.load_tests",
    "new_idempotency_key": ".resources.load_tests",
    "TestRuns": ".resources.test_runs",
    "AllowedLoadZone": "._models_projects",
    "Project": "._models_projects",
    "ProjectLabel": "._models_projects",
    "ProjectLimits": "._models_projects",
    "Projects": ".resources.projects",
    "RecurrenceRule": "._models_schedules",
    "Schedule": "._models_schedules",
    "ScheduleCron": "._models_schedules",
    "Schedules": ".resources.schedules",
    "Authentication": "._models_auth",
    "LabelKey": "._models_labels",
    "AllowedProject": "._models_load_zones",
    "LoadZone": "._models_load_zones",
    "Labels": ".resources.labels",
    "LoadZones": ".resources.load_zones",
    "DistributionNode": "._models_runs",
    "LoadZoneDistribution": "._models_runs",
}

__all__ = [
    "UNSET",
    "APIError",
    "AllowedLoadZone",
    "AllowedProject",
    "Authentication",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "CostBreakdown",
    "DistributionNode",
    "ErrorDetail",
    "Failure",
    "K6CloudClient",
    "K6CloudError",
    "LabelKey",
    "Labels",
    "LoadTest",
    "LoadTests",
    "LoadZone",
    "LoadZoneDistribution",
    "LoadZones",
    "NotAcceptableError",
    "NotFoundError",
    "Outcome",
    "Page",
    "PermissionDeniedError",
    "Project",
    "ProjectLabel",
    "ProjectLimits",
    "Projects",
    "RateLimitError",
    "RecurrenceRule",
    "RequestTimeoutError",
    "ResponseDecodeError",
    "RetryPolicy",
    "RunResult",
    "RunStatus",
    "Schedule",
    "ScheduleCron",
    "Schedules",
    "ScriptDownload",
    "ServerError",
    "StatusEvent",
    "StatusExtra",
    "Success",
    "TestCost",
    "TestRun",
    "TestRuns",
    "TransportError",
    "Unset",
    "Upserted",
    "ValidateOptionsResult",
    "WaitTimeoutError",
    "__version__",
    "bulk",
    "new_idempotency_key",
    "to_dict",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access, and keep the name for the next."""
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
