"""client.load_tests.upsert against FakeK6Cloud: create or replace, and the race between two."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault

NAME = "Checkout flow"
OLD = b"export default function() { /* old */ }\n"
NEW = b"export default function() { /* new */ }\n"


def calls(fake: FakeK6Cloud) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status or 0) for r in fake.requests]


def hide_tests_once(fake: FakeK6Cloud, project: int) -> None:
    """The next lookup of the project's tests answers an empty page, as if it came first."""
    fake.inject(
        Fault.status(200, body={"value": []}),
        method="GET",
        path=f"/cloud/v6/projects/{project}/load_tests",
    )


async def test_upsert_creates_the_test_when_absent(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test, created = await client.load_tests.upsert(project, NAME, NEW)

    assert created is True
    assert test.name == NAME
    assert test.project_id == project
    assert fake.script_of(test.id) == NEW
    assert [method for method, _, _ in calls(fake)] == ["GET", "POST"]


async def test_upsert_uploads_the_script_when_present(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    existing = fake.add_test(project, NAME, OLD)
    fake.clock.advance(60)

    test, created = await client.load_tests.upsert(project, NAME, NEW)

    assert created is False  # its script replaced
    assert test.id == existing.id
    assert fake.script_of(existing.id) == NEW
    assert test.updated > existing.updated  # the fresh model, read after the upload
    assert calls(fake)[1:] == [
        ("PUT", f"/cloud/v6/load_tests/{existing.id}/script", 204),
        ("GET", f"/cloud/v6/load_tests/{existing.id}", 200),
    ]


async def test_upsert_leaves_a_test_of_the_same_name_in_another_project_alone(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    elsewhere = fake.add_test(fake.add_project("Other"), NAME, OLD)

    test, created = await client.load_tests.upsert(project, NAME, NEW)

    assert created is True
    assert test.id != elsewhere.id
    assert fake.script_of(elsewhere.id) == OLD


async def test_concurrent_upserts_of_a_new_name_leave_one_test(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    fake.latency = 0.02  # both lookups are answered before either create is

    (first, first_created), (second, second_created) = await asyncio.gather(
        client.load_tests.upsert(project, NAME, OLD),
        client.load_tests.upsert(project, NAME, NEW),
    )

    assert first.id == second.id
    assert sorted([first_created, second_created]) == [False, True]  # one created it
    assert [test.id for test in fake.tests] == [first.id]
    assert fake.script_of(first.id) in (OLD, NEW)
    creates = [status for method, _, status in calls(fake) if method == "POST"]
    assert sorted(creates) == [201, 409]  # the race was real, and the loser recovered


async def test_upsert_conflict_falls_back_to_lookup(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    existing = fake.add_test(project, NAME, OLD)
    hide_tests_once(fake, project)

    test, created = await client.load_tests.upsert(project, NAME, NEW)

    assert created is False
    assert test.id == existing.id
    assert fake.script_of(existing.id) == NEW
    assert [(method, status) for method, _, status in calls(fake)] == [
        ("GET", 200),  # the lookup sees nothing
        ("POST", 409),  # the create loses to the test that exists
        ("GET", 200),  # the second lookup finds it
        ("PUT", 204),
        ("GET", 200),
    ]


def _bytes(tmp_path: Path) -> Any:
    return NEW


def _text(tmp_path: Path) -> Any:
    return NEW.decode()


def _path(tmp_path: Path) -> Any:
    path = tmp_path / "script.js"
    path.write_bytes(NEW)
    return path


def _file_at_an_offset(tmp_path: Path) -> Any:
    buffer = io.BytesIO(b"#!ignored\n" + NEW)
    buffer.seek(len(b"#!ignored\n"))
    return buffer


@pytest.mark.parametrize("make", [_bytes, _text, _path, _file_at_an_offset])
async def test_upsert_sends_the_whole_script_again_after_a_lost_create(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    project: int,
    tmp_path: Path,
    make: Callable[[Path], Any],
) -> None:
    existing = fake.add_test(project, NAME, OLD)
    hide_tests_once(fake, project)

    await client.load_tests.upsert(project, NAME, make(tmp_path))

    assert fake.script_of(existing.id) == NEW


async def test_upsert_raises_the_conflict_when_the_name_never_shows_up(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    fake.add_test(project, NAME, OLD)
    fake.inject(
        Fault.status(200, body={"value": []}),
        method="GET",
        path=f"/cloud/v6/projects/{project}/load_tests",
        times=None,
    )

    with pytest.raises(k6.ConflictError):
        await client.load_tests.upsert(project, NAME, NEW)
    assert [method for method, _, _ in calls(fake)].count("POST") == 3


async def test_upsert_refuses_an_async_iterator_script_before_any_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    pulled = []

    async def chunks() -> AsyncIterator[bytes]:
        pulled.append(True)
        yield NEW

    with pytest.raises(TypeError, match="script"):
        await client.load_tests.upsert(project, NAME, chunks())
    assert fake.requests == []
    assert pulled == []  # not even its first chunk was taken


async def test_upsert_refuses_a_non_seekable_stream_before_any_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            return 0

    with pytest.raises(ValueError, match="script"):
        await client.load_tests.upsert(project, NAME, Pipe())  # type: ignore[arg-type]
    assert fake.requests == []


@pytest.mark.parametrize(
    ("arguments", "error", "argument"),
    [
        ((0, NAME, NEW), ValueError, "project_id"),
        (("1", NAME, NEW), TypeError, "project_id"),
        ((1, "", NEW), ValueError, "name"),
        ((1, NAME, 42), TypeError, "script"),
    ],
)
async def test_upsert_refuses_bad_arguments_before_any_request(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    arguments: tuple[Any, ...],
    error: type[Exception],
    argument: str,
) -> None:
    with pytest.raises(error, match=argument):
        await client.load_tests.upsert(*arguments)
    assert fake.requests == []
