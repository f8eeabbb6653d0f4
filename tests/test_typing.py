"""What a type checker makes of the public types: ``mypy --strict`` over small programs.

An ``Outcome`` narrows on ``.ok``, a misspelt run status is an error, and an upsert's
``created`` is a ``bool``; each claim is checked both ways (the right code passes, the
wrong code fails with the error named).
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
