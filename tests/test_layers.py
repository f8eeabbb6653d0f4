"""The layering: resources see the requestor, never the client; the import contracts hold."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import k6cloud_async

PACKAGE = Path(k6cloud_async.__file__).parent
RESOURCES = sorted((PACKAGE / "resources").glob("*.py"))


def _imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", RESOURCES, ids=lambda path: path.name)
def test_a_resource_module_never_imports_the_client(path: Path) -> None:
    imported = _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
    assert not {name for name in imported if name.rsplit(".", 1)[-1] == "_client"}


@pytest.mark.parametrize("path", RESOURCES, ids=lambda path: path.name)
def test_a_resource_module_touches_no_private_attribute_of_a_client(path: Path) -> None:
    assert "client._" not in path.read_text(encoding="utf-8")


def test_the_import_contracts_are_kept() -> None:
    # import-linter is a dev dependency, installed next to this interpreter.
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("lint-imports")),
            "--config",
            str(PACKAGE.parent / "pyproject.toml"),
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
