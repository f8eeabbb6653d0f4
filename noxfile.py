"""Development sessions: tests (with coverage), tests at the lowest declared versions, lint,
typecheck, layers, conformance and benchmarks."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "layers"]
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
    """The test suite without the ``fast`` extra (orjson, msgspec) installed."""
    session.install("-e", ".[dev]")
    session.run("pip", "uninstall", "--yes", "orjson", "msgspec", silent=True)
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
def docs(session: nox.Session) -> None:
    """The documentation site, built into ``site/``: ``mkdocs build --strict`` (offline).

    Fails on any warning: a broken link or anchor, a page missing from the nav, a snippet
    that does not exist, a docstring the reference cannot render.
    """
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(python=PYTHONS[0])
def bench(session: nox.Session) -> None:
    """Side-by-side benchmarks; ``nox -s bench -- --quick`` finishes in under a minute."""
    session.install("-e", ".[fast,bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)


#: The OpenAPI document schemathesis reads (override with K6CLOUD_OPENAPI=path).
OPENAPI = "tests/data/k6-cloud-openapi-1.12.0.yaml"

#: The operations FakeK6Cloud serves (with EXCLUDED_OPERATIONS left out); the document's
#: others (projects, labels, load zones, more test-run actions) are 404s or 405s.
#: The fake serves every /cloud/v6 operation of the document.
SERVED_PATHS = r"^/cloud/v6/"

EXCLUDED_OPERATIONS: tuple[str, ...] = ()

#: What every answer must be: no 5xx, and the documented schema, media type and headers.
#: Not checked: status_code_conformance (the document leaves out the reference's own 400
#: for a missing X-Stack-Id, 405 and 415 on most operations) and the positive/negative
#: data checks (the document's schemas differ from the reference's rules, e.g. $top has
#: no minimum there and the fake requires a script on create).
CHECKS = (
    "not_a_server_error",
    "response_schema_conformance",
    "content_type_conformance",
    "response_headers_conformance",
)


@nox.session(python=PYTHONS[0])
def conformance(session: nox.Session) -> None:
    """schemathesis (``st run``) against a FakeK6Cloud, over the operations it serves.

    Extra arguments go to ``st run``, e.g. ``nox -s conformance -- --max-examples 50``.
    """
    session.install("-e", ".", "schemathesis>=4,<5")
    spec = os.environ.get("K6CLOUD_OPENAPI", OPENAPI)
    k6cloud = str(Path(session.bin) / "k6cloud")
    # The fake prints its settings as one JSON line, then serves until terminated.
    server = subprocess.Popen(
        [k6cloud, "--json", "fake-server", "--tests", "4"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        settings = json.loads(server.stdout.readline())
        session.run(
            "st",
            "run",
            spec,
            "--url",
            settings["base_url"],
            "--header",
            f"Authorization: Bearer {settings['token']}",
            "--header",
            f"X-Stack-Id: {settings['stack_id']}",
            "--include-path-regex",
            SERVED_PATHS,
            *(arg for op in EXCLUDED_OPERATIONS for arg in ("--exclude-operation-id", op)),
            "--checks",
            ",".join(CHECKS),
            "--workers",
            "1",
            "--max-examples",
            "100",
            "--seed",
            "1",
            *session.posargs,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
