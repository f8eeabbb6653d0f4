"""Bad arguments fail before any request, with an error that names the argument."""

from __future__ import annotations

import math
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from yarl import URL

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


# -- client-wide and per-call settings ----------------------------------------------------

_BAD_TIMEOUTS = [math.inf, math.nan, -1, 0, 0.0, aiohttp.ClientTimeout(total=math.nan)]
_BAD_TIMEOUT_IDS = ["inf", "nan", "negative", "zero", "zero-float", "client-timeout-nan"]


@pytest.mark.parametrize("timeout", _BAD_TIMEOUTS, ids=_BAD_TIMEOUT_IDS)
def test_a_client_timeout_must_be_positive_and_finite(fake: FakeK6Cloud, timeout: Any) -> None:
    with pytest.raises(ValueError, match="timeout"):
        k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url, timeout=timeout)


@pytest.mark.parametrize("timeout", _BAD_TIMEOUTS, ids=_BAD_TIMEOUT_IDS)
async def test_a_per_call_timeout_must_be_positive_and_finite(
    fake: FakeK6Cloud, client: k6.K6CloudClient, timeout: Any
) -> None:
    with pytest.raises(ValueError, match="timeout"):
        client.with_options(timeout=timeout)
    with pytest.raises(ValueError, match="timeout"):
        await client.load_tests.get(1, timeout=timeout)
    with pytest.raises(ValueError, match="timeout"):
        client.load_tests.download_script(1, timeout=timeout)
    with pytest.raises(ValueError, match="timeout"):
        await client.load_tests.upload_script(1, b"x", timeout=timeout)
    assert fake.requests == []


CLIENT_CASES: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("user agent int", {"user_agent": 5}, TypeError, "user_agent"),
    ("user agent bytes", {"user_agent": b"me/1"}, TypeError, "user_agent"),
    ("max connections bool", {"max_connections": True}, TypeError, "max_connections"),
    ("max connections float", {"max_connections": 10.0}, TypeError, "max_connections"),
    ("max connections zero", {"max_connections": 0}, ValueError, "max_connections"),
    ("max response bytes bool", {"max_response_bytes": True}, TypeError, "max_response_bytes"),
    ("max response bytes zero", {"max_response_bytes": 0}, ValueError, "max_response_bytes"),
    ("proxy int", {"proxy": 8080}, TypeError, "proxy"),
    ("proxy without scheme", {"proxy": "proxy.example:3128"}, ValueError, "proxy"),
    ("proxy ftp", {"proxy": "ftp://proxy.example"}, ValueError, "proxy"),
    ("ssl str", {"ssl": "yes"}, TypeError, "ssl"),
    ("ssl path", {"ssl": "/etc/ssl/cert.pem"}, TypeError, "ssl"),
]


@pytest.mark.parametrize(
    ("label", "kwargs", "error", "argument"), CLIENT_CASES, ids=[c[0] for c in CLIENT_CASES]
)
def test_bad_client_arguments_name_the_argument(
    fake: FakeK6Cloud, label: str, kwargs: dict[str, Any], error: type[Exception], argument: str
) -> None:
    with pytest.raises(error, match=argument):
        k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ssl": False},
        {"ssl": ssl.create_default_context()},
        {"proxy": "http://127.0.0.1:3128"},
        {"proxy": URL("https://localhost:3129")},
        {"user_agent": "checkout-ci/1.0"},
    ],
    ids=["ssl-false", "ssl-context", "proxy-str", "proxy-url", "user-agent"],
)
async def test_well_typed_client_arguments_are_accepted(
    fake: FakeK6Cloud, kwargs: dict[str, Any]
) -> None:
    async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url, **kwargs):
        pass


# -- ids and idempotency keys --------------------------------------------------------------

ID_AND_KEY_CASES: list[tuple[str, Call, type[Exception], str]] = [
    ("test id 2**63", lambda c: c.load_tests.get(2**63), ValueError, "test_id"),
    ("run id 2**63", lambda c: c.test_runs.get(2**63), ValueError, "run_id"),
    ("project id 2**63", lambda c: c.load_tests.move(1, 2**63), ValueError, "project_id"),
    (
        "create project 2**64",
        lambda c: c.load_tests.create(2**64, "n", b"x"),
        ValueError,
        "project_id",
    ),
    (
        "blank key",
        lambda c: c.load_tests.start(1, idempotency_key="   "),
        ValueError,
        "idempotency_key",
    ),
    (
        "leading space",
        lambda c: c.load_tests.start(1, idempotency_key=" k"),
        ValueError,
        "idempotency_key",
    ),
    (
        "trailing tab",
        lambda c: c.load_tests.start(1, idempotency_key="k\t"),
        ValueError,
        "idempotency_key",
    ),
]


@pytest.mark.parametrize(
    ("label", "call", "error", "argument"), ID_AND_KEY_CASES, ids=[c[0] for c in ID_AND_KEY_CASES]
)
async def test_ids_beyond_64_bits_and_untrimmed_keys_fail_before_any_request(
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


async def test_the_largest_64_bit_id_is_sent(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    with pytest.raises(k6.NotFoundError):
        await client.load_tests.get(2**63 - 1)

    assert fake.requests[-1].path == f"/cloud/v6/load_tests/{2**63 - 1}"
