"""``ScriptDownload.save``: where it may write, checked first, and the mode it gives."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud

SCRIPT = b'export default function () { console.log("saved"); }\n'


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def umask_forbidden(umask_027: None) -> Iterator[None]:
    """``os.umask`` sets the mask of the whole process, racing with other threads that
    create files: save() must never call it. (Patched by hand, not with ``monkeypatch``,
    which is undone only after ``umask_027`` has put the mask back.)"""

    def umask(mask: int) -> int:
        raise AssertionError(f"os.umask({mask:#o}) was called")

    real = os.umask
    os.umask = umask
    try:
        yield
    finally:
        os.umask = real


async def save(client: k6.K6CloudClient, test_id: int, target: Any) -> int:
    async with client.load_tests.download_script(test_id) as script:
        return await script.save(target)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_file_gets_the_default_mode_without_touching_the_umask(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path, umask_forbidden: None
) -> None:
    test = fake.add_test(project, "Checkout", SCRIPT)
    target = tmp_path / "script.js"

    await save(client, test.id, target)

    assert mode_of(target) == 0o640  # 0o666 under the umask 0o027
    assert target.read_bytes() == SCRIPT


@pytest.mark.parametrize("mode", [0o600, 0o755, 0o444])
async def test_an_existing_file_keeps_its_mode_without_touching_the_umask(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    project: int,
    tmp_path: Path,
    umask_forbidden: None,
    mode: int,
) -> None:
    test = fake.add_test(project, "Checkout", SCRIPT)
    target = tmp_path / "script.js"
    target.write_bytes(b"// the previous script\n")
    target.chmod(mode)

    await save(client, test.id, target)

    assert mode_of(target) == mode
    assert target.read_bytes() == SCRIPT
    assert [p.name for p in tmp_path.iterdir()] == ["script.js"]


async def _refused_before_the_body_is_read(
    client: k6.K6CloudClient, test_id: int, target: Any, error: type[Exception], match: str
) -> pytest.ExceptionInfo[Exception]:
    async with client.load_tests.download_script(test_id) as script:
        with pytest.raises(error, match=match) as caught:
            await script.save(target)
        assert script.bytes_received == 0
        assert await script.read() == SCRIPT  # the body is still there to read
    return caught


async def test_save_to_an_empty_path_is_a_value_error_before_the_body_is_read(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "Checkout", SCRIPT)

    await _refused_before_the_body_is_read(
        client, test.id, "", ValueError, "path must not be empty"
    )


async def test_save_onto_a_directory_is_a_value_error_before_the_body_is_read(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path
) -> None:
    test = fake.add_test(project, "Checkout", SCRIPT)
    (tmp_path / "scripts").mkdir()

    await _refused_before_the_body_is_read(
        client, test.id, tmp_path / "scripts", ValueError, "path is a directory"
    )

    assert [p.name for p in (tmp_path / "scripts").iterdir()] == []


async def test_save_into_a_missing_directory_names_the_target_not_a_temporary_file(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path
) -> None:
    test = fake.add_test(project, "Checkout", SCRIPT)
    target = tmp_path / "missing" / "script.js"

    caught = await _refused_before_the_body_is_read(
        client, test.id, target, FileNotFoundError, "directory does not exist"
    )

    assert str(target) in str(caught.value)
    assert ".part" not in str(caught.value)
    assert caught.value.filename == str(target)  # type: ignore[attr-defined]


@pytest.mark.parametrize("target", [5, None, b"script.js"], ids=["int", "none", "bytes"])
async def test_save_to_a_path_of_the_wrong_type_is_a_type_error(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, target: Any
) -> None:
    test = fake.add_test(project, "Checkout", SCRIPT)

    await _refused_before_the_body_is_read(client, test.id, target, TypeError, "path must be")
