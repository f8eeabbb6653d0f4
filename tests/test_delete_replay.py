"""``delete()`` after failed attempts: a 404 on a retry is a success only when an earlier
attempt may have deleted the test; after attempts that provably did nothing it is the truth.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

import k6cloud_async as k6
from k6cloud_async._retry import may_have_been_processed
from k6cloud_async.testing import FakeK6Cloud, Fault

FAST_RETRIES = k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.01)


def _path(test_id: int) -> str:
    return f"/cloud/v6/load_tests/{test_id}"


def _deletes(fake: FakeK6Cloud) -> list[Any]:
    return [r for r in fake.requests if r.method == "DELETE"]


async def test_a_404_after_a_429_is_not_found(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    # A 429 is answered before anything is done: the test never existed.
    fake.inject(Fault.status(429, retry_after=0), method="DELETE", path=_path(404_404))

    with pytest.raises(k6.NotFoundError) as caught:
        await client.load_tests.delete(404_404)

    assert caught.value.attempts == 2
    assert caught.value.maybe_processed_earlier is False
    assert [r.status for r in _deletes(fake)] == [429, 404]


async def test_a_404_after_a_lost_response_is_the_earlier_attempts_deletion(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    test = fake.add_test(project, "Checkout")
    fake.inject(Fault.status(429, retry_after=0), method="DELETE", path=_path(test.id))
    fake.inject(Fault.after_processing(Fault.status(503)), method="DELETE", path=_path(test.id))

    await client.load_tests.delete(test.id)

    assert fake.get_test(test.id) is None
    assert [r.status for r in _deletes(fake)] == [429, 503, 404]


class _RefuseFirst(AbstractResolver):
    """Resolves ``localhost`` to a closed port once, then to the fake's port: the first
    attempt fails to connect, so it was never sent."""

    def __init__(self, port: int) -> None:
        self._port = port
        self.resolved = 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.resolved += 1
        chosen = _closed_port() if self.resolved == 1 else self._port
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=chosen,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens there once the probe is closed


@pytest.fixture
async def refusing_first(fake: FakeK6Cloud) -> AsyncIterator[k6.K6CloudClient]:
    port = int(fake.base_url.rsplit(":", 1)[1].rstrip("/"))
    connector = aiohttp.TCPConnector(resolver=_RefuseFirst(port), use_dns_cache=False)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        k6.K6CloudClient(
            fake.token,
            fake.stack_id,
            base_url=f"http://localhost:{port}",
            session=session,
            retry_policy=FAST_RETRIES,
        ) as client,
    ):
        yield client


async def test_a_404_after_a_connection_that_failed_before_sending_is_not_found(
    fake: FakeK6Cloud, refusing_first: k6.K6CloudClient
) -> None:
    with pytest.raises(k6.NotFoundError) as caught:
        await refusing_first.load_tests.delete(404_404)

    assert caught.value.attempts == 2
    assert [r.status for r in _deletes(fake)] == [404]  # the first never arrived


@pytest.mark.parametrize(
    ("sent", "status", "maybe"),
    [
        (False, None, False),  # no connection
        (True, 429, False),  # answered before anything was done
        (True, None, True),  # lost response or timeout
        (True, 500, True),
        (True, 503, True),
        (True, 408, True),
    ],
)
def test_which_failed_attempts_may_have_been_processed(
    sent: bool, status: int | None, maybe: bool
) -> None:
    assert may_have_been_processed(sent=sent, status=status) is maybe


#: Every delete of the API, with the path it sends for an id that does not exist.
_EVERY_DELETE = [
    ("load_tests", lambda c: c.load_tests.delete(404_404), "/cloud/v6/load_tests/404404"),
    ("test_runs", lambda c: c.test_runs.delete(404_404), "/cloud/v6/test_runs/404404"),
    ("projects", lambda c: c.projects.delete(404_404), "/cloud/v6/projects/404404"),
    (
        "project labels",
        lambda c: c.projects.delete_label(404_404, "team"),
        "/cloud/v6/projects/404404/labels/team",
    ),
    ("labels", lambda c: c.labels.delete(404_404), "/cloud/v6/labels/404404"),
    ("schedules", lambda c: c.schedules.delete(404_404), "/cloud/v6/schedules/404404"),
]


@pytest.mark.parametrize(
    ("call", "path"),
    [(call, path) for _, call, path in _EVERY_DELETE],
    ids=[name for name, _, _ in _EVERY_DELETE],
)
async def test_every_delete_after_a_429_reports_not_found(
    fake: FakeK6Cloud, client: k6.K6CloudClient, call: Any, path: str
) -> None:
    fake.inject(Fault.status(429, retry_after=0), method="DELETE", path=path)

    with pytest.raises(k6.NotFoundError) as caught:
        await call(client)

    assert caught.value.attempts == 2
    assert [r.status for r in _deletes(fake)] == [429, 404]


@pytest.mark.parametrize(
    ("call", "path"),
    [(call, path) for _, call, path in _EVERY_DELETE],
    ids=[name for name, _, _ in _EVERY_DELETE],
)
async def test_every_delete_after_a_5xx_takes_the_retrys_404_as_done(
    fake: FakeK6Cloud, client: k6.K6CloudClient, call: Any, path: str
) -> None:
    # A 503 may have come after the deletion: the retry's 404 is that deletion's trace.
    fake.inject(Fault.status(503), method="DELETE", path=path)

    await call(client)

    assert [r.status for r in _deletes(fake)] == [503, 404]
