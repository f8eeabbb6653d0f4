"""Every ``k6cloud`` command, failing: one ``error:`` line (one JSON object with ``--json``)
and exit 1, never a traceback; a SIGTERM mid-wait says which run goes on and exits 143.

The network fails for real (a closed port, a server that lies), the filesystem too (a
missing directory, a missing or huge file); nothing is mocked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _cli_support import (  # noqa: F401  (fixtures)
    SCRIPT,
    TOKEN,
    Result,
    ThreadedFake,
    free_port,
    k6cloud_fixture,
    one_error_line,
    server_fixture,
)

from k6cloud_async.cli._parser import build_parser
from k6cloud_async.testing import Fault


def leaf_commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> set[tuple[str, ...]]:
    """Every command the parser accepts, as ``("tests", "list")``, ``("demo",)``, …"""
    found: set[tuple[str, ...]] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= leaf_commands(sub, (*prefix, name)) or {(*prefix, name)}
    return found


def api_commands(tmp_path: Path) -> dict[tuple[str, ...], list[str]]:
    """An invocation of every command that calls the API (files present, ids plausible)."""
    script = tmp_path / "smoke.js"
    script.write_bytes(SCRIPT)
    options = tmp_path / "options.json"
    options.write_text('{"vus": 1}')
    return {
        ("tests", "list"): ["tests", "list"],
        ("tests", "get"): ["tests", "get", "1"],
        ("tests", "create"): ["tests", "create", "1", "Smoke", str(script)],
        ("tests", "upsert"): ["tests", "upsert", "1", "Smoke", str(script)],
        ("tests", "rename"): ["tests", "rename", "1", "New"],
        ("tests", "delete"): ["tests", "delete", "1"],
        ("tests", "move"): ["tests", "move", "1", "--to", "2"],
        ("tests", "start"): ["tests", "start", "1", "--wait", "--poll-interval", "0.01"],
        ("script", "download"): ["script", "download", "1", "-o", str(tmp_path / "out.js")],
        ("script", "upload"): ["script", "upload", "1", str(script)],
        ("runs", "list"): ["runs", "list"],
        ("runs", "get"): ["runs", "get", "1"],
        ("runs", "abort"): ["runs", "abort", "1"],
        ("runs", "wait"): ["runs", "wait", "1", "--poll-interval", "0.01"],
        ("runs", "note"): ["runs", "note", "1", "baseline"],
        ("runs", "star"): ["runs", "star", "1"],
        ("runs", "unstar"): ["runs", "unstar", "1"],
        ("runs", "save"): ["runs", "save", "1"],
        ("runs", "unsave"): ["runs", "unsave", "1"],
        ("runs", "delete"): ["runs", "delete", "1"],
        ("runs", "script"): ["runs", "script", "1", "-o", str(tmp_path / "out.js")],
        ("runs", "distribution"): ["runs", "distribution", "1"],
        ("validate",): ["validate", str(options)],
        ("projects", "list"): ["projects", "list"],
        ("projects", "get"): ["projects", "get", "1"],
        ("projects", "create"): ["projects", "create", "Shop"],
        ("projects", "rename"): ["projects", "rename", "1", "Shop"],
        ("projects", "delete"): ["projects", "delete", "1"],
        ("projects", "limits"): ["projects", "limits", "1"],
        ("projects", "set-limits"): ["projects", "set-limits", "1", "--vu-max-per-test", "5"],
        ("projects", "zones"): ["projects", "zones", "1"],
        ("projects", "set-zones"): ["projects", "set-zones", "1", "24"],
        ("projects", "labels"): ["projects", "labels", "1"],
        ("projects", "set-labels"): ["projects", "set-labels", "1", "team=qa"],
        ("schedules", "list"): ["schedules", "list"],
        ("schedules", "get"): ["schedules", "get", "1"],
        ("schedules", "set"): ["schedules", "set", "1", "--every", "2h"],
        ("schedules", "delete"): ["schedules", "delete", "1"],
        ("schedules", "activate"): ["schedules", "activate", "1"],
        ("schedules", "deactivate"): ["schedules", "deactivate", "1"],
        ("zones", "list"): ["zones", "list"],
        ("zones", "projects"): ["zones", "projects", "24"],
        ("zones", "set-projects"): ["zones", "set-projects", "24", "1"],
        ("labels", "list"): ["labels", "list"],
        ("labels", "create"): ["labels", "create", "team=Owning team"],
        ("labels", "rename"): ["labels", "rename", "1", "squad"],
        ("labels", "delete"): ["labels", "delete", "1"],
        ("login",): ["login", "--stack-url", "https://mystack.grafana.net"],
    }


#: Commands that run without the API, each failing in its own way (see ``local_failure``).
LOCAL_COMMANDS = {("demo",), ("fake-server",), ("completion",)}


def assert_reported(result: Result, *, json_mode: bool) -> None:
    """Failed with 1, and every stderr line is an error line (or one JSON error object)."""
    assert result.code == 1, result
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert lines, result
    for line in lines:
        if json_mode:
            error = json.loads(line)
            assert set(error) >= {"status", "code", "message"}, line
        else:
            assert line.startswith("error: "), result.err


def test_every_command_has_a_failure_case(tmp_path: Path) -> None:
    """A new command must be added to ``api_commands`` or ``LOCAL_COMMANDS`` below."""
    assert leaf_commands(build_parser()) == set(api_commands(tmp_path)) | LOCAL_COMMANDS


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """K6_CLOUD_* pointing at a port nobody listens on."""
    monkeypatch.setenv("K6_CLOUD_TOKEN", TOKEN)
    monkeypatch.setenv("K6_CLOUD_STACK_ID", "1")
    monkeypatch.setenv("K6_CLOUD_HOST_V6", f"http://127.0.0.1:{free_port()}")


@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("command", sorted(api_commands(Path(tempfile.gettempdir()))))
def test_an_unreachable_api_is_reported_by_every_command(
    unreachable: None, k6cloud: Any, tmp_path: Path, command: tuple[str, ...], json_mode: bool
) -> None:
    argv = api_commands(tmp_path)[command]

    result = k6cloud("--max-retries", "0", *(["--json"] if json_mode else []), *argv)

    assert_reported(result, json_mode=json_mode)
    assert "Cannot connect" in result.err or "TransportError" in result.err


# -- a server that lies ---------------------------------------------------------------------

#: Raw responses, each wrong in its own way, sent whatever the request.
LIES = {
    "not json": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b"Content-Length: 5\r\n\r\n{nope",
    "wrong shape": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b'Content-Length: 13\r\n\r\n{"value": 3}\n',
    "short body": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b'Content-Length: 1000\r\n\r\n{"id": 1',
    "not http": b"SSH-2.0-OpenSSH_9.6\r\n",
    "error page": b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n"
    b"Content-Length: 24\r\n\r\n<html>\x1b[2Jgateway</html>",
}


class LyingServer:
    """A TCP server on 127.0.0.1 that reads a request, writes ``answer`` and closes.

    The request's body is read whole before the answer goes out, so each lie is about the
    response alone (a server answering before an upload ends is a different failure).
    """

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self.loop
        ).result(timeout=10)
        self.port: int = self.server.sockets[0].getsockname()[1]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).lower()
            if b"transfer-encoding: chunked" in head:
                await reader.readuntil(b"\r\n0\r\n\r\n")
            elif b"content-length:" in head:
                length = head.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0]
                await reader.readexactly(int(length))
            writer.write(self.answer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def close(self) -> None:
        async def stop() -> None:
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture(params=sorted(LIES))
def liar(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    server = LyingServer(LIES[request.param])
    monkeypatch.setenv("K6_CLOUD_TOKEN", TOKEN)
    monkeypatch.setenv("K6_CLOUD_STACK_ID", "1")
    monkeypatch.setenv("K6_CLOUD_HOST_V6", f"http://127.0.0.1:{server.port}")
    yield
    server.close()


@pytest.mark.parametrize("command", sorted(api_commands(Path(tempfile.gettempdir()))))
def test_a_lying_server_is_reported_by_every_command(
    liar: None, k6cloud: Any, tmp_path: Path, command: tuple[str, ...]
) -> None:
    argv = api_commands(tmp_path)[command]

    result = k6cloud("--max-retries", "0", *argv)

    # A 200 is a success, whatever its body, for the calls that expect no content (delete,
    # abort, rename, move, upload, a run's note, star and save, a schedule's (de)activation)
    # and for a download (a script is any bytes).
    if result.code == 0:
        assert command in {
            ("tests", "delete"),
            ("tests", "rename"),
            ("tests", "move"),
            ("runs", "abort"),
            ("runs", "note"),
            ("runs", "star"),
            ("runs", "unstar"),
            ("runs", "save"),
            ("runs", "unsave"),
            ("runs", "delete"),
            ("runs", "script"),
            ("script", "upload"),
            ("script", "download"),
            ("projects", "delete"),
            ("projects", "rename"),
            ("schedules", "delete"),
            ("schedules", "activate"),
            ("schedules", "deactivate"),
            ("labels", "delete"),
        }, result
        assert result.err == ""
    else:
        assert_reported(result, json_mode=False)
        assert "\x1b" not in result.err
        assert not (tmp_path / "out.js").exists()  # a failed download leaves no file


# -- commands that run without the API ------------------------------------------------------


def test_demo_with_no_temporary_directory_is_one_line(
    k6cloud: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))

    result = k6cloud("demo")

    assert one_error_line(result).startswith(f"error: {tmp_path / 'missing'}")
    assert result.err.endswith(": No such file or directory\n")


def test_fake_server_on_a_taken_port_is_one_json_object(k6cloud: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = k6cloud("--json", "fake-server", "--port", str(port))

    assert result.code == 1
    error = json.loads(result.err)
    assert error["status"] is None
    assert f"cannot serve on port {port}" in error["message"]


def test_completion_without_shtab_is_one_line(
    k6cloud: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "shtab", None)  # as if the extra were not installed

    result = k6cloud("completion", "bash")

    assert "pip install 'k6cloud-async[completion]'" in one_error_line(result)


# -- script download -o ---------------------------------------------------------------------


def test_download_into_a_missing_directory_is_one_line_before_any_request(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    test_id = server.add_test("t", script=SCRIPT)
    monkeypatch.chdir(tmp_path)

    result = k6cloud("script", "download", str(test_id), "-o", "missing/dir/x.tar")

    assert one_error_line(result) == "error: -o missing/dir/x.tar: missing/dir does not exist"
    assert server.call(lambda: server.fake.requests) == []
    assert list(tmp_path.iterdir()) == []


def test_download_under_a_file_is_one_line(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("not a directory")
    target = tmp_path / "notes.txt" / "x.js"

    result = k6cloud("script", "download", "1", "-o", str(target))

    assert one_error_line(result).endswith("notes.txt is not a directory")


def test_the_readmes_download_example_in_a_fresh_clone_is_one_line(
    server: ThreadedFake, tmp_path: Path
) -> None:
    """``k6cloud script download 13 -o build/checkout.tar`` where ``build/`` does not exist,
    run as a user runs it: a process of its own, whose stderr is read whole."""
    test_id = server.add_test("t", script=SCRIPT)
    env = {**os.environ, "K6_CLOUD_HOST_V6": server.fake.base_url}

    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "k6cloud_async",
            "script",
            "download",
            str(test_id),
            "-o",
            "build/checkout.tar",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert process.returncode == 1
    assert process.stderr == "error: -o build/checkout.tar: build does not exist\n"
    assert list(tmp_path.iterdir()) == []


# -- --token-file ---------------------------------------------------------------------------


def test_a_token_file_larger_than_4_kib_is_refused(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_bytes(TOKEN.encode() + b" " * 5000)
    token_file.chmod(0o600)

    result = k6cloud("--token-file", str(token_file), "tests", "list")

    assert "is larger than 4096 bytes" in one_error_line(result)
    assert server.call(lambda: server.fake.requests) == []


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_token_file_of_dev_zero_is_refused_without_eating_memory() -> None:
    """Reading /dev/zero whole never ends; under a 1 GiB address-space limit (so that the
    failure is quick, and the machine safe) the command must refuse it at once."""
    import resource

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {**os.environ, "K6_CLOUD_STACK_ID": "1"}
    process = subprocess.run(
        [sys.executable, "-m", "k6cloud_async", "--token-file", "/dev/zero", "tests", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=limit_memory,
    )

    assert process.returncode == 1
    assert process.stderr == (
        "error: token file /dev/zero is larger than 4096 bytes: not a token file\n"
    )


def test_a_token_file_others_can_read_is_used_with_a_warning(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("K6_CLOUD_TOKEN")
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o644)

    result = k6cloud("--token-file", str(token_file), "tests", "list")

    assert result.code == 0
    assert result.err == (
        f"warning: token file {token_file} can be read by other users (mode 0644); "
        f"make it private: chmod 600 {token_file}\n"
    )


def test_a_private_token_file_gets_no_warning(
    server: ThreadedFake, k6cloud: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("K6_CLOUD_TOKEN")
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o600)

    result = k6cloud("--token-file", str(token_file), "tests", "list")

    assert result.code == 0
    assert result.err == ""


# -- control characters ---------------------------------------------------------------------

#: A name that would retitle the terminal, clear it, and reverse what follows.
HOSTILE_NAME = "evil\x1b]0;owned\x07\x1b[2J\x9b31m\u202eeman"
ESCAPED_NAME = "evil\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202eeman"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def test_a_listing_escapes_control_characters(server: ThreadedFake, k6cloud: Any) -> None:
    server.add_test(HOSTILE_NAME)

    result = k6cloud("tests", "list")

    assert result.code == 0
    assert ESCAPED_NAME in result.out
    assert not any(char in result.out for char in RAW)


def test_one_test_escapes_control_characters(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test(HOSTILE_NAME)

    result = k6cloud("tests", "get", str(test_id))

    assert f"name                  {ESCAPED_NAME}\n" in result.out
    assert not any(char in result.out for char in RAW)


def test_json_output_escapes_control_characters_and_still_parses(
    server: ThreadedFake, k6cloud: Any
) -> None:
    test_id = server.add_test(HOSTILE_NAME)

    one = k6cloud("--json", "tests", "get", str(test_id))
    listed = k6cloud("--json", "tests", "list")

    for result in (one, listed):
        assert not any(char in result.out for char in RAW)
    assert one.json()["name"] == HOSTILE_NAME
    assert listed.json_lines()[0]["name"] == HOSTILE_NAME


def test_an_api_error_message_escapes_control_characters(
    server: ThreadedFake, k6cloud: Any
) -> None:
    body = {"error": {"code": "not_found", "message": f"No test {HOSTILE_NAME}."}}
    server.call(server.fake.inject, Fault.status(404, body=body), method="GET")

    result = k6cloud("tests", "get", "1")

    assert one_error_line(result) == f"error: 404 not_found: No test {ESCAPED_NAME}."


def test_a_name_given_to_rename_is_echoed_escaped(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("old")

    result = k6cloud("tests", "rename", str(test_id), "new\x1b[2J")

    assert result.out == f"renamed load test {test_id} to 'new\\x1b[2J'\n"
    assert server.get_test(test_id).name == "new\x1b[2J"


# -- --json errors --------------------------------------------------------------------------


def test_an_api_error_with_json_is_one_object(server: ThreadedFake, k6cloud: Any) -> None:
    result = k6cloud("--json", "tests", "get", "999")

    assert result.code == 1
    assert result.out == ""
    assert json.loads(result.err) == {
        "status": 404,
        "code": "not_found",
        "message": "Load test not found.",
    }


def test_a_validation_error_with_json_keeps_its_target(server: ThreadedFake, k6cloud: Any) -> None:
    test_id = server.add_test("t")

    result = k6cloud("--json", "tests", "move", str(test_id), "--to", "999")

    assert json.loads(result.err) == {
        "status": 400,
        "code": "validation_error",
        "message": "The destination project does not exist.",
        "target": "project_id",
    }


def test_a_missing_token_with_json_is_one_object(k6cloud: Any) -> None:
    result = k6cloud("--json", "tests", "list")

    assert result.code == 1
    error = json.loads(result.err)
    assert error["status"] is None
    assert error["code"] == "error"
    assert error["message"].startswith("no API token: set K6_CLOUD_TOKEN")


def test_a_start_that_may_have_happened_with_json_names_the_key(
    server: ThreadedFake, k6cloud: Any
) -> None:
    test_id = server.add_test("t")
    server.call(server.fake.inject, Fault.after_processing(Fault.status(503)), method="POST")

    result = k6cloud(
        "--json", "--max-retries", "0", "tests", "start", str(test_id), "--idempotency-key", "ci-7"
    )

    error = json.loads(result.err)
    assert error["status"] == 503
    assert error["idempotency_key"] == "ci-7"


# -- SIGTERM --------------------------------------------------------------------------------


def read_stderr_until(process: subprocess.Popen[str], marker: str, seconds: float) -> str:
    """stderr read line by line until a line holds ``marker`` (or ``seconds`` pass)."""
    assert process.stderr is not None
    seen = ""
    deadline = time.monotonic() + seconds
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], deadline - time.monotonic())
        if not ready:
            break
        line = process.stderr.readline()
        if not line:
            break
        seen += line
    return seen


def test_sigterm_while_waiting_says_the_run_goes_on_and_exits_143(server: ThreadedFake) -> None:
    test_id = server.add_test("long")
    server.call(server.fake.set_run_outcome, test_id, steps=100_000)
    env = {**os.environ, "K6_CLOUD_HOST_V6": server.fake.base_url}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "k6cloud_async",
            "tests",
            "start",
            str(test_id),
            "--wait",
            "--poll-interval",
            "0.05",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        before = read_stderr_until(process, "run 1: ", seconds=60)
        assert "run 1: " in before, before
        process.send_signal(signal.SIGTERM)
        _, after = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 143
    assert "Traceback" not in after
    assert after.splitlines()[-2:] == [
        "stopped waiting; run 1 goes on: 'k6cloud runs abort 1'",
        "terminated",
    ]
    assert server.call(lambda: server.fake.runs)[0].status not in {"aborted", "completed"}
