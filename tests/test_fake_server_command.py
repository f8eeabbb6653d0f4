"""``k6cloud fake-server``'s options: the credentials it accepts and how its runs end."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import k6cloud_async as k6
from k6cloud_async.cli import main
from k6cloud_async.cli._fake_server import serve
from k6cloud_async.cli._output import Output
from k6cloud_async.testing import RunOutcome


def _process(*argv: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("K6_CLOUD_")}
    return subprocess.Popen(
        [sys.executable, "-m", "k6cloud_async", "fake-server", "--json", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


async def test_the_command_serves_its_token_stack_and_failing_runs() -> None:
    process = _process("--token", "t0k3n", "--stack-id", "42", "--runs-fail", "--run-steps", "2")
    try:
        assert process.stdout is not None
        settings = json.loads(process.stdout.readline())
        assert (settings["token"], settings["stack_id"]) == ("t0k3n", 42)
        assert settings["runs"] == {"result": "failed", "steps": 2}

        async with k6.K6CloudClient("t0k3n", 42, base_url=settings["base_url"]) as client:
            tests = [t async for t in client.load_tests.list()]
            test = tests[0]
            run = await client.load_tests.start(test.id)
            seen: list[str] = []
            final = await client.test_runs.wait(
                run.id, poll_interval=0.001, on_update=lambda r: seen.append(r.status)
            )
        async with k6.K6CloudClient("fake-token", 42, base_url=settings["base_url"]) as other:
            with pytest.raises(k6.AuthenticationError):
                await other.load_tests.get(test.id)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)

    assert (final.status, final.result) == ("completed", "failed")
    assert seen == ["processing_metrics", "completed"]
    assert process.returncode == 0, err


async def test_serve_takes_the_outcome_and_announces_it() -> None:
    stdout = io.StringIO()
    results: list[str | None] = []

    async def run_one() -> None:
        base_url = stdout.getvalue().split()[3]
        async with k6.K6CloudClient("k", 7, base_url=base_url) as client:
            (test,) = [t async for t in client.load_tests.list()]
            run = await client.load_tests.start(test.id)
            final = await client.test_runs.wait(run.id, poll_interval=0.001)
            results.append(final.result)

    outcome = RunOutcome(result="failed", steps=3)
    out = Output(stdout, io.StringIO(), json_mode=False)
    await serve(out, tests=1, token="k", stack_id=7, outcome=outcome, until=run_one)

    assert results == ["failed"]
    assert "runs end    failed after 3 polls" in stdout.getvalue()
    assert "export K6_CLOUD_TOKEN=k" in stdout.getvalue().splitlines()


def test_a_token_file_is_read(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("from-a-file\n")
    process = _process("--token-file", str(token_file), "--tests", "0")
    try:
        assert process.stdout is not None
        settings = json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.communicate(timeout=10)

    assert settings["token"] == "from-a-file"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--run-steps", "0"], "--run-steps: expected a positive integer, got '0'"),
        (["--stack-id", "x"], "--stack-id: expected a positive integer, got 'x'"),
    ],
)
def test_wrong_values_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fake-server", *argv]) == 2
    assert message in capsys.readouterr().err


def test_token_and_token_file_together_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("t")

    code = main(["fake-server", "--token", "a", "--token-file", str(token_file)])

    assert code == 1
    assert capsys.readouterr().err == "error: give --token or --token-file, not both\n"
