"""Argument checks made before any request, each naming the argument it rejects."""

from __future__ import annotations

import math
import os
import re
import ssl
import zoneinfo
from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import aiohttp
from yarl import URL

from ._constants import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PAGE_SIZE,
    ORDER_BY_FIELDS,
)
from ._cron import parse_cron
from ._models import Unset
from ._models_schedules import (
    FREQUENCIES,
    WEEKDAYS,
    RecurrenceRule,
    ScheduleCron,
    ScheduleRequest,
)

__all__ = [
    "MAX_ALLOWED_LOAD_ZONES",
    "MAX_ID",
    "MAX_LABEL_TEXT_LENGTH",
    "MAX_PROJECT_IDS_PER_REQUEST",
    "MAX_PROJECT_LABELS",
    "MAX_PROJECT_NAME_LENGTH",
    "check_aware_datetime",
    "check_bool",
    "check_callback",
    "check_changes",
    "check_cron",
    "check_header_text",
    "check_header_value",
    "check_id",
    "check_id_list",
    "check_idempotency_key",
    "check_idempotency_keys",
    "check_json",
    "check_k6_load_zone_id",
    "check_label_description",
    "check_label_key",
    "check_label_keys",
    "check_label_text",
    "check_labels",
    "check_limit",
    "check_load_zone_ids",
    "check_mapping",
    "check_max_retries",
    "check_name",
    "check_note",
    "check_only_with",
    "check_order_by",
    "check_page_size",
    "check_poll_intervals",
    "check_positive_int",
    "check_project_ids",
    "check_project_name",
    "check_proxy",
    "check_recurrence",
    "check_request_timeout",
    "check_rewindable",
    "check_save_target",
    "check_schedule",
    "check_seconds",
    "check_ssl",
    "check_stack_url",
    "check_str_mapping",
    "check_timeout",
]

#: The API's ids are signed 64-bit integers.
MAX_ID: Final = 2**63 - 1
#: JSON integers the encoders carry exactly (orjson refuses anything outside 64 bits).
_JSON_INT_RANGE: Final = (-(2**63), 2**64 - 1)
#: Nesting refused beyond this: orjson stops at 255 levels (the body wraps ``options`` in
#: one more), and deeper values risk a RecursionError in the converter.
MAX_JSON_DEPTH: Final = 128


def check_id(value: Any, argument: str) -> int:
    """A positive 64-bit integer id; a bool is refused although Python counts it as an int."""
    if type(value) is not int:
        raise TypeError(f"{argument} must be an int, not {type(value).__name__}")
    if not 1 <= value <= MAX_ID:
        raise ValueError(f"{argument} must be a positive integer up to 2**63-1, got {value}")
    return value


def check_positive_int(value: Any, argument: str) -> int:
    """A positive int; a bool is a TypeError, not 1."""
    if type(value) is not int:
        raise TypeError(f"{argument} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{argument} must be a positive int, got {value}")
    return value


