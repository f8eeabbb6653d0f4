"""client.test_runs against FakeK6Cloud: notes, stars, saved results, deletion, the
distribution and the script of a run, with every status the OpenAPI document gives them."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault

SCRIPT = b"export default function () { /* v1 */ }\n"
CallOf = Callable[[k6.K6CloudClient, int], Any]


@pytest.fixture
def test_id(fake: FakeK6Cloud, project: int) -> int:
    return fake.add_test(project, "Checkout flow", script=SCRIPT).id


@pytest.fixture
def run_id(fake: FakeK6Cloud, test_id: int) -> int:
    return fake.start_run(test_id).id


@pytest.fixture
def ended_run(fake: FakeK6Cloud, test_id: int) -> int:
    run = fake.start_run(test_id)
    fake.finish_run(run.id)
    return run.id


async def _read_script(client: k6.K6CloudClient, run_id: int) -> bytes:
    async with client.test_runs.download_script(run_id) as download:
        return await download.read()


async def invoke(result: Any) -> Any:
    return await result if inspect.isawaitable(result) else result


#: Every operation this file covers: (name, HTTP method, path below the run, call).
OPERATIONS: list[tuple[str, str, str, CallOf]] = [
    ("update", "PATCH", "", lambda c, r, **kw: c.test_runs.update(r, note="n", **kw)),
    ("delete", "DELETE", "", lambda c, r, **kw: c.test_runs.delete(r, **kw)),
    ("star", "POST", "/star", lambda c, r, **kw: c.test_runs.star(r, **kw)),
    ("unstar", "POST", "/unstar", lambda c, r, **kw: c.test_runs.unstar(r, **kw)),
    ("save", "POST", "/save", lambda c, r, **kw: c.test_runs.save(r, **kw)),
    ("unsave", "POST", "/unsave", lambda c, r, **kw: c.test_runs.unsave(r, **kw)),
    ("distribution", "GET", "/distribution", lambda c, r, **kw: c.test_runs.distribution(r, **kw)),
    ("download_script", "GET", "/script", lambda c, r, **kw: _read_script_with(c, r, **kw)),
]
IDS = [name for name, *_ in OPERATIONS]


async def _read_script_with(client: k6.K6CloudClient, run_id: int, **options: Any) -> bytes:
    async with client.test_runs.download_script(run_id, **options) as download:
        return await download.read()


def requests_to(fake: FakeK6Cloud, method: str, path: str) -> int:
    return sum(1 for r in fake.requests if r.method == method and r.path == path)


class TestNote:
    async def test_update_sets_the_note(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int
    ) -> None:
        await client.test_runs.update(run_id, note="Baseline after the cache fix")

        run = fake.get_run(run_id)
        assert run is not None
        assert run.note == "Baseline after the cache fix"
        assert (await client.test_runs.get(run_id)).note == "Baseline after the cache fix"
        sent = fake.requests[0]
        assert (sent.method, sent.path, sent.status) == (
            "PATCH",
            f"/cloud/v6/test_runs/{run_id}",
            204,
        )
        assert sent.json == {"note": "Baseline after the cache fix"}
        assert sent.headers["Content-Type"] == "application/json"

    async def test_an_empty_note_clears_it(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int
    ) -> None:
        await client.test_runs.update(run_id, note="temporary")
        await client.test_runs.update(run_id, note="")

        run = fake.get_run(run_id)
        assert run is not None
        assert run.note == ""

    async def test_a_refused_note_is_a_bad_request(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int
    ) -> None:
        fake.inject(Fault.status(400), method="PATCH")

        with pytest.raises(k6.BadRequestError) as caught:
            await client.test_runs.update(run_id, note="x")
        assert caught.value.attempts == 1  # a 400 is not retried


class TestStarAndSave:
    async def test_star_and_unstar_set_is_starred(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int
    ) -> None:
        await client.test_runs.star(run_id)
        starred = await client.test_runs.get(run_id)
        await client.test_runs.unstar(run_id)
        unstarred = await client.test_runs.get(run_id)

        assert (starred.is_starred, unstarred.is_starred) == (True, False)
        assert [(r.method, r.path, r.status) for r in fake.requests if r.method == "POST"] == [
            ("POST", f"/cloud/v6/test_runs/{run_id}/star", 204),
            ("POST", f"/cloud/v6/test_runs/{run_id}/unstar", 204),
        ]

    async def test_starring_twice_leaves_it_starred(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int
    ) -> None:
        await client.test_runs.star(run_id)
        await client.test_runs.star(run_id)

        run = fake.get_run(run_id)
        assert run is not None
        assert run.is_starred is True

    async def test_save_keeps_the_results_and_unsave_lets_them_expire(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, ended_run: int
    ) -> None:
        before = fake.get_run(ended_run)
        assert before is not None
        assert before.retention_expiry is not None

        await client.test_runs.save(ended_run)
        saved = await client.test_runs.get(ended_run)
        await client.test_runs.unsave(ended_run)
        unsaved = await client.test_runs.get(ended_run)

        assert saved.retention_expiry is None
        assert unsaved.retention_expiry == before.retention_expiry

    async def test_saving_a_run_whose_results_expired_is_a_conflict(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, ended_run: int
    ) -> None:
        fake.clock.advance(timedelta(days=31).total_seconds())

        with pytest.raises(k6.ConflictError) as caught:
            await client.test_runs.save(ended_run)
        assert caught.value.message == "Test run has been deleted"
        assert caught.value.attempts == 1  # a 409 is not retried

    async def test_saving_past_the_limit_is_a_conflict(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        fake.max_saved_runs = 1
        first, second = fake.start_run(test_id).id, fake.start_run(test_id).id
        await client.test_runs.save(first)
        await client.test_runs.save(first)  # saving a saved run is no second save

        with pytest.raises(k6.ConflictError, match="maximum number of saved test runs"):
            await client.test_runs.save(second)
        run = fake.get_run(second)
        assert run is not None
        assert run.retention_expiry is not None


class TestDelete:
    async def test_delete_removes_an_ended_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, ended_run: int
    ) -> None:
        await client.test_runs.delete(ended_run)

        assert fake.get_run(ended_run) is None
        assert [r.status for r in fake.requests] == [204]
        with pytest.raises(k6.NotFoundError):
            await client.test_runs.get(ended_run)

    async def test_deleting_a_running_run_is_a_conflict(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int
    ) -> None:
        with pytest.raises(k6.ConflictError, match="while it's running") as caught:
            await client.test_runs.delete(run_id)
        assert caught.value.attempts == 1
        assert fake.get_run(run_id) is not None

    async def test_a_delete_whose_response_was_lost_succeeds_on_the_retrys_404(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, ended_run: int
    ) -> None:
        fake.inject(Fault.after_processing(Fault.status(503)), method="DELETE")

        await client.test_runs.delete(ended_run)

        assert [r.status for r in fake.requests] == [503, 404]
        assert fake.get_run(ended_run) is None

    async def test_a_first_404_is_reported(self, client: k6.K6CloudClient) -> None:
        with pytest.raises(k6.NotFoundError):
            await client.test_runs.delete(999)


class TestDistribution:
    async def test_a_started_run_has_the_default_distribution(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int
    ) -> None:
        await client.test_runs.get(run_id)  # one poll: the run is initializing

        distribution = await client.test_runs.distribution(run_id)

        assert list(distribution) == ["amazon:us:ashburn"]
        zone = distribution["amazon:us:ashburn"]
        assert isinstance(zone, k6.LoadZoneDistribution)
        assert zone.percentage == 100
        assert [type(node) for node in zone.nodes] == [k6.DistributionNode]
        assert zone.nodes[0].size == "m5.large"

    async def test_the_distribution_a_test_set_is_returned_as_models(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int
    ) -> None:
        node = k6.DistributionNode
        wanted = {
            "amazon:us:ashburn": k6.LoadZoneDistribution(60, [node("m5.large", "3.82.149.214")]),
            "amazon:eu:dublin": k6.LoadZoneDistribution(
                40, [node("m5.large", "3.82.149.215"), node("m5.large", "3.82.149.216")]
            ),
        }
        fake.set_run_distribution(run_id, wanted)

        assert await client.test_runs.distribution(run_id) == wanted
        run = await client.test_runs.get(run_id)
        assert run.distribution == [
            {"load_zone": "amazon:us:ashburn", "percent": 60},
            {"load_zone": "amazon:eu:dublin", "percent": 40},
        ]

    async def test_a_run_without_distribution_data_is_not_found(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int
    ) -> None:
        with pytest.raises(k6.NotFoundError, match="Distribution data"):
            await client.test_runs.distribution(run_id)  # still "created": no nodes yet

    async def test_a_distribution_that_does_not_fit_is_a_decode_error(
        self, canned: Any, canned_client: k6.K6CloudClient
    ) -> None:
        canned.json(
            "/cloud/v6/test_runs/7/distribution",
            {"distribution": {"amazon:us:ashburn": {"percentage": "60", "nodes": []}}},
        )

        with pytest.raises(k6.ResponseDecodeError) as caught:
            await canned_client.test_runs.distribution(7)
        assert "percentage" in (caught.value.field or "")


class TestScript:
    async def test_download_gives_the_script_the_run_started_with(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, run_id: int
    ) -> None:
        await client.load_tests.upload_script(test_id, b"export default function () { /* v2 */ }")

        async with client.test_runs.download_script(run_id) as download:
            assert download.content_type == "text/javascript"
            assert download.is_archive is False
            assert download.size == len(SCRIPT)
            body = await download.read()

        assert body == SCRIPT
        assert fake.script_of_run(run_id) == SCRIPT
        later = fake.start_run(test_id).id
        assert await _read_script(client, later) == b"export default function () { /* v2 */ }"

    async def test_save_writes_the_whole_script_with_progress(
        self, client: k6.K6CloudClient, run_id: int, tmp_path: Path
    ) -> None:
        seen: list[tuple[int, int | None]] = []
        target = tmp_path / "run.js"

        async with client.test_runs.download_script(
            run_id, on_progress=lambda done, total: seen.append((done, total))
        ) as download:
            size = await download.save(target)

        assert size == len(SCRIPT)
        assert target.read_bytes() == SCRIPT
        assert seen[-1] == (len(SCRIPT), len(SCRIPT))

    async def test_a_truncated_download_leaves_the_target_untouched(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int, tmp_path: Path
    ) -> None:
        target = tmp_path / "run.js"
        target.write_bytes(b"previous")
        fake.inject(Fault.truncated_body(), method="GET", path="/cloud/v6/test_runs/*/script")

        with pytest.raises(k6.TransportError):
            async with client.test_runs.download_script(run_id, max_retries=0) as download:
                await download.save(target)

        assert target.read_bytes() == b"previous"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["run.js"]

    async def test_an_archive_is_asked_for_and_a_script_is_not_acceptable(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, run_id: int
    ) -> None:
        with pytest.raises(k6.NotAcceptableError):
            async with client.test_runs.download_script(run_id, accept="application/x-tar"):
                pass
        assert fake.requests[0].headers["Accept"] == "application/x-tar"


class TestListingByStar:
    async def test_is_starred_filters_a_tests_runs(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
    ) -> None:
        ids = [fake.start_run(test_id).id for _ in range(4)]
        for starred in ids[1::2]:
            await client.test_runs.star(starred)

        starred = [r.id async for r in client.test_runs.list(test_id=test_id, is_starred=True)]
        others = [r.id async for r in client.test_runs.list(test_id=test_id, is_starred=False)]

        assert (starred, others) == (ids[1::2], ids[0::2])
        assert [r.query.get("is_starred") for r in fake.requests[-2:]] == ["true", "false"]

    async def test_is_starred_without_a_test_is_refused_before_any_request(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        with pytest.raises(ValueError, match="is_starred needs test_id"):
            client.test_runs.list(is_starred=True)
        with pytest.raises(ValueError, match="order_by needs test_id"):
            client.test_runs.pages(order_by="created")
        assert fake.requests == []

    async def test_is_starred_with_a_next_link_is_refused(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        link = f"{fake.base_url}/cloud/v6/load_tests/1/test_runs?$skip=2"
        with pytest.raises(ValueError, match="is_starred"):
            client.test_runs.pages(next_link=link, is_starred=True)
        assert fake.requests == []


# -- every documented status of every operation ---------------------------------------


@pytest.fixture
async def stranger(fake: FakeK6Cloud, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """A client with a wrong token (401) or another stack's id (403)."""
    token, stack = ("wrong-token", fake.stack_id) if request.param == 401 else (fake.token, 999)
    async with k6.K6CloudClient(token, stack, base_url=fake.base_url, max_retries=0) as api:
        yield api


