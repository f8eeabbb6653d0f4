"""Every Python example of README.md and docs/ runs against FakeK6Cloud, and type-checks.

The examples are read as the documentation site shows them: a ``--8<-- "file"`` or
``--8<-- "file:section"`` line (pymdownx.snippets) is replaced by what it includes. Three
kinds of example:

- a program (it calls ``asyncio.run``) runs as ``__main__`` in a worker thread, with
  ``K6_CLOUD_TOKEN``, ``K6_CLOUD_STACK_ID`` and ``K6_CLOUD_HOST_V6`` naming the fake;
- a pytest file (it uses ``@pytest.mark``) runs in a pytest subprocess, with the plugin;
- a fragment (top-level ``await``) runs as the body of an ``async def`` given ``client``,
  ``test``, ``run`` and ``old_run`` (two ended runs of ``test``) and ``old_ids``, on the
  fake's loop.

Each runs in a directory holding the files the examples name (``script.js``,
``checkout.tar``...), on a fake seeded so that project 312 exists, with waits driven by the
fake's clock. The same sources, fragments wrapped the same way, go through ``mypy --strict``.
"""

from __future__ import annotations

import asyncio
import io
import re
import tarfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mypy import api as mypy_api

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

_FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_SNIPPET = re.compile(r'^--8<-- "([^":]+)(?::([\w-]+))?"$', re.MULTILINE)
_SECTION_MARK = re.compile(r"^.*--8<-- \[(?:start|end):[\w-]+\].*\n", re.MULTILINE)

#: What a fragment is given, as its function's parameters: the names the guides assume.
_FRAGMENT_HEAD = """\
from pathlib import Path

import k6cloud_async as k6


async def example(
    client: k6.K6CloudClient,
    test: k6.LoadTest,
    run: k6.TestRun,
    old_run: k6.TestRun,
    old_ids: list[int],
) -> None:
"""

SCRIPT = "export default function () {}\n"
#: The project id the guides use: the fake numbers projects 1, 2, …
PROJECT_ID = 312


@dataclass(frozen=True)
class Example:
    where: str  # file:line
    code: str

    @property
    def kind(self) -> str:
        if "@pytest.mark" in self.code:
            return "pytest"
        if "asyncio.run(" in self.code:
            return "program"
        return "fragment"

    @property
    def module(self) -> str:
        """A module name of its own, for mypy."""
        return re.sub(r"\W", "_", self.where.replace(".md:", "_L")).strip("_").lower()

    def source(self) -> str:
        """The code as it runs: a fragment becomes the body of ``example(…)``."""
        if self.kind != "fragment":
            return self.code
        return _FRAGMENT_HEAD + textwrap.indent(self.code, "    ")


def _included(path: str, section: str | None) -> str:
    text = (ROOT / path).read_text()
    if section is not None:
        start, end = f"[start:{section}]", f"[end:{section}]"
        text = text[text.index(start) : text.index(end)]
        text = text[text.index("\n") + 1 : text.rindex("\n") + 1]
    return _SECTION_MARK.sub("", text)


def _expand(text: str) -> str:
    """The page as pymdownx.snippets renders it (one level of inclusion is all they use)."""
    return _SNIPPET.sub(lambda m: _included(m[1], m[2]).rstrip("\n"), text)


def collect_examples() -> list[Example]:
    """Every Python block of every document, once (a page may include another's)."""
    seen: dict[str, Example] = {}
    for document in DOCUMENTS:
        text = _expand(document.read_text())
        for match in _FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            where = f"{document.relative_to(ROOT)}:{line}"
            seen.setdefault(match[1], Example(where, match[1]))
    return list(seen.values())


EXAMPLES = collect_examples()


def _archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo("script.js")
        info.size = len(SCRIPT)
        archive.addfile(info, io.BytesIO(SCRIPT.encode()))
    return buffer.getvalue()


def _workdir(path: Path) -> Path:
    """A directory with the files the examples read, and the directories they write to."""
    (path / "script.js").write_text(SCRIPT)
    (path / "checkout.tar").write_bytes(_archive())
    for directory in ("tests", "scripts", "build"):
        (path / directory).mkdir()
    (path / "tests" / "checkout.js").write_text(SCRIPT)
    (path / "scripts" / "cart.js").write_text(SCRIPT)
    (path / "scripts" / "search.tar").write_bytes(_archive())
    return path


