"""Properties of schedules: the listing, the checks of set(), and the fake's next runs.

The fake's next runs are compared with two independent implementations: cronsim for cron
expressions and python-dateutil's rrule for recurrence rules (RFC 5545).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cronsim import CronSim
from dateutil import rrule
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import k6cloud_async as k6
from k6cloud_async._cron import parse_cron
from k6cloud_async._models_schedules import FREQUENCIES, WEEKDAYS
from k6cloud_async.testing import FakeK6Cloud
from k6cloud_async.testing._next_run import next_cron_run, next_recurrence

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@contextlib.asynccontextmanager
async def _fake_and_client() -> Any:
    async with (
        FakeK6Cloud() as fake,
        k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client,
    ):
        yield fake, client


# -- the listing ------------------------------------------------------------------------------


@PROPERTY
@given(size=st.integers(0, 30), page_size=st.integers(1, 12), deleted=st.sets(st.integers(0, 29)))
async def test_list_and_pages_yield_every_schedule_by_id(
    size: int, page_size: int, deleted: set[int]
) -> None:
    async with _fake_and_client() as (fake, client):
        project = fake.add_project()
        ids = []
        for index in range(size):
            test = fake.add_test(project, f"t{index}")
            schedule = await client.schedules.set(test.id, starts=fake.clock.now())
            ids.append(schedule.id)
        for index in sorted(deleted):
            if index < size:
                await client.schedules.delete(ids[index])
        expected = [sid for index, sid in enumerate(ids) if index not in deleted]

        listed = [s.id async for s in client.schedules.list(page_size=page_size)]
        pages = [p async for p in client.schedules.pages(page_size=page_size, count=True)]

    assert listed == expected
    assert [s.id for page in pages for s in page.items] == expected
    assert len(pages) == max(1, -(-len(expected) // page_size))
    assert all(page.count == len(expected) for page in pages)
    assert pages[-1].next_link is None


# -- the checks of set() ----------------------------------------------------------------------

CRON_FIELD_VALUES = [(0, 59), (0, 23), (1, 28), (1, 12), (0, 7)]


@st.composite
def cron_fields(draw: st.DrawFn) -> str:
    parts = []
    for low, high in CRON_FIELD_VALUES:
        kind = draw(st.sampled_from(["star", "value", "range", "step", "list"]))
        a, b = sorted(draw(st.lists(st.integers(low, high), min_size=2, max_size=2)))
        match kind:
            case "star":
                parts.append("*")
            case "value":
                parts.append(str(a))
            case "range":
                parts.append(f"{a}-{b}")
            case "step":
                parts.append(f"*/{draw(st.integers(1, 20))}")
            case _:
                parts.append(f"{a},{b}")
    return " ".join(parts)


VALID_CRONS = cron_fields() | st.sampled_from(
    ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly", "0 7 * * MON-FRI"]
)
ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])


@st.composite
def valid_rules(draw: st.DrawFn) -> k6.RecurrenceRule:
    frequency = draw(st.sampled_from(FREQUENCIES))
    byday = None
    if frequency == "WEEKLY" and draw(st.booleans()):
        byday = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    end = draw(st.sampled_from(["never", "count", "until"]))
    return k6.RecurrenceRule(
        frequency=frequency,
        interval=draw(st.integers(1, 50)),
        byday=byday,
        count=draw(st.integers(1, 30)) if end == "count" else None,
        until=draw(MOMENTS) if end == "until" else None,
    )


VALID_SCHEDULES = st.one_of(
    st.builds(lambda cron, zone: {"cron": k6.ScheduleCron(cron, zone)}, VALID_CRONS, ZONES),
    st.builds(lambda rule: {"recurrence": rule}, valid_rules()),
    st.just({}),
)


@PROPERTY
@given(keywords=VALID_SCHEDULES, starts=MOMENTS)
async def test_valid_schedules_are_sent_and_accepted(
    keywords: dict[str, Any], starts: datetime
) -> None:
    async with _fake_and_client() as (fake, client):
        test = fake.add_test(fake.add_project(), "t")

        schedule = await client.schedules.set(test.id, starts=starts, **keywords)

    assert schedule.starts == starts
    assert schedule.cron == keywords.get("cron")
    assert schedule.recurrence_rule == keywords.get("recurrence")


def _rule(**changes: Any) -> k6.RecurrenceRule:
    fields: dict[str, Any] = {"frequency": "WEEKLY", "interval": 1}
    fields.update(changes)
    return k6.RecurrenceRule(**fields)


AWARE = datetime(2030, 1, 1, tzinfo=UTC)

#: (keywords of set(), the error, the argument its message names)
INVALID_SCHEDULES: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"starts": datetime(2030, 1, 1)}, ValueError, "starts"),
    ({"starts": "2030-01-01T00:00:00Z"}, TypeError, "starts"),
    (
        {"cron": k6.ScheduleCron("@daily", "UTC"), "recurrence": _rule()},
        ValueError,
        "cron= or recurrence=",
    ),
    ({"cron": "0 0 * * *"}, TypeError, "cron"),
    ({"cron": k6.ScheduleCron("0 0 * *", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("0 0 * * * *", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("60 0 * * *", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("0 24 * * *", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("0 0 0 * *", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("0 0 * 13 *", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("0 0 * * 8", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("0 0 31 2 *", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("*/0 0 * * *", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("5-1 0 * * *", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("@midnight", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("0 0 L * *", "UTC")}, ValueError, "cron.schedule"),
    ({"cron": k6.ScheduleCron("0 0 * * *", "Mars/Olympus")}, ValueError, "cron.time_zone"),
    ({"cron": k6.ScheduleCron("0 0 * * *", "../etc/passwd")}, ValueError, "cron.time_zone"),
    ({"cron": k6.ScheduleCron("0 0 * * *", "")}, ValueError, "cron.time_zone"),
    ({"cron": k6.ScheduleCron(5, "UTC")}, TypeError, "cron.schedule"),  # type: ignore[arg-type]
    ({"cron": k6.ScheduleCron("0 0 * * *", None)}, TypeError, "cron.time_zone"),  # type: ignore[arg-type]
    ({"recurrence": {"frequency": "DAILY"}}, TypeError, "recurrence"),
    ({"recurrence": _rule(frequency="MINUTELY")}, ValueError, "recurrence.frequency"),
    ({"recurrence": _rule(frequency="weekly")}, ValueError, "recurrence.frequency"),
    ({"recurrence": _rule(interval=0)}, ValueError, "recurrence.interval"),
    ({"recurrence": _rule(interval=True)}, TypeError, "recurrence.interval"),
    ({"recurrence": _rule(count=0)}, ValueError, "recurrence.count"),
    ({"recurrence": _rule(count=2.0)}, TypeError, "recurrence.count"),
    ({"recurrence": _rule(until=datetime(2030, 1, 1))}, ValueError, "recurrence.until"),
    ({"recurrence": _rule(count=3, until=AWARE)}, ValueError, "count or until"),
    ({"recurrence": _rule(byday=["SA", "XX"])}, ValueError, "recurrence.byday"),
    ({"recurrence": _rule(byday=["sa"])}, ValueError, "recurrence.byday"),
    ({"recurrence": _rule(byday="SA")}, TypeError, "recurrence.byday"),
    ({"recurrence": _rule(byday=[])}, ValueError, "recurrence.byday"),
    ({"recurrence": _rule(byday=["SA", "SA"])}, ValueError, "recurrence.byday"),
    ({"recurrence": _rule(frequency="DAILY", byday=["SA"])}, ValueError, "recurrence.byday"),
]


@pytest.mark.parametrize(
    ("keywords", "error", "argument"),
    INVALID_SCHEDULES,
    ids=[f"{i}-{case[2]}" for i, case in enumerate(INVALID_SCHEDULES)],
)
async def test_an_invalid_schedule_is_refused_before_any_request(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    keywords: dict[str, Any],
    error: type[Exception],
    argument: str,
) -> None:
    keywords = {"starts": AWARE, **keywords}

    with pytest.raises(error, match=argument.replace(".", r"\.")):
        await client.schedules.set(1, **keywords)

    assert fake.requests == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.schedules.get(0),
        lambda c: c.schedules.get(True),
        lambda c: c.schedules.for_test("1"),
        lambda c: c.schedules.set(-1, starts=AWARE),
        lambda c: c.schedules.delete(1.5),
        lambda c: c.schedules.activate(None),
        lambda c: c.schedules.deactivate(0),
        lambda c: c.schedules.get(1, max_retries=-1),
        lambda c: c.schedules.get(1, timeout="soon"),
    ],
    ids=[
        "get",
        "get bool",
        "for_test",
        "set",
        "delete",
        "activate",
        "deactivate",
        "retries",
        "timeout",
    ],
)
async def test_bad_ids_and_options_are_refused_before_any_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient, call: Any
) -> None:
    with pytest.raises((TypeError, ValueError)):
        await call(client)
    assert fake.requests == []


@pytest.mark.parametrize(
    "keywords", [{"page_size": 0}, {"page_size": 1001}, {"count": "yes"}, {"next_link": 5}]
)
async def test_bad_listing_arguments_are_refused_before_any_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient, keywords: dict[str, Any]
) -> None:
    with pytest.raises((TypeError, ValueError)):
        [page async for page in client.schedules.pages(**keywords)]
    assert fake.requests == []


def _mutations(rule: k6.RecurrenceRule) -> Iterator[tuple[str, k6.RecurrenceRule]]:
    yield "frequency", k6.RecurrenceRule(rule.frequency.lower(), rule.interval)
    yield "interval", k6.RecurrenceRule(rule.frequency, -rule.interval)
    yield "count", k6.RecurrenceRule(rule.frequency, rule.interval, count=-(rule.count or 1))
    yield "until", k6.RecurrenceRule(rule.frequency, rule.interval, until=datetime(2030, 1, 1))


@PROPERTY
@given(rule=valid_rules(), which=st.integers(0, 3))
async def test_a_rule_made_invalid_is_refused_before_any_request(
    rule: k6.RecurrenceRule, which: int
) -> None:
    name, broken = list(_mutations(rule))[which]
    async with _fake_and_client() as (fake, client):
        with pytest.raises(ValueError, match=f"recurrence.{name}"):
            await client.schedules.set(1, starts=AWARE, recurrence=broken)
        assert fake.requests == []


# -- the fake's next runs, against independent implementations ------------------------------


@settings(max_examples=200, deadline=None)
@given(expression=cron_fields(), after=MOMENTS)
def test_next_cron_run_agrees_with_cronsim_in_utc(expression: str, after: datetime) -> None:
    expected = next(iter(CronSim(expression, after - timedelta(microseconds=1))), None)

    found = next_cron_run(parse_cron(expression), ZoneInfo("UTC"), after)

    assert found == expected


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("0 0 * * *", "2024-07-16T08:46:04.021Z", "2024-07-17T00:00:00Z"),  # OpenAPI: Hourly
        ("0 7 * * 1", "2024-07-16T08:46:04.021Z", "2024-07-22T07:00:00Z"),  # 7amOnMonday
        ("0 0 * * *", "2024-07-17T00:00:00Z", "2024-07-17T00:00:00Z"),  # at the minute itself
        ("0 0 1,15 * 5", "2024-07-06T00:00:00Z", "2024-07-12T00:00:00Z"),  # day OR weekday
        ("0 0 */2 * 5", "2024-07-06T00:00:00Z", "2024-07-19T00:00:00Z"),  # a star: day AND weekday
        ("0 0 29 2 *", "2025-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
    ],
)
def test_next_cron_run_examples(expression: str, after: str, expected: str) -> None:
    found = next_cron_run(parse_cron(expression), ZoneInfo("UTC"), datetime.fromisoformat(after))
    assert found == datetime.fromisoformat(expected)


def test_a_cron_time_skipped_by_daylight_saving_runs_the_next_day() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    after = datetime(2025, 3, 30, 0, 0, tzinfo=UTC)  # 01:00 in Berlin; 02:00-03:00 is skipped

    found = next_cron_run(parse_cron("30 2 * * *"), berlin, after)

    assert found == datetime(2025, 3, 31, 2, 30, tzinfo=berlin)


_RRULE_FREQUENCIES = {
    "HOURLY": rrule.HOURLY,
    "DAILY": rrule.DAILY,
    "WEEKLY": rrule.WEEKLY,
    "MONTHLY": rrule.MONTHLY,
    "YEARLY": rrule.YEARLY,
}
_RRULE_DAYS = dict(zip(WEEKDAYS, rrule.weekdays, strict=True))

STARTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
).map(
    # dateutil drops a start's microseconds (the API keeps them) and skips the months too
    # short for its day (the API runs on their last day): starts it reads as the API does.
    lambda moment: moment.replace(microsecond=0, day=min(moment.day, 28))
)


@settings(max_examples=300, deadline=None)
@given(rule=valid_rules(), starts=STARTS, later=st.timedeltas(timedelta(0), timedelta(days=900)))
def test_next_recurrence_agrees_with_dateutil(
    rule: k6.RecurrenceRule, starts: datetime, later: timedelta
) -> None:
    assume(rule.frequency != "HOURLY" or later < timedelta(days=60))
    now = starts + later
    reference = rrule.rrule(
        _RRULE_FREQUENCIES[rule.frequency],
        dtstart=starts,
        interval=rule.interval,
        byweekday=None if rule.byday is None else [_RRULE_DAYS[d] for d in rule.byday],
        count=rule.count,
        until=rule.until,
        cache=False,
    )

    found = next_recurrence(rule, starts, now)

    assert found == reference.after(now, inc=True)


def test_a_monthly_rule_on_the_31st_runs_on_the_last_day_of_shorter_months() -> None:
    starts = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)
    rule = k6.RecurrenceRule("MONTHLY")

    found = next_recurrence(rule, starts, datetime(2025, 2, 1, tzinfo=UTC))

    assert found == datetime(2025, 2, 28, 12, 0, tzinfo=UTC)


def test_a_recurrence_keeps_the_offset_of_its_start() -> None:
    starts = datetime(2025, 1, 6, 8, 0, tzinfo=timezone(timedelta(hours=2)))

    found = next_recurrence(k6.RecurrenceRule("DAILY"), starts, datetime(2025, 1, 8, tzinfo=UTC))

    assert found == datetime(2025, 1, 8, 6, 0, tzinfo=UTC)


def test_weekdays_before_the_start_do_not_count_towards_count() -> None:
    starts = datetime(2025, 1, 8, 9, 0, tzinfo=UTC)  # a Wednesday
    rule = k6.RecurrenceRule("WEEKLY", byday=["MO", "FR"], count=2)

    after_friday = next_recurrence(rule, starts, datetime(2025, 1, 11, tzinfo=UTC))
    after_monday = next_recurrence(rule, starts, datetime(2025, 1, 14, tzinfo=UTC))

    assert after_friday == datetime(2025, 1, 13, 9, 0, tzinfo=UTC)  # the second run
    assert after_monday is None


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # A day of the month that must also be a weekday (the weekday field has a star):
        # May 1st is a Sunday in 2022 and next in 2033.
        ("* * 1 5 */7", "2022-05-02T00:00:00Z", "2033-05-01T00:00:00Z"),
        # February 29th on a Sunday: 2088, then 2128 (2100 is no leap year).
        ("0 0 29 2 */7", "2088-03-01T00:00:00Z", "2128-02-29T00:00:00Z"),
    ],
)
def test_next_cron_run_looks_decades_ahead(expression: str, after: str, expected: str) -> None:
    start = datetime.fromisoformat(after)
    found = next_cron_run(parse_cron(expression), ZoneInfo("UTC"), start)
    assert found == datetime.fromisoformat(expected)
    assert found == next(iter(CronSim(expression, start - timedelta(microseconds=1))), None)