@pytest.mark.parametrize("stranger", [401, 403], indirect=True)
@pytest.mark.parametrize(("name", "method", "tail", "call"), OPERATIONS, ids=IDS)
async def test_401_and_403_map_to_their_errors(
    fake: FakeK6Cloud,
    stranger: Any,
    ended_run: int,
    name: str,
    method: str,
    tail: str,
    call: Any,
    request: pytest.FixtureRequest,
) -> None:
    expected = {401: k6.AuthenticationError, 403: k6.PermissionDeniedError}
    status = request.node.callspec.params["stranger"]

    with pytest.raises(expected[status]) as caught:
        await invoke(call(stranger, ended_run))

    assert caught.value.status == status
    assert requests_to(fake, method, f"/cloud/v6/test_runs/{ended_run}{tail}") == 1


@pytest.mark.parametrize(("name", "method", "tail", "call"), OPERATIONS, ids=IDS)
async def test_an_unknown_run_is_not_found(
    fake: FakeK6Cloud, client: k6.K6CloudClient, name: str, method: str, tail: str, call: Any
) -> None:
    with pytest.raises(k6.NotFoundError) as caught:
        await invoke(call(client, 4242))

    assert caught.value.status == 404
    assert requests_to(fake, method, f"/cloud/v6/test_runs/4242{tail}") == 1


