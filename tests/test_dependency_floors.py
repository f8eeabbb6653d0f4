"""The runtime floors in pyproject.toml are exactly what tests/constraints-lowest.txt pins,
so that `nox -s tests_lowest` runs the suite at the versions we declare."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "tests" / "constraints-lowest.txt"

# "name>=1.2.3": a floor and nothing else, so that the lowest allowed version is one line.
_FLOOR = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)>=([0-9]+(?:\.[0-9]+)*)")
_PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9]+(?:\.[0-9]+)*)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _runtime_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements: list[str] = project["dependencies"]
    return requirements


def _declared_floors() -> dict[str, str]:
    floors = {}
    for requirement in _runtime_requirements():
        match = _FLOOR.fullmatch(requirement.replace(" ", ""))
        assert match is not None, f"{requirement!r} is not of the form name>=version"
        floors[_normal(match[1])] = match[2]
    return floors


def _pinned() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = _PIN.fullmatch(line)
        assert match is not None, f"{line!r} in {CONSTRAINTS.name} is not of the form name==version"
        pins[_normal(match[1])] = match[2]
    return pins


def test_each_runtime_dependency_is_a_plain_floor() -> None:
    assert set(_declared_floors()) == {"aiohttp", "attrs", "cattrs", "yarl"}


def test_the_lowest_constraints_pin_exactly_the_declared_floors() -> None:
    assert _pinned() == _declared_floors()
