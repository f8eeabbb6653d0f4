"""Every /cloud/v6 operation of the OpenAPI document is called by some client method.

``CALLS`` maps each operationId to the method that calls it. The test walks the document
(tests/data/k6-cloud-openapi-1.12.0.yaml, copied verbatim), so a later version that adds an
operation fails here until a method covers it; and it calls each method against
FakeK6Cloud and finds that operation's method and path among the requests the fake served.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from attrs import frozen

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud

DOCUMENT = Path(__file__).parent / "data" / "k6-cloud-openapi-1.12.0.yaml"
PREFIX = "/cloud/v6/"
METHODS = ("get", "put", "post", "patch", "delete")


def _operations() -> dict[str, tuple[str, str, frozenset[int]]]:
    """operationId -> (HTTP method, path, documented statuses), for every /cloud/v6 path."""
    spec = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    found = {}
    for path, item in spec["paths"].items():
        if not path.startswith(PREFIX):
            continue
        for method in METHODS:
            if method in item:
                operation = item[method]
                statuses = frozenset(int(code) for code in operation["responses"])
                found[operation["operationId"]] = (method.upper(), path, statuses)
    return found


OPERATIONS = _operations()
Ids = dict[str, int]
Call = Callable[[k6.K6CloudClient, Ids], Any]


@frozen
class Covered:
    """The client method calling one operation: ``resource`` (an attribute of the client,
    or ``""`` for the client itself), ``method``, and how to call it against the fake.
    ``succeeds``: the fake holds what the call needs, so its answer must be a 2xx."""

    resource: str
    method: str
    call: Call
    succeeds: bool = False


def _later() -> datetime:
    return datetime.now(UTC) + timedelta(days=1)


async def _download(manager: Any) -> None:
    async with manager as download:
        await download.read()


async def _delete_a_label(client: k6.K6CloudClient, project_id: int) -> None:
    await client.projects.set_labels(project_id, {"env": "prod"})  # the label to delete
    await client.projects.delete_label(project_id, "env")


async def _with_schedule(
    client: k6.K6CloudClient, test_id: int, call: Callable[[int], Any]
) -> None:
    schedule = await client.schedules.set(test_id, starts=_later())  # the schedule to act on
    await call(schedule.id)


async def _for_test(client: k6.K6CloudClient, test_id: int) -> None:
    await client.schedules.set(test_id, starts=_later())
    await client.schedules.for_test(test_id)


CALLS: dict[str, Covered] = {
    # -- this library's first areas --------------------------------------------------------
    "load_tests_list": Covered("load_tests", "list", lambda c, i: c.load_tests.list(), True),
    "projects_load_tests_retrieve": Covered(
        "load_tests", "list", lambda c, i: c.load_tests.list(project_id=i["project"]), True
    ),
    "projects_load_tests_create": Covered(
        "load_tests",
        "create",
        lambda c, i: c.load_tests.create(i["project"], "new test", b"export default 1"),
        True,
    ),
    "load_tests_retrieve": Covered(
        "load_tests", "get", lambda c, i: c.load_tests.get(i["test"]), True
    ),
    "load_tests_partial_update": Covered(
        "load_tests", "update", lambda c, i: c.load_tests.update(i["test"], name="renamed"), True
    ),
    "load_tests_destroy": Covered(
        "load_tests", "delete", lambda c, i: c.load_tests.delete(i["spare_test"]), True
    ),
    "load_tests_move": Covered(
        "load_tests", "move", lambda c, i: c.load_tests.move(i["test"], i["other_project"]), True
    ),
    "load_tests_script_retrieve": Covered(
        "load_tests",
        "download_script",
        lambda c, i: _download(c.load_tests.download_script(i["test"])),
        True,
    ),
    "load_tests_script_update": Covered(
        "load_tests",
        "upload_script",
        lambda c, i: c.load_tests.upload_script(i["test"], b"export default 2"),
        True,
    ),
    "load_tests_start": Covered(
        "load_tests", "start", lambda c, i: c.load_tests.start(i["test"]), True
    ),
    "validate_options": Covered(
        "load_tests",
        "validate_options",
        lambda c, i: c.load_tests.validate_options({"vus": 1}),
        True,
    ),
    # -- test runs ---------------------------------------------------------------------------
    "test_runs_list": Covered("test_runs", "list", lambda c, i: c.test_runs.list(), True),
    "load_tests_test_runs_retrieve": Covered(
        "test_runs", "list", lambda c, i: c.test_runs.list(test_id=i["test"]), True
    ),
    "test_runs_retrieve": Covered("test_runs", "get", lambda c, i: c.test_runs.get(i["run"]), True),
    "test_runs_partial_update": Covered(
        "test_runs", "update", lambda c, i: c.test_runs.update(i["run"], note="n"), True
    ),
    "test_runs_destroy": Covered(
        "test_runs", "delete", lambda c, i: c.test_runs.delete(i["run"]), True
    ),
    "test_runs_abort": Covered(
        "test_runs", "abort", lambda c, i: c.test_runs.abort(i["running_run"]), True
    ),
    "test_runs_distribution_retrieve": Covered(
        "test_runs", "distribution", lambda c, i: c.test_runs.distribution(i["run"]), True
    ),
    "test_runs_save": Covered("test_runs", "save", lambda c, i: c.test_runs.save(i["run"]), True),
    "test_runs_unsave": Covered(
        "test_runs", "unsave", lambda c, i: c.test_runs.unsave(i["run"]), True
    ),
    "test_runs_star": Covered("test_runs", "star", lambda c, i: c.test_runs.star(i["run"]), True),
    "test_runs_unstar": Covered(
        "test_runs", "unstar", lambda c, i: c.test_runs.unstar(i["run"]), True
    ),
    "test_runs_script_retrieve": Covered(
        "test_runs",
        "download_script",
        lambda c, i: _download(c.test_runs.download_script(i["run"])),
        True,
    ),
    # -- projects ----------------------------------------------------------------------------
    "projects_list": Covered("projects", "list", lambda c, i: c.projects.list(), True),
    "projects_create": Covered(
        "projects", "create", lambda c, i: c.projects.create("new project"), True
    ),
    "projects_retrieve": Covered(
        "projects", "get", lambda c, i: c.projects.get(i["project"]), True
    ),
    "projects_partial_update": Covered(
        "projects",
        "update",
        lambda c, i: c.projects.update(i["project"], name="renamed"),
        True,
    ),
    "projects_destroy": Covered(
        "projects", "delete", lambda c, i: c.projects.delete(i["empty_project"]), True
    ),
    "projects_limits_retrieve": Covered(
        "projects",
        "get_limits",
        lambda c, i: c.projects.get_limits(i["project"]),
        True,
    ),
    "projects_limits_partial_update": Covered(
        "projects",
        "update_limits",
        lambda c, i: c.projects.update_limits(i["project"], vu_max_per_test=10),
        True,
    ),
    "project_limits_retrieve": Covered(
        "projects",
        "list_limits",
        lambda c, i: c.projects.list_limits(project_ids=[i["project"]]),
        True,
    ),
    "projects_allowed_load_zones_retrieve": Covered(
        "projects",
        "allowed_load_zones",
        lambda c, i: c.projects.allowed_load_zones(i["project"]),
        True,
    ),
    "projects_allowed_load_zones_update": Covered(
        "projects",
        "set_allowed_load_zones",
        lambda c, i: c.projects.set_allowed_load_zones(i["project"], [24]),
        True,
    ),
    "projects_labels_list": Covered(
        "projects",
        "labels",
        lambda c, i: c.projects.labels(i["project"]),
        True,
    ),
    "projects_labels_update": Covered(
        "projects",
        "set_labels",
        lambda c, i: c.projects.set_labels(i["project"], {"env": "prod"}),
        True,
    ),
    "projects_labels_destroy": Covered(
        "projects",
        "delete_label",
        lambda c, i: _delete_a_label(c, i["project"]),
        True,
    ),
    "schedules_list": Covered("schedules", "list", lambda c, i: c.schedules.list(), True),
    "load_tests_schedule_create": Covered(
        "schedules", "set", lambda c, i: c.schedules.set(i["test"], starts=_later()), True
    ),
    "load_tests_schedule_retrieve": Covered(
        "schedules", "for_test", lambda c, i: _for_test(c, i["test"]), True
    ),
    "schedules_retrieve": Covered(
        "schedules", "get", lambda c, i: _with_schedule(c, i["test"], c.schedules.get), True
    ),
    "schedules_destroy": Covered(
        "schedules", "delete", lambda c, i: _with_schedule(c, i["test"], c.schedules.delete), True
    ),
    "schedule_activate": Covered(
        "schedules",
        "activate",
        lambda c, i: _with_schedule(c, i["test"], c.schedules.activate),
        True,
    ),
    "schedule_deactivate": Covered(
        "schedules",
        "deactivate",
        lambda c, i: _with_schedule(c, i["test"], c.schedules.deactivate),
        True,
    ),
    # -- the stack URL, load zones and label keys ------------------------------------------
    # The client of the fixture names its stack by id: authenticate asks about a URL, the
    # fake's own (FakeK6Cloud's default stack_url). Zone 24 is one of the fake's private zones.
    "auth": Covered(
        "", "authenticate", lambda c, i: c.authenticate("https://fake.grafana.net"), True
    ),
    "load_zones_list": Covered("load_zones", "list", lambda c, i: c.load_zones.list(), True),
    "load_zones_allowed_projects_retrieve": Covered(
        "load_zones", "allowed_projects", lambda c, i: c.load_zones.allowed_projects(24), True
    ),
    "load_zones_allowed_projects_update": Covered(
        "load_zones",
        "set_allowed_projects",
        lambda c, i: c.load_zones.set_allowed_projects(24, [i["project"]]),
        True,
    ),
    "labels_list": Covered("labels", "list", lambda c, i: c.labels.list(), True),
    "labels_create": Covered("labels", "create", lambda c, i: c.labels.create(["env"]), True),
    "labels_partial_update": Covered(
        "labels", "update", lambda c, i: c.labels.update(i["label_key"], key="team"), True
    ),
    "labels_destroy": Covered(
        "labels", "delete", lambda c, i: c.labels.delete(i["label_key"]), True
    ),
}


def test_the_document_has_the_51_operations_of_api_v6() -> None:
    assert len(OPERATIONS) == 51


def test_every_operation_of_the_document_has_a_client_method() -> None:
    missing = sorted(set(OPERATIONS) - set(CALLS))
    unknown = sorted(set(CALLS) - set(OPERATIONS))
    assert (missing, unknown) == ([], [])


def _path_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile(
        "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    )


async def _run(result: Any) -> None:
    if inspect.isawaitable(result):
        await result
    elif isinstance(result, AsyncIterator):
        async for _ in result:
            pass


@pytest.fixture
def ids(fake: FakeK6Cloud) -> Ids:
    project = fake.add_project("Default project")
    other_project = fake.add_project("Other project")
    empty_project = fake.add_project("Empty project")
    test = fake.add_test(project, "checkout").id
    spare_test = fake.add_test(project, "spare").id
    run = fake.start_run(test).id
    fake.finish_run(run)
    running_run = fake.start_run(spare_test).id
    fake.finish_run(running_run)  # the spare test can be deleted; its run is ended …
    running_run = fake.start_run(fake.add_test(other_project, "long").id).id  # … this one runs
    label_key = fake.add_label_key("tier").id
    return {
        "project": project,
        "other_project": other_project,
        "empty_project": empty_project,
        "test": test,
        "spare_test": spare_test,
        "run": run,
        "running_run": running_run,
        "label_key": label_key,
    }


@pytest.mark.parametrize("operation_id", sorted(CALLS))
async def test_the_method_sends_its_operation_to_the_fake(
    fake: FakeK6Cloud, client: k6.K6CloudClient, ids: Ids, operation_id: str
) -> None:
    covered = CALLS[operation_id]
    owner: Any = client if not covered.resource else getattr(client, covered.resource, None)
    if owner is None:
        pytest.skip(f"client.{covered.resource} is built beside this area and is not here yet")
    if not covered.resource and not hasattr(client, covered.method):
        pytest.skip(f"client.{covered.method} is built beside this area and is not here yet")
    assert callable(getattr(owner, covered.method, None)), f"no {covered.resource}.{covered.method}"
    method, template, statuses = OPERATIONS[operation_id]
    fake.reset_requests()

    try:
        await _run(covered.call(client, ids))
    except k6.APIError:
        if covered.succeeds:
            raise

    pattern = _path_pattern(template)
    served = [r for r in fake.requests if r.method == method and pattern.fullmatch(r.path)]
    assert served, f"{operation_id}: no {method} {template} among {fake.requests}"
    assert served[0].status in statuses, f"{operation_id}: undocumented status {served[0].status}"
    if covered.succeeds:
        assert served[0].status is not None
        assert 200 <= served[0].status < 300
