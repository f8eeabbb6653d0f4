"""client.schedules against FakeK6Cloud: every operation, its documented errors, its retries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

import k6cloud_async as k6
from k6cloud_async.testing import UNTIL_REMOVED, FakeK6Cloud, Fault

Call = Callable[[k6.K6CloudClient], Awaitable[Any]]

DAILY = k6.ScheduleCron("0 0 * * *", "UTC")
EVERY_TWO_HOURS = k6.RecurrenceRule("HOURLY", interval=2)


@pytest.fixture
def test_id(fake: FakeK6Cloud, project: int) -> int:
    return fake.add_test(project, "Nightly soak").id


def now(fake: FakeK6Cloud) -> datetime:
    return fake.clock.now()


# -- happy paths ----------------------------------------------------------------------------


async def test_set_a_cron_schedule_returns_it_with_its_next_run(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    fake.clock.set(datetime(2024, 7, 16, 8, 46, 4, 21000, tzinfo=UTC))

    schedule = await client.schedules.set(
        test_id, starts=now(fake), cron=k6.ScheduleCron("0 7 * * 1", "UTC")
    )

    assert schedule.load_test_id == test_id
    assert schedule.cron == k6.ScheduleCron("0 7 * * 1", "UTC")
    assert schedule.recurrence_rule is None
    assert schedule.deactivated is False
    assert schedule.next_run == datetime(2024, 7, 22, 7, 0, tzinfo=UTC)  # the OpenAPI example's
    (request,) = fake.assert_called("POST", f"/cloud/v6/load_tests/{test_id}/schedule")
    assert request.json == {
        "starts": "2024-07-16T08:46:04.021000+00:00",
        "recurrence_rule": None,
        "cron": {"schedule": "0 7 * * 1", "time_zone": "UTC"},
    }


async def test_a_cron_schedule_runs_in_its_time_zone(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    fake.clock.set(datetime(2025, 1, 6, 9, 0, tzinfo=UTC))  # a Monday, 10:00 in Berlin

    schedule = await client.schedules.set(
        test_id, starts=now(fake), cron=k6.ScheduleCron("0 7 * * 1", "Europe/Berlin")
    )

    assert schedule.next_run == datetime(2025, 1, 13, 6, 0, tzinfo=UTC)


async def test_set_a_recurrence_rule_sends_it_whole(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    fake.clock.set(datetime(2024, 7, 16, 8, 46, tzinfo=UTC))  # a Tuesday
    rule = k6.RecurrenceRule("WEEKLY", byday=["SA", "SU"], count=10)

    schedule = await client.schedules.set(test_id, starts=now(fake), recurrence=rule)

    assert schedule.recurrence_rule == rule
    assert schedule.next_run == datetime(2024, 7, 20, 8, 46, tzinfo=UTC)  # the Saturday
    assert fake.requests[-1].json["recurrence_rule"] == {
        "frequency": "WEEKLY",
        "interval": 1,
        "byday": ["SA", "SU"],
        "until": None,
        "count": 10,
    }


async def test_a_one_off_schedule_expires_once_its_time_passed(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    starts = now(fake) + timedelta(hours=1)
    schedule = await client.schedules.set(test_id, starts=starts)
    assert schedule.next_run == starts

    fake.clock.advance(3601)

    assert (await client.schedules.get(schedule.id)).next_run is None


async def test_setting_a_schedule_replaces_the_tests_previous_one(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    first = await client.schedules.set(test_id, starts=now(fake), cron=DAILY)

    second = await client.schedules.set(test_id, starts=now(fake), recurrence=EVERY_TWO_HOURS)

    assert [s.id async for s in client.schedules.list()] == [second.id]
    assert (await client.schedules.for_test(test_id)) == second
    with pytest.raises(k6.NotFoundError):
        await client.schedules.get(first.id)


async def test_get_and_for_test_read_the_same_schedule(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    created = await client.schedules.set(test_id, starts=now(fake), cron=DAILY)

    assert await client.schedules.get(created.id) == created
    assert await client.schedules.for_test(test_id) == created


async def test_deactivate_then_activate_flips_the_flag_and_keeps_the_next_run(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=now(fake), cron=DAILY)

    await client.schedules.deactivate(schedule.id)
    deactivated = await client.schedules.get(schedule.id)
    await client.schedules.activate(schedule.id)
    activated = await client.schedules.get(schedule.id)

    assert deactivated.deactivated is True
    assert deactivated.next_run == schedule.next_run
    assert activated.deactivated is False


async def test_activating_an_active_schedule_changes_nothing(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=now(fake), cron=DAILY)

    await client.schedules.activate(schedule.id)

    assert await client.schedules.get(schedule.id) == schedule


async def test_activating_an_expired_schedule_is_a_conflict(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=now(fake) + timedelta(minutes=5))
    await client.schedules.deactivate(schedule.id)
    fake.clock.advance(600)

    with pytest.raises(k6.ConflictError) as caught:
        await client.schedules.activate(schedule.id)

    assert caught.value.attempts == 1  # a 409 is never retried
    assert (await client.schedules.get(schedule.id)).deactivated is True


async def test_deactivating_an_expired_schedule_has_no_effect(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=now(fake) + timedelta(minutes=5))
    fake.clock.advance(600)

    await client.schedules.deactivate(schedule.id)

    assert (await client.schedules.get(schedule.id)).deactivated is False


async def test_delete_leaves_the_test_unscheduled(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=now(fake), cron=DAILY)

    await client.schedules.delete(schedule.id)

    with pytest.raises(k6.NotFoundError):
        await client.schedules.for_test(test_id)
    assert await client.load_tests.get(test_id)


async def test_deleting_a_load_test_deletes_its_schedule(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=now(fake), cron=DAILY)

    await client.load_tests.delete(test_id)

    with pytest.raises(k6.NotFoundError):
        await client.schedules.get(schedule.id)
    assert [s async for s in client.schedules.list()] == []


async def test_list_follows_next_links_with_the_count(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    for index in range(5):
        test = fake.add_test(project, f"t{index}")
        await client.schedules.set(test.id, starts=now(fake), cron=DAILY)
    fake.reset_requests()

    pages = [page async for page in client.schedules.pages(page_size=2, count=True)]

    assert [len(page.items) for page in pages] == [2, 2, 1]
    assert {page.count for page in pages} == {5}
    assert [r.query.get("$skip", "0") for r in fake.requests] == ["0", "2", "4"]
    resumed = [p async for p in client.schedules.pages(next_link=pages[0].next_link)]
    assert [s.id for p in resumed for s in p.items] == [s.id for p in pages[1:] for s in p.items]


# -- documented error statuses ----------------------------------------------------------------


async def test_an_unknown_schedule_is_not_found_everywhere(client: k6.K6CloudClient) -> None:
    for call in (
        client.schedules.get,
        client.schedules.delete,
        client.schedules.activate,
        client.schedules.deactivate,
    ):
        with pytest.raises(k6.NotFoundError) as caught:
            await call(999)
        assert caught.value.attempts == 1


async def test_the_schedule_of_a_test_without_one_is_not_found(
    client: k6.K6CloudClient, test_id: int
) -> None:
    with pytest.raises(k6.NotFoundError):
        await client.schedules.for_test(test_id)


async def test_the_schedule_of_an_unknown_test_is_not_found(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    with pytest.raises(k6.NotFoundError):
        await client.schedules.for_test(404)
    with pytest.raises(k6.NotFoundError):
        await client.schedules.set(404, starts=now(fake), cron=DAILY)


async def test_a_validation_error_of_set_is_a_bad_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    body = {"error": {"code": "validation_error", "message": "Invalid.", "target": "starts"}}
    fake.inject(Fault.status(400, body=body), method="POST")

    with pytest.raises(k6.BadRequestError) as caught:
        await client.schedules.set(test_id, starts=now(fake), cron=DAILY)

    assert caught.value.target == "starts"


async def test_a_bad_page_query_of_the_listing_is_a_bad_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    link = f"{fake.base_url}/cloud/v6/schedules?$top=0"

    with pytest.raises(k6.BadRequestError) as caught:
        [page async for page in client.schedules.pages(next_link=link)]

    assert caught.value.target == "$top"


def _every_operation(test_id: int, when: datetime) -> list[tuple[str, Call]]:
    async def listing(client: k6.K6CloudClient) -> Any:
        return [s async for s in client.schedules.list()]

    return [
        ("list", listing),
        ("get", lambda c: c.schedules.get(1)),
        ("for_test", lambda c: c.schedules.for_test(test_id)),
        ("set", lambda c: c.schedules.set(test_id, starts=when, cron=DAILY)),
        ("delete", lambda c: c.schedules.delete(1)),
        ("activate", lambda c: c.schedules.activate(1)),
        ("deactivate", lambda c: c.schedules.deactivate(1)),
    ]


OPERATIONS = ["list", "get", "for_test", "set", "delete", "activate", "deactivate"]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    ("token", "stack", "error"),
    [("wrong-token", 1, k6.AuthenticationError), ("fake-token", 2, k6.PermissionDeniedError)],
    ids=["401", "403"],
)
async def test_every_operation_maps_401_and_403(
    fake: FakeK6Cloud, test_id: int, operation: str, token: str, stack: int, error: type
) -> None:
    call = dict(_every_operation(test_id, now(fake)))[operation]
    async with k6.K6CloudClient(token, stack, base_url=fake.base_url) as client:
        with pytest.raises(error):
            await call(client)


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_every_operation_maps_500_and_retries_it(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, operation: str
) -> None:
    schedule = await client.schedules.set(test_id, starts=now(fake), cron=DAILY)
    assert schedule.id == 1
    fake.inject(Fault.status(500), path="/cloud/v6/*schedule*", times=UNTIL_REMOVED)
    call = dict(_every_operation(test_id, now(fake)))[operation]

    with pytest.raises(k6.ServerError) as caught:
        await call(client.with_options(max_retries=1))

    assert caught.value.status == 500
    assert caught.value.attempts == 2  # every schedules operation is safe to repeat


# -- retries ----------------------------------------------------------------------------------


async def test_set_is_replayed_after_a_lost_response_and_leaves_one_schedule(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    fake.inject(Fault.after_processing(Fault.reset()), method="POST")

    schedule = await client.schedules.set(test_id, starts=now(fake), recurrence=EVERY_TWO_HOURS)

    fake.assert_called("POST", f"/cloud/v6/load_tests/{test_id}/schedule", times=2)
    assert [s async for s in client.schedules.list()] == [schedule]


async def test_a_delete_whose_response_was_lost_succeeds_on_its_retry(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=now(fake), cron=DAILY)
    fake.inject(Fault.after_processing(Fault.status(503)), method="DELETE")

    await client.schedules.delete(schedule.id)

    fake.assert_called("DELETE", f"/cloud/v6/schedules/{schedule.id}", times=2)


async def test_activate_is_retried_after_a_503(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=now(fake), cron=DAILY)
    await client.schedules.deactivate(schedule.id)
    fake.inject(Fault.status(503), method="POST", path="*/activate")

    await client.schedules.activate(schedule.id)

    assert (await client.schedules.get(schedule.id)).deactivated is False
    fake.assert_all_faults_used()


async def test_per_call_timeout_and_max_retries_apply(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    fake.inject(Fault.status(503), times=UNTIL_REMOVED)

    with pytest.raises(k6.ServerError) as caught:
        await client.schedules.for_test(test_id, timeout=5, max_retries=0)

    assert caught.value.attempts == 1


# -- decoding ---------------------------------------------------------------------------------


async def test_unknown_frequency_and_weekdays_from_the_server_decode(
    canned: Any, canned_client: k6.K6CloudClient
) -> None:
    rule = {"frequency": "MINUTELY", "interval": 5, "byday": ["XX"], "until": None, "count": None}
    canned.json("/cloud/v6/schedules/7", _schedule_body(7, recurrence_rule=rule))

    schedule = await canned_client.schedules.get(7)

    assert schedule.recurrence_rule == k6.RecurrenceRule("MINUTELY", 5, ["XX"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deactivated": "no"}, "$.deactivated"),
        ({"cron": {"schedule": "@daily"}}, "$.cron.time_zone"),
        ({"recurrence_rule": {"interval": 2}}, "$.recurrence_rule.frequency"),
        ({"next_run": 5}, "$.next_run"),
    ],
)
async def test_a_malformed_schedule_is_a_decode_error_naming_the_field(
    canned: Any, canned_client: k6.K6CloudClient, change: dict[str, Any], field: str
) -> None:
    canned.json("/cloud/v6/load_tests/3/schedule", _schedule_body(9, **change))

    with pytest.raises(k6.ResponseDecodeError) as caught:
        await canned_client.schedules.for_test(3)

    assert caught.value.field == field


def _schedule_body(schedule_id: int, **changes: Any) -> dict[str, Any]:
    body = {
        "id": schedule_id,
        "load_test_id": 3,
        "deactivated": False,
        "starts": "2024-07-16T08:46:04.021Z",
        "recurrence_rule": None,
        "cron": None,
        "next_run": None,
        "created_by": None,
    }
    body.update(changes)
    return body


# -- the fake's own strictness, seen by a plain HTTP client -----------------------------------


async def _post_schedule(fake: FakeK6Cloud, test_id: int, body: Any, **headers: str) -> Any:
    url = f"{fake.base_url}/cloud/v6/load_tests/{test_id}/schedule"
    auth = {"Authorization": f"Bearer {fake.token}", "X-Stack-Id": str(fake.stack_id)}
    async with aiohttp.ClientSession() as session:
        if isinstance(body, bytes):
            response = await session.post(url, data=body, headers={**auth, **headers})
        else:
            response = await session.post(url, json=body, headers={**auth, **headers})
        async with response:
            return response.status, await response.json()


STARTS = "2030-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("body", "target"),
    [
        ({}, "starts"),
        ({"starts": "2030-01-01T00:00:00"}, "starts"),
        ({"starts": "tomorrow"}, "starts"),
        ({"starts": STARTS, "repeat": True}, "repeat"),
        (
            {
                "starts": STARTS,
                "cron": {"schedule": "@daily", "time_zone": "UTC"},
                "recurrence_rule": {"frequency": "DAILY"},
            },
            "cron",
        ),
        ({"starts": STARTS, "cron": {"schedule": "0 0 * *", "time_zone": "UTC"}}, "cron.schedule"),
        (
            {"starts": STARTS, "cron": {"schedule": "@daily", "time_zone": "Nowhere"}},
            "cron.time_zone",
        ),
        ({"starts": STARTS, "cron": {"schedule": "@daily"}}, "cron.time_zone"),
        (
            {"starts": STARTS, "recurrence_rule": {"frequency": "SECONDLY"}},
            "recurrence_rule.frequency",
        ),
        (
            {"starts": STARTS, "recurrence_rule": {"frequency": "DAILY", "interval": 0}},
            "recurrence_rule.interval",
        ),
        (
            {"starts": STARTS, "recurrence_rule": {"frequency": "DAILY", "byday": ["MO"]}},
            "recurrence_rule.byday",
        ),
        (
            {"starts": STARTS, "recurrence_rule": {"frequency": "WEEKLY", "byday": [{}]}},
            "recurrence_rule.byday",
        ),
        (
            {"starts": STARTS, "recurrence_rule": {"frequency": "DAILY", "until": "2030-02-01"}},
            "recurrence_rule.until",
        ),
        ({"starts": STARTS, "recurrence_rule": [1]}, "recurrence_rule"),
        ([STARTS], None),
    ],
)
async def test_the_fake_refuses_a_malformed_schedule_with_a_400(
    fake: FakeK6Cloud, test_id: int, body: dict[str, Any], target: str | None
) -> None:
    status, answer = await _post_schedule(fake, test_id, body)

    assert status == 400
    assert answer["error"]["code"] == "validation_error"
    assert answer["error"].get("target") == target


async def test_the_fake_wants_a_json_schedule(fake: FakeK6Cloud, test_id: int) -> None:
    status, answer = await _post_schedule(
        fake, test_id, b"starts=2030", **{"Content-Type": "text/plain"}
    )

    assert status == 415
    assert answer["error"]["code"] == "unsupported_media_type"


async def test_the_fake_schedules_listing_cannot_be_ordered(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    link = f"{fake.base_url}/cloud/v6/schedules?$orderby=id"

    with pytest.raises(k6.BadRequestError) as caught:
        [page async for page in client.schedules.pages(next_link=link)]

    assert caught.value.target == "$orderby"
