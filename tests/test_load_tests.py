"""Every JSON endpoint of client.load_tests against FakeK6Cloud: happy paths and errors."""

from __future__ import annotations

import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud


async def _client_with(fake: FakeK6Cloud, **kwargs: object) -> k6.K6CloudClient:
    options: dict[str, object] = {"base_url": fake.base_url, "max_retries": 0}
    options.update(kwargs)
    token = options.pop("token", fake.token)
    stack = options.pop("stack_id", fake.stack_id)
    return k6.K6CloudClient(token, stack, **options)  # type: ignore[arg-type]


class TestGet:
    async def test_get_returns_the_test(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        added = fake.add_test(project, "Orders API Soak Test")

        test = await client.load_tests.get(added.id)

        assert test == added
        assert test.created.tzinfo is not None

    async def test_get_of_an_unknown_id_is_not_found(self, client: k6.K6CloudClient) -> None:
        with pytest.raises(k6.NotFoundError) as caught:
            await client.load_tests.get(999)
        assert caught.value.status == 404
        assert caught.value.code == "not_found"
        assert caught.value.url.endswith("/cloud/v6/load_tests/999")
        assert caught.value.method == "GET"
        assert caught.value.attempts == 1

    async def test_get_sends_auth_stack_and_user_agent(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        added = fake.add_test(project, "t")

        await client.load_tests.get(added.id)

        headers = fake.requests[-1].headers
        assert headers["Authorization"] == f"Bearer {fake.token}"
        assert headers["X-Stack-Id"] == str(fake.stack_id)
        assert headers["User-Agent"].startswith("k6cloud-async/")


class TestAuthentication:
    async def test_a_wrong_token_is_an_authentication_error(self, fake: FakeK6Cloud) -> None:
        async with await _client_with(fake, token="wrong") as client:
            with pytest.raises(k6.AuthenticationError) as caught:
                await client.load_tests.get(1)
        assert caught.value.status == 401
        assert "wrong" not in str(caught.value)

    async def test_another_stack_is_permission_denied(self, fake: FakeK6Cloud) -> None:
        async with await _client_with(fake, stack_id=fake.stack_id + 1) as client:
            with pytest.raises(k6.PermissionDeniedError) as caught:
                await client.load_tests.get(1)
        assert caught.value.status == 403

    @pytest.mark.parametrize(
        "call",
        [
            lambda c: c.load_tests.update(1, name="x"),
            lambda c: c.load_tests.delete(1),
            lambda c: c.load_tests.move(1, 1),
            lambda c: c.load_tests.start(1),
            lambda c: c.load_tests.validate_options({"vus": 1}),
            lambda c: c.load_tests.pages().__anext__(),
        ],
        ids=["update", "delete", "move", "start", "validate_options", "list"],
    )
    async def test_every_endpoint_answers_401_and_403(self, fake: FakeK6Cloud, call) -> None:  # type: ignore[no-untyped-def]
        async with await _client_with(fake, token="wrong") as client:
            with pytest.raises(k6.AuthenticationError):
                await call(client)
        async with await _client_with(fake, stack_id=99) as client:
            with pytest.raises(k6.PermissionDeniedError):
                await call(client)


class TestUpdate:
    async def test_rename(self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int) -> None:
        added = fake.add_test(project, "old")

        assert await client.load_tests.update(added.id, name="new") is None

        assert fake.get_test(added.id).name == "new"  # type: ignore[union-attr]
        assert fake.requests[-1].method == "PATCH"

    async def test_unset_fields_are_not_sent_and_none_sends_null(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        added = fake.add_test(project, "t")
        await client.load_tests.update(added.id, baseline_test_run_id=7)
        assert fake.get_test(added.id).baseline_test_run_id == 7  # type: ignore[union-attr]

        await client.load_tests.update(added.id, name="renamed")
        assert fake.get_test(added.id).baseline_test_run_id == 7  # type: ignore[union-attr]

        await client.load_tests.update(added.id, baseline_test_run_id=None)
        after = fake.get_test(added.id)
        assert after is not None
        assert after.baseline_test_run_id is None
        assert after.name == "renamed"

    async def test_a_taken_name_is_a_conflict(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        fake.add_test(project, "taken")
        other = fake.add_test(project, "other")
        with pytest.raises(k6.ConflictError) as caught:
            await client.load_tests.update(other.id, name="taken")
        assert caught.value.status == 409

    async def test_update_of_an_unknown_id_is_not_found(self, client: k6.K6CloudClient) -> None:
        with pytest.raises(k6.NotFoundError):
            await client.load_tests.update(404, name="x")


class TestDelete:
    async def test_delete(self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int) -> None:
        added = fake.add_test(project, "t")
        await client.load_tests.delete(added.id)
        assert fake.get_test(added.id) is None

    async def test_deleting_a_test_with_a_running_run_is_a_conflict(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        added = fake.add_test(project, "t")
        await client.load_tests.start(added.id)
        with pytest.raises(k6.ConflictError):
            await client.load_tests.delete(added.id)
        assert fake.get_test(added.id) is not None

    async def test_delete_of_an_unknown_id_is_not_found(self, client: k6.K6CloudClient) -> None:
        with pytest.raises(k6.NotFoundError):
            await client.load_tests.delete(5)


class TestMove:
    async def test_move(self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int) -> None:
        added = fake.add_test(project, "t")
        destination = fake.add_project("other")

        await client.load_tests.move(added.id, destination)

        assert fake.get_test(added.id).project_id == destination  # type: ignore[union-attr]

    async def test_a_name_taken_in_the_destination_is_a_conflict(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        destination = fake.add_project("other")
        fake.add_test(destination, "same")
        added = fake.add_test(project, "same")
        with pytest.raises(k6.ConflictError):
            await client.load_tests.move(added.id, destination)

    async def test_an_unknown_destination_is_rejected(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        added = fake.add_test(project, "t")
        with pytest.raises((k6.BadRequestError, k6.NotFoundError)):
            await client.load_tests.move(added.id, 12345)

    async def test_move_of_an_unknown_test_is_not_found(
        self, client: k6.K6CloudClient, project: int
    ) -> None:
        with pytest.raises(k6.NotFoundError):
            await client.load_tests.move(999, project)


class TestStart:
    async def test_start_returns_the_created_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        added = fake.add_test(project, "t")

        run = await client.load_tests.start(added.id)

        assert run.test_id == added.id
        assert run.status == "created"
        assert run.status_history[0].type == "created"
        assert [r.id for r in fake.runs] == [run.id]

    async def test_start_always_sends_a_fresh_idempotency_key(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        added = fake.add_test(project, "t")
        await client.load_tests.start(added.id)
        await client.load_tests.start(added.id)
        keys = [r.headers.get("K6-Idempotency-Key") for r in fake.requests if r.method == "POST"]
        assert len(keys) == 2
        assert all(key and len(key) <= 36 for key in keys)
        assert keys[0] != keys[1]
        assert len(fake.runs) == 2

    async def test_the_same_key_within_ten_minutes_starts_one_run(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        added = fake.add_test(project, "t")
        key = k6.new_idempotency_key()

        first = await client.load_tests.start(added.id, idempotency_key=key)
        again = await client.load_tests.start(added.id, idempotency_key=key)
        fake.clock.advance(11 * 60)
        later = await client.load_tests.start(added.id, idempotency_key=key)

        assert first.id == again.id
        assert later.id != first.id
        assert len(fake.runs) == 2

    async def test_an_error_from_start_carries_its_idempotency_key(
        self, client: k6.K6CloudClient
    ) -> None:
        with pytest.raises(k6.NotFoundError) as caught:
            await client.load_tests.start(999, idempotency_key="my-key")
        assert caught.value.idempotency_key == "my-key"

    def test_new_idempotency_keys_fit_the_api_limit(self) -> None:
        keys = {k6.new_idempotency_key() for _ in range(100)}
        assert len(keys) == 100
        assert all(len(key) == 36 for key in keys)


class TestValidateOptions:
    async def test_valid_options_give_their_cost(
        self, client: k6.K6CloudClient, project: int
    ) -> None:
        result = await client.load_tests.validate_options(
            {"vus": 10, "duration": "30s"},
            project_id=project,
            k6_dependencies={"k6": ">=v0.52"},
            is_local_execution=False,
        )
        assert isinstance(result, k6.ValidateOptionsResult)
        assert result.vuh_usage > 0
        assert isinstance(result.breakdown, k6.CostBreakdown)

    async def test_the_request_body_is_the_api_shape(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        await client.load_tests.validate_options({"vus": 1, "duration": "1m"})
        assert fake.requests[-1].headers["Content-Type"] == "application/json"

    async def test_invalid_options_are_a_bad_request_with_details(
        self, client: k6.K6CloudClient
    ) -> None:
        with pytest.raises(k6.BadRequestError) as caught:
            await client.load_tests.validate_options({"vus": 100_000, "duration": "1m"})
        assert caught.value.details

    async def test_an_unknown_project_is_a_bad_request(self, client: k6.K6CloudClient) -> None:
        with pytest.raises(k6.BadRequestError):
            await client.load_tests.validate_options({"vus": 1}, project_id=4242)
