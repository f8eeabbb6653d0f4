"""Sample projects and load tests for the fake server and the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from k6cloud_async.testing import FakeK6Cloud

__all__ = ["PROJECT_NAMES", "add_samples", "sample_script"]

PROJECT_NAMES: Final = ("Checkout", "Search", "Payments")
_KINDS: Final = ("smoke", "load", "soak", "spike", "stress")


def sample_script(name: str) -> str:
    """A small k6 script naming its test."""
    return (
        "import http from 'k6/http';\n"
        "import { check } from 'k6';\n\n"
        f"// {name}\n"
        "export const options = { vus: 5, duration: '30s' };\n\n"
        "export default function () {\n"
        "  const res = http.get('https://quickpizza.grafana.com');\n"
        "  check(res, { 'status is 200': (r) => r.status === 200 });\n"
        "}\n"
    )


def add_samples(fake: FakeK6Cloud, count: int, projects: list[int] | None = None) -> list[int]:
    """Add ``count`` tests spread over ``projects`` (by default three new ones); their ids."""
    if projects is None:
        projects = [fake.add_project(name) for name in PROJECT_NAMES]
    ids = []
    for number in range(1, count + 1):
        project = projects[(number - 1) % len(projects)]
        name = f"{_KINDS[(number - 1) % len(_KINDS)]} test {number:02d}"
        ids.append(fake.add_test(project, name, script=sample_script(name)).id)
    return ids
