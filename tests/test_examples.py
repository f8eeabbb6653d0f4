"""Every documented JSON example of the API decodes, and to_dict() round-trips it.

The examples are in ``tests/data/examples*.json`` (one file per API area).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async import _models_auth, _models_labels, _models_load_zones, _models_projects
from k6cloud_async._converter import decode, decode_list, decode_page
from k6cloud_async._models import (
    ErrorBody,
    LoadTestMove,
    LoadTestPatch,
    ValidateOptionsRequest,
)
from k6cloud_async._models_runs import TestRunDistribution, TestRunPatch
from k6cloud_async._models_schedules import ScheduleRequest
from k6cloud_async.testing import FakeK6Cloud

#: Every ``tests/data/examples*.json``: one file per area of the API.
ALL_EXAMPLES = [
    example
    for path in sorted((Path(__file__).parent / "data").glob("examples*.json"))
    for example in json.loads(path.read_text(encoding="utf-8"))
]
#: Script bodies (their model is the media type the API serves them as).
SCRIPT_EXAMPLES = [e for e in ALL_EXAMPLES if "/" in e["model"]]
EXAMPLES = [e for e in ALL_EXAMPLES if "/" not in e["model"]]

MODELS: dict[str, Any] = {
    "LoadTest": k6.LoadTest,
    "TestRun": k6.TestRun,
    "ValidateOptionsResult": k6.ValidateOptionsResult,
    "LoadTestPatch": LoadTestPatch,
    "LoadTestMove": LoadTestMove,
    "ValidateOptionsRequest": ValidateOptionsRequest,
    "Schedule": k6.Schedule,
    "ScheduleRequest": ScheduleRequest,
    "TestRunDistribution": TestRunDistribution,
    "TestRunPatch": TestRunPatch,
    **{
        name: getattr(module, name)
        for module in (_models_auth, _models_labels, _models_load_zones, _models_projects)
        for name in module.__all__
    },
}


def _decode(model: str, body: Any) -> Any:
    if model.startswith("Page["):
        return decode_page(body, MODELS[model[5:-1]])
    if model.startswith("List["):
        return decode_list(body, MODELS[model[5:-1]])
    if model == "ErrorResponse":
        return decode(body["error"], ErrorBody)
    return decode(body, MODELS[model])


def test_examples_cover_both_sources_and_every_model() -> None:
    assert {example["source"] for example in EXAMPLES} == {"doc", "openapi"}
    models = {example["model"] for example in ALL_EXAMPLES}
    assert {"LoadTest", "Page[LoadTest]", "TestRun", "ValidateOptionsResult"} <= models
    assert {"TestRunDistribution", "TestRunPatch", "text/javascript"} <= models
    assert len({example["name"] for example in ALL_EXAMPLES}) == len(ALL_EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_example_decodes_and_round_trips(example: dict[str, Any]) -> None:
    decoded = _decode(example["model"], example["body"])

    if isinstance(decoded, list):
        encoded: Any = {"value": [k6.to_dict(item) for item in decoded]}
    else:
        encoded = k6.to_dict(decoded)
    if example["model"] == "ErrorResponse":
        encoded = {"error": encoded}
    again = _decode(example["model"], json.loads(json.dumps(encoded)))
    assert again == decoded


def test_started_example_values() -> None:
    started = next(e for e in EXAMPLES if e["name"].startswith("doc: Start"))
    run = decode(started["body"], k6.TestRun)
    assert run.id == 1234
    assert run.status == "created"
    assert run.status_history[0].type == "created"
    assert run.k6_dependencies == {"k6": ">=v0.52", "k6/x/faker": ">=0.4.0"}
    assert run.created.utcoffset() is not None
    assert run.max_vus is None  # an OpenAPI-only field, absent from the doc's example


def test_offset_less_listing_example_is_utc() -> None:
    listing = next(e for e in EXAMPLES if e["model"] == "Page[LoadTest]")
    page = decode_page(listing["body"], k6.LoadTest)
    assert page.count == 123
    assert page.next_link is not None
    assert page.items[0].created.tzinfo is not None
    assert page.items[0].created.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_every_schedule_example_of_the_openapi_document_is_here() -> None:
    names = {e["name"].rpartition(" / ")[2] for e in EXAMPLES if e["model"] == "Schedule"}
    assert names == {
        "Hourly",
        "7amOnMonday",
        "EveryTwoHours",
        "WeeklyOnWeekendsStopsAfter10Runs",
        "TriggeredOnceInThePast",
        "Deactivated",
    }
    requests = {e["name"] for e in EXAMPLES if e["model"] == "ScheduleRequest"}
    assert len(requests) == 3
    assert any(e["model"] == "Page[Schedule]" for e in EXAMPLES)


def test_schedule_example_values() -> None:
    by_name = {e["name"]: e["body"] for e in EXAMPLES}
    weekly = decode(
        by_name["openapi: schedules_retrieve 200 / WeeklyOnWeekendsStopsAfter10Runs"], k6.Schedule
    )
    assert weekly.recurrence_rule == k6.RecurrenceRule("WEEKLY", 1, ["SA", "SU"], None, 10)
    assert weekly.created_by is None
    once = decode(by_name["openapi: schedules_retrieve 200 / TriggeredOnceInThePast"], k6.Schedule)
    assert (once.recurrence_rule, once.cron, once.next_run) == (None, None, None)
    hourly = decode(by_name["openapi: schedules_retrieve 200 / Hourly"], k6.Schedule)
    assert hourly.cron == k6.ScheduleCron("0 0 * * *", "UTC")
    # The Deactivated example's rule has fields the schema does not ("days", "ends"): ignored.
    deactivated = decode(by_name["openapi: schedules_retrieve 200 / Deactivated"], k6.Schedule)
    assert deactivated.deactivated is True
    assert deactivated.recurrence_rule == k6.RecurrenceRule("HOURLY", 2)
    request = decode(
        by_name["openapi: load_tests_schedule_create request / TriggeredOnce"], ScheduleRequest
    )
    assert (request.recurrence_rule, request.cron) == (None, None)


@pytest.mark.parametrize(("area", "count"), [("auth", 1), ("labels", 7), ("load_zones", 4)])
def test_every_example_of_the_area_is_here(area: str, count: int) -> None:
    # The OpenAPI document's examples of the area's operations, requests and responses.
    path = Path(__file__).parent / "data" / f"examples_{area}.json"
    names = {e["name"] for e in json.loads(path.read_text())}
    assert len(names) == count
    assert names <= {e["name"] for e in EXAMPLES}


def test_load_zone_and_label_examples_values() -> None:
    def body(name: str) -> Any:
        return next(e["body"] for e in EXAMPLES if e["name"] == f"openapi: {name}")

    zones = decode_list(body("load_zones_list / 200 OK"), k6.LoadZone)
    assert [(z.public, z.custom_load_runner_image) for z in zones] == [
        (True, None),
        (False, "grafana/k6:latest"),
        (True, None),
    ]
    projects = decode_list(body("load_zones_allowed_projects_retrieve / 200 OK"), k6.AllowedProject)
    assert projects[0] == k6.AllowedProject(139, "My sample project")  # k6_load_zone_id ignored
    created = decode_list(body("labels_create / 201 Created"), k6.LabelKey)
    assert created[2] == k6.LabelKey(3, "cost_center", None)
    request = decode(body("labels_create / Create"), _models_labels.LabelKeysCreate)
    assert request.value[2].description is k6.UNSET
    assert k6.to_dict(request) == body("labels_create / Create")
    rename = decode(body("labels_partial_update / RenameKey"), _models_labels.LabelKeyPatch)
    assert k6.to_dict(rename) == {"key": "env"}
    auth = decode(body("auth / 200 OK"), k6.Authentication)
    assert (auth.stack_id, auth.default_project_id) == (12345, 67890)


def test_distribution_example_values() -> None:
    example = next(e for e in EXAMPLES if e["model"] == "TestRunDistribution")
    zones = decode(example["body"], TestRunDistribution).distribution
    assert list(zones) == ["amazon:us:ashburn", "amazon:eu:dublin"]
    assert [zone.percentage for zone in zones.values()] == [60, 40]
    assert zones["amazon:eu:dublin"].nodes[1] == k6.DistributionNode("m5.large", "3.82.149.216")


@pytest.mark.parametrize("example", SCRIPT_EXAMPLES, ids=[e["name"] for e in SCRIPT_EXAMPLES])
async def test_script_example_is_served_as_its_media_type(example: dict[str, Any]) -> None:
    script = example["body"].encode()
    async with FakeK6Cloud() as fake:
        test = fake.add_test(fake.add_project(), "example", script=script)
        run = fake.start_run(test.id)
        client = k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url)
        async with client, client.test_runs.download_script(run.id) as download:
            body = await download.read()
    assert (download.content_type, body) == (example["model"], script)
    assert download.is_archive is False


def test_every_projects_example_is_here() -> None:
    path = Path(__file__).parent / "data" / "examples_projects.json"
    names = {e["name"] for e in json.loads(path.read_text())}
    assert len(names) == 18  # the OpenAPI document's examples of the projects operations
    assert names <= {e["name"] for e in EXAMPLES}


def test_project_examples_values() -> None:
    listing = next(e for e in EXAMPLES if e["model"] == "Page[ProjectLimits]")
    limits = decode_page(listing["body"], k6.ProjectLimits).items[0]
    assert (limits.vuh_max_per_month, limits.vu_max_per_test) == (50, None)
    project = decode(next(e for e in EXAMPLES if e["model"] == "Project")["body"], k6.Project)
    assert project.labels == {}  # absent from the example: the schema's default
    assert project.grafana_folder_uid == "de0chath6zxfkb"
    removed = next(e for e in EXAMPLES if e["name"].endswith("/ RemoveSingle"))
    patch = decode(removed["body"], _models_projects.ProjectLimitsPatch)
    assert patch.duration_max_per_test is None
    assert patch.vuh_max_per_month is k6.UNSET
    assert k6.to_dict(patch) == {"duration_max_per_test": None}
    by_id = next(e for e in EXAMPLES if e["name"].endswith("/ ReplaceLabelsUsingKeyId"))
    assert k6.to_dict(decode(by_id["body"], _models_projects.ProjectLabelsPut)) == by_id["body"]
