"""Start-up: ``k6cloud --help`` and ``import k6cloud_async`` load only what they need.

Each check runs a fresh interpreter with ``-X importtime`` (which lists every module the
process imported, on stderr), so nothing this test process already imported can hide one.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import k6cloud_async

PACKAGE = Path(k6cloud_async.__file__).parent

#: What answering --help must not load: the HTTP stack, the event loop, the models' libraries,
#: and the fake server.
HEAVY = ("aiohttp", "asyncio", "attrs", "cattrs", "yarl", "k6cloud_async.testing")


def imported_modules(*args: str) -> set[str]:
    """The modules a fresh ``python -X importtime ARGS`` imports."""
    process = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 0, process.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in process.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }


def loaded(modules: set[str], prefix: str) -> set[str]:
    return {name for name in modules if name == prefix or name.startswith(prefix + ".")}


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["tests", "--help"],
        ["tests", "start", "--help"],
        ["script", "download", "--help"],
        ["runs", "wait", "--help"],
        ["validate", "--help"],
        ["fake-server", "--help"],
        ["demo", "--help"],
        ["completion", "--help"],
    ],
)
def test_help_imports_neither_aiohttp_nor_the_fake(argv: list[str]) -> None:
    modules = imported_modules("-m", "k6cloud_async", *argv)

    assert "k6cloud_async.cli._parser" in modules  # the probe saw the command line
    for heavy in HEAVY:
        assert not loaded(modules, heavy), heavy


def test_import_k6cloud_async_loads_no_dependency() -> None:
    modules = imported_modules("-c", "import k6cloud_async")

    for heavy in ("aiohttp", "attrs", "k6cloud_async.testing", "k6cloud_async.cli"):
        assert not loaded(modules, heavy), heavy


def test_the_client_does_not_load_the_fake_or_the_command_line() -> None:
    modules = imported_modules("-c", "from k6cloud_async import K6CloudClient")

    assert "aiohttp" in modules
    assert not loaded(modules, "k6cloud_async.testing")
    assert not loaded(modules, "k6cloud_async.cli")


def test_every_public_name_imports_from_a_fresh_process() -> None:
    names = ", ".join(k6cloud_async.__all__)
    check = (
        f"from k6cloud_async import {names}\n"
        "import k6cloud_async\n"
        "assert set(k6cloud_async.__all__) <= set(dir(k6cloud_async))\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=False
    )

    assert process.returncode == 0, process.stderr


def test_a_public_name_is_the_object_its_module_defines() -> None:
    from k6cloud_async import _client, _errors, resources

    assert k6cloud_async.K6CloudClient is _client.K6CloudClient
    assert k6cloud_async.NotFoundError is _errors.NotFoundError
    assert k6cloud_async.TestRuns is resources.test_runs.TestRuns
    assert "K6CloudClient" in vars(k6cloud_async)  # kept after the first access


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'K6Client'"):
        k6cloud_async.K6Client  # noqa: B018


def test_the_lazy_names_match_what_type_checkers_see() -> None:
    """``_EXPORTS`` (used at run time) and the ``if TYPE_CHECKING:`` imports (read by mypy
    and IDEs) name the same objects in the same modules, and both are ``__all__``."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    seen = {
        alias.asname or alias.name: "." * node.level + (node.module or "")
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }

    assert seen == k6cloud_async._EXPORTS
    assert set(k6cloud_async.__all__) == set(seen) | {"__version__"}


def test_the_startup_benchmark_returns_a_figure_per_command() -> None:
    from benchmarks.startup import COMMANDS, measure_startup

    figures = measure_startup(runs=1)

    assert set(figures) == {"wall_s", "cpu_s", "wall_vs_aiohttp", "cpu_vs_aiohttp"}
    for values in figures.values():
        assert set(values) == set(COMMANDS)
        assert all(value > 0 for value in values.values())
    assert figures["wall_vs_aiohttp"]["import aiohttp"] == 1.0


def test_the_startup_benchmark_needs_a_run() -> None:
    from benchmarks.startup import measure_startup

    with pytest.raises(ValueError, match="runs must be at least 1"):
        measure_startup(runs=0)