def _seed(fake: FakeK6Cloud) -> list[int]:
    """Project 312 with the tests the guides name; the ids of three old ones."""
    for number in range(1, PROJECT_ID):
        fake.add_project(f"Project {number}")
    assert fake.add_project("Shop") == PROJECT_ID
    for name in ("nightly checkout", "pr-1234 smoke", "pr-1234 soak", "Checkout"):
        fake.add_test(PROJECT_ID, name, SCRIPT)
    return [fake.add_test(PROJECT_ID, f"old {n}", SCRIPT).id for n in range(3)]


async def _ended_run(client: k6.K6CloudClient, test_id: int) -> k6.TestRun:
    """A run of the test that has ended (a distribution, a script, and deletable)."""
    started = await client.load_tests.start(test_id)
    return await client.test_runs.wait(started.id, poll_interval=1)


def _run_program(code: str, where: str) -> object:
    """Run a program as ``__main__``; its exit status (``None`` when it did not exit)."""
    try:
        exec(compile(code, where, "exec"), {"__name__": "__main__"})
    except SystemExit as stop:
        return stop.code
    return None


def test_the_documents_hold_examples_of_every_kind() -> None:
    kinds = {example.kind for example in EXAMPLES}

    assert kinds == {"program", "pytest", "fragment"}
    assert len(EXAMPLES) >= 12
    # The included quickstart program is read from examples/quickstart.py, as the site shows.
    assert any("FakeK6Cloud" in e.code and e.kind == "program" for e in EXAMPLES)


@pytest.mark.parametrize(
    "example",
    [e for e in EXAMPLES if e.kind != "pytest"],
    ids=lambda e: e.where,
)
async def test_the_example_runs_against_the_fake(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_workdir(tmp_path))
    async with FakeK6Cloud() as fake:
        old_ids = _seed(fake)
        monkeypatch.setenv("K6_CLOUD_TOKEN", fake.token)
        monkeypatch.setenv("K6_CLOUD_STACK_ID", str(fake.stack_id))
        monkeypatch.setenv("K6_CLOUD_HOST_V6", fake.base_url)
        with fake.clock.driving_waits():
            if example.kind == "program":
                status = await asyncio.to_thread(_run_program, example.code, example.where)
                assert status in (None, 0)
            else:
                namespace: dict[str, Any] = {}
                exec(compile(example.source(), example.where, "exec"), namespace)
                async with k6.K6CloudClient(
                    fake.token, fake.stack_id, base_url=fake.base_url
                ) as client:
                    test = await client.load_tests.get(old_ids[0])
                    run, old_run = [await _ended_run(client, test.id) for _ in range(2)]
                    await namespace["example"](client, test, run, old_run, old_ids)
        answered = [r.status for r in fake.requests]
    if "FakeK6Cloud(" not in example.code:  # else it runs a fake of its own
        assert answered  # the example reached the API
    assert all(status is not None and status < 500 for status in answered)


@pytest.mark.parametrize(
    "example",
    [e for e in EXAMPLES if e.kind == "pytest"],
    ids=lambda e: e.where,
)
def test_the_pytest_example_passes_with_the_plugin(
    example: Example, pytester: pytest.Pytester
) -> None:
    # pytest-asyncio's default (strict) mode, with the loop scope it asks to be set.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_example=example.code)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", "-q")

    result.assert_outcomes(passed=example.code.count("\nasync def test_"))


def test_every_example_type_checks_with_mypy_strict(tmp_path: Path) -> None:
    for example in EXAMPLES:
        (tmp_path / f"{example.module}.py").write_text(example.source())

    report, errors, status = mypy_api.run(
        [
            "--strict",
            "--python-version=3.11",
            f"--cache-dir={ROOT / '.mypy_cache'}",
            "--no-error-summary",
            str(tmp_path),
        ]
    )

    assert (status, errors) == (0, ""), report
