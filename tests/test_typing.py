"""What a type checker makes of the public types: ``mypy --strict`` over small programs.

An ``Outcome`` narrows on ``.ok``, a misspelt run status is an error, an upsert's
``created`` is a ``bool``, and every listing's ``pages()`` and ``list()`` is an async
generator that ``contextlib.aclosing`` takes; each claim is checked both ways where a
wrong use exists (the right code passes, the wrong code fails with the error named).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parent.parent

HEAD = """\
import k6cloud_async as k6


"""

PASSES = {
    "narrowed_outcome": """
        async def ids(outcomes: list[k6.Outcome[int, k6.LoadTest]]) -> list[int]:
            found = []
            for outcome in outcomes:
                if outcome.ok:
                    found.append(outcome.value.id)
                else:
                    print(outcome.error.args)
            return found
    """,
    "run_constants": """
        def passed(run: k6.TestRun) -> bool:
            return run.status == k6.RunStatus.COMPLETED and run.result == k6.RunResult.PASSED
    """,
    "upserted": """
        async def push(client: k6.K6CloudClient) -> int:
            test, created = await client.load_tests.upsert(1, "smoke", b"export default 1")
            flag: bool = created
            return test.id + flag
    """,
    "listings_are_async_generators": """
        from collections.abc import AsyncGenerator
        from contextlib import aclosing
        from typing import assert_type


        async def first_pages(client: k6.K6CloudClient) -> int:
            seen = 0
            async with aclosing(client.load_tests.pages()) as tests:
                async for page in tests:
                    seen += len(page.items)
            async with aclosing(client.test_runs.pages(test_id=1)) as runs:
                async for run_page in runs:
                    seen += len(run_page.items)
            async with aclosing(client.projects.pages()) as projects:
                async for project_page in projects:
                    seen += len(project_page.items)
            async with aclosing(client.schedules.pages()) as schedules:
                async for schedule_page in schedules:
                    seen += len(schedule_page.items)
            return seen


        async def first_items(client: k6.K6CloudClient) -> int:
            seen = 0
            async with aclosing(client.load_tests.list()) as tests:
                async for test in tests:
                    seen += test.id
            async with aclosing(client.test_runs.list()) as runs:
                async for run in runs:
                    seen += run.id
            async with aclosing(client.projects.list()) as projects:
                async for project in projects:
                    seen += project.id
            async with aclosing(client.projects.list_limits()) as limits:
                async for limit in limits:
                    seen += limit.project_id
            async with aclosing(client.schedules.list()) as schedules:
                async for schedule in schedules:
                    seen += schedule.id
            return seen


        def types(client: k6.K6CloudClient) -> None:
            assert_type(client.load_tests.pages(), AsyncGenerator[k6.Page[k6.LoadTest], None])
            assert_type(client.test_runs.pages(), AsyncGenerator[k6.Page[k6.TestRun], None])
            assert_type(client.projects.pages(), AsyncGenerator[k6.Page[k6.Project], None])
            assert_type(client.schedules.pages(), AsyncGenerator[k6.Page[k6.Schedule], None])
            assert_type(client.load_tests.list(), AsyncGenerator[k6.LoadTest, None])
            assert_type(client.test_runs.list(), AsyncGenerator[k6.TestRun, None])
            assert_type(client.projects.list(), AsyncGenerator[k6.Project, None])
            assert_type(client.projects.list_limits(), AsyncGenerator[k6.ProjectLimits, None])
            assert_type(client.schedules.list(), AsyncGenerator[k6.Schedule, None])
    """,
}

FAILS = {
    "unnarrowed_value": (
        """
        def first(outcome: k6.Outcome[int, k6.LoadTest]) -> int:
            return outcome.value.id
        """,
        '"None" of "LoadTest | None" has no attribute "id"',
    ),
    "unnarrowed_error": (
        """
        def message(outcome: k6.Outcome[int, k6.LoadTest]) -> object:
            return outcome.error.args
        """,
        '"None" of "Exception | None" has no attribute "args"',
    ),
    "misspelt_status": (
        """
        def done(run: k6.TestRun) -> bool:
            return run.status == k6.RunStatus.COMPLETE
        """,
        '"type[RunStatus]" has no attribute "COMPLETE"',
    ),
}


def _check(tmp_path: Path, sources: dict[str, str]) -> str:
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(HEAD + textwrap.dedent(source))
    report, errors, _ = mypy_api.run(
        [
            "--strict",
            "--python-version=3.11",
            f"--cache-dir={ROOT / '.mypy_cache'}",
            "--no-error-summary",
            str(tmp_path),
        ]
    )
    assert errors == ""
    return report


def test_the_right_code_type_checks(tmp_path: Path) -> None:
    assert _check(tmp_path, PASSES) == ""


@pytest.mark.parametrize("name", FAILS)
def test_the_wrong_code_is_a_type_error(tmp_path: Path, name: str) -> None:
    source, error = FAILS[name]

    report = _check(tmp_path, {name: source})

    assert error in report, report
