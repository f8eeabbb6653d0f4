"""``k6cloud schedules …`` through the real entry point against FakeK6Cloud."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from k6cloud_async.testing import Fault

# The command line's fixtures: a threaded fake with K6_CLOUD_* pointing at it, and main().
from tests._cli_support import (  # noqa: F401  (fixtures)
    ThreadedFake,
    k6cloud_fixture,
    one_error_line,
    server_fixture,
)

MONDAY = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def _schedule(server: ThreadedFake, test_id: int) -> Any:
    """The test's schedule as the fake holds it."""
    return server.call(server.fake.schedule_of, test_id)


@pytest.fixture
def test_id(server: ThreadedFake) -> int:
    server.call(server.fake.clock.set, MONDAY)
    return server.add_test("Nightly")


def test_set_a_cron_schedule_in_a_time_zone(
    server: ThreadedFake, k6cloud: Any, test_id: int
) -> None:
    result = k6cloud(
        "schedules",
        "set",
        str(test_id),
        "--cron",
        "0 7 * * 1",
        "--tz",
        "Europe/Berlin",
        "--starts",
        "2025-01-06T09:00:00Z",
        "--json",
    )

    assert result.code == 0, result.err
    body = result.json()
    assert body["cron"] == {"schedule": "0 7 * * 1", "time_zone": "Europe/Berlin"}
    assert body["next_run"] == "2025-01-13T06:00:00+00:00"


def test_set_every_two_hours_from_a_given_start(
    server: ThreadedFake, k6cloud: Any, test_id: int
) -> None:
    result = k6cloud(
        "schedules", "set", str(test_id), "--every", "2h", "--starts", "2025-01-06T10:30:00+01:00"
    )

    assert result.code == 0, result.err
    assert "recurrence_rule.frequency  HOURLY" in result.out
    rule = _schedule(server, test_id).recurrence_rule
    assert (rule.frequency, rule.interval) == ("HOURLY", 2)


def test_set_weekly_on_weekends_with_a_count(
    server: ThreadedFake, k6cloud: Any, test_id: int
) -> None:
    result = k6cloud("schedules", "set", str(test_id), "--weekly", "sa,SU", "--count", "10")

    assert result.code == 0, result.err
    rule = _schedule(server, test_id).recurrence_rule
    assert (rule.frequency, rule.byday, rule.count) == ("WEEKLY", ["SA", "SU"], 10)


def test_set_without_a_rule_runs_once_at_starts_which_defaults_to_now(
    server: ThreadedFake, k6cloud: Any, test_id: int
) -> None:
    before = datetime.now(UTC)

    result = k6cloud("schedules", "set", str(test_id), "--json")

    assert result.code == 0, result.err
    starts = datetime.fromisoformat(result.json()["starts"])
    assert starts.tzinfo is not None
    assert starts >= before.replace(microsecond=0)
    assert (result.json()["cron"], result.json()["recurrence_rule"]) == (None, None)


@pytest.mark.parametrize(
    "argv",
    [
        ["--every", "2x"],
        ["--every", "0h"],
        ["--weekly", "SA,XX"],
        ["--starts", "2025-01-06T08:00:00"],
        ["--until", "soon", "--every", "1d"],
        ["--cron", "@daily", "--every", "1d"],
        ["--tz", "UTC"],
        ["--cron", "@daily", "--count", "3"],
        ["--count", "3"],
        ["--every", "1d", "--weekly", "SA"],
        ["--every", "1d", "--count", "2", "--until", "2030-01-01T00:00:00Z"],
    ],
)
def test_set_usage_errors_exit_2_before_any_request(
    server: ThreadedFake, k6cloud: Any, test_id: int, argv: list[str]
) -> None:
    server.call(server.fake.reset_requests)

    result = k6cloud("schedules", "set", str(test_id), *argv)

    assert result.code == 2, result
    assert result.out == ""
    assert "Traceback" not in result.err
    assert server.call(lambda: server.fake.requests) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--cron", "0 0 * *"], "cron.schedule"),
        (["--cron", "@daily", "--tz", "Mars/Olympus"], "cron.time_zone"),
    ],
)
def test_a_schedule_the_library_refuses_is_one_usage_error_line(
    server: ThreadedFake, k6cloud: Any, test_id: int, argv: list[str], message: str
) -> None:
    server.call(server.fake.reset_requests)

    result = k6cloud("schedules", "set", str(test_id), *argv)

    # An argument the library refuses is a usage error (exit 2), as for every command.
    assert result.code == 2, result
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert server.call(lambda: server.fake.requests) == []


