"""Script transfers against FakeK6Cloud: create(), upload_script() and download_script().

Every source kind round-trips byte for byte, ``.tar`` archives are told from JavaScript,
big scripts stream in bounded memory, ``save()`` is atomic, and progress and errors are
what a user sees.
"""

from __future__ import annotations

import array
import asyncio
import gzip
import hashlib
import io
import os
import stat
import subprocess
import sys
import tarfile
import tracemalloc
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Literal

import pytest
from _script_sources import (
    BINARY_SOURCES,
    SOURCES,
    NonSeekableStream,
    javascript,
    pattern,
    uneven_chunks,
    write_k6_archive,
)
from attrs import frozen

import k6cloud_async as k6
from k6cloud_async._constants import CHUNK_SIZE
from k6cloud_async._scripts import is_tar_header, prepare_script
from k6cloud_async.testing import FakeK6Cloud, Fault

MiB = 1024 * 1024
TAR_BLOCK = 512

#: UTF-8 JavaScript with non-ASCII text: several transfer chunks, the last one partial.
SCRIPT_TEXT = javascript(2 * CHUNK_SIZE + CHUNK_SIZE // 3)
SCRIPT = SCRIPT_TEXT.encode("utf-8")
SMALL_SCRIPT = b'export default function () { console.log("h\xc3\xa9llo"); }\n'

OPERATIONS = ["create", "upload"]


async def send_script(
    client: k6.K6CloudClient,
    fake: FakeK6Cloud,
    project: int,
    operation: str,
    script: Any,
    **kwargs: Any,
) -> int:
    """Create a test with ``script``, or upload it over an existing test; the test's id."""
    if operation == "create":
        created = await client.load_tests.create(project, "Checkout flow", script, **kwargs)
        return created.id
    existing = fake.add_test(project, "Checkout flow")
    await client.load_tests.upload_script(existing.id, script, **kwargs)
    return existing.id


async def download(client: k6.K6CloudClient, test_id: int) -> bytes:
    async with client.load_tests.download_script(test_id) as script:
        return await script.read()


def names_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


@pytest.fixture
def sources() -> Iterator[ExitStack]:
    """Closes the files, pipes and feeder threads the source factories open."""
    with ExitStack() as stack:
        yield stack


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_k6_archive(tmp_path)


@pytest.fixture
def archive_bytes(archive: Path) -> bytes:
    return archive.read_bytes()


# -- 1. every source round-trips -------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("kind", list(SOURCES))
async def test_every_source_round_trips_byte_for_byte(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    project: int,
    tmp_path: Path,
    sources: ExitStack,
    operation: str,
    kind: str,
) -> None:
    source, expected = SOURCES[kind](SCRIPT, tmp_path, sources)

    test_id = await send_script(client, fake, project, operation, source)

    assert await download(client, test_id) == expected


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_a_bytes_io_mid_way_sends_only_the_rest(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, operation: str
) -> None:
    buffer = io.BytesIO(b"// already consumed by the caller\n" + SMALL_SCRIPT)
    buffer.readline()

    test_id = await send_script(client, fake, project, operation, buffer)

    assert await download(client, test_id) == SMALL_SCRIPT


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_a_str_naming_an_existing_file_is_refused_with_a_hint_to_pass_a_path(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path, operation: str
) -> None:
    path = tmp_path / "grüße.js"
    path.write_bytes(SMALL_SCRIPT)

    with pytest.raises(ValueError, match=r"script is a str naming an existing file.*Path"):
        await send_script(client, fake, project, operation, str(path))

    assert fake.requests == []


async def test_a_one_line_str_is_sent_as_its_utf8_text(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path
) -> None:
    test = fake.add_test(project, "Checkout flow")
    one_liner = 'import http from "k6/http"; export default () => http.get("https://k6.io/")'

    await client.load_tests.upload_script(test.id, one_liner)

    assert await download(client, test.id) == one_liner.encode("utf-8")


async def test_a_script_download_streams_into_another_tests_upload(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    original = fake.add_test(project, "Original", SCRIPT)
    copy = fake.add_test(project, "Copy")

    async with client.load_tests.download_script(original.id) as script:
        await client.load_tests.upload_script(copy.id, script)

    assert fake.script_of(copy.id) == SCRIPT


# -- 2. .tar archives and JavaScript ---------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["path", "bytes", "binary-file", "bytes-io-mid-way", "non-seekable", "async-iterable"]
)
async def test_a_tar_archive_is_created_as_archive_tar(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    project: int,
    archive_bytes: bytes,
    tmp_path: Path,
    sources: ExitStack,
    kind: str,
) -> None:
    source, _ = BINARY_SOURCES[kind](archive_bytes, tmp_path, sources)

    test = await client.load_tests.create(project, "Archive", source)

    upload = fake.script_upload_of(test.id)
    assert (upload.filename, upload.content_type) == ("archive.tar", "application/x-tar")


@pytest.mark.parametrize("kind", ["path", "str", "bytes", "async-iterable"])
async def test_a_javascript_script_is_created_as_script_js(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    project: int,
    tmp_path: Path,
    sources: ExitStack,
    kind: str,
) -> None:
    source, _ = SOURCES[kind](SCRIPT, tmp_path, sources)

    test = await client.load_tests.create(project, "Script", source)

    upload = fake.script_upload_of(test.id)
    assert (upload.filename, upload.content_type) == ("script.js", "text/javascript")


async def test_a_tar_in_chunks_smaller_than_a_header_block_is_still_an_archive(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, archive_bytes: bytes
) -> None:
    chunks = uneven_chunks(archive_bytes, sizes=[100])

    test = await client.load_tests.create(project, "Archive", chunks)

    assert fake.script_upload_of(test.id).filename == "archive.tar"
    assert fake.script_of(test.id) == archive_bytes


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_an_archive_downloads_as_application_x_tar(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, archive: Path, operation: str
) -> None:
    # "upload" replaces a JavaScript script with the archive.
    test_id = await send_script(client, fake, project, operation, archive)

    async with client.load_tests.download_script(test_id) as script:
        assert script.is_archive is True
        assert script.content_type == "application/x-tar"
        body = await script.read()

    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        assert tar.getnames() == ["script.js", "lib/helpers.js", "data/users.json"]


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_javascript_downloads_as_text_javascript(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, archive_bytes: bytes, operation: str
) -> None:
    if operation == "create":
        test_id = (await client.load_tests.create(project, "Script", SCRIPT)).id
    else:  # replace an archive with JavaScript
        test_id = fake.add_test(project, "Script", archive_bytes).id
        await client.load_tests.upload_script(test_id, SCRIPT)

    async with client.load_tests.download_script(test_id) as script:
        assert script.is_archive is False
        assert script.content_type == "text/javascript"
        assert await script.read() == SCRIPT


async def test_sniffing_reads_only_the_first_block_before_the_body_is_sent(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, archive_bytes: bytes
) -> None:
    stream = NonSeekableStream(archive_bytes)
    read_when_sending_began: list[int] = []

    def on_progress(done: int, total: int | None) -> None:
        if not read_when_sending_began:
            read_when_sending_began.append(stream.bytes_read)

    test = await client.load_tests.create(
        project,
        "Archive",
        stream,  # type: ignore[arg-type]  # duck-typed: read() and seekable() are enough
        on_progress=on_progress,
    )

    assert read_when_sending_began == [TAR_BLOCK]
    assert fake.script_upload_of(test.id).filename == "archive.tar"


@pytest.mark.parametrize(
    ("tar_format", "magic"),
    [(tarfile.GNU_FORMAT, b"ustar  \0"), (tarfile.USTAR_FORMAT, b"ustar\x0000")],
    ids=["gnu", "posix"],
)
def test_gnu_and_posix_tar_headers_are_recognised(
    tar_format: Literal[0, 1, 2], magic: bytes
) -> None:
    header = tarfile.TarInfo("script.js").tobuf(format=tar_format)

    assert (len(header), header[257:265]) == (TAR_BLOCK, magic)
    assert is_tar_header(header) is True


def test_the_first_block_of_a_real_archive_is_a_tar_header(archive: Path) -> None:
    assert is_tar_header(archive.read_bytes()[:TAR_BLOCK]) is True


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"ustar",
        tarfile.TarInfo("script.js").tobuf()[:259],  # cut inside the magic
        SCRIPT[:TAR_BLOCK],
        b"\0" * TAR_BLOCK,
    ],
    ids=["empty", "bare-magic", "cut-header", "javascript", "zeros"],
)
def test_short_or_non_tar_input_is_not_a_tar_header(head: bytes) -> None:
    assert is_tar_header(head) is False


