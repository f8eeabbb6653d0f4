"""Development sessions: tests (with coverage), tests at the lowest declared versions, lint,
typecheck and benchmarks."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.error_on_missing_interpreters = False

PYTHONS = ["3.11", "3.12", "3.13"]
# Exact pins of the runtime dependencies' floors in pyproject.toml.
LOWEST_CONSTRAINTS = "tests/constraints-lowest.txt"
SHOW_RUNTIME_VERSIONS = (
    "from importlib.metadata import version; "
    "print(*(f'{name}=={version(name)}' for name in ('aiohttp', 'attrs', 'cattrs', 'yarl')))"
)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite under coverage, with the report (fails under 90%)."""
    session.install("-e", ".[dev]")
    # pytest-cov (configured in pyproject.toml) measures and prints the report.
    session.run("pytest", "--cov-fail-under=90", *session.posargs)


@nox.session(python=PYTHONS)
def tests_lowest(session: nox.Session) -> None:
    """The test suite with aiohttp, attrs, cattrs and yarl at the lowest versions we declare."""
    session.install("-c", LOWEST_CONSTRAINTS, "-e", ".[dev]")
    session.run("python", "-c", SHOW_RUNTIME_VERSIONS)
    session.run("pytest", "-q", "--no-cov", "-p", "no:cacheprovider", *session.posargs)


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
def bench(session: nox.Session) -> None:
    """Side-by-side benchmarks; ``nox -s bench -- --quick`` finishes in under a minute."""
    session.install("-e", ".[fast,bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)