@pytest.mark.parametrize(("name", "method", "tail", "call"), OPERATIONS, ids=IDS)
async def test_a_500_is_a_server_error_and_is_retried(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    ended_run: int,
    name: str,
    method: str,
    tail: str,
    call: Any,
) -> None:
    path = f"/cloud/v6/test_runs/{ended_run}{tail}"
    fake.inject(Fault.status(500), method=method, path=path, times=None)

    with pytest.raises(k6.ServerError) as caught:
        await invoke(call(client, ended_run, max_retries=1))

    assert caught.value.status == 500
    assert caught.value.attempts == 2  # every one of these is safe to repeat
    fake.clear_faults()
    fake.inject(Fault.status(503), method=method, path=path)
    await invoke(call(client, ended_run))  # a transient failure is retried away
    assert requests_to(fake, method, path) == 4


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda c: c.test_runs.update(1, note=3), TypeError, "note"),
        (lambda c: c.test_runs.update(1, note=None), TypeError, "note"),
        (lambda c: c.test_runs.update("1", note="x"), TypeError, "run_id"),
        (lambda c: c.test_runs.update(1, note="x", timeout="5"), TypeError, "timeout"),
        (lambda c: c.test_runs.delete(0), ValueError, "run_id"),
        (lambda c: c.test_runs.delete(1, max_retries=-1), ValueError, "max_retries"),
        (lambda c: c.test_runs.star(True), TypeError, "run_id"),
        (lambda c: c.test_runs.unstar(-3), ValueError, "run_id"),
        (lambda c: c.test_runs.save(1.0), TypeError, "run_id"),
        (lambda c: c.test_runs.unsave(1, timeout=-1), ValueError, "timeout"),
        (lambda c: c.test_runs.distribution("7"), TypeError, "run_id"),
        (lambda c: c.test_runs.distribution(7, max_retries="2"), TypeError, "max_retries"),
        (lambda c: c.test_runs.download_script(0), ValueError, "run_id"),
        (lambda c: c.test_runs.download_script(1, accept=5), TypeError, "accept"),
        (lambda c: c.test_runs.download_script(1, accept="a\r\nb"), ValueError, "accept"),
        (lambda c: c.test_runs.list(test_id=1, is_starred="yes"), TypeError, "is_starred"),
        (lambda c: c.test_runs.list(is_starred=False), ValueError, "is_starred"),
        (lambda c: c.test_runs.list(order_by="created desc"), ValueError, "order_by"),
    ],
)
async def test_bad_arguments_are_refused_before_any_request(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    call: Callable[[k6.K6CloudClient], Any],
    error: type[Exception],
    argument: str,
) -> None:
    with pytest.raises(error, match=argument):
        await attempt(call(client))
    assert fake.requests == []


async def attempt(result: Any) -> None:
    """Await a call, or enter the context manager of a download."""
    if hasattr(result, "__aenter__"):
        async with result:
            pass
    else:
        await invoke(result)
