"""``k6cloud projects …`` through the real entry point, against FakeK6Cloud in a thread."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from k6cloud_async.cli import main
from k6cloud_async.testing import Fault
from tests._cli_support import TOKEN, Result, ThreadedFake, one_error_line


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadedFake]:
    threaded = ThreadedFake()  # holds one project, "Default"
    monkeypatch.setenv("K6_CLOUD_TOKEN", TOKEN)
    monkeypatch.setenv("K6_CLOUD_STACK_ID", str(threaded.fake.stack_id))
    monkeypatch.setenv("K6_CLOUD_HOST_V6", threaded.fake.base_url)
    yield threaded
    threaded.close()


@pytest.fixture
def k6cloud(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def run(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def test_list_is_a_table(server: ThreadedFake, k6cloud: Any) -> None:
    server.call(server.fake.add_project, "Shop")

    result = k6cloud("projects", "list", "--order-by", "name desc")

    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "DEFAULT", "CREATED"]
    assert [line.split()[1] for line in lines[1:]] == ["Shop", "Default"]
    assert lines[2].split()[2] == "yes"


def test_list_json_searches_by_name(server: ThreadedFake, k6cloud: Any) -> None:
    server.call(server.fake.add_project, "Web shop")

    result = k6cloud("projects", "list", "--search", "SHOP", "--json")

    assert result.code == 0
    assert [item["name"] for item in result.json_lines()] == ["Web shop"]


def test_create_get_rename_delete(server: ThreadedFake, k6cloud: Any) -> None:
    created = k6cloud("projects", "create", "Shop", "--json")
    assert created.code == 0
    project_id = created.json()["id"]

    assert k6cloud("projects", "rename", str(project_id), "Store").code == 0
    shown = k6cloud("projects", "get", str(project_id))
    assert ["name", "Store"] in [line.split() for line in shown.out.splitlines()]

    deleted = k6cloud("projects", "delete", str(project_id), "--json")
    assert deleted.json() == {"id": project_id, "deleted": True}
    assert server.call(lambda: server.fake.projects) == [server.project]


def test_create_with_a_name_in_use_is_one_line(server: ThreadedFake, k6cloud: Any) -> None:
    line = one_error_line(k6cloud("projects", "create", "Default"))

    assert line.startswith("error: 409 conflict")


def test_delete_of_a_project_holding_tests_is_one_line(server: ThreadedFake, k6cloud: Any) -> None:
    server.add_test("smoke")

    assert "409" in one_error_line(k6cloud("projects", "delete", str(server.project)))


def test_an_unknown_project_is_one_line_with_json_too(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("projects", "get", "404", "--json")

    assert result.code == 1
    error = json.loads(result.err)
    assert (error["status"], error["code"]) == (404, "not_found")
    assert result.out == ""


def test_set_limits_then_show_them(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud(
        "projects", "set-limits", str(server.project), "--vu-max-per-test", "20", "--json"
    )
    assert result.code == 0
    assert result.json()["vu_max_per_test"] == 20

    removed = k6cloud(
        "projects", "set-limits", str(server.project), "--vu-max-per-test", "none", "--json"
    )
    assert removed.json()["vu_max_per_test"] is None
    every = k6cloud("projects", "limits", "--json")
    assert [item["project_id"] for item in every.json_lines()] == [server.project]


def test_set_limits_without_a_limit_is_a_usage_error(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("projects", "set-limits", str(server.project))

    assert result.code == 2
    assert result.err.startswith("error: give at least one of --vuh-max-per-month")


@pytest.mark.parametrize(
    "argv",
    [
        ["projects", "set-limits", "1", "--vu-max-per-test", "0"],
        ["projects", "set-labels", "1", "no-equals-sign"],
        ["projects", "set-zones", "1", "eu"],
        ["projects", "get", "x"],
    ],
)
def test_bad_arguments_are_usage_errors(
    server: ThreadedFake, k6cloud: Any, argv: list[str]
) -> None:
    result = k6cloud(*argv)

    assert result.code == 2
    assert "Traceback" not in result.err
    assert server.call(lambda: server.fake.requests) == []


def test_zones_and_set_zones(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("projects", "set-zones", str(server.project), "173", "24")

    assert result.code == 0
    rows = [line.split() for line in result.out.splitlines()]
    assert [row[0] for row in rows] == ["ID", "173", "24"]
    listed = k6cloud("projects", "zones", str(server.project), "--json")
    assert [zone["id"] for zone in listed.json_lines()] == [173, 24]


def test_an_unknown_zone_is_one_line(server: ThreadedFake, k6cloud: Any) -> None:
    assert "400" in one_error_line(k6cloud("projects", "set-zones", str(server.project), "9"))


def test_labels_and_set_labels(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("projects", "set-labels", str(server.project), "team=web", "tier=gold")

    assert result.code == 0
    assert [line.split() for line in result.out.splitlines()] == [
        ["KEY", "VALUE"],
        ["team", "web"],
        ["tier", "gold"],
    ]
    listed = k6cloud("projects", "labels", str(server.project), "--json")
    assert [(item["key"], item["value"]) for item in listed.json_lines()] == [
        ("team", "web"),
        ("tier", "gold"),
    ]


def test_a_label_the_library_refuses_is_one_line(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("projects", "set-labels", str(server.project), "a=b c")

    assert result.code == 2  # a value the library refuses is a usage error
    assert result.err.startswith("error: ")
    assert "whitespace" in result.err
    assert server.call(lambda: server.fake.requests) == []


def test_a_server_error_is_one_line(server: ThreadedFake, k6cloud: Any) -> None:
    server.call(server.fake.inject, Fault.status(500), path="/cloud/v6/projects/*", times=None)

    assert "500" in one_error_line(k6cloud("projects", "labels", str(server.project)))
