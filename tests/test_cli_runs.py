"""k6cloud runs: the date range and star filters, note, star, save, delete, script and
distribution, against a FakeK6Cloud in a thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _cli_support import (  # noqa: F401  (fixtures)
    ThreadedFake,
    k6cloud_fixture,
    one_error_line,
    server_fixture,
)

import k6cloud_async as k6
from k6cloud_async.testing import Fault

SCRIPT = b"export default function () { /* as run */ }\n"


def ended_run(server: ThreadedFake, test_id: int) -> int:
    run = server.call(server.fake.start_run, test_id)
    server.call(server.fake.finish_run, run.id)
    return run.id


def run_of(server: ThreadedFake, run_id: int) -> k6.TestRun | None:
    return server.call(server.fake.get_run, run_id)


def test_list_since_until_and_starred(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("t")
    start = server.call(server.fake.clock.now)
    ids = []
    for _ in range(4):
        ids.append(server.call(server.fake.start_run, test_id).id)
        server.call(server.fake.clock.advance, 60)
    k6cloud("runs", "star", str(ids[2]))
    k6cloud("runs", "star", str(ids[3]))
    since = (start.replace(minute=start.minute + 1)).strftime("%Y-%m-%dT%H:%M:%S")  # naive: UTC
    until = start.replace(minute=start.minute + 3).isoformat()

    ranged = k6cloud("--json", "runs", "list", "--since", since, "--until", until)
    starred = k6cloud("--json", "runs", "list", "--test", str(test_id), "--starred")

    assert [run["id"] for run in ranged.json_lines()] == ids[1:3]
    assert [run["id"] for run in starred.json_lines()] == ids[2:]
    assert starred.json_lines()[0]["is_starred"] is True


@pytest.mark.parametrize("option", [["--starred"], ["--order-by", "created"]])
def test_star_and_order_filters_need_a_test(
    server: ThreadedFake, k6cloud: Any, option: list[str]
) -> None:
    result = k6cloud("runs", "list", *option)

    assert result.code == 2
    assert result.err == f"error: {option[0]} needs --test\n"
    assert server.call(lambda: server.fake.requests) == []


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01"])
def test_a_bad_date_time_is_a_usage_error(k6cloud: Any, value: str) -> None:
    result = k6cloud("runs", "list", "--since", value)

    assert result.code == 2
    assert "expected an ISO 8601 date-time" in result.err


def test_note_star_save_and_their_json(server: ThreadedFake, k6cloud: Any) -> None:
    run_id = ended_run(server, server.add_test("t"))

    noted = k6cloud("runs", "note", str(run_id), "baseline")
    starred = k6cloud("--json", "runs", "star", str(run_id))
    saved = k6cloud("runs", "save", str(run_id))
    shown = k6cloud("--json", "runs", "get", str(run_id))
    unsaved = k6cloud("--json", "runs", "unsave", str(run_id))
    unstarred = k6cloud("runs", "unstar", str(run_id))
    cleared = k6cloud("--json", "runs", "note", str(run_id), "")

    assert noted.out == f"noted run {run_id}\n"
    assert starred.json() == {"id": run_id, "is_starred": True}
    assert saved.out == f"saved run {run_id}\n"
    assert (shown.json()["note"], shown.json()["retention_expiry"]) == ("baseline", None)
    assert unsaved.json() == {"id": run_id, "saved": False}
    assert unstarred.out == f"unstarred run {run_id}\n"
    assert cleared.json() == {"id": run_id, "note": ""}
    run = run_of(server, run_id)
    assert run is not None
    assert (run.note, run.is_starred, run.retention_expiry is None) == ("", False, False)


def test_save_past_the_limit_is_one_error_line(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("t")
    first, second = ended_run(server, test_id), ended_run(server, test_id)
    server.call(setattr, server.fake, "max_saved_runs", 1)
    k6cloud("runs", "save", str(first))

    result = k6cloud("runs", "save", str(second))

    assert one_error_line(result) == (
        "error: 409 conflict: The maximum number of saved test runs has been reached"
    )


def test_delete_an_ended_run_and_a_running_one(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("t")
    done = ended_run(server, test_id)
    running = server.call(server.fake.start_run, test_id).id

    deleted = k6cloud("--json", "runs", "delete", str(done))
    refused = k6cloud("runs", "delete", str(running))

    assert deleted.json() == {"id": done, "deleted": True}
    assert run_of(server, done) is None
    assert one_error_line(refused) == "error: 409 conflict: Cannot delete test while it's running."


def test_script_saves_what_the_run_ran(server: ThreadedFake, k6cloud: Any, tmp_path: Path) -> None:
    test_id = server.add_test("t", SCRIPT)
    run_id = ended_run(server, test_id)
    newer = tmp_path / "newer.js"
    newer.write_bytes(b"export default function () { /* later */ }\n")
    assert k6cloud("script", "upload", str(test_id), str(newer)).code == 0
    target = tmp_path / "ran.js"

    saved = k6cloud("runs", "script", str(run_id), "-o", str(target))
    described = k6cloud("--json", "runs", "script", str(run_id), "-o", str(target))

    assert target.read_bytes() == SCRIPT
    assert saved.out == f"saved {len(SCRIPT)} bytes (script, text/javascript) to {target}\n"
    assert described.json()["bytes"] == len(SCRIPT)
    assert described.json()["run_id"] == run_id


def test_script_to_stdout(server: ThreadedFake, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    from k6cloud_async.cli import main

    run_id = ended_run(server, server.add_test("t", SCRIPT))

    code = main(["runs", "script", str(run_id)])

    assert code == 0
    assert capsysbinary.readouterr().out == SCRIPT


def test_a_failed_script_download_leaves_the_file_untouched(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    run_id = ended_run(server, server.add_test("t", SCRIPT))
    target = tmp_path / "ran.js"
    target.write_bytes(b"before")
    server.call(server.fake.inject, Fault.truncated_body(), path="*/script", times=None)

    result = k6cloud("--max-retries", "0", "runs", "script", str(run_id), "-o", str(target))

    assert one_error_line(result)
    assert target.read_bytes() == b"before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ran.js"]  # no temporary left


def test_a_script_into_a_missing_directory_is_one_line_before_any_request(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    run_id = ended_run(server, server.add_test("t", SCRIPT))
    before = len(server.call(lambda: server.fake.requests))
    target = tmp_path / "build" / "ran.js"

    result = k6cloud("runs", "script", str(run_id), "-o", str(target))

    assert "does not exist" in one_error_line(result)
    assert len(server.call(lambda: server.fake.requests)) == before
    assert not (tmp_path / "build").exists()


def test_distribution_table_and_json(server: ThreadedFake, k6cloud: Any) -> None:
    run_id = ended_run(server, server.add_test("t"))
    node = k6.DistributionNode
    server.call(
        server.fake.set_run_distribution,
        run_id,
        {
            "amazon:us:ashburn": k6.LoadZoneDistribution(60, [node("m5.large", "3.82.149.214")]),
            "amazon:eu:dub\x1blin": k6.LoadZoneDistribution(40, []),
        },
    )

    table = k6cloud("runs", "distribution", str(run_id))
    document = k6cloud("--json", "runs", "distribution", str(run_id))

    assert [line.split() for line in table.out.splitlines()] == [
        ["LOAD", "ZONE", "PERCENT", "SIZE", "PUBLIC", "IP"],
        ["amazon:us:ashburn", "60", "m5.large", "3.82.149.214"],
        ["amazon:eu:dub\\x1blin", "40", "-", "-"],
    ]
    assert document.json()["distribution"]["amazon:us:ashburn"] == {
        "percentage": 60,
        "nodes": [{"size": "m5.large", "public_ip": "3.82.149.214"}],
    }


def test_distribution_of_a_run_without_one_is_one_error_line(
    server: ThreadedFake, k6cloud: Any
) -> None:
    run_id = server.call(server.fake.start_run, server.add_test("t")).id

    result = k6cloud("runs", "distribution", str(run_id))

    assert one_error_line(result).startswith("error: 404 not_found: Distribution data")
