"""Argument checks that resources share, tested without a server."""

from __future__ import annotations

import io

import aiohttp
import pytest

import k6cloud_async as k6
from k6cloud_async._validation import (
    check_callback,
    check_changes,
    check_mapping,
    check_poll_intervals,
    check_request_timeout,
    check_rewindable,
    check_str_mapping,
)


def test_an_update_that_changes_nothing_names_what_it_could_change() -> None:
    with pytest.raises(ValueError, match=r"update\(\) needs name= or note= to change"):
        check_changes("update", name=k6.UNSET, note=k6.UNSET)
    check_changes("update", name=k6.UNSET, note=None)  # None clears a field: a change


async def test_update_with_nothing_to_change_fails_before_any_request(
    client: k6.K6CloudClient,
) -> None:
    with pytest.raises(ValueError, match="baseline_test_run_id="):
        await client.load_tests.update(1)


def test_mappings() -> None:
    assert check_str_mapping({"k6": ">=0.52"}, "deps") == {"k6": ">=0.52"}
    with pytest.raises(TypeError, match="deps"):
        check_str_mapping({"k6": 1}, "deps")
    with pytest.raises(TypeError, match="options"):
        check_mapping([("a", 1)], "options")


def test_callbacks_and_intervals() -> None:
    check_callback(None, "on_update", takes="TestRun")
    check_callback(print, "on_update", takes="TestRun")
    with pytest.raises(TypeError, match="on_update must be a callable taking the TestRun"):
        check_callback("print", "on_update", takes="TestRun")
    assert check_poll_intervals(1, 2) == (1.0, 2.0)
    with pytest.raises(ValueError, match="max_poll_interval"):
        check_poll_intervals(3, 2)
    check_request_timeout(aiohttp.ClientTimeout(total=1), "request_timeout")
    with pytest.raises(ValueError, match="request_timeout"):
        check_request_timeout(0, "request_timeout")


def test_a_seekable_script_is_rewound_to_where_it_was() -> None:
    stream = io.BytesIO(b"header;script")
    stream.seek(7)
    rewind = check_rewindable(stream)
    stream.read()
    rewind()
    assert stream.read() == b"script"


def test_a_one_shot_script_is_refused() -> None:
    class OneShot(io.RawIOBase):
        def readable(self) -> bool:
            return True

    with pytest.raises(ValueError, match="non-seekable"):
        check_rewindable(OneShot())
