"""FakeK6Cloud starts the runs its schedules promise as its clock reaches them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud
from k6cloud_async.testing._next_run import CATCH_UP_LIMIT, occurrences_due

MONDAY = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)  # the fake clock's default start
NIGHTLY = k6.ScheduleCron("0 0 * * *", "UTC")
EVERY_MINUTE = k6.ScheduleCron("* * * * *", "UTC")


@pytest.fixture
def test_id(fake: FakeK6Cloud, project: int) -> int:
    return fake.add_test(project, "Nightly soak").id


async def runs_of(client: k6.K6CloudClient, test_id: int) -> list[k6.TestRun]:
    runs = [run async for run in client.test_runs.list(test_id=test_id)]
    return sorted(runs, key=lambda run: run.id)


# -- cron schedules ---------------------------------------------------------------------------


async def test_the_nightly_run_starts_when_the_clock_reaches_midnight(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, project: int
) -> None:
    assert fake.clock.now() == MONDAY
    schedule = await client.schedules.set(test_id, starts=MONDAY, cron=NIGHTLY)
    assert await runs_of(client, test_id) == []

    fake.clock.advance(15 * 3600)  # Tuesday, 00:00

    [run] = await runs_of(client, test_id)
    midnight = datetime(2025, 1, 7, tzinfo=UTC)
    assert (run.test_id, run.project_id, run.status, run.ended) == (
        test_id,
        project,
        "created",
        None,
    )
    assert run.created == midnight == run.status_history[0].entered
    assert run.retention_expiry == midnight + timedelta(days=30)
    assert (await client.schedules.get(schedule.id)).next_run == midnight + timedelta(days=1)


async def test_a_scheduled_run_has_the_shape_of_a_started_one_and_its_scripted_outcome(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    fake.set_run_outcome(test_id=test_id, result="failed", steps=1)
    await client.schedules.set(test_id, starts=MONDAY, cron=NIGHTLY)
    fake.clock.advance(15 * 3600 + 60)
    started = await client.load_tests.start(test_id)

    scheduled, by_hand = (await runs_of(client, test_id))[0], await client.test_runs.get(started.id)

    assert scheduled.created == datetime(2025, 1, 7, tzinfo=UTC)
    assert scheduled.started_by == by_hand.started_by
    assert scheduled.distribution == by_hand.distribution
    assert scheduled.k6_versions == by_hand.k6_versions
    assert fake.script_of_run(scheduled.id) == fake.script_of(test_id)
    polled = await client.test_runs.get(scheduled.id)
    assert (
        (polled.status, polled.result)
        == (by_hand.status, by_hand.result)
        == ("completed", "failed")
    )


async def test_runs_are_visible_to_the_helpers_as_soon_as_the_clock_moved(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    await client.schedules.set(test_id, starts=MONDAY, cron=NIGHTLY)

    fake.clock.set(datetime(2025, 1, 9, 12, tzinfo=UTC))

    assert [run.created.day for run in fake.runs] == [7, 8, 9]
    schedule = fake.schedule_of(test_id)
    assert schedule is not None
    assert schedule.next_run == datetime(2025, 1, 10, tzinfo=UTC)


async def test_a_cron_in_a_time_zone_starts_at_its_local_time(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    cron = k6.ScheduleCron("0 7 * * 1", "Europe/Berlin")  # Mondays, 07:00 in Berlin
    await client.schedules.set(test_id, starts=MONDAY, cron=cron)

    fake.clock.advance(7 * 24 * 3600)

    [run] = await runs_of(client, test_id)
    assert run.created == datetime(2025, 1, 13, 6, tzinfo=UTC)
    assert run.created.utcoffset() == timedelta(0)
    assert [r.created.tzinfo for r in fake.runs] == [UTC]  # stored in UTC, like every timestamp


# -- recurrence rules and one-off schedules ---------------------------------------------------


async def test_a_recurrence_starts_one_run_per_occurrence_in_order(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    starts = MONDAY + timedelta(minutes=30)
    rule = k6.RecurrenceRule("HOURLY", interval=2)
    schedule = await client.schedules.set(test_id, starts=starts, recurrence=rule)

    fake.clock.advance(5 * 3600)

    runs = await runs_of(client, test_id)
    assert [run.created for run in runs] == [starts + timedelta(hours=h) for h in (0, 2, 4)]
    assert (await client.schedules.get(schedule.id)).next_run == starts + timedelta(hours=6)


async def test_an_ended_recurrence_starts_nothing_more_and_has_no_next_run(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    rule = k6.RecurrenceRule("DAILY", count=2)
    schedule = await client.schedules.set(
        test_id, starts=MONDAY + timedelta(hours=1), recurrence=rule
    )

    fake.clock.advance(10 * 24 * 3600)
    expired = await client.schedules.get(schedule.id)
    fake.clock.advance(10 * 24 * 3600)

    assert expired.next_run is None
    assert len(await runs_of(client, test_id)) == 2
    with pytest.raises(k6.ConflictError):
        await client.schedules.activate(schedule.id)


async def test_a_one_off_schedule_starts_one_run_at_its_time(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    starts = MONDAY + timedelta(hours=1)
    schedule = await client.schedules.set(test_id, starts=starts)

    fake.clock.advance(1800)
    assert await runs_of(client, test_id) == []
    fake.clock.advance(7200)

    assert [run.created for run in await runs_of(client, test_id)] == [starts]
    assert (await client.schedules.get(schedule.id)).next_run is None


async def test_a_schedule_due_at_the_current_time_starts_its_run_when_set(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    rule = k6.RecurrenceRule("DAILY")

    schedule = await client.schedules.set(test_id, starts=MONDAY, recurrence=rule)

    assert schedule.next_run == MONDAY + timedelta(days=1)
    assert [run.created for run in await runs_of(client, test_id)] == [MONDAY]


async def test_schedules_of_several_tests_start_their_runs_in_time_order(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    hourly, nightly = fake.add_test(project, "hourly"), fake.add_test(project, "nightly")
    await client.schedules.set(nightly.id, starts=MONDAY, cron=NIGHTLY)
    await client.schedules.set(
        hourly.id, starts=MONDAY + timedelta(minutes=1), recurrence=k6.RecurrenceRule("HOURLY")
    )

    fake.clock.advance(16 * 3600)

    runs = sorted([run async for run in client.test_runs.list()], key=lambda run: run.id)
    assert [run.created for run in runs] == sorted(run.created for run in runs)
    assert len(runs) == 17
    assert [run.test_id for run in runs if run.created.minute == 0] == [nightly.id]


# -- a big advance ------------------------------------------------------------------------------


async def test_a_big_advance_starts_only_the_latest_runs_a_schedule_missed(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(
        test_id, starts=MONDAY + timedelta(seconds=30), cron=EVERY_MINUTE
    )

    fake.clock.advance(365 * 24 * 3600 + 30)  # 525,600 occurrences

    now = fake.clock.now()
    runs = await runs_of(client, test_id)
    assert len(runs) == CATCH_UP_LIMIT == 100
    latest = now.replace(second=0)
    assert [run.created for run in runs] == [
        latest - timedelta(minutes=CATCH_UP_LIMIT - 1 - n) for n in range(CATCH_UP_LIMIT)
    ]
    assert (await client.schedules.get(schedule.id)).next_run == latest + timedelta(minutes=1)


def test_occurrences_due_bisects_to_the_latest_occurrences_of_a_dense_rule() -> None:
    start, step = MONDAY, timedelta(microseconds=7)

    def following(moment: datetime) -> datetime:
        return start + step * -((start - moment) // step) if moment > start else start

    now = start + timedelta(hours=1)
    moments, after = occurrences_due(following, start, now, limit=5)

    last = following(now + timedelta(microseconds=1)) - step
    assert moments == [last - step * n for n in range(4, -1, -1)]
    assert after == last + step
    assert occurrences_due(following, start, start + step * 4, limit=5) == (
        [start + step * n for n in range(5)],
        start + step * 5,
    )


# -- deactivated schedules --------------------------------------------------------------------


async def test_a_deactivated_schedule_starts_nothing_and_activating_replays_nothing(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=MONDAY, cron=NIGHTLY)
    await client.schedules.deactivate(schedule.id)

    fake.clock.advance(3 * 24 * 3600)  # three midnights pass
    deactivated = await client.schedules.get(schedule.id)
    await client.schedules.activate(schedule.id)
    after_activation = await runs_of(client, test_id)
    fake.clock.advance(24 * 3600)

    assert deactivated.next_run == datetime(2025, 1, 10, tzinfo=UTC)  # the rule goes on
    assert after_activation == []
    assert [run.created for run in await runs_of(client, test_id)] == [
        datetime(2025, 1, 10, tzinfo=UTC)
    ]


async def test_a_deleted_schedule_starts_nothing(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=MONDAY, cron=NIGHTLY)
    await client.schedules.delete(schedule.id)

    fake.clock.advance(3 * 24 * 3600)

    assert await runs_of(client, test_id) == []


# -- how the clock moves ------------------------------------------------------------------------


async def test_the_sleeps_of_a_driven_wait_start_the_runs_they_pass(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int, project: int
) -> None:
    other = fake.add_test(project, "every ten minutes")
    fake.set_run_outcome(test_id=test_id, duration=3600)
    run = await client.load_tests.start(test_id)
    every_ten = k6.ScheduleCron("*/10 * * * *", "UTC")
    await client.schedules.set(other.id, starts=MONDAY + timedelta(seconds=1), cron=every_ten)

    with fake.clock.driving_waits():
        await client.test_runs.wait(run.id)

    marks = [MONDAY + timedelta(minutes=10 * n) for n in range(1, 13)]
    assert fake.clock.now() >= MONDAY + timedelta(hours=1)  # the wait slept an hour or more
    assert [r.created for r in fake.runs if r.test_id == other.id] == [
        mark for mark in marks if mark <= fake.clock.now()
    ]


async def test_moving_the_clock_back_neither_undoes_nor_repeats_runs(
    fake: FakeK6Cloud, client: k6.K6CloudClient, test_id: int
) -> None:
    schedule = await client.schedules.set(test_id, starts=MONDAY, cron=NIGHTLY)
    fake.clock.advance(24 * 3600)

    fake.clock.set(MONDAY)
    behind = await client.schedules.get(schedule.id)
    fake.clock.advance(24 * 3600)

    assert behind.next_run == datetime(2025, 1, 8, tzinfo=UTC)
    assert [run.created for run in await runs_of(client, test_id)] == [
        datetime(2025, 1, 7, tzinfo=UTC)
    ]
