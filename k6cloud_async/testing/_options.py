"""``POST /validate_options``: checking a request and estimating its VUH deterministically.

The estimate is a simple stand-in for Grafana Cloud's pricing:

* with ``options.stages``: ``max_vus`` is the largest of ``options.vus`` and every
  stage ``target``; ``seconds`` is the sum of the stage durations;
* otherwise: ``max_vus`` is ``options.vus`` (default 1), ``seconds`` is
  ``options.duration`` (default 0);
* ``base_total_vuh = max_vus * seconds / 3600``; ``is_local_execution`` gives a 25 %
  ``local_run`` reduction (``reduction_rate`` 25, else 0); ``browser_vuh`` is 0;
  ``protocol_vuh = vuh_usage = base_total_vuh * (1 - reduction_rate / 100)``;
  every figure is rounded to 4 decimals.

Durations are k6 strings (``"1h30m"``, ``"90s"``, ``"500ms"``, ``"2d"``) or numbers
of milliseconds. ``scenarios`` are not interpreted. More than 1000 VUs is a ``400
validation_error`` with one ``details`` entry (code ``max_vus_exceeded``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from ._errors import ApiError
from ._request_rules import finite, int64, optional_int64

__all__ = ["MAX_VUS", "validate_options"]

MAX_VUS: Final = 1000
LOCAL_RUN_REDUCTION: Final = 25.0

_FIELDS: Final = frozenset(
    {"options", "project_id", "k6_dependencies", "is_local_execution", "k6_version"}
)
_DURATION_PART: Final = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_SECONDS: Final = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def _duration(value: Any, target: str) -> float:
    """Seconds; a number is milliseconds (an int64, or a finite float)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return int64(value, target) / 1000.0
    if isinstance(value, float) and value >= 0:
        return finite(value, target) / 1000.0
    if isinstance(value, str):
        text = value.strip()
        parts = _DURATION_PART.findall(text)
        if parts and "".join(n + u for n, u in parts) == text:
            # "9…9d" with hundreds of digits overflows to infinity: too long, not "forever"
            return finite(sum(float(n) * _UNIT_SECONDS[u] for n, u in parts), target)
    raise ApiError.validation(f"Invalid duration {value!r}.", target)


def _vus(value: Any, target: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ApiError.validation("VUs must be a non-negative integer.", target)
    return int64(value, target)


def _check_request(body: dict[str, Any]) -> None:
    for name in body:
        if name not in _FIELDS:
            raise ApiError.validation(f"Unknown field {name!r}.", name)
    if not isinstance(body.get("options"), dict):
        raise ApiError.validation("options is required and must be an object.", "options")
    optional_int64(body.get("project_id"), "project_id")
    deps = body.get("k6_dependencies")
    if deps is not None and not (
        isinstance(deps, dict) and all(isinstance(v, str) for v in deps.values())
    ):
        raise ApiError.validation(
            "k6_dependencies must be an object of strings or null.", "k6_dependencies"
        )
    if "is_local_execution" in body and not isinstance(body["is_local_execution"], bool):
        raise ApiError.validation("is_local_execution must be a boolean.", "is_local_execution")
    optional_int64(body.get("k6_version"), "k6_version")


def _project_id(body: dict[str, Any]) -> int | None:
    if body.get("project_id") is not None:
        return int(body["project_id"])
    cloud = body["options"].get("cloud")
    if cloud is None:
        return None
    if not isinstance(cloud, dict):
        raise ApiError.validation("options.cloud must be an object.", "options.cloud")
    return optional_int64(cloud.get("projectID"), "options.cloud.projectID")


def _load(options: dict[str, Any]) -> tuple[int, float, str]:
    """``(max_vus, seconds, target of max_vus)``."""
    vus = _vus(options["vus"], "options.vus") if "vus" in options else None
    stages = options.get("stages")
    if stages is None or stages == []:
        seconds = _duration(options.get("duration", 0), "options.duration")
        return (1 if vus is None else vus), seconds, "options.vus"
    if not isinstance(stages, list):
        raise ApiError.validation("options.stages must be a list.", "options.stages")
    max_vus, where, seconds = (vus or 0), "options.vus", 0.0
    for i, stage in enumerate(stages):
        at = f"options.stages[{i}]"
        if not isinstance(stage, dict) or "duration" not in stage or "target" not in stage:
            raise ApiError.validation("A stage needs a duration and a target.", at)
        seconds = finite(seconds + _duration(stage["duration"], f"{at}.duration"), at)
        target = _vus(stage["target"], f"{at}.target")
        if target > max_vus:
            max_vus, where = target, f"{at}.target"
    return max_vus, seconds, where


def validate_options(body: Any, project_exists: Callable[[int], bool]) -> dict[str, Any]:
    """Check a ``ValidateOptionsRequest`` and answer its ``ValidateOptionsResponse``.

    Raises ``400 validation_error`` (with the offending field as ``target``) for an
    unknown top-level field, a value of the wrong type, a project that does not
    exist (target ``project_id``, whether it came from ``project_id`` or
    ``options.cloud.projectID``), or more than 1000 VUs.
    """
    if not isinstance(body, dict):
        raise ApiError.validation("The request body must be a JSON object.")
    _check_request(body)
    project_id = _project_id(body)
    if project_id is not None and not project_exists(project_id):
        raise ApiError.validation(f"Project {project_id} does not exist.", "project_id")
    max_vus, seconds, where = _load(body["options"])
    if max_vus > MAX_VUS:
        raise ApiError(
            400,
            "validation_error",
            "The options are not valid.",
            target="options",
            details=[
                {
                    "code": "max_vus_exceeded",
                    "message": f"The test uses {max_vus} VUs; at most {MAX_VUS} are allowed.",
                    "target": where,
                }
            ],
        )
    base = round(max_vus * seconds / 3600.0, 4)
    local = body.get("is_local_execution") is True
    rate = LOCAL_RUN_REDUCTION if local else 0.0
    usage = round(base * (1.0 - rate / 100.0), 4)
    return {
        "vuh_usage": usage,
        "breakdown": {
            "protocol_vuh": usage,
            "browser_vuh": 0.0,
            "base_total_vuh": base,
            "reduction_rate": rate,
            "reduction_rate_breakdown": {"local_run": rate} if local else {},
        },
    }
