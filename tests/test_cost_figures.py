"""VUH figures: the API types them as a number or a string; one that is not a number reads
as ``None`` (what was sent stays in ``raw``) instead of making the whole run undecodable."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async._converter import decode, decode_page
from tests.conftest import CannedServer

COST: dict[str, Any] = {
    "total_vuh": 6.75,
    "breakdown": {
        "protocol_vuh": 6.75,
        "browser_vuh": 0,
        "base_total_vuh": 10,
        "reduction_rate": 32.5,
        "reduction_rate_breakdown": {"volume": 10, "local_run": 25},
    },
}

RUN: dict[str, Any] = {
    "id": 1234,
    "test_id": 123,
    "project_id": 12,
    "started_by": "user@example.com",
    "created": "2024-06-01T19:00:00Z",
    "ended": "2024-06-01T19:10:00Z",
    "note": "",
    "retention_expiry": None,
    "cost": COST,
    "status": "completed",
    "status_details": {"type": "completed", "entered": "2024-06-01T19:10:00Z"},
    "status_history": [{"type": "created", "entered": "2024-06-01T19:00:00Z"}],
    "distribution": None,
    "result": "passed",
    "result_details": None,
    "options": None,
    "k6_dependencies": {},
    "k6_versions": {},
}


def _run_with_cost(**changes: Any) -> dict[str, Any]:
    run = copy.deepcopy(RUN)
    for path, value in changes.items():
        target = run["cost"]
        *parents, name = path.split("__")
        for parent in parents:
            target = target[parent]
        target[name] = value
    return run


def test_a_figure_that_is_not_a_number_is_none_and_what_was_sent_is_kept() -> None:
    run = decode(_run_with_cost(total_vuh="pending"), k6.TestRun)
    assert run.status == "completed"
    assert run.cost is not None
    assert run.cost.total_vuh is None
    assert run.cost.raw is not None
    assert run.cost.raw["total_vuh"] == "pending"
    assert run.cost.breakdown.protocol_vuh == 6.75


@pytest.mark.parametrize(
    "value", ["n/a", "", "nan", "inf", "1_000", None, True, [1], {"vuh": 1}, 1e400]
)
def test_any_non_number_in_the_breakdown_reads_as_none(value: Any) -> None:
    run = decode(_run_with_cost(breakdown__browser_vuh=value), k6.TestRun)
    assert run.cost is not None
    assert run.cost.breakdown.browser_vuh is None
    assert run.cost.breakdown.raw is not None
    assert run.cost.breakdown.raw["browser_vuh"] == value


@pytest.mark.parametrize(
    ("sent", "read"), [("12.5", 12.5), ("-3", -3.0), ("1e3", 1000.0), (7, 7.0)]
)
def test_a_numeric_string_or_an_integer_reads_as_its_float(sent: Any, read: float) -> None:
    cost = decode(_run_with_cost(total_vuh=sent), k6.TestRun).cost
    assert cost is not None
    assert (cost.total_vuh, type(cost.total_vuh)) == (read, float)


def test_each_reduction_rate_is_read_on_its_own() -> None:
    run = decode(
        _run_with_cost(breakdown__reduction_rate_breakdown={"volume": "x", "local_run": "25"}),
        k6.TestRun,
    )
    assert run.cost is not None
    assert run.cost.breakdown.reduction_rate_breakdown == {"volume": None, "local_run": 25.0}


def test_a_page_of_runs_with_odd_figures_decodes_every_run() -> None:
    odd = _run_with_cost(total_vuh="?", breakdown__reduction_rate=None)
    page = decode_page({"value": [RUN, odd]}, k6.TestRun)
    assert [run.cost.total_vuh for run in page.items if run.cost] == [6.75, None]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"id": "1234"}, "$.id"), ({"status": None}, "$.status"), ({"test_id": 1.5}, "$.test_id")],
)
def test_identity_fields_still_fail_loudly_beside_an_odd_figure(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode({**_run_with_cost(total_vuh="pending"), **change}, k6.TestRun)
    assert caught.value.field == field


def test_a_missing_figure_or_a_breakdown_that_is_not_an_object_still_fails() -> None:
    run = _run_with_cost()
    del run["cost"]["total_vuh"]
    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode(run, k6.TestRun)
    assert caught.value.field == "$.cost.total_vuh"
    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode(_run_with_cost(breakdown="free"), k6.TestRun)
    assert caught.value.field == "$.cost.breakdown"


def test_raw_is_not_compared_and_not_part_of_to_dict() -> None:
    one = decode(_run_with_cost(total_vuh=6.75), k6.TestRun)
    other = decode(_run_with_cost(total_vuh="6.75"), k6.TestRun)
    assert one == other
    assert one.cost is not None
    assert "raw" not in k6.to_dict(one.cost)
    assert "raw" not in k6.to_dict(one)["cost"]["breakdown"]
    assert "raw=" not in repr(one.cost)


def test_validate_options_usage_stays_a_number() -> None:
    body = {"vuh_usage": "n/a", "breakdown": COST["breakdown"]}
    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode(body, k6.ValidateOptionsResult)
    assert caught.value.field == "$.vuh_usage"


async def test_waiting_on_a_run_survives_an_odd_cost_figure(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.json("/cloud/v6/test_runs/1234", _run_with_cost(total_vuh="not yet billed"))
    run = await canned_client.test_runs.get(1234)
    assert run.is_finished
    assert run.cost is not None
    assert run.cost.total_vuh is None
    assert run.cost.raw == {**COST, "total_vuh": "not yet billed"}


def test_the_command_line_shows_the_figures_not_the_raw_json() -> None:
    from k6cloud_async.cli._output import model_fields

    keys = dict(model_fields(decode(_run_with_cost(total_vuh="pending"), k6.TestRun)))
    assert keys["cost.total_vuh"] == "-"
    assert not [key for key in keys if ".raw" in key]
