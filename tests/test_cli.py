"""The ``k6cloud`` command line, run through its real entry point against FakeK6Cloud.

``main(argv)`` calls ``asyncio.run``, so these are plain sync tests: the fake serves from
its own event loop in a background thread (``ThreadedFake``), and its helpers are called
on that loop. ``demo`` and ``fake-server`` also run once as real subprocesses.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tarfile
import threading
from pathlib import Path
from typing import Any

import pytest
from _cli_support import (  # noqa: F401  (fixtures)
    SCRIPT,
    TOKEN,
    ThreadedFake,
    free_port,
    k6cloud_fixture,
    one_error_line,
    server_fixture,
)

import k6cloud_async as k6
from k6cloud_async._waits import POLL_SLEEP
from k6cloud_async.cli import _commands_tests as commands_tests
from k6cloud_async.cli import main
from k6cloud_async.cli._fake_server import serve
from k6cloud_async.cli._output import Output
from k6cloud_async.cli._progress import ProgressBar, format_bytes
from k6cloud_async.testing import Fault

# -- configuration ------------------------------------------------------------------------


def test_configuration_comes_from_the_environment(server: ThreadedFake, k6cloud: Any) -> None:
    server.add_test("from env")

    result = k6cloud("tests", "list")

    assert result.code == 0
    assert "from env" in result.out
    assert server.call(lambda: server.fake.requests[-1].headers["X-Stack-Id"]) == "1"


def test_options_override_the_environment(
    server: ThreadedFake, k6cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.add_test("by flags")
    monkeypatch.setenv("K6_CLOUD_TOKEN", "stale-token")
    monkeypatch.setenv("K6_CLOUD_HOST_V6", f"http://127.0.0.1:{free_port()}")

    result = k6cloud(
        "--token", TOKEN, "--base-url", server.fake.base_url, "--stack-id", "1", "tests", "list"
    )

    assert result.code == 0, result.err
    assert "by flags" in result.out


def test_token_file_is_read_and_stripped(
    server: ThreadedFake, k6cloud: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("K6_CLOUD_TOKEN")
    token_file = tmp_path / "token"
    token_file.write_text(f"  {TOKEN}\n")

    result = k6cloud("tests", "list", "--token-file", str(token_file))

    assert result.code == 0, result.err


def test_missing_token_file_is_one_line(server: ThreadedFake, k6cloud: Any, tmp_path: Path) -> None:
    result = k6cloud("--token-file", str(tmp_path / "absent"), "tests", "list")

    assert "cannot read token file" in one_error_line(result)


def test_empty_token_file_is_one_line(server: ThreadedFake, k6cloud: Any, tmp_path: Path) -> None:
    (tmp_path / "token").write_text("\n")

    result = k6cloud("--token-file", str(tmp_path / "token"), "tests", "list")

    assert "is empty" in one_error_line(result)


def test_token_file_that_is_not_text_is_one_line(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    (tmp_path / "token").write_bytes(b"\xff\xfe\x00")

    result = k6cloud("--token-file", str(tmp_path / "token"), "tests", "list")

    assert "not UTF-8" in one_error_line(result)


def test_token_and_token_file_together_are_refused(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    (tmp_path / "token").write_text(TOKEN)

    result = k6cloud("--token", TOKEN, "--token-file", str(tmp_path / "token"), "tests", "list")

    assert "not both" in one_error_line(result)


def test_missing_token_names_the_variable(k6cloud: Any) -> None:
    result = k6cloud("tests", "list")

    assert "K6_CLOUD_TOKEN" in one_error_line(result)


def test_missing_stack_id_names_the_variable(k6cloud: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K6_CLOUD_TOKEN", TOKEN)

    result = k6cloud("tests", "list")

    assert "K6_CLOUD_STACK_ID" in one_error_line(result)


def test_a_bad_base_url_is_one_line(k6cloud: Any) -> None:
    result = k6cloud("--token", TOKEN, "--stack-id", "1", "--base-url", "ftp://x", "tests", "list")

    assert "base_url" in one_error_line(result)


def test_bad_token_is_one_line_and_never_printed(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("--token", "not-the-token", "tests", "list")

    line = one_error_line(result)
    assert line.startswith("error: 401 ")
    assert "not-the-token" not in result.out + result.err


def test_an_unreachable_api_is_one_line(k6cloud: Any) -> None:
    url = f"http://127.0.0.1:{free_port()}"

    result = k6cloud(
        "--token",
        TOKEN,
        "--stack-id",
        "1",
        "--base-url",
        url,
        "--max-retries",
        "0",
        "tests",
        "list",
    )

    one_error_line(result)
    assert TOKEN not in result.err


def test_max_retries_zero_fails_on_the_first_503(server: ThreadedFake, k6cloud: Any) -> None:
    server.call(server.fake.inject, Fault.status(503), method="GET")

    result = k6cloud("--max-retries", "0", "tests", "list")

    assert one_error_line(result).startswith("error: 503 ")


def test_timeout_bounds_each_call(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("slow")
    server.call(server.fake.inject, Fault.stall(5), method="GET", times=None)

    result = k6cloud("--timeout", "0.2", "--max-retries", "0", "tests", "get", str(test_id))

    assert "timed out" in one_error_line(result).lower()


# -- usage errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["tests"],
        ["tests", "bogus"],
        ["tests", "get", "abc"],
        ["tests", "get", "0"],
        ["tests", "move", "1"],
        ["--timeout", "-1", "tests", "list"],
        ["--timeout", "soon", "tests", "list"],
        ["--max-retries", "-1", "tests", "list"],
        ["--max-retries", "many", "tests", "list"],
        ["tests", "list", "--tok", TOKEN],  # no abbreviations: --tok is not --token
    ],
)
def test_usage_errors_exit_2(k6cloud: Any, argv: list[str]) -> None:
    result = k6cloud(*argv)

    assert result.code == 2
    assert "usage:" in result.err


def test_help_exits_0(k6cloud: Any) -> None:
    result = k6cloud("--help")

    assert result.code == 0
    for command in ("tests", "script", "runs", "validate", "fake-server", "demo"):
        assert command in result.out


@pytest.mark.parametrize(
    ("argv", "option", "library_argument"),
    [
        (["tests", "list", "--order-by", "colour"], "--order-by", "order_by"),
        (["tests", "list", "--order-by", "name up"], "--order-by", "order_by"),
        (
            ["tests", "start", "1", "--idempotency-key", "k" * 40],
            "--idempotency-key",
            "idempotency_key",
        ),
        (
            ["tests", "start", "1", "--idempotency-key", "k\u00e9y"],
            "--idempotency-key",
            "idempotency_key",
        ),
        (["tests", "list", "--page-size", "5000"], "--page-size", "page_size"),
        (["runs", "list", "--page-size", "1001"], "--page-size", "page_size"),
        (["tests", "list", "--name", "x" * 301], "--name", "name must"),
        (["tests", "create", "1", "x" * 301, "s.js"], "NAME", "name must"),
        (["tests", "upsert", "1", "", "s.js"], "NAME", "name must"),
        (["tests", "rename", "1", "x" * 301], "NAME", "name must"),
    ],
)
def test_values_the_library_would_refuse_are_usage_errors_naming_the_option(
    server: ThreadedFake, k6cloud: Any, argv: list[str], option: str, library_argument: str
) -> None:
    result = k6cloud(*argv)

    assert result.code == 2
    assert "usage:" in result.err
    assert f": error: argument {option}: " in result.err.splitlines()[-1]
    assert library_argument not in result.err
    assert server.call(lambda: server.fake.requests) == []


def test_a_usage_error_with_json_is_one_json_object(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("--json", "tests", "start", "1", "--idempotency-key", "k" * 40)

    assert result.code == 2
    assert json.loads(result.err) == {
        "status": None,
        "code": "usage_error",
        "message": "argument --idempotency-key: must be 1 to 36 characters long, got 40",
    }


def test_an_unknown_command_with_json_is_one_json_object(k6cloud: Any) -> None:
    result = k6cloud("tests", "bogus", "--json")

    assert result.code == 2
    error = json.loads(result.err)
    assert error["code"] == "usage_error"
    assert "bogus" in error["message"]


# -- tests list / get ---------------------------------------------------------------------


def test_list_prints_every_page_as_an_aligned_table(server: ThreadedFake, k6cloud: Any) -> None:
    for number in range(1, 6):
        server.add_test(f"test {number}" + "!" * number)

    result = k6cloud("tests", "list", "--page-size", "2")

    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "PROJECT", "NAME", "UPDATED"]
    assert len(lines) == 6
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3", "4", "5"]
    # Columns stay where the first page put them (sized from the first page's rows).
    assert len({line.index("2025-") for line in lines[1:3]}) == 1
    pages = [r for r in server.call(lambda: server.fake.requests) if r.method == "GET"]
    assert len(pages) == 3


def test_list_json_is_one_object_per_line(server: ThreadedFake, k6cloud: Any) -> None:
    ids = [server.add_test(f"t{n}") for n in range(3)]

    result = k6cloud("tests", "list", "--json", "--page-size", "2")

    assert result.code == 0
    items = result.json_lines()
    assert [item["id"] for item in items] == ids
    assert set(items[0]) >= {"id", "project_id", "name", "created", "updated"}


def test_list_filters_orders_and_limits(server: ThreadedFake, k6cloud: Any) -> None:
    other = server.call(server.fake.add_project, "Other")
    for name in ("b", "a", "c"):
        server.add_test(name, project=other)
    server.add_test("elsewhere")

    result = k6cloud(
        "--json",
        "tests",
        "list",
        "--project",
        str(other),
        "--order-by",
        "name desc",
        "--limit",
        "2",
    )

    assert [item["name"] for item in result.json_lines()] == ["c", "b"]


def test_list_by_name(server: ThreadedFake, k6cloud: Any) -> None:
    server.add_test("wanted")
    server.add_test("unwanted")

    result = k6cloud("--json", "tests", "list", "--name", "wanted")

    assert [item["name"] for item in result.json_lines()] == ["wanted"]


def test_list_of_nothing_prints_the_titles(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("tests", "list")

    assert result.code == 0
    assert result.out.split() == ["ID", "PROJECT", "NAME", "UPDATED"]


def test_get_prints_key_value_lines(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("Orders API")

    result = k6cloud("tests", "get", str(test_id))

    assert result.code == 0
    fields = dict(line.split(None, 1) for line in result.out.splitlines())
    assert fields["id"] == str(test_id)
    assert fields["name"] == "Orders API"
    assert fields["baseline_test_run_id"] == "-"


def test_get_json_is_the_api_shape(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("Orders API")

    result = k6cloud("--json", "tests", "get", str(test_id))

    body = result.json()
    assert body["id"] == test_id
    assert body["name"] == "Orders API"
    assert body["created"].startswith("20")


def test_unknown_id_is_the_apis_error_on_one_line(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("tests", "get", "999")

    assert one_error_line(result) == "error: 404 not_found: Load test not found."
    assert result.out == ""


# -- tests create / upsert / rename / delete / move ----------------------------------------


def test_create_from_a_file(server: ThreadedFake, k6cloud: Any, tmp_path: Path) -> None:
    script = tmp_path / "smoke.js"
    script.write_bytes(SCRIPT)

    result = k6cloud("--json", "tests", "create", str(server.project), "Smoke", str(script))

    assert result.code == 0, result.err
    created = result.json()
    assert created["name"] == "Smoke"
    assert server.call(server.fake.script_of, created["id"]) == SCRIPT


def test_create_from_stdin(
    server: ThreadedFake, k6cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SCRIPT)))

    result = k6cloud("--json", "tests", "create", str(server.project), "Piped", "-")

    assert result.code == 0, result.err
    assert server.call(server.fake.script_of, result.json()["id"]) == SCRIPT


def test_create_sends_a_tar_as_an_archive(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    archive = tmp_path / "bundle.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(_write(tmp_path / "main.js", SCRIPT), arcname="main.js")

    result = k6cloud("--json", "tests", "create", str(server.project), "Bundle", str(archive))

    upload = server.call(server.fake.script_upload_of, result.json()["id"])
    assert upload.content_type == "application/x-tar"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_create_with_a_missing_script_is_one_line(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("tests", "create", str(server.project), "Smoke", "absent.js")

    assert one_error_line(result) == "error: script absent.js: not found"


def test_create_with_a_taken_name_is_a_409(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    server.add_test("Taken")

    result = k6cloud(
        "tests", "create", str(server.project), "Taken", str(_write(tmp_path / "s.js", SCRIPT))
    )

    assert one_error_line(result).startswith("error: 409 ")


def test_upsert_creates_then_replaces(server: ThreadedFake, k6cloud: Any, tmp_path: Path) -> None:
    script = _write(tmp_path / "s.js", b"export default function () { /* v1 */ }\n")
    first = k6cloud("--json", "tests", "upsert", str(server.project), "Nightly", str(script))
    script.write_bytes(b"export default function () { /* v2 */ }\n")

    second = k6cloud("--json", "tests", "upsert", str(server.project), "Nightly", str(script))

    assert first.code == second.code == 0
    assert first.json()["created"] is True
    assert second.json()["created"] is False
    test = second.json()["load_test"]
    assert first.json()["load_test"]["id"] == test["id"]
    assert set(second.json()) == {"created", "load_test"}
    assert test == k6.to_dict(server.get_test(test["id"]))
    assert b"v2" in server.call(server.fake.script_of, test["id"])


def test_upsert_says_whether_it_created_or_replaced(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    script = _write(tmp_path / "s.js", SCRIPT)
    project = server.project

    first = k6cloud("tests", "upsert", str(project), "Nightly", str(script))
    second = k6cloud("tests", "upsert", str(project), "Nightly", str(script))

    assert first.code == second.code == 0, first.err + second.err
    test_id = server.call(server.fake.test_by_name, "Nightly", project).id
    shown = k6cloud("tests", "get", str(test_id)).out  # the test's fields, as now
    said, fields = first.out.split("\n", 1)
    assert said == f"created load test {test_id} 'Nightly' in project {project}"
    assert [line.split()[0] for line in fields.splitlines()] == [
        line.split()[0] for line in shown.splitlines()
    ]
    said, fields = second.out.split("\n", 1)
    assert said == f"updated load test {test_id} 'Nightly' in project {project}: script replaced"
    assert fields == shown


def test_rename(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("Old")

    result = k6cloud("tests", "rename", str(test_id), "New")

    assert result.code == 0
    assert result.out == f"renamed load test {test_id} to 'New'\n"
    assert server.get_test(test_id).name == "New"


def test_rename_json(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("Old")

    result = k6cloud("tests", "rename", str(test_id), "New", "--json")

    assert result.json() == {"id": test_id, "name": "New"}


def test_delete_one(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("Gone")

    result = k6cloud("tests", "delete", str(test_id))

    assert result.code == 0
    assert result.out == f"deleted load test {test_id}\n"
    assert server.call(server.fake.get_test, test_id) is None


def test_delete_several_reports_each_and_fails_if_one_fails(
    server: ThreadedFake, k6cloud: Any
) -> None:
    ids = [server.add_test(f"t{n}") for n in range(4)]

    result = k6cloud("tests", "delete", *map(str, ids), "999")

    assert result.code == 1
    assert result.out.splitlines() == [
        *(f"deleted load test {test_id}" for test_id in ids),
        "deleted 4 of 5 load tests (1 failed)",
    ]
    assert result.err == "error: load test 999: 404 not_found: Load test not found.\n"
    assert server.call(lambda: server.fake.tests) == []


def test_delete_several_json(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("t")

    result = k6cloud("--json", "tests", "delete", str(test_id), "999")

    assert result.json_lines() == [
        {"id": test_id, "ok": True},
        {
            "id": 999,
            "ok": False,
            "error": {"status": 404, "code": "not_found", "message": "Load test not found."},
        },
    ]


def test_delete_one_json(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("t")

    result = k6cloud("--json", "tests", "delete", str(test_id))

    assert result.json_lines() == [{"id": test_id, "ok": True}]


def test_delete_several_reports_a_connection_failure(server: ThreadedFake, k6cloud: Any) -> None:
    ids = [server.add_test(f"t{n}") for n in range(2)]
    server.call(
        server.fake.inject,
        Fault.reset(),
        method="DELETE",
        path=f"/cloud/v6/load_tests/{ids[1]}",
        times=None,
    )

    result = k6cloud("--json", "--max-retries", "0", "tests", "delete", *map(str, ids))

    assert result.code == 1
    failure = result.json_lines()[1]
    assert failure["ok"] is False
    assert failure["error"]["status"] is None
    assert failure["error"]["code"] == "TransportError"
    assert json.loads(result.err) == {
        "status": None,
        "code": "partial_failure",
        "message": "1 of 2 load tests failed",
    }


def test_move_several(server: ThreadedFake, k6cloud: Any) -> None:
    target = server.call(server.fake.add_project, "Target")
    ids = [server.add_test(f"t{n}") for n in range(3)]

    result = k6cloud("tests", "move", *map(str, ids), "--to", str(target))

    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == f"moved 3 of 3 load tests to project {target}"
    assert {server.get_test(i).project_id for i in ids} == {target}


def test_move_one_to_an_unknown_project(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("t")

    result = k6cloud("tests", "move", str(test_id), "--to", "999")

    assert one_error_line(result) == (
        "error: 400 validation_error: The destination project does not exist. (target: project_id)"
    )


# -- tests start / runs -------------------------------------------------------------------


def test_start_prints_the_run_and_reuses_an_idempotency_key(
    server: ThreadedFake, k6cloud: Any
) -> None:
    test_id = server.add_test("t")
    argv = ("--json", "tests", "start", str(test_id), "--idempotency-key", "ci-build-42")

    first, second = k6cloud(*argv), k6cloud(*argv)

    assert first.code == second.code == 0
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["test_id"] == test_id
    assert len(server.call(lambda: server.fake.runs)) == 1


def test_start_without_wait_is_human_readable(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("t")

    result = k6cloud("tests", "start", str(test_id))

    fields = dict(line.split(None, 1) for line in result.out.splitlines() if " " in line.strip())
    assert fields["status"] == "created"
    assert fields["test_id"] == str(test_id)


def test_start_of_an_unknown_test_is_one_line(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("tests", "start", "999", "--wait")

    assert one_error_line(result) == "error: 404 not_found: Load test not found."


def test_a_start_that_may_have_happened_names_the_key_to_retry_with(
    server: ThreadedFake, k6cloud: Any
) -> None:
    test_id = server.add_test("t")
    server.call(server.fake.inject, Fault.after_processing(Fault.status(503)), method="POST")

    result = k6cloud("--max-retries", "0", "tests", "start", str(test_id))

    line = one_error_line(result)
    assert line.startswith("error: 503 ")
    assert "--idempotency-key " in line


@pytest.mark.parametrize(
    ("outcome", "code", "verdict"),
    [
        ({"result": "passed"}, 0, "passed"),
        ({"result": "failed"}, 99, "failed: thresholds crossed"),
        ({"result": "error"}, 97, "ended in error"),
        ({"result": "error", "status": "aborted"}, 97, "was aborted"),
    ],
)
def test_start_wait_exits_as_k6_cloud_run(
    server: ThreadedFake, k6cloud: Any, outcome: dict[str, Any], code: int, verdict: str
) -> None:
    test_id = server.add_test("gate")
    server.call(server.fake.set_run_outcome, test_id, steps=3, **outcome)

    result = k6cloud("tests", "start", str(test_id), "--wait", "--poll-interval", "0.01")

    assert result.code == code, result.err
    notes = result.err.splitlines()
    assert notes[0].startswith(f"started run 1 of load test {test_id}")
    assert "run 1: running" in notes
    assert verdict in notes[-1]
    fields = dict(line.split(None, 1) for line in result.out.splitlines() if " " in line.strip())
    assert fields["result"] == outcome["result"]


def test_start_wait_json_is_the_final_run(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("gate")
    server.call(server.fake.set_run_outcome, test_id, steps=2, result="failed")

    result = k6cloud("--json", "tests", "start", str(test_id), "--wait", "--poll-interval", "0.01")

    assert result.code == 99
    assert result.json()["status"] == "completed"
    assert result.json()["result"] == "failed"


def test_wait_timeout_exits_1_and_says_how_to_abort(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("long")
    server.call(server.fake.set_run_outcome, test_id, steps=1000)

    result = k6cloud(
        "tests", "start", str(test_id), "--wait", "--poll-interval", "0.01", "--wait-timeout", "0.2"
    )

    assert result.code == 1
    last = result.err.splitlines()[-1]
    assert last.startswith("error: run 1 did not finish within 0.2 s (status: running)")
    assert "k6cloud runs abort 1" in last


def test_runs_get_list_abort_and_wait(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("t")
    run = server.call(server.fake.start_run, test_id)

    got = k6cloud("--json", "runs", "get", str(run.id))
    listed = k6cloud("runs", "list", "--test", str(test_id))
    aborted = k6cloud("runs", "abort", str(run.id))
    waited = k6cloud("runs", "wait", str(run.id), "--poll-interval", "0.01")
    again = k6cloud("runs", "abort", str(run.id))

    assert got.json()["id"] == run.id
    assert listed.out.splitlines()[0].split() == [
        "ID",
        "TEST",
        "STATUS",
        "RESULT",
        "CREATED",
        "ENDED",
    ]
    assert listed.out.splitlines()[1].split()[:2] == [str(run.id), str(test_id)]
    assert aborted.out == f"aborted run {run.id}\n"
    assert waited.code == 97
    assert "was aborted" in waited.err
    assert one_error_line(again).startswith("error: 409 ")


def test_runs_list_json_and_abort_json(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("t")
    runs = []
    for _ in range(3):
        runs.append(server.call(server.fake.start_run, test_id))
        server.call(server.fake.clock.advance, 60)

    listed = k6cloud(
        "--json",
        "runs",
        "list",
        "--test",
        str(test_id),
        "--order-by",
        "created desc",
        "--limit",
        "2",
    )
    aborted = k6cloud("--json", "runs", "abort", str(runs[0].id))

    assert [item["id"] for item in listed.json_lines()] == [runs[2].id, runs[1].id]
    assert aborted.json() == {"id": runs[0].id, "aborted": True}


def test_runs_get_unknown(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("runs", "get", "999")

    assert one_error_line(result) == "error: 404 not_found: Test run not found."


# -- script download / upload -------------------------------------------------------------


def test_script_download_to_stdout(
    server: ThreadedFake, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    test_id = server.add_test("t", script=b"export default function () { /* body */ }\n")

    code = main(["script", "download", str(test_id)])

    assert code == 0
    assert capsysbinary.readouterr().out == b"export default function () { /* body */ }\n"


def test_script_download_to_a_file(server: ThreadedFake, k6cloud: Any, tmp_path: Path) -> None:
    test_id = server.add_test("t", script=SCRIPT)
    target = tmp_path / "out.js"

    result = k6cloud("script", "download", str(test_id), "-o", str(target))

    assert result.code == 0
    assert target.read_bytes() == SCRIPT
    assert result.out == f"saved {len(SCRIPT)} bytes (script, text/javascript) to {target}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.js"]  # no temporary file left


def test_script_download_json(server: ThreadedFake, k6cloud: Any, tmp_path: Path) -> None:
    test_id = server.add_test("t", script=SCRIPT)

    result = k6cloud("--json", "script", "download", str(test_id), "-o", str(tmp_path / "a.js"))

    assert result.json()["bytes"] == len(SCRIPT)
    assert result.json()["is_archive"] is False


def test_script_download_failure_leaves_the_file_untouched(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    test_id = server.add_test("t", script=SCRIPT * 100)
    target = _write(tmp_path / "keep.js", b"previous")
    server.call(server.fake.inject, Fault.truncated_body(), method="GET", times=None)

    result = k6cloud("--max-retries", "0", "script", "download", str(test_id), "-o", str(target))

    one_error_line(result)
    assert target.read_bytes() == b"previous"


def test_script_download_into_a_directory_is_refused(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    result = k6cloud("script", "download", "1", "-o", str(tmp_path))

    assert "is a directory" in one_error_line(result)


def test_script_upload(server: ThreadedFake, k6cloud: Any, tmp_path: Path) -> None:
    test_id = server.add_test("t")
    script = _write(tmp_path / "new.js", b"export default function () { /* new */ }\n")

    result = k6cloud("script", "upload", str(test_id), str(script))
    as_json = k6cloud("--json", "script", "upload", str(test_id), str(script))

    assert result.code == 0
    assert result.out == f"uploaded {script.stat().st_size} bytes to load test {test_id}\n"
    assert as_json.json() == {"test_id": test_id, "bytes": script.stat().st_size}
    assert server.call(server.fake.script_of, test_id) == script.read_bytes()


def test_script_upload_of_a_directory_is_one_line(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    result = k6cloud("script", "upload", "1", str(tmp_path))

    assert "is not a file" in one_error_line(result)


# -- validate -----------------------------------------------------------------------------


def test_validate_prints_vuh_usage_and_breakdown(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    options = tmp_path / "options.json"
    options.write_text(json.dumps({"vus": 10, "duration": "1h"}))

    result = k6cloud("validate", str(options))
    local = k6cloud("--json", "validate", str(options), "--local")

    assert result.code == 0
    fields = dict(line.split(None, 1) for line in result.out.splitlines())
    assert fields["vuh_usage"] == "10"
    assert fields["breakdown.base_total_vuh"] == "10"
    assert local.json()["vuh_usage"] == 7.5
    assert local.json()["breakdown"]["reduction_rate"] == 25.0


def test_validate_from_stdin(
    server: ThreadedFake, k6cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"vus": 2}')))

    result = k6cloud("--json", "validate", "-")

    assert result.json()["vuh_usage"] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object, got an array"),
        ('"vus"', "expected a JSON object, got a string"),
        ("3", "expected a JSON object, got a number"),
        ("null", "expected a JSON object, got null"),
        ("true", "expected a JSON object, got a boolean"),
    ],
)
def test_validate_with_a_bad_options_file_is_one_line(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "options.json"
    if content is not None:
        path.write_text(content)

    result = k6cloud("validate", str(path))

    assert message in one_error_line(result)
    assert server.call(lambda: server.fake.requests) == []


def test_validate_with_a_directory_is_one_line(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    result = k6cloud("validate", str(tmp_path))

    assert one_error_line(result).startswith(f"error: options file {tmp_path}: ")


def test_validate_reports_the_apis_details(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    options = _write(tmp_path / "o.json", b'{"vus": 5000, "duration": "1m"}')

    result = k6cloud("validate", str(options))

    line = one_error_line(result)
    assert line.startswith("error: 400 validation_error: ")
    assert "5000" in line


# -- interruptions ------------------------------------------------------------------------


@pytest.mark.usefixtures("ctrl_c_interrupts")
def test_ctrl_c_while_waiting_says_the_run_goes_on(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("long")
    server.call(server.fake.set_run_outcome, test_id, steps=1000)

    async def press_ctrl_c(seconds: float) -> None:
        signal.raise_signal(signal.SIGINT)  # asyncio.run cancels the command, then re-raises
        await asyncio.sleep(seconds)

    with POLL_SLEEP.replaced_by(press_ctrl_c):
        result = k6cloud("tests", "start", str(test_id), "--wait")

    assert result.code == 130
    assert result.err.splitlines()[-2:] == [
        "stopped waiting; run 1 goes on: 'k6cloud runs abort 1'",
        "interrupted",
    ]


def test_a_closed_pipe_ends_quietly(
    server: ThreadedFake, k6cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def reader_left(ctx: Any, args: Any) -> int:
        raise BrokenPipeError

    monkeypatch.setattr(commands_tests, "list_tests", reader_left)

    result = k6cloud("tests", "list")

    assert result.code == 1
    assert result.err == ""


def test_a_bug_is_still_one_line(
    server: ThreadedFake, k6cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(ctx: Any, args: Any) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(commands_tests, "list_tests", broken)

    result = k6cloud("tests", "list")
    as_json = k6cloud("--json", "tests", "list")

    assert one_error_line(result) == "error: unexpected RuntimeError: boom"
    assert json.loads(as_json.err) == {
        "status": None,
        "code": "internal_error",
        "message": "unexpected RuntimeError: boom",
    }


def test_a_value_the_library_refuses_after_parsing_is_a_usage_error(
    server: ThreadedFake, k6cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(ctx: Any, args: Any) -> int:
        raise ValueError("page_size must be between 1 and 1000, got 0")

    monkeypatch.setattr(commands_tests, "list_tests", refused)

    result = k6cloud("tests", "list")

    assert result.code == 2
    assert result.err == "error: page_size must be between 1 and 1000, got 0\n"


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError


def test_help_into_a_closed_pipe_ends_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", ClosedPipe())

    code = main(["--help"])

    assert code == 0
    assert capsys.readouterr().err == ""


# -- fake-server and demo -----------------------------------------------------------------


async def test_fake_server_serves_what_it_prints() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    seen: list[str] = []

    async def use_it() -> None:
        settings = dict(
            line.removeprefix("export ").split("=", 1)
            for line in stdout.getvalue().splitlines()
            if line.startswith("export ")
        )
        async with k6.K6CloudClient(
            settings["K6_CLOUD_TOKEN"],
            settings["K6_CLOUD_STACK_ID"],
            base_url=settings["K6_CLOUD_HOST_V6"],
        ) as client:
            seen.extend([test.name async for test in client.load_tests.list()])

    await serve(Output(stdout, stderr, json_mode=False), tests=4, until=use_it)

    assert stdout.getvalue().startswith("FakeK6Cloud listening on http://127.0.0.1:")
    assert len(seen) == 4
    assert "stopped" in stderr.getvalue()


async def test_fake_server_json_is_one_line() -> None:
    stdout = io.StringIO()

    async def stop() -> None:
        return None

    await serve(Output(stdout, io.StringIO(), json_mode=True), tests=0, until=stop)

    settings = json.loads(stdout.getvalue())
    assert settings["token"] == "fake-token"
    assert settings["base_url"].startswith("http://127.0.0.1:")


def test_fake_server_command_serves_until_sigterm(k6cloud: Any) -> None:
    port = free_port()

    def terminate_once_listening() -> None:
        for _ in range(500):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                threading.Event().wait(0.01)
            else:
                break
        os.kill(os.getpid(), signal.SIGTERM)  # handled by the command's event loop

    killer = threading.Thread(target=terminate_once_listening)
    killer.start()
    result = k6cloud("fake-server", "--port", str(port), "--tests", "2")
    killer.join()

    assert result.code == 0
    assert f"export K6_CLOUD_HOST_V6=http://127.0.0.1:{port}" in result.out.splitlines()
    assert result.err.splitlines()[-1] == "FakeK6Cloud stopped."
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers removed


def test_fake_server_on_a_taken_port_is_one_line(k6cloud: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = k6cloud("fake-server", "--port", str(port))

    assert f"cannot serve on port {port}" in one_error_line(result)


def _cli_process(*argv: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("K6_CLOUD_")}
    return subprocess.Popen(
        [sys.executable, "-m", "k6cloud_async", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_fake_server_process_prints_its_url_and_stops_on_sigterm() -> None:
    process = _cli_process("fake-server", "--tests", "3")
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("FakeK6Cloud listening on http://127.0.0.1:")
        lines = [process.stdout.readline() for _ in range(9)]
        assert "export K6_CLOUD_TOKEN=fake-token\n" in lines
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "FakeK6Cloud stopped." in err


def test_demo_process_exits_0() -> None:
    process = _cli_process("demo")
    out, err = process.communicate(timeout=60)

    assert process.returncode == 0, err
    assert "[10] Bulk-delete" in out
    assert "result: passed" in out


def test_demo_walks_through_the_workflow(k6cloud: Any) -> None:
    result = k6cloud("demo")

    assert result.code == 0, result.err
    assert "page 3: 6 tests" in result.out
    assert "sent as archive.tar (application/x-tar)" in result.out
    assert "statuses: initializing -> running -> processing_metrics -> completed" in result.out
    assert "note 'demo: 20 VUs after the script change', starred: True" in result.out
    assert "load zone amazon:us:ashburn: 100% of the load on m5.large at 203.0.113." in result.out
    assert "deleted 23 of 24, failed 1 (404 not_found" in result.out


# -- progress bars ------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_is_silent_off_a_terminal() -> None:
    stream = io.StringIO()
    bar = ProgressBar("upload", stream)

    assert bar.on_progress is None
    bar.update(5, 10)
    bar.clear()
    bar.close()
    assert stream.getvalue() == ""


def test_progress_bar_redraws_in_place_on_a_terminal() -> None:
    stream = Terminal()
    now = [0.0]
    bar = ProgressBar("upload s.js", stream, clock=lambda: now[0])

    assert bar.on_progress is not None
    bar.on_progress(0, 2048)
    bar.on_progress(1024, 2048)  # within 0.1 s: not drawn
    now[0] = 1.0
    bar.on_progress(1024, 2048)
    bar.on_progress(2048, 2048)  # the end is always drawn
    bar.close()

    frames = stream.getvalue().split("\r")[1:]
    assert frames[1] == "upload s.js [############------------]  50%  1.0 KiB / 2.0 KiB"
    assert frames[-1].endswith("100%  2.0 KiB / 2.0 KiB\n")  # drawn once, then the line ends
    assert len(frames) == 3


def test_progress_bar_draws_a_skipped_last_state_on_close() -> None:
    stream = Terminal()
    bar = ProgressBar("upload", stream, clock=lambda: 0.0)

    bar.update(1, None)
    bar.update(2, None)  # within 0.1 s: not drawn yet
    bar.close()

    assert stream.getvalue() == "\rupload 1 B\rupload 2 B\n"


def test_progress_bar_counts_items_and_clears_for_a_line() -> None:
    stream = Terminal()
    bar = ProgressBar("deleted", stream, unit="items", clock=lambda: 0.0)

    bar.advance(4)
    bar.clear()
    assert stream.getvalue().endswith(
        "\r" + " " * len("deleted [######------------------]  25%  1/4") + "\r"
    )
    bar.advance(4)
    bar.close()

    assert stream.getvalue().endswith("deleted [############------------]  50%  2/4\n")


def test_progress_bar_without_a_total() -> None:
    bar = ProgressBar("download", Terminal(), enabled=True)
    bar.update(3 * 1024 * 1024, None)

    assert bar.render() == "download 3.0 MiB"
    assert format_bytes(512) == "512 B"
    assert format_bytes(5 * 1024**4) == "5120.0 GiB"