def test_list_prints_a_table_and_json_lines(
    server: ThreadedFake, k6cloud: Any, test_id: int
) -> None:
    other = server.add_test("Other")
    assert k6cloud("schedules", "set", str(test_id), "--cron", "@daily").code == 0
    assert k6cloud("schedules", "set", str(other), "--weekly", "SA,SU", "--count", "3").code == 0

    table = k6cloud("schedules", "list")
    lines = k6cloud("schedules", "list", "--json", "--page-size", "1")

    assert table.code == 0, table.err
    assert table.out.splitlines()[0].split() == ["ID", "TEST", "ACTIVE", "NEXT", "RUN", "RULE"]
    assert "cron @daily (UTC)" in table.out
    assert "every 1 WEEKLY on SA,SU, 3 runs" in table.out
    assert [item["load_test_id"] for item in lines.json_lines()] == [test_id, other]


def test_get_by_id_and_by_test(server: ThreadedFake, k6cloud: Any, test_id: int) -> None:
    schedule_id = k6cloud("schedules", "set", str(test_id), "--cron", "@daily", "--json").json()[
        "id"
    ]

    by_id = k6cloud("schedules", "get", str(schedule_id), "--json")
    by_test = k6cloud("schedules", "get", "--test", str(test_id), "--json")

    assert by_id.json() == by_test.json()
    assert by_id.json()["id"] == schedule_id


def test_get_needs_an_id_or_a_test(server: ThreadedFake, k6cloud: Any) -> None:
    assert k6cloud("schedules", "get").code == 2
    assert k6cloud("schedules", "get", "1", "--test", "1").code == 2


def test_deactivate_activate_and_delete(server: ThreadedFake, k6cloud: Any, test_id: int) -> None:
    schedule_id = str(
        k6cloud("schedules", "set", str(test_id), "--cron", "@daily", "--json").json()["id"]
    )

    deactivated = k6cloud("schedules", "deactivate", schedule_id)
    assert _schedule(server, test_id).deactivated is True
    activated = k6cloud("schedules", "activate", schedule_id, "--json")
    assert _schedule(server, test_id).deactivated is False
    deleted = k6cloud("schedules", "delete", schedule_id)

    assert deactivated.out == f"deactivated schedule {schedule_id}\n"
    assert activated.json() == {"id": int(schedule_id), "activated": True}
    assert deleted.out == f"deleted schedule {schedule_id}\n"
    assert server.call(lambda: server.fake.schedules) == []


def test_activating_an_expired_schedule_is_one_error_line(
    server: ThreadedFake, k6cloud: Any, test_id: int
) -> None:
    result = k6cloud("schedules", "set", str(test_id), "--starts", "2025-01-06T09:05:00Z", "--json")
    server.call(server.fake.clock.advance, 600)

    failed = k6cloud("schedules", "activate", str(result.json()["id"]))

    line = one_error_line(failed)
    assert line == "error: 409 conflict: Cannot re-activate an expired schedule."


@pytest.mark.parametrize(
    "argv",
    [
        ["get", "77"],
        ["get", "--test", "77"],
        ["delete", "77"],
        ["activate", "77"],
        ["deactivate", "77"],
        ["set", "77", "--cron", "@daily"],
    ],
)
def test_an_unknown_id_is_one_error_line(
    server: ThreadedFake, k6cloud: Any, argv: list[str]
) -> None:
    assert "404 not_found" in one_error_line(k6cloud("schedules", *argv))


def test_a_server_error_is_one_error_line(server: ThreadedFake, k6cloud: Any) -> None:
    server.call(server.fake.inject, Fault.status(500), times=None)

    result = k6cloud("schedules", "list", "--max-retries", "0")

    assert "500" in one_error_line(result)
