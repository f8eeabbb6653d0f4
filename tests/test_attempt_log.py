"""The debug line of each attempt: written at DEBUG, one per attempt, and nothing below it."""

from __future__ import annotations

import logging

import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault


def _attempt_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "k6cloud_async" and record.levelno == logging.DEBUG
    ]


async def test_each_attempt_is_one_debug_line_with_its_outcome(
    fake: FakeK6Cloud, client: k6.K6CloudClient, caplog: pytest.LogCaptureFixture
) -> None:
    test_id = fake.add_test(fake.add_project(), "t").id
    path = f"/cloud/v6/load_tests/{test_id}"
    fake.inject(Fault.status(503), method="GET", path=path, times=2)
    caplog.set_level(logging.DEBUG, logger="k6cloud_async")

    await client.load_tests.get(test_id)

    lines = _attempt_lines(caplog)
    assert len(lines) == 3, lines
    assert all(f"GET {fake.base_url}{path} -> " in line for line in lines)
    assert "-> 503 (attempt 1," in lines[0]
    assert "-> 503 (attempt 2," in lines[1]
    assert "-> 200 (attempt 3," in lines[2]


async def test_no_attempt_line_above_debug(
    fake: FakeK6Cloud, client: k6.K6CloudClient, caplog: pytest.LogCaptureFixture
) -> None:
    test_id = fake.add_test(fake.add_project(), "t").id
    caplog.set_level(logging.INFO, logger="k6cloud_async")

    await client.load_tests.get(test_id)

    assert _attempt_lines(caplog) == []
