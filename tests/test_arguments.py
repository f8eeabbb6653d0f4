"""Bad arguments fail before any request, with an error that names the argument."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async._validation import check_order_by
from k6cloud_async.testing import FakeK6Cloud

Call = Callable[[k6.K6CloudClient], Awaitable[Any]]


async def _listing(client: k6.K6CloudClient, **kwargs: Any) -> Any:
    return [t async for t in client.load_tests.list(**kwargs)]


CASES: list[tuple[str, Call, type[Exception], str]] = [
    ("get bool id", lambda c: c.load_tests.get(True), TypeError, "test_id"),
    ("get str id", lambda c: c.load_tests.get("12"), TypeError, "test_id"),
    ("get zero id", lambda c: c.load_tests.get(0), ValueError, "test_id"),
    ("get negative id", lambda c: c.load_tests.get(-4), ValueError, "test_id"),
    ("delete float id", lambda c: c.load_tests.delete(1.0), TypeError, "test_id"),
    ("update nothing", lambda c: c.load_tests.update(1), ValueError, "name= or baseline"),
    ("update empty name", lambda c: c.load_tests.update(1, name=""), ValueError, "name"),
    ("update long name", lambda c: c.load_tests.update(1, name="x" * 301), ValueError, "name"),
    ("update int name", lambda c: c.load_tests.update(1, name=5), TypeError, "name"),
    (
        "update bool baseline",
        lambda c: c.load_tests.update(1, baseline_test_run_id=False),
        TypeError,
        "baseline_test_run_id",
    ),
    ("move bool project", lambda c: c.load_tests.move(1, True), TypeError, "project_id"),
    ("move zero project", lambda c: c.load_tests.move(1, 0), ValueError, "project_id"),
    (
        "start short key",
        lambda c: c.load_tests.start(1, idempotency_key=""),
        ValueError,
        "idempotency_key",
    ),
    (
        "start long key",
        lambda c: c.load_tests.start(1, idempotency_key="k" * 37),
        ValueError,
        "idempotency_key",
    ),
    (
        "start int key",
        lambda c: c.load_tests.start(1, idempotency_key=5),
        TypeError,
        "idempotency_key",
    ),
    (
        "start control key",
        lambda c: c.load_tests.start(1, idempotency_key="a\r\nb"),
        ValueError,
        "idempotency_key",
    ),
    ("validate list", lambda c: c.load_tests.validate_options([1]), TypeError, "options"),
    (
        "validate unserialisable",
        lambda c: c.load_tests.validate_options({"x": object()}),
        TypeError,
        "options",
    ),
    (
        "validate deps",
        lambda c: c.load_tests.validate_options({}, k6_dependencies={"k6": 1}),
        TypeError,
        "k6_dependencies",
    ),
    (
        "validate local",
        lambda c: c.load_tests.validate_options({}, is_local_execution="yes"),
        TypeError,
        "is_local_execution",
    ),
    (
        "validate project",
        lambda c: c.load_tests.validate_options({}, project_id=-1),
        ValueError,
        "project_id",
    ),
    ("list page size 0", lambda c: _listing(c, page_size=0), ValueError, "page_size"),
    ("list page size 1001", lambda c: _listing(c, page_size=1001), ValueError, "page_size"),
    ("list page size str", lambda c: _listing(c, page_size="5"), TypeError, "page_size"),
    ("list bad order field", lambda c: _listing(c, order_by="size"), ValueError, "order_by"),
    ("list bad direction", lambda c: _listing(c, order_by="name up"), ValueError, "order_by"),
    ("list order type", lambda c: _listing(c, order_by=5), TypeError, "order_by"),
    ("list empty name", lambda c: _listing(c, name=""), ValueError, "name"),
    ("list bool project", lambda c: _listing(c, project_id=True), TypeError, "project_id"),
    (
        "download accept type",
        lambda c: c.load_tests.download_script(1, accept=5).__aenter__(),
        TypeError,
        "accept",
    ),
    ("create int name", lambda c: c.load_tests.create(1, 5, b"x"), TypeError, "name"),
    ("create bad project", lambda c: c.load_tests.create(0, "n", b"x"), ValueError, "project_id"),
]


@pytest.mark.parametrize(("label", "call", "error", "argument"), CASES, ids=[c[0] for c in CASES])
async def test_bad_arguments_fail_before_any_request(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    label: str,
    call: Call,
    error: type[Exception],
    argument: str,
) -> None:
    with pytest.raises(error, match=argument):
        await call(client)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("order_by", "query"),
    [
        ("name desc,id", "name desc,id"),
        (["name desc", "id"], "name desc,id"),
        (("created DESC",), "created desc"),
        ("  updated   desc , project_id ", "updated desc,project_id"),
        (None, None),
    ],
)
def test_order_by_forms(order_by: Any, query: str | None) -> None:
    assert check_order_by(order_by) == query


def test_order_by_needs_a_field() -> None:
    with pytest.raises(ValueError, match="order_by"):
        check_order_by([])


async def test_names_of_300_characters_are_accepted(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "t")
    await client.load_tests.update(test.id, name="n" * 300)
    assert fake.get_test(test.id).name == "n" * 300  # type: ignore[union-attr]
