"""Schedule endpoints: listing, get, a test's schedule (get, set), delete, (de)activate."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any, Final

from aiohttp import web

from .._cron import parse_cron
from .._models_schedules import FREQUENCIES, WEEKDAYS, RecurrenceRule, ScheduleCron
from ._context import context
from ._errors import ApiError
from ._http import api_path, path_id, read_json
from ._json import json_response
from ._listing import page_body, parse_list_query
from ._request_rules import int64
from ._state_schedules import schedule_json

__all__ = ["routes"]

routes: Final = web.RouteTableDef()

_BODY_FIELDS: Final = frozenset({"starts", "recurrence_rule", "cron"})
_CRON_FIELDS: Final = frozenset({"schedule", "time_zone"})
_RULE_FIELDS: Final = frozenset({"frequency", "interval", "byday", "until", "count"})
#: The ``maxLength`` of ``ScheduleCron``'s fields.
_MAX_CRON: Final = 256
_MAX_ZONE: Final = 128


@routes.get(api_path("/schedules"))
async def list_schedules(request: web.Request) -> web.Response:
    """``GET /schedules``: a page of all schedules, by id (no ``$orderby``)."""
    ctx = context(request)
    query = parse_list_query(request.query, fields=(), default_top=ctx.page_size_default)
    body = page_body(request.url, ctx.store.schedules.listing(), query, schedule_json)
    return json_response(body)


@routes.get(api_path("/schedules/{id}"))
async def get_schedule(request: web.Request) -> web.Response:
    """``GET /schedules/{id}``."""
    return json_response(schedule_json(context(request).store.schedules.get(path_id(request))))


@routes.delete(api_path("/schedules/{id}"))
async def delete_schedule(request: web.Request) -> web.Response:
    """``DELETE /schedules/{id}``: 204."""
    context(request).store.schedules.delete(path_id(request))
    return web.Response(status=204)


@routes.post(api_path("/schedules/{id}/activate"))
async def activate_schedule(request: web.Request) -> web.Response:
    """``POST /schedules/{id}/activate``: 204; 409 once the schedule has expired."""
    context(request).store.schedules.activate(path_id(request))
    return web.Response(status=204)


@routes.post(api_path("/schedules/{id}/deactivate"))
async def deactivate_schedule(request: web.Request) -> web.Response:
    """``POST /schedules/{id}/deactivate``: 204 (no effect on an expired schedule)."""
    context(request).store.schedules.deactivate(path_id(request))
    return web.Response(status=204)


@routes.get(api_path("/load_tests/{id}/schedule"))
async def get_test_schedule(request: web.Request) -> web.Response:
    """``GET /load_tests/{id}/schedule``: 404 for an unknown test or one without a schedule."""
    store = context(request).store
    test_id = path_id(request)
    store.require_test(test_id)
    return json_response(schedule_json(store.schedules.for_test(test_id)))


@routes.post(api_path("/load_tests/{id}/schedule"))
async def set_test_schedule(request: web.Request) -> web.Response:
    """``POST /load_tests/{id}/schedule`` (``CreateScheduleRequest``): 200 with the new
    schedule, which replaces the test's previous one (an occurrence at the current fake
    time starts its run at once, and the answer's ``next_run`` is the one after it).

    415 unless ``application/json``; 400 for invalid JSON, an unknown field, a naive or
    missing ``starts``, both ``cron`` and ``recurrence_rule``, or a bad value in either.
    """
    store = context(request).store
    test_id = path_id(request)
    store.require_test(test_id)
    body = _object(await read_json(request), _BODY_FIELDS, "The request body")
    if "starts" not in body:
        raise ApiError.validation("starts is required.", "starts")
    starts = _aware(body["starts"], "starts")
    rule_body, cron_body = body.get("recurrence_rule"), body.get("cron")
    if rule_body is not None and cron_body is not None:
        raise ApiError.validation("Only one of recurrence_rule and cron can be set.", "cron")
    rule = None if rule_body is None else _rule(rule_body)
    cron = None if cron_body is None else _cron(cron_body)
    schedule = store.set_schedule(test_id, starts, rule, cron)
    return json_response(schedule_json(schedule))


def _object(value: Any, allowed: frozenset[str], what: str, target: str | None = None) -> Any:
    if not isinstance(value, dict):
        raise ApiError.validation(f"{what} must be a JSON object.", target)
    for name in value:
        if name not in allowed:
            prefix = f"{target}." if target else ""
            raise ApiError.validation(f"Unknown field {name!r}.", prefix + name)
    return value


def _aware(value: Any, target: str) -> datetime:
    if not isinstance(value, str):
        raise ApiError.validation(f"{target} must be a date-time string.", target)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError.validation(f"{target} is not an ISO 8601 date-time.", target) from None
    if when.utcoffset() is None:
        raise ApiError.validation(f"{target} must be timezone-aware.", target)
    return when


def _positive(value: Any, target: str) -> int:
    number = int64(value, target)
    if number < 1:
        raise ApiError.validation(f"{target} must be at least 1.", target)
    return number


def _rule(value: Any) -> RecurrenceRule:
    body = _object(value, _RULE_FIELDS, "recurrence_rule", "recurrence_rule")
    frequency = body.get("frequency")
    if frequency not in FREQUENCIES:
        raise ApiError.validation(
            f"frequency must be one of {', '.join(FREQUENCIES)}.", "recurrence_rule.frequency"
        )
    interval = _positive(body.get("interval", 1), "recurrence_rule.interval")
    count = body.get("count")
    if count is not None:
        count = _positive(count, "recurrence_rule.count")
    until = body.get("until")
    if until is not None:
        until = _aware(until, "recurrence_rule.until")
    if count is not None and until is not None:
        raise ApiError.validation("Only one of count and until can be set.", "recurrence_rule")
    byday = body.get("byday")
    if byday is not None:
        byday = _weekdays(byday, frequency)
    return RecurrenceRule(
        frequency=frequency, interval=interval, byday=byday, until=until, count=count
    )


def _weekdays(value: Any, frequency: str) -> list[str]:
    target = "recurrence_rule.byday"
    if frequency != "WEEKLY":
        raise ApiError.validation("byday can be set for a WEEKLY frequency only.", target)
    if not isinstance(value, list) or not value:
        raise ApiError.validation("byday must be a non-empty array of weekdays.", target)
    if any(day not in WEEKDAYS for day in value) or len(set(value)) != len(value):
        raise ApiError.validation(
            f"byday must list distinct weekdays among {', '.join(WEEKDAYS)}.", target
        )
    return list(value)


def _cron(value: Any) -> ScheduleCron:
    body = _object(value, _CRON_FIELDS, "cron", "cron")
    expression, zone = body.get("schedule"), body.get("time_zone")
    if not isinstance(expression, str) or not 1 <= len(expression) <= _MAX_CRON:
        raise ApiError.validation(
            f"schedule must be a string of 1 to {_MAX_CRON} characters.", "cron.schedule"
        )
    try:
        parse_cron(expression)
    except ValueError as exc:
        raise ApiError.validation(f"Invalid cron expression: {exc}.", "cron.schedule") from None
    if not isinstance(zone, str) or not 1 <= len(zone) <= _MAX_ZONE or not _known_zone(zone):
        raise ApiError.validation("time_zone must be a known time zone.", "cron.time_zone")
    return ScheduleCron(schedule=expression, time_zone=zone)


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