# -- 3. a 50 MiB script in bounded memory ----------------------------------------------------

_FAKE_IN_A_SUBPROCESS = """
import asyncio, sys
from k6cloud_async.testing import FakeK6Cloud

async def serve():
    async with FakeK6Cloud() as fake:
        project = fake.add_project("Big scripts")
        print(fake.base_url, fake.token, fake.stack_id, project, flush=True)
        await asyncio.to_thread(sys.stdin.read)  # serve until the test closes our stdin

asyncio.run(serve())
"""


@frozen
class RemoteFake:
    base_url: str
    token: str
    stack_id: int
    project: int


@pytest.fixture
def fake_in_a_subprocess() -> Iterator[RemoteFake]:
    """A FakeK6Cloud in its own process, so that its buffers are not in our tracemalloc."""
    root = Path(__file__).resolve().parents[1]
    with subprocess.Popen(
        [sys.executable, "-c", _FAKE_IN_A_SUBPROCESS],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as server:
        assert server.stdin is not None
        assert server.stdout is not None
        try:
            base_url, token, stack_id, project = server.stdout.readline().split()
            yield RemoteFake(base_url, token, int(stack_id), int(project))
        finally:
            server.stdin.close()
            server.wait(timeout=30)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(MiB):
            digest.update(block)
    return digest.hexdigest()


async def test_a_50_mib_script_streams_up_and_down_in_bounded_memory(
    fake_in_a_subprocess: RemoteFake, tmp_path: Path
) -> None:
    # How memory is measured: the fake server keeps every uploaded script whole in memory
    # (bytearray growth, then a bytes copy: over 100 MiB at its peak), so it runs in a
    # subprocess here. tracemalloc then sees only this process: the client, aiohttp, asyncio
    # and the worker threads reading and writing the files. Its peak (reset between the two
    # transfers) bounds the Python allocations of each transfer; kernel socket buffers and
    # the page cache are not Python allocations and are not counted.
    big = tmp_path / "big.bin"
    with big.open("wb") as file:
        for _ in range(50):
            file.write(os.urandom(MiB))
    target = tmp_path / "downloaded.bin"
    remote = fake_in_a_subprocess
    async with k6.K6CloudClient(remote.token, remote.stack_id, base_url=remote.base_url) as api:
        test = await api.load_tests.create(remote.project, "Big", SMALL_SCRIPT)

        tracemalloc.start()
        try:
            await api.load_tests.upload_script(test.id, big)
            upload_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            async with api.load_tests.download_script(test.id) as script:
                saved = await script.save(target)
            download_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    print(
        f"\n50 MiB script, tracemalloc peaks: upload {upload_peak / MiB:.2f} MiB, "
        f"download {download_peak / MiB:.2f} MiB"
    )
    assert saved == 50 * MiB
    assert sha256_of(target) == sha256_of(big)
    assert upload_peak < 16 * MiB
    assert download_peak < 16 * MiB


# -- 4. atomic save --------------------------------------------------------------------------


@pytest.mark.parametrize("old_content", [None, b"// the previous script\n"], ids=["new", "old"])
async def test_a_truncated_download_leaves_the_target_untouched(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    project: int,
    tmp_path: Path,
    old_content: bytes | None,
) -> None:
    test = fake.add_test(project, "Checkout flow", pattern(MiB))
    target = tmp_path / "script.js"
    if old_content is not None:
        target.write_bytes(old_content)
    fake.inject(Fault.truncated_body(), method="GET", path="*/script")

    async with client.load_tests.download_script(test.id) as script:
        with pytest.raises(k6.TransportError):
            await script.save(target)

    if old_content is None:
        assert not target.exists()
        assert names_in(tmp_path) == []
    else:
        assert target.read_bytes() == old_content
        assert names_in(tmp_path) == ["script.js"]


async def test_a_connection_reset_mid_download_leaves_the_target_untouched(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path
) -> None:
    # 16 MiB is far more than loopback socket buffers hold: the reset right after the
    # handler's last write discards what had not yet reached the client.
    test = fake.add_test(project, "Checkout flow", pattern(16 * MiB))
    target = tmp_path / "script.js"
    target.write_bytes(b"// the previous script\n")
    fake.inject(Fault.after_processing(Fault.reset()), method="GET", path="*/script")

    async with client.load_tests.download_script(test.id) as script:
        with pytest.raises(k6.TransportError):
            await script.save(target)

    assert 0 < script.bytes_received < 16 * MiB
    assert target.read_bytes() == b"// the previous script\n"
    assert names_in(tmp_path) == ["script.js"]


async def test_cancelling_save_leaves_the_target_untouched(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path
) -> None:
    test = fake.add_test(project, "Checkout flow", pattern(8 * MiB))
    target = tmp_path / "script.js"
    target.write_bytes(b"// the previous script\n")
    files_while_saving: list[str] = []

    def cancel_on_first_bytes(done: int, total: int | None) -> None:
        if done > 0 and not files_while_saving:
            files_while_saving.extend(names_in(tmp_path))
            saving.cancel()

    async def save() -> None:
        async with client.load_tests.download_script(
            test.id, on_progress=cancel_on_first_bytes
        ) as script:
            await script.save(target)

    saving = asyncio.create_task(save())
    with pytest.raises(asyncio.CancelledError):
        await saving

    assert any(name.endswith(".part") for name in files_while_saving)
    assert target.read_bytes() == b"// the previous script\n"
    assert names_in(tmp_path) == ["script.js"]


async def test_save_replaces_an_existing_file_and_returns_the_byte_count(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path
) -> None:
    test = fake.add_test(project, "Checkout flow", SCRIPT)
    target = tmp_path / "script.js"
    target.write_bytes(b"// the previous script\n")

    async with client.load_tests.download_script(test.id) as script:
        saved = await script.save(target)

    assert saved == len(SCRIPT)
    assert target.read_bytes() == SCRIPT
    assert names_in(tmp_path) == ["script.js"]


async def test_a_saved_script_gets_the_permissions_of_a_newly_created_file(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path
) -> None:
    test = fake.add_test(project, "Checkout flow", SMALL_SCRIPT)
    target = tmp_path / "script.js"

    previous_umask = os.umask(0o022)
    try:
        async with client.load_tests.download_script(test.id) as script:
            await script.save(target)
    finally:
        os.umask(previous_umask)

    assert stat.S_IMODE(target.stat().st_mode) == 0o644


# -- 5. Accept and 406 -----------------------------------------------------------------------


async def test_asking_for_an_archive_of_a_javascript_script_is_not_acceptable(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "Script", SCRIPT)

    with pytest.raises(k6.NotAcceptableError) as caught:
        async with client.load_tests.download_script(test.id, accept="application/x-tar"):
            pytest.fail("the body of 'async with' must not run")

    assert caught.value.status == 406


async def test_asking_for_javascript_of_an_archive_is_not_acceptable(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, archive_bytes: bytes
) -> None:
    test = fake.add_test(project, "Archive", archive_bytes)

    with pytest.raises(k6.NotAcceptableError):
        async with client.load_tests.download_script(test.id, accept="text/javascript"):
            pytest.fail("the body of 'async with' must not run")


async def test_without_accept_both_script_types_are_asked_for(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "Script", SCRIPT)

    async with client.load_tests.download_script(test.id, accept=None) as script:
        await script.read()

    accept = fake.requests[-1].headers["Accept"]
    assert {media.strip() for media in accept.split(",")} == {
        "application/x-tar",
        "text/javascript",
    }


# -- 6. progress -----------------------------------------------------------------------------


class Progress:
    """An ``on_progress`` callback that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int | None]] = []

    def __call__(self, done: int, total: int | None) -> None:
        self.calls.append((done, total))

    @property
    def done(self) -> list[int]:
        return [done for done, _ in self.calls]

    @property
    def totals(self) -> set[int | None]:
        return {total for _, total in self.calls}


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_progress_from_a_path_counts_up_to_the_file_size(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    project: int,
    tmp_path: Path,
    operation: str,
) -> None:
    path = tmp_path / "script.js"
    path.write_bytes(SCRIPT)
    progress = Progress()

    await send_script(client, fake, project, operation, path, on_progress=progress)

    assert progress.calls[0] == (0, len(SCRIPT))
    assert progress.calls[-1] == (len(SCRIPT), len(SCRIPT))
    assert progress.totals == {len(SCRIPT)}
    assert progress.done == sorted(progress.done)
    assert any(0 < done < len(SCRIPT) for done in progress.done)


async def test_progress_from_an_async_iterable_has_no_total(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "Checkout flow")
    progress = Progress()

    await client.load_tests.upload_script(test.id, uneven_chunks(SCRIPT), on_progress=progress)

    assert progress.totals == {None}
    assert progress.calls[-1] == (len(SCRIPT), None)
    assert progress.done == sorted(progress.done)


async def test_download_progress_total_is_the_content_length(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "Checkout flow", SCRIPT)
    progress = Progress()

    async with client.load_tests.download_script(test.id, on_progress=progress) as script:
        await script.read()

    assert script.size == len(SCRIPT)
    assert progress.totals == {len(SCRIPT)}
    assert progress.calls[0] == (0, len(SCRIPT))
    assert progress.calls[-1] == (len(SCRIPT), len(SCRIPT))
    assert progress.done == sorted(progress.done)


async def test_a_path_upload_with_progress_keeps_its_content_length(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path
) -> None:
    path = tmp_path / "script.js"
    path.write_bytes(SCRIPT)
    test = fake.add_test(project, "Checkout flow")

    await client.load_tests.upload_script(test.id, path, on_progress=Progress())

    put = fake.requests[-1]
    assert (put.method, put.status) == ("PUT", 204)
    assert put.headers["Content-Length"] == str(len(SCRIPT))
    assert "Transfer-Encoding" not in put.headers
    assert put.body_size == len(SCRIPT)


# -- 7. errors and ScriptDownload ------------------------------------------------------------


async def test_upload_to_an_unknown_test_is_not_found(client: k6.K6CloudClient) -> None:
    with pytest.raises(k6.NotFoundError):
        await client.load_tests.upload_script(999, SMALL_SCRIPT)


async def test_create_with_a_taken_name_is_a_conflict(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    fake.add_test(project, "Checkout flow")

    with pytest.raises(k6.ConflictError):
        await client.load_tests.create(project, "Checkout flow", SMALL_SCRIPT)

    assert [test.name for test in fake.tests] == ["Checkout flow"]


def _text_file(tmp_path: Path, stack: ExitStack) -> Any:
    path = tmp_path / "script.js"
    path.write_bytes(SMALL_SCRIPT)
    return stack.enter_context(path.open("r", encoding="utf-8"))


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "make_source",
    [
        lambda tmp_path, stack: 42,
        _text_file,
        lambda tmp_path, stack: io.StringIO(SMALL_SCRIPT.decode()),
        lambda tmp_path, stack: [SMALL_SCRIPT],
    ],
    ids=["int", "text-file", "string-io", "list-of-bytes"],
)
async def test_an_unsupported_script_type_is_a_type_error_before_any_request(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    project: int,
    tmp_path: Path,
    sources: ExitStack,
    operation: str,
    make_source: Any,
) -> None:
    source = make_source(tmp_path, sources)

    with pytest.raises(TypeError, match="script"):
        await send_script(client, fake, project, operation, source)

    assert fake.requests == []


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_a_directory_path_is_a_value_error_before_any_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path, operation: str
) -> None:
    with pytest.raises(ValueError, match="directory"):
        await send_script(client, fake, project, operation, tmp_path)

    assert fake.requests == []


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_a_missing_file_is_file_not_found_before_any_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int, tmp_path: Path, operation: str
) -> None:
    with pytest.raises(FileNotFoundError, match=r"missing\.js"):
        await send_script(client, fake, project, operation, tmp_path / "missing.js")

    assert fake.requests == []


async def test_a_download_can_be_consumed_only_once(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "Checkout flow", SCRIPT)

    async with client.load_tests.download_script(test.id) as script:
        await script.read()
        with pytest.raises(RuntimeError, match="consumed"):
            await script.read()


async def test_read_returns_the_whole_script(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "Checkout flow", SCRIPT)

    async with client.load_tests.download_script(test.id) as script:
        body = await script.read()

    assert body == SCRIPT
    assert script.bytes_received == len(SCRIPT)


async def test_async_for_yields_bytes_chunks_that_join_to_the_script(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "Checkout flow", SCRIPT)

    async with client.load_tests.download_script(test.id) as script:
        chunks = [chunk async for chunk in script]

    assert all(isinstance(chunk, bytes) for chunk in chunks)
    assert len(chunks) > 1
    assert b"".join(chunks) == SCRIPT


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "kind", ["bytes", "memoryview", "path", "binary-file", "non-seekable", "async-iterable"]
)
async def test_a_gzip_compressed_archive_is_refused_before_any_request(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    project: int,
    archive_bytes: bytes,
    tmp_path: Path,
    sources: ExitStack,
    operation: str,
    kind: str,
) -> None:
    # The API recognises plain .tar archives only: a .tar.gz would be stored as JavaScript.
    source, _ = BINARY_SOURCES[kind](gzip.compress(archive_bytes), tmp_path, sources)

    with pytest.raises(ValueError, match=r"script is gzip-compressed.*plain k6 \.tar"):
        await send_script(client, fake, project, operation, source)

    assert fake.requests == []


async def test_a_memoryview_of_wider_items_is_sent_as_its_bytes(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    words = array.array("I", range(1000))
    test = fake.add_test(project, "Checkout flow")

    await client.load_tests.upload_script(test.id, memoryview(words))

    assert fake.script_of(test.id) == words.tobytes()


async def test_a_memoryview_is_sent_without_copying_it_whole() -> None:
    # A copy of a big buffer doubles the memory and stalls the event loop while it is made.
    data = pattern(64 * MiB)
    view = memoryview(data)

    tracemalloc.start()
    try:
        body = await prepare_script(view)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert body.size == 64 * MiB
    assert peak < MiB
