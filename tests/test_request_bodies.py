"""JSON request bodies: what JSON cannot carry is refused before any request, by path."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async._validation import MAX_JSON_DEPTH, check_json
from k6cloud_async.testing import FakeK6Cloud


def _self_containing() -> dict[str, Any]:
    options: dict[str, Any] = {"scenarios": {}}
    options["scenarios"]["loop"] = options
    return options


def _nested(depth: int) -> dict[str, Any]:
    options: dict[str, Any] = {}
    inner = options
    for _ in range(depth):
        inner["x"] = {}
        inner = inner["x"]
    return options


REFUSED: list[tuple[str, Any, type[Exception], str]] = [
    (
        "nan",
        {"stages": [{"target": math.nan}]},
        ValueError,
        r"options\['stages'\]\[0\]\['target'\]",
    ),
    ("inf", {"vus": math.inf}, ValueError, r"options\['vus'\] is inf"),
    ("-inf", {"thresholds": {"p95": [-math.inf]}}, ValueError, r"options\['thresholds'\]"),
    ("int beyond 64 bits", {"iterations": 2**64}, ValueError, r"options\['iterations'\]"),
    ("negative int beyond", {"iterations": -(2**63) - 1}, ValueError, r"options\['iterations'\]"),
    (
        "naive datetime",
        {"ext": {"starts": [datetime(2025, 1, 1, 12)]}},
        ValueError,
        r"options\['ext'\]\['starts'\]\[0\] is a naive datetime",
    ),
    ("lone surrogate", {"tags": {"name": "\ud800"}}, ValueError, r"options\['tags'\]\['name'\]"),
    ("contains itself", _self_containing(), ValueError, r"contains itself"),
    ("too deep", _nested(MAX_JSON_DEPTH + 1), ValueError, "nested more than"),
    ("very deep", _nested(100_000), ValueError, "nested more than"),
    ("int key", {"stages": {1: "a"}}, TypeError, r"options\['stages'\] has a int key"),
    ("set", {"tags": {"a", "b"}}, TypeError, r"options\['tags'\] is a set"),
    ("bytes", {"name": b"x"}, TypeError, r"options\['name'\] is a bytes"),
    ("object", {"x": object()}, TypeError, r"options\['x'\] is a object"),
]


@pytest.mark.parametrize(
    ("label", "options", "error", "message"), REFUSED, ids=[case[0] for case in REFUSED]
)
async def test_validate_options_refuses_what_json_cannot_carry_before_any_request(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    label: str,
    options: Any,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        await client.load_tests.validate_options(options)

    assert fake.requests == []


async def test_an_aware_datetime_is_sent_as_iso_8601_with_its_offset(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    cet = timezone(timedelta(hours=1))
    options = {"vus": 1, "ext": {"at": datetime(2025, 1, 1, 12, tzinfo=cet)}}

    await client.load_tests.validate_options(options)

    sent = fake.requests[-1].json["options"]
    assert sent["ext"]["at"] == "2025-01-01T12:00:00+01:00"


async def test_json_values_at_the_edges_are_sent_as_given(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    edges = {
        "largest": 2**64 - 1,
        "smallest": -(2**63),
        "ratio": 1e308,
        "name": "Grüße ✓",
        "pair": (1, 2),
        "nothing": None,
        "deep": _nested(MAX_JSON_DEPTH - 3),
        "when": datetime(2025, 1, 1, tzinfo=UTC),
    }

    await client.load_tests.validate_options({"vus": 1, "duration": "10s", "ext": edges})

    sent = fake.requests[-1].json["options"]["ext"]
    assert (sent["largest"], sent["smallest"], sent["ratio"]) == (2**64 - 1, -(2**63), 1e308)
    assert (sent["name"], sent["pair"], sent["nothing"]) == ("Grüße ✓", [1, 2], None)
    assert sent["deep"] == _nested(MAX_JSON_DEPTH - 3)
    assert sent["when"] == "2025-01-01T00:00:00+00:00"


def test_a_shared_but_acyclic_value_is_not_mistaken_for_a_cycle() -> None:
    shared = {"target": 10}

    check_json({"a": shared, "b": [shared, shared]}, "options")
