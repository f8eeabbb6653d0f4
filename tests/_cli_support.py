"""What the command line's tests share: FakeK6Cloud in a thread, and ``main`` as a fixture.

``main(argv)`` calls ``asyncio.run``, so the CLI tests are plain sync tests: the fake serves
from its own event loop in a background thread (``ThreadedFake``), and its helpers are
called on that loop. Test modules import the fixtures ``server`` and ``k6cloud``
(``server_fixture``, ``k6cloud_fixture``).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import attrs
import pytest

import k6cloud_async as k6
from k6cloud_async.cli import main
from k6cloud_async.testing import FakeK6Cloud

T = TypeVar("T")

SCRIPT = b"export default function () {}\n"
TOKEN = "fake-token"


class ThreadedFake:
    """FakeK6Cloud serving from an event loop of its own, in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.fake = FakeK6Cloud(token=TOKEN)
        self._wait(self.fake.start())
        self.project = self.call(self.fake.add_project, "Default")

    def _wait(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a helper of the fake on its loop (its state is that loop's)."""

        async def on_loop() -> T:
            return function(*args, **kwargs)

        result: T = self._wait(on_loop())
        return result

    def add_test(self, name: str, script: bytes = SCRIPT, project: int | None = None) -> int:
        test = self.call(self.fake.add_test, project or self.project, name, script)
        return test.id

    def get_test(self, test_id: int) -> k6.LoadTest:
        test = self.call(self.fake.get_test, test_id)
        assert test is not None
        return test

    def close(self) -> None:
        self._wait(self.fake.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@attrs.frozen
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def json_lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines()]


@pytest.fixture(name="server")
def server_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadedFake]:
    """A fake, and the K6_CLOUD_* variables pointing at it (as a user would set them)."""
    threaded = ThreadedFake()
    monkeypatch.setenv("K6_CLOUD_TOKEN", TOKEN)
    monkeypatch.setenv("K6_CLOUD_STACK_ID", str(threaded.fake.stack_id))
    monkeypatch.setenv("K6_CLOUD_HOST_V6", threaded.fake.base_url)
    yield threaded
    threaded.close()


@pytest.fixture(name="k6cloud")
def k6cloud_fixture(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def run(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def one_error_line(result: Result) -> str:
    """The single stderr line of a failed command."""
    assert result.code == 1, result
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    return lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
