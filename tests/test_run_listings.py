"""Run listings as properties: any runs, any bounds, any page size, star and order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
#: Seconds after START; runs may share a second, and bounds may fall on a run exactly.
OFFSETS = st.lists(st.integers(min_value=0, max_value=120), max_size=25)
BOUND = st.none() | st.integers(min_value=-5, max_value=125)
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
)


def _when(offset: int | None, zone: timezone) -> datetime | None:
    return None if offset is None else (START + timedelta(seconds=offset)).astimezone(zone)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    offsets=OFFSETS,
    bounds=st.data(),
    zone=ZONES,
    page_size=st.integers(min_value=1, max_value=7),
    of_one_test=st.booleans(),
)
async def test_a_date_range_lists_exactly_the_runs_created_within_it(
    offsets: list[int],
    bounds: st.DataObject,
    zone: timezone,
    page_size: int,
    of_one_test: bool,
) -> None:
    # A bound is often the creation time of a run: [after, before) decides that run.
    bound = BOUND | st.sampled_from(offsets) if offsets else BOUND
    after, before = bounds.draw(bound, label="after"), bounds.draw(bound, label="before")
    async with FakeK6Cloud(clock_start=START) as fake:
        project = fake.add_project()
        tests = [fake.add_test(project, "a").id, fake.add_test(project, "b").id]
        created: dict[int, tuple[int, int]] = {}  # run id -> (offset, test id)
        for index, offset in enumerate(sorted(offsets)):
            fake.clock.set(START + timedelta(seconds=offset))
            test_id = tests[index % 2]
            created[fake.start_run(test_id).id] = (offset, test_id)
        test_id = tests[0] if of_one_test else None
        expected = [
            run_id
            for run_id, (offset, owner) in created.items()
            if (test_id is None or owner == test_id)
            and (after is None or offset >= after)
            and (before is None or offset < before)
        ]
        async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
            pages = [
                page
                async for page in client.test_runs.pages(
                    test_id=test_id,
                    created_after=_when(after, zone),
                    created_before=_when(before, zone),
                    page_size=page_size,
                    count=True,
                )
            ]
    assert [run.id for page in pages for run in page.items] == expected
    assert all(page.count == len(expected) for page in pages)
    assert len(pages) == max(1, -(-len(expected) // page_size))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    runs=st.lists(st.tuples(st.integers(0, 60), st.booleans()), max_size=20),
    is_starred=st.none() | st.booleans(),
    descending=st.none() | st.booleans(),
    page_size=st.integers(min_value=1, max_value=6),
)
async def test_a_tests_runs_filter_by_star_and_order_by_created(
    runs: list[tuple[int, bool]],
    is_starred: bool | None,
    descending: bool | None,
    page_size: int,
) -> None:
    async with FakeK6Cloud(clock_start=START) as fake:
        project = fake.add_project()
        test_id = fake.add_test(project, "a").id
        other = fake.add_test(project, "b").id
        facts: dict[int, tuple[datetime, bool]] = {}
        async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
            for offset, starred in runs:
                fake.clock.set(START + timedelta(seconds=offset))
                run_id = fake.start_run(test_id).id
                fake.start_run(other)  # never listed
                if starred:
                    await client.test_runs.star(run_id)
                facts[run_id] = (START + timedelta(seconds=offset), starred)
            order = None if descending is None else "created desc" if descending else "created"
            listed = [
                run.id
                async for run in client.test_runs.list(
                    test_id=test_id, is_starred=is_starred, order_by=order, page_size=page_size
                )
            ]
    expected = [i for i, (_, starred) in facts.items() if is_starred in (None, starred)]
    expected.sort()  # ties by ascending id, as the API's listings
    if descending is not None:
        expected.sort(key=lambda i: facts[i][0], reverse=descending)
    assert listed == expected