def check_seconds(value: Any, argument: str) -> float:
    """A positive, finite number of seconds (a bool is refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{argument} must be a number of seconds, not {type(value).__name__}")
    if not 0 < value < math.inf:  # also false for nan
        raise ValueError(f"{argument} must be a positive, finite number of seconds, got {value}")
    return float(value)


def check_timeout(value: Any, argument: str = "timeout") -> float | aiohttp.ClientTimeout:
    """A positive, finite number of seconds, or an ``aiohttp.ClientTimeout`` whose limits
    are each ``None`` or such a number."""
    if isinstance(value, aiohttp.ClientTimeout):
        for name in ("total", "connect", "sock_read", "sock_connect"):
            limit = getattr(value, name)
            if limit is not None:
                check_seconds(limit, f"{argument}.{name}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(
            f"{argument} must be a number of seconds or an aiohttp.ClientTimeout, "
            f"not {type(value).__name__}"
        )
    return check_seconds(value, argument)


def check_proxy(value: Any) -> str | URL | None:
    """``None`` or an absolute http(s) proxy URL."""
    if value is None:
        return None
    if not isinstance(value, str | URL):
        raise TypeError(f"proxy must be a str or yarl.URL, not {type(value).__name__}")
    url = URL(value)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"proxy must be an absolute http(s) URL, got {str(url)!r}")
    return value


def check_ssl(value: Any) -> Any:
    """What aiohttp takes as ``ssl=``: None, a bool, an SSLContext or a Fingerprint."""
    if value is None or isinstance(value, bool | ssl.SSLContext | aiohttp.Fingerprint):
        return value
    raise TypeError(
        f"ssl must be None, a bool, an ssl.SSLContext or an aiohttp.Fingerprint, "
        f"not {type(value).__name__}"
    )


def check_name(value: Any, argument: str = "name") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if not 1 <= len(value) <= MAX_NAME_LENGTH:
        raise ValueError(
            f"{argument} must be 1 to {MAX_NAME_LENGTH} characters long, got {len(value)}"
        )
    return value


def check_page_size(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"page_size must be an int, not {type(value).__name__}")
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {value}")
    return value


def check_order_by(
    value: Any, fields: frozenset[str] = ORDER_BY_FIELDS, *, one_field: bool = False
) -> str | None:
    """``"name desc,id"`` or ``["name desc", "id"]`` → the ``$orderby`` query value.

    ``fields`` are the ones the listing can be ordered by (load tests' by default);
    ``one_field`` refuses more than one term, for listings the API orders by one field only.
    """
    if value is None:
        return None
    if isinstance(value, str):
        terms = value.split(",")
    elif isinstance(value, Sequence) and all(isinstance(term, str) for term in value):
        terms = list(value)
    else:
        raise TypeError("order_by must be a str or a sequence of str")
    cleaned = []
    for term in terms:
        words = term.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() != "desc"):
            raise ValueError(f"order_by term {term!r} must be 'FIELD' or 'FIELD desc'")
        if words[0] not in fields:
            allowed = ", ".join(sorted(fields))
            raise ValueError(f"order_by field {words[0]!r} is not one of {allowed}")
        cleaned.append(" ".join(words[:1] + ["desc"] * (len(words) == 2)))
    if not cleaned:
        raise ValueError("order_by must name at least one field")
    if one_field and len(cleaned) > 1:
        choices = " or ".join(f"'{name}' or '{name} desc'" for name in sorted(fields))
        raise ValueError(f"order_by must be {choices}, got {value!r}")
    return ",".join(cleaned)


def check_header_value(value: Any, argument: str) -> str:
    """A str without characters that would break or smuggle an HTTP header."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if value.isascii() and value.isprintable():  # the common case, checked in C
        return value
    if not value.isascii():
        raise ValueError(f"{argument} must be ASCII")
    raise ValueError(f"{argument} contains control characters")


def check_idempotency_key(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"idempotency_key must be a str, not {type(value).__name__}")
    if not 1 <= len(value) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValueError(
            f"idempotency_key must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters long, "
            f"got {len(value)}"
        )
    if value.strip() != value:
        # The header value would be trimmed or empty on the way: another key.
        raise ValueError("idempotency_key must not be blank or start or end with whitespace")
    return check_header_value(value, "idempotency_key")


def check_header_text(value: Any, argument: str) -> str:
    """A str that can be sent as a header value."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    return check_header_value(value, argument)


def check_idempotency_keys(keys: Any) -> Mapping[int, str]:
    """``{test_id: key}`` for ``start_many``; None is no keys."""
    if keys is None:
        return {}
    if not isinstance(keys, Mapping):
        raise TypeError(f"idempotency_keys must be a mapping, not {type(keys).__name__}")
    for test_id, key in keys.items():
        check_id(test_id, "an idempotency_keys key")
        try:
            check_idempotency_key(key)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"idempotency_keys[{test_id}]: {exc}") from None
    return keys


def check_max_retries(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"max_retries must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"max_retries must be 0 or more, got {value}")
    return value


def check_bool(value: Any, argument: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{argument} must be a bool, not {type(value).__name__}")
    return value


def check_aware_datetime(value: Any, argument: str) -> datetime:
    """A timezone-aware datetime; a naive one would be read in an unknown zone."""
    if not isinstance(value, datetime):
        raise TypeError(f"{argument} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{argument} must be timezone-aware (give it a tzinfo, e.g. UTC)")
    return value


def check_str_mapping(value: Any, argument: str) -> dict[str, str]:
    """A mapping of str to str, copied."""
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise TypeError(f"{argument} must be a mapping of str to str")
    return dict(value)


def check_rewindable(script: Any) -> Callable[[], None]:
    """How to bring a script that may be sent twice back to its start.

    Bytes, str and paths need nothing; a seekable file is sought back to where it is now.
    A non-seekable stream is a ValueError and an async iterator a TypeError. Anything else
    is left for ``prepare_script`` to name what is wrong with it.
    """
    if isinstance(script, str | bytes | bytearray | memoryview | os.PathLike):
        return _nothing
    if hasattr(script, "read"):
        try:
            seekable = bool(script.seekable())
        except (AttributeError, OSError, ValueError):
            seekable = False
        if not seekable:
            raise ValueError(
                "script must be re-readable for upsert, which may send it twice: a "
                "non-seekable stream is not (pass bytes, a path or a seekable file)"
            )
        start = script.tell()

        def rewind() -> None:
            script.seek(start)

        return rewind
    if isinstance(script, AsyncIterable):
        raise TypeError(
            "script must be re-readable for upsert, which may send it twice: an async "
            "iterator is not (pass bytes, str, a path or a seekable binary file)"
        )
    return _nothing


def _nothing() -> None:
    return None


def check_mapping(value: Any, argument: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{argument} must be a mapping, not {type(value).__name__}")
    return value


def check_changes(call: str, **changes: Any) -> None:
    """Refuse an update whose every keyword is left at ``UNSET``: it would change nothing."""
    if all(isinstance(value, Unset) for value in changes.values()):
        wanted = " or ".join(f"{name}=" for name in changes)
        raise ValueError(f"{call}() needs {wanted} to change")


def check_callback(value: Any, argument: str, takes: str) -> None:
    """None, or a callable (a coroutine function is one too)."""
    if value is not None and not callable(value):
        raise TypeError(f"{argument} must be a callable taking the {takes}")


def check_poll_intervals(poll_interval: Any, max_poll_interval: Any) -> tuple[float, float]:
    """The first and the longest wait between polls, the longest no shorter than the first."""
    first = check_seconds(poll_interval, "poll_interval")
    longest = check_seconds(max_poll_interval, "max_poll_interval")
    if longest < first:
        raise ValueError(
            f"max_poll_interval ({longest}) must not be less than poll_interval ({first})"
        )
    return first, longest


def check_request_timeout(value: Any, argument: str) -> None:
    """None, an ``aiohttp.ClientTimeout``, or a positive, finite number of seconds."""
    if value is not None and not isinstance(value, aiohttp.ClientTimeout):
        check_seconds(value, argument)


def check_note(value: Any) -> str:
    """A test run's note: any str (``""`` clears it)."""
    if not isinstance(value, str):
        raise TypeError(f"note must be a str, not {type(value).__name__}")
    return value


def check_only_with(value: Any, argument: str, needed: str, given: Any) -> None:
    """Refuse ``argument`` unless ``needed`` is given too: the API documents it only there."""
    if value is not None and given is None:
        raise ValueError(f"{argument} needs {needed}: the API offers it only for one test's runs")


def check_json(value: Any, argument: str) -> None:
    """Refuse what a JSON body cannot carry, naming the path to it (``options["a"][0]``).

    Allowed: None, bool, str, int within 64 bits, finite float, timezone-aware datetime
    (sent as ISO 8601 with its offset), and mappings with str keys and lists/tuples of
    those. A naive datetime is a ValueError: the API would read it in an unknown zone.
    Walks iteratively, so a deep or self-containing value is a ValueError, never a
    RecursionError.
    """
    # (value, path, depth, ancestors' ids): ids catch a container that contains itself.
    pending: list[tuple[Any, str, int, frozenset[int]]] = [(value, argument, 0, frozenset())]
    while pending:
        item, path, depth, ancestors = pending.pop()
        if item is None or isinstance(item, bool | str):
            if isinstance(item, str) and not _utf8_encodable(item):
                raise ValueError(f"{path} is not valid text (it has a lone surrogate)")
            continue
        if isinstance(item, int):
            if not _JSON_INT_RANGE[0] <= item <= _JSON_INT_RANGE[1]:
                raise ValueError(f"{path} is an int outside 64 bits, which JSON cannot carry")
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError(f"{path} is {item}, which JSON cannot carry")
            continue
        if isinstance(item, datetime):
            if item.tzinfo is None or item.utcoffset() is None:
                raise ValueError(f"{path} is a naive datetime: give it a tzinfo (e.g. UTC)")
            continue
        if not isinstance(item, Mapping | list | tuple):
            raise TypeError(f"{path} is a {type(item).__name__}, which JSON cannot carry")
        if id(item) in ancestors:
            raise ValueError(f"{path} contains itself")
        if depth >= MAX_JSON_DEPTH:
            raise ValueError(f"{path} is nested more than {MAX_JSON_DEPTH} levels deep")
        inner = ancestors | {id(item)}
        if isinstance(item, Mapping):
            for key, member in item.items():
                if not isinstance(key, str):
                    raise TypeError(f"{path} has a {type(key).__name__} key; JSON keys are str")
                pending.append((member, f"{path}[{key!r}]", depth + 1, inner))
        else:
            pending.extend(
                (member, f"{path}[{index}]", depth + 1, inner) for index, member in enumerate(item)
            )


def _utf8_encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_save_target(path: Any) -> Path:
    """Where ``ScriptDownload.save`` may write: a file path whose directory exists.

    ValueError for an empty path or an existing directory; FileNotFoundError naming the
    target when its directory is missing. Checked before the body is read.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or a path, not {type(path).__name__}")
    text = os.fspath(path)
    if not isinstance(text, str):
        raise TypeError("path must be a str path, not bytes")
    if not text:
        raise ValueError("path must not be empty")
    target = Path(text)
    if target.is_dir():
        raise ValueError(f"path is a directory: {target} (give the file to write)")
    if not target.parent.is_dir():
        raise FileNotFoundError(
            2, f"cannot save to {target}: its directory does not exist", str(target)
        )
    return target


# -- projects ----------------------------------------------------------------------------------

#: A project's name: 1 to 255 characters (``CreateProjectApiModel``).
MAX_PROJECT_NAME_LENGTH: Final = 255
#: ``project_id_in`` of ``GET /project-limits`` takes at most this many ids.
MAX_PROJECT_IDS_PER_REQUEST: Final = 30
#: ``PUT /projects/{id}/allowed_load_zones`` takes at most this many zones.
MAX_ALLOWED_LOAD_ZONES: Final = 500
#: A project holds at most this many labels.
MAX_PROJECT_LABELS: Final = 30
MAX_LABEL_TEXT_LENGTH: Final = 64
#: What a label key or value may hold (``ProjectLabelPutItem``'s pattern).
_LABEL_TEXT: Final = re.compile(r"[^\s'\";\\%]+")


def check_project_name(value: Any, argument: str = "name") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if not 1 <= len(value) <= MAX_PROJECT_NAME_LENGTH:
        raise ValueError(
            f"{argument} must be 1 to {MAX_PROJECT_NAME_LENGTH} characters long, got {len(value)}"
        )
    return value


def check_limit(value: Any, argument: str) -> int | Unset | None:
    """A project limit: ``UNSET`` (leave it), None (remove it) or a positive int."""
    if value is None or isinstance(value, Unset):
        return value
    return check_id(value, argument)


def _ids(value: Any, argument: str) -> list[int]:
    """An iterable of positive ints (not a str, bytes or mapping), duplicates dropped."""
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        raise TypeError(f"{argument} must be an iterable of int, not {type(value).__name__}")
    return list(dict.fromkeys(check_id(item, f"an item of {argument}") for item in value))


def check_project_ids(value: Any) -> list[int] | None:
    """``project_ids`` of ``list_limits``: None (every project) or ids, in ascending order."""
    if value is None:
        return None
    return sorted(_ids(value, "project_ids"))


def check_load_zone_ids(value: Any) -> list[int]:
    """The zones a project may use, at most ``MAX_ALLOWED_LOAD_ZONES`` of them."""
    ids = _ids(value, "load_zone_ids")
    if len(ids) > MAX_ALLOWED_LOAD_ZONES:
        raise ValueError(
            f"load_zone_ids must hold at most {MAX_ALLOWED_LOAD_ZONES} ids, got {len(ids)}"
        )
    return ids


def check_label_text(value: Any, argument: str) -> str:
    """A label key or value: 1 to 64 characters, no whitespace, quotes, ``;``, ``\\`` or ``%``."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if not 1 <= len(value) <= MAX_LABEL_TEXT_LENGTH:
        raise ValueError(
            f"{argument} must be 1 to {MAX_LABEL_TEXT_LENGTH} characters long, got {len(value)}"
        )
    if _LABEL_TEXT.fullmatch(value) is None:
        raise ValueError(
            f"{argument} must not contain whitespace, quotes, ';', '\\' or '%', got {value!r}"
        )
    return value


def check_labels(value: Any) -> dict[str, str]:
    """A project's labels, key to value: at most ``MAX_PROJECT_LABELS`` of them."""
    if not isinstance(value, Mapping):
        raise TypeError(f"labels must be a mapping of str to str, not {type(value).__name__}")
    if len(value) > MAX_PROJECT_LABELS:
        raise ValueError(f"labels must hold at most {MAX_PROJECT_LABELS} labels, got {len(value)}")
    return {
        check_label_text(key, "a labels key"): check_label_text(item, f"labels[{key!r}]")
        for key, item in value.items()
    }


# -- schedules ----------------------------------------------------------------------------

#: The longest ``ScheduleCron`` strings the API takes.
_MAX_CRON_LENGTH = 256
_MAX_TIME_ZONE_LENGTH = 128


def check_cron(value: Any) -> ScheduleCron:
    """A ``ScheduleCron`` of five cron fields (or an alias) in a time zone ``zoneinfo``
    knows; a copy of it is returned."""
    if not isinstance(value, ScheduleCron):
        raise TypeError(f"cron must be a ScheduleCron or None, not {type(value).__name__}")
    expression, zone = value.schedule, value.time_zone
    if not isinstance(expression, str):
        raise TypeError(f"cron.schedule must be a str, not {type(expression).__name__}")
    if not 1 <= len(expression) <= _MAX_CRON_LENGTH:
        raise ValueError(f"cron.schedule must be 1 to {_MAX_CRON_LENGTH} characters long")
    try:
        parse_cron(expression)
    except ValueError as exc:
        raise ValueError(f"cron.schedule: {exc}") from None
    if not isinstance(zone, str):
        raise TypeError(f"cron.time_zone must be a str, not {type(zone).__name__}")
    if not 1 <= len(zone) <= _MAX_TIME_ZONE_LENGTH or not _known_zone(zone):
        raise ValueError(f"cron.time_zone {zone[:40]!r} is not a time zone zoneinfo knows")
    return ScheduleCron(schedule=expression, time_zone=zone)


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def check_recurrence(value: Any) -> RecurrenceRule:
    """A ``RecurrenceRule`` the API takes, copied with ``byday`` as a list.

    ``frequency`` among :data:`FREQUENCIES`; ``interval`` and ``count`` positive ints;
    ``byday`` weekdays among :data:`WEEKDAYS`, for ``WEEKLY`` only; ``until`` aware; not
    both ``count`` and ``until`` (RFC 5545 forbids it).
    """
    if not isinstance(value, RecurrenceRule):
        raise TypeError(f"recurrence must be a RecurrenceRule or None, not {type(value).__name__}")
    frequency = value.frequency
    if not isinstance(frequency, str):
        raise TypeError(f"recurrence.frequency must be a str, not {type(frequency).__name__}")
    if frequency not in FREQUENCIES:
        raise ValueError(
            f"recurrence.frequency must be one of {', '.join(FREQUENCIES)}, got {frequency[:20]!r}"
        )
    interval = check_id(value.interval, "recurrence.interval")
    count = None if value.count is None else check_id(value.count, "recurrence.count")
    until = None if value.until is None else check_aware_datetime(value.until, "recurrence.until")
    if count is not None and until is not None:
        raise ValueError("recurrence takes count or until, not both")
    byday = None if value.byday is None else _check_weekdays(value.byday, frequency)
    return RecurrenceRule(
        frequency=frequency, interval=interval, byday=byday, until=until, count=count
    )


def _check_weekdays(value: Any, frequency: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(
            f"recurrence.byday must be a list of weekdays such as ['SA', 'SU'], "
            f"not {type(value).__name__}"
        )
    if frequency != "WEEKLY":
        raise ValueError(f"recurrence.byday is for a WEEKLY frequency only, not {frequency}")
    if not value:
        raise ValueError("recurrence.byday must name at least one weekday (or be None)")
    for day in value:
        if not isinstance(day, str):
            raise TypeError(f"recurrence.byday items must be str, not {type(day).__name__}")
        if day not in WEEKDAYS:
            raise ValueError(f"recurrence.byday: {day[:20]!r} is not one of {', '.join(WEEKDAYS)}")
    if len(set(value)) != len(value):
        raise ValueError("recurrence.byday names a weekday more than once")
    return list(value)


def check_schedule(starts: Any, cron: Any, recurrence: Any) -> ScheduleRequest:
    """The body of a schedule: ``starts`` aware, and ``cron`` or ``recurrence`` (or neither,
    for one run at ``starts``), each checked."""
    when = check_aware_datetime(starts, "starts")
    if cron is not None and recurrence is not None:
        raise ValueError("give cron= or recurrence=, not both (neither: one run at starts)")
    return ScheduleRequest(
        starts=when,
        recurrence_rule=None if recurrence is None else check_recurrence(recurrence),
        cron=None if cron is None else check_cron(cron),
    )


# -- the stack URL, load zones and label keys ---------------------------------------------
def check_stack_url(value: Any, argument: str) -> str:
    """A Grafana stack URL (``https://mystack.grafana.net``), sent as ``X-Stack-Url``:
    an absolute http(s) URL with a host and no credentials, query or fragment."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    text = check_header_value(value.strip(), argument)
    try:
        url = URL(text)
    except ValueError:
        url = URL()
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(
            f"{argument} must be the stack's URL, such as https://mystack.grafana.net, "
            f"got {text[:80]!r}"
        )
    if url.user or url.password or url.query_string or url.fragment:
        raise ValueError(f"{argument} must not carry credentials, a query or a fragment")
    return text


#: What the API accepts as a label key: 1 to 64 characters, none of them whitespace, quotes,
#: ``;``, ``\\`` or ``%``; a description is 1 to 255 characters; 1 to 100 keys per create.
_LABEL_KEY: Final = re.compile(r"[^\s'\";\\%]{1,64}")
MAX_LABEL_DESCRIPTION_LENGTH: Final = 255
MAX_LABEL_KEYS_PER_CREATE: Final = 100


def check_id_list(values: Any, argument: str, *, most: int) -> list[int]:
    """An iterable of positive ids (not a str or a mapping), duplicates dropped in order,
    at most ``most`` of them."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise TypeError(f"{argument} must be an iterable of int ids, not {type(values).__name__}")
    ids: dict[int, None] = {}
    for value in values:
        if type(value) is not int:
            raise TypeError(f"{argument} must hold int ids, not {type(value).__name__}")
        ids[check_id(value, argument)] = None
    if len(ids) > most:
        raise ValueError(f"{argument} may hold at most {most} ids, got {len(ids)}")
    return list(ids)


def check_k6_load_zone_id(value: Any, argument: str = "k6_load_zone_id") -> str:
    """A load zone's name in scripts (``amazon:us:ashburn``): a non-empty str."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{argument} must not be empty")
    return value


def check_label_key(value: Any, argument: str = "key") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if _LABEL_KEY.fullmatch(value) is None:
        raise ValueError(
            f"{argument} must be 1 to 64 characters without whitespace, quotes, ';', '\\' "
            f"or '%', got {value[:80]!r}"
        )
    return value


def check_label_description(value: Any, argument: str = "description") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, not {type(value).__name__}")
    if not 1 <= len(value) <= MAX_LABEL_DESCRIPTION_LENGTH:
        raise ValueError(
            f"{argument} must be 1 to {MAX_LABEL_DESCRIPTION_LENGTH} characters long, "
            f"got {len(value)}"
        )
    return value


def check_label_keys(keys: Any, argument: str = "keys") -> list[tuple[str, str | None]]:
    """``{key: description or None}`` or a sequence of keys → ``[(key, description)]``:
    1 to 100 distinct keys (a sequence must not repeat one)."""
    pairs: list[tuple[str, str | None]]
    if isinstance(keys, Mapping):
        pairs = []
        for key, description in keys.items():
            check_label_key(key, f"a {argument} key")
            if description is not None:
                check_label_description(description, f"{argument}[{key!r}]")
            pairs.append((key, description))
    elif isinstance(keys, Sequence) and not isinstance(keys, str | bytes):
        pairs = [(check_label_key(key, f"an item of {argument}"), None) for key in keys]
        seen: set[str] = set()
        repeated: set[str] = set()
        for key, _ in pairs:
            (repeated if key in seen else seen).add(key)
        if repeated:
            raise ValueError(f"{argument} repeats {', '.join(map(repr, sorted(repeated)))}")
    else:
        raise TypeError(
            f"{argument} must be a mapping of key to description or a sequence of keys, "
            f"not {type(keys).__name__}"
        )
    if not 1 <= len(pairs) <= MAX_LABEL_KEYS_PER_CREATE:
        raise ValueError(
            f"{argument} must hold 1 to {MAX_LABEL_KEYS_PER_CREATE} keys, got {len(pairs)}"
        )
    return pairs
