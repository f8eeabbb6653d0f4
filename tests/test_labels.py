"""client.labels against FakeK6Cloud: every operation, its documented statuses, the
additive create's retry rule, argument checks and malformed answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault
from k6cloud_async.testing._state_labels import LabelKeyBook
from tests.conftest import CannedServer

Call = Callable[[k6.K6CloudClient], Awaitable[Any]]
JSON = "application/json"

OPERATIONS: dict[str, Call] = {
    "list": lambda c: c.labels.list(),
    "create": lambda c: c.labels.create(["team"]),
    "update": lambda c: c.labels.update(1, key="env"),
    "delete": lambda c: c.labels.delete(1),
}


def _client(fake: FakeK6Cloud, **options: Any) -> k6.K6CloudClient:
    token = options.pop("token", fake.token)
    stack_id = options.pop("stack_id", fake.stack_id)
    options.setdefault("retry_policy", k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.01))
    return k6.K6CloudClient(token, stack_id, base_url=fake.base_url, **options)


class TestListAndCreate:
    async def test_list_answers_every_key_by_id(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        assert await client.labels.list() == []
        fake.add_label_key("environment", "Environment being tested")
        fake.add_label_key("team")

        keys = await client.labels.list()

        assert keys == [
            k6.LabelKey(1, "environment", "Environment being tested"),
            k6.LabelKey(2, "team", None),
        ]

    async def test_create_from_a_mapping_sends_descriptions_and_omits_none(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        created = await client.labels.create({"environment": "Environment", "cost_center": None})

        assert created == [
            k6.LabelKey(1, "environment", "Environment"),
            k6.LabelKey(2, "cost_center"),
        ]
        assert fake.requests[-1].json == {
            "value": [{"key": "environment", "description": "Environment"}, {"key": "cost_center"}]
        }
        assert fake.requests[-1].status == 201

    async def test_create_is_additive(self, fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
        fake.add_label_key("team")

        created = await client.labels.create(["env", "region"])

        assert [key.key for key in created] == ["env", "region"]
        assert [key.key for key in fake.label_keys] == ["team", "env", "region"]
        assert fake.requests[-1].json == {"value": [{"key": "env"}, {"key": "region"}]}

    async def test_an_existing_key_is_a_bad_request_and_nothing_is_added(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        fake.add_label_key("team")
        with pytest.raises(k6.BadRequestError) as caught:
            await client.labels.create(["new", "team"])
        assert caught.value.target == "value[1].key"
        assert [key.key for key in fake.label_keys] == ["team"]

    async def test_more_than_100_keys_is_a_conflict(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        for index in range(99):
            fake.add_label_key(f"k{index}")
        with pytest.raises(k6.ConflictError) as caught:
            await client.labels.create(["one", "two"])
        assert caught.value.status == 409
        assert len(fake.label_keys) == 99
        assert [key.key for key in await client.labels.create(["one"])] == ["one"]

    async def test_create_is_retried_when_it_was_not_processed(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        fake.inject(Fault.status(429, retry_after=0), method="POST")

        created = await client.labels.create(["team"])

        assert [key.key for key in created] == ["team"]
        fake.assert_called("POST", "/cloud/v6/labels", times=2)

    @pytest.mark.parametrize(
        "fault", [Fault.status(500), Fault.after_processing(Fault.reset())], ids=["500", "lost"]
    )
    async def test_create_is_not_retried_when_it_may_have_been_processed(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, fault: Fault
    ) -> None:
        fake.inject(fault, method="POST")

        with pytest.raises(k6.K6CloudError) as caught:
            await client.labels.create(["team"])

        assert caught.value.attempts == 1
        fake.assert_called("POST", "/cloud/v6/labels", times=1)


class TestUpdate:
    async def test_rename_answers_the_changed_key(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        label = fake.add_label_key("environment", "Environment being tested")

        changed = await client.labels.update(label.id, key="env")

        assert changed == k6.LabelKey(label.id, "env", "Environment being tested")
        assert fake.requests[-1].json == {"key": "env"}
        assert fake.label_keys == [changed]

    async def test_a_description_is_set_or_cleared_with_none(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        label = fake.add_label_key("env")

        described = await client.labels.update(label.id, description="Environment (dev, prod)")
        assert described.description == "Environment (dev, prod)"
        cleared = await client.labels.update(label.id, description=None)

        assert cleared == k6.LabelKey(label.id, "env", None)
        assert fake.requests[-1].json == {"description": None}

    async def test_an_unknown_id_is_not_found(self, client: k6.K6CloudClient) -> None:
        with pytest.raises(k6.NotFoundError):
            await client.labels.update(7, key="env")

    async def test_a_taken_key_is_a_conflict(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        fake.add_label_key("env")
        other = fake.add_label_key("team")
        with pytest.raises(k6.ConflictError):
            await client.labels.update(other.id, key="env")
        assert [key.key for key in fake.label_keys] == ["env", "team"]

    async def test_a_400_is_a_bad_request(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        fake.add_label_key("env")
        fake.inject(Fault.status(400), method="PATCH")
        with pytest.raises(k6.BadRequestError):
            await client.labels.update(1, description="x")


class TestDelete:
    async def test_delete_removes_the_key(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        fake.add_label_key("env")
        team = fake.add_label_key("team")

        assert await client.labels.delete(team.id) is None

        assert [key.key for key in fake.label_keys] == ["env"]
        assert fake.requests[-1].status == 204

    async def test_an_unknown_id_is_not_found(self, client: k6.K6CloudClient) -> None:
        with pytest.raises(k6.NotFoundError) as caught:
            await client.labels.delete(3)
        assert caught.value.attempts == 1

    async def test_a_404_on_a_retry_means_the_first_attempt_deleted_it(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        label = fake.add_label_key("env")
        # Deleted, but answered 503: the retry finds nothing to delete.
        fake.inject(Fault.after_processing(Fault.status(503)), method="DELETE")

        await client.labels.delete(label.id)

        assert fake.label_keys == []
        fake.assert_called("DELETE", f"/cloud/v6/labels/{label.id}", times=2)


def test_deleting_a_key_tells_whoever_holds_its_project_labels() -> None:
    book = LabelKeyBook()
    forgotten: list[str] = []
    book.on_delete.append(forgotten.append)
    label = book.add("team")

    book.delete(label.id)

    assert forgotten == ["team"]


@pytest.mark.parametrize("name", list(OPERATIONS))
async def test_a_wrong_token_is_401_and_another_stack_403(fake: FakeK6Cloud, name: str) -> None:
    fake.add_label_key("environment")
    async with _client(fake, token="wrong") as client:
        with pytest.raises(k6.AuthenticationError):
            await OPERATIONS[name](client)
    async with _client(fake, stack_id=fake.stack_id + 1) as client:
        with pytest.raises(k6.PermissionDeniedError):
            await OPERATIONS[name](client)
    assert [key.key for key in fake.label_keys] == ["environment"]


@pytest.mark.parametrize("name", ["list", "update", "delete"])
async def test_a_500_is_retried_by_the_idempotent_operations(fake: FakeK6Cloud, name: str) -> None:
    fake.add_label_key("environment")
    fake.inject(Fault.status(500), path="/cloud/v6/labels*")
    async with _client(fake) as client:
        await OPERATIONS[name](client)
    assert len(fake.requests) == 2

    fake.inject(Fault.status(500), path="/cloud/v6/labels*", times=3)
    async with _client(fake) as client:
        with pytest.raises(k6.ServerError) as caught:
            await OPERATIONS[name](client)
    assert caught.value.attempts == 3


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda c: c.labels.create("team"), TypeError, "keys"),
        (lambda c: c.labels.create(b"team"), TypeError, "keys"),
        (lambda c: c.labels.create(None), TypeError, "keys"),
        (lambda c: c.labels.create([]), ValueError, "keys"),
        (lambda c: c.labels.create({}), ValueError, "keys"),
        (lambda c: c.labels.create(["a", "b", "a"]), ValueError, "keys repeats 'a'"),
        (lambda c: c.labels.create([f"k{i}" for i in range(101)]), ValueError, "keys"),
        (lambda c: c.labels.create(["has space"]), ValueError, "keys"),
        (lambda c: c.labels.create(["x" * 65]), ValueError, "keys"),
        (lambda c: c.labels.create(["50%"]), ValueError, "keys"),
        (lambda c: c.labels.create([7]), TypeError, "keys"),
        (lambda c: c.labels.create({"team": 3}), TypeError, "keys"),
        (lambda c: c.labels.create({"team": ""}), ValueError, "keys"),
        (lambda c: c.labels.create({"team": "d" * 256}), ValueError, "keys"),
        (lambda c: c.labels.update(1), ValueError, "key= or description="),
        (lambda c: c.labels.update(1, key=None), TypeError, "key"),
        (lambda c: c.labels.update(1, key="a;b"), ValueError, "key"),
        (lambda c: c.labels.update(1, description=""), ValueError, "description"),
        (lambda c: c.labels.update("1", key="env"), TypeError, "label_id"),
        (lambda c: c.labels.delete(0), ValueError, "label_id"),
        (lambda c: c.labels.delete(False), TypeError, "label_id"),
        (lambda c: c.labels.list(timeout="1"), TypeError, "timeout"),
        (lambda c: c.labels.create(["env"], max_retries=-1), ValueError, "max_retries"),
        (lambda c: c.labels.delete(1, timeout=0), ValueError, "timeout"),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient, call: Call, error: type[Exception], argument: str
) -> None:
    with pytest.raises(error, match=argument):
        await call(client)
    assert fake.requests == []


async def test_a_malformed_label_key_is_a_decode_error_naming_the_field(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.json("/cloud/v6/labels", {"value": [{"id": 1, "key": None}]})
    with pytest.raises(k6.ResponseDecodeError) as caught:
        await canned_client.labels.list()
    assert caught.value.field == "$.value[0].key"


async def test_a_patch_answer_without_an_id_is_a_decode_error(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.json("/cloud/v6/labels/1", {"key": "env"}, method="PATCH")
    with pytest.raises(k6.ResponseDecodeError) as caught:
        await canned_client.labels.update(1, key="env")
    assert caught.value.field == "$.id"


def test_the_fake_refuses_a_bad_label_key_from_its_helper(fake: FakeK6Cloud) -> None:
    with pytest.raises(ValueError, match="label key"):
        fake.add_label_key("has space")
    fake.add_label_key("team")
    with pytest.raises(ValueError, match="exists"):
        fake.add_label_key("team")


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status"),
    [
        ("POST", "/cloud/v6/labels", b'{"value": [{"key": "a"}]}', "text/plain", 415),
        ("POST", "/cloud/v6/labels", b'{"value": [{"key": "a"}', "application/json", 400),
        ("POST", "/cloud/v6/labels", b'{"value": []}', "application/json", 400),
        ("POST", "/cloud/v6/labels", b'{"value": [{"key": "a", "x": 1}]}', "application/json", 400),
        ("POST", "/cloud/v6/labels", b'{"value": [{"key": "a"}], "x": 1}', "application/json", 400),
        (
            "POST",
            "/cloud/v6/labels",
            b'{"value": [{"key": "a"}, {"key": "a"}]}',
            "application/json",
            400,
        ),
        ("POST", "/cloud/v6/labels", b'{"value": [{"description": "d"}]}', "application/json", 400),
        ("PATCH", "/cloud/v6/labels/1", b'{"key": "b"}', "text/plain", 415),
        ("PATCH", "/cloud/v6/labels/1", b'{"colour": "red"}', "application/json", 400),
        ("PATCH", "/cloud/v6/labels/1", b'{"description": ""}', "application/json", 400),
        ("PATCH", "/cloud/v6/labels/1", b"[]", "application/json", 400),
        ("PATCH", "/cloud/v6/labels/1", b'{"key": null}', "application/json", 200),
        ("DELETE", "/cloud/v6/labels/99", b"", "application/json", 404),
    ],
)
async def test_the_fake_holds_label_requests_to_the_documented_rules(
    fake: FakeK6Cloud, method: str, path: str, body: bytes, content_type: str, status: int
) -> None:
    import aiohttp

    fake.add_label_key("env")
    headers = {
        "Authorization": f"Bearer {fake.token}",
        "X-Stack-Id": str(fake.stack_id),
        "Content-Type": content_type,
    }
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.base_url + path, data=body, headers=headers) as response,
    ):
        assert response.status == status
    assert [key.key for key in fake.label_keys] == ["env"]
