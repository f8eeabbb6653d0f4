"""The API reference of the documentation site lists every public name, and each renders.

mkdocstrings renders the ``::: name`` lines of docs/reference/; ``mkdocs build --strict``
(nox -s docs, .ci/run) fails on a name it cannot find, and these tests fail on a public
name the reference leaves out, or one that would show no contract.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import k6cloud_async
import k6cloud_async.testing

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference"
_DIRECTIVE = re.compile(r"^::: ([\w.]+)$", re.MULTILINE)

#: The public packages, and the names each exports.
PUBLIC = {
    "k6cloud_async": k6cloud_async.__all__,
    "k6cloud_async.testing": k6cloud_async.testing.__all__,
}


def documented() -> list[str]:
    return [
        name
        for page in sorted(REFERENCE.glob("*.md"))
        for name in _DIRECTIVE.findall(page.read_text())
    ]


def _resolve(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_the_reference_lists_every_public_name_once() -> None:
    names = documented()
    public = [f"{package}.{name}" for package, exported in PUBLIC.items() for name in exported]

    assert sorted(set(public) - set(names)) == []  # a public name the reference leaves out
    assert sorted(set(names) - set(public)) == []  # a name that is not public
    assert len(names) == len(set(names))


@pytest.mark.parametrize("path", documented())
def test_each_documented_class_and_function_states_its_contract(path: str) -> None:
    value = _resolve(path)
    if not (inspect.isclass(value) or inspect.isfunction(value)):
        return  # a constant (UNSET, UNTIL_REMOVED, __version__) or a type alias (Outcome)
    assert inspect.getdoc(value), f"{path} has no docstring"
    if not inspect.isclass(value):
        return
    for name, member in vars(value).items():
        if name.startswith("_") or not (inspect.isfunction(member) or isinstance(member, property)):
            continue
        assert inspect.getdoc(member), f"{path}.{name} has no docstring"
