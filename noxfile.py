"""Development sessions: tests (with coverage), lint, typecheck, layers and benchmarks."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "layers"]
nox.options.error_on_missing_interpreters = False

PYTHONS = ["3.11", "3.12", "3.13"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite under coverage, with the report (fails under 90%)."""
    session.install("-e", ".[dev]")
    # pytest-cov (configured in pyproject.toml) measures and prints the report.
    session.run("pytest", "--cov-fail-under=90", *session.posargs)


@nox.session(python=PYTHONS[0])
def tests_stdlib_json(session: nox.Session) -> None:
    """The test suite without the optional orjson parser installed."""
    session.install("-e", ".[dev]")
    session.run("pip", "uninstall", "--yes", "orjson", silent=True)
    session.run("pytest", "-q", "--no-cov", *session.posargs)


@nox.session(python=PYTHONS[0])
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run(
        "ruff",
        "format",
        "--check",
        "k6cloud_async",
        "tests",
        "benchmarks",
        "examples",
        "noxfile.py",
    )


@nox.session(python=PYTHONS[0])
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "k6cloud_async")


@nox.session(python=PYTHONS[0])
def layers(session: nox.Session) -> None:
    """The import contracts of pyproject.toml: who may import whom."""
    session.install("-e", ".", "import-linter>=2.1")
    session.run("lint-imports")


@nox.session(python=PYTHONS[0])
def bench(session: nox.Session) -> None:
    """Side-by-side benchmarks; ``nox -s bench -- --quick`` finishes in under a minute."""
    session.install("-e", ".[fast,bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)
