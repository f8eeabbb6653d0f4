"""Property tests of the projects listings: any size, page size, filter and ordering."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud

ORDER_TERMS = st.lists(st.sampled_from(["created", "name"]), unique=True, max_size=2).flatmap(
    lambda fields: st.tuples(*[st.sampled_from([f, f"{f} desc"]) for f in fields]).map(list)
)
NAMES = ["alpha", "Beta", "gamma", "ALPHA two", "beta-2", "Gamma ray", "delta"]


def _expected(projects: list[k6.Project], search: str | None, order: list[str]) -> list[int]:
    found = [p for p in projects if search is None or search.casefold() in p.name.casefold()]
    found.sort(key=lambda p: p.id)
    for term in reversed(order):
        field, _, direction = term.partition(" ")
        found.sort(key=lambda p: getattr(p, field), reverse=direction == "desc")
    return [p.id for p in found]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    size=st.integers(min_value=0, max_value=30),
    page_size=st.integers(min_value=1, max_value=9),
    order=ORDER_TERMS,
    search=st.none() | st.sampled_from(["a", "ALPHA", "beta", "ray", "zzz"]),
    same_time=st.booleans(),
)
async def test_list_and_pages_yield_exactly_the_expected_projects_in_order(
    size: int, page_size: int, order: list[str], search: str | None, same_time: bool
) -> None:
    async with FakeK6Cloud() as fake:
        for index in range(size):
            fake.add_project(f"{NAMES[index % len(NAMES)]} {index // len(NAMES)}")
            if not same_time:  # else every tie on created is broken by id
                fake.clock.advance(1)
        everything = [fake.get_project(i) for i in fake.projects]
        expected = _expected([p for p in everything if p is not None], search, order)
        async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
            listed = [
                p.id
                async for p in client.projects.list(
                    name_search=search, order_by=order or None, page_size=page_size
                )
            ]
            pages = [
                page
                async for page in client.projects.pages(
                    name_search=search,
                    order_by=",".join(order) or None,
                    page_size=page_size,
                    count=True,
                )
            ]
    assert listed == expected
    assert [p.id for page in pages for p in page.items] == expected
    assert all(page.count == len(expected) for page in pages)
    assert len(pages) == max(1, -(-len(expected) // page_size))
    assert pages[-1].next_link is None


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    size=st.integers(min_value=0, max_value=70),
    page_size=st.integers(min_value=1, max_value=40),
    wanted=st.none() | st.lists(st.integers(min_value=1, max_value=80), max_size=70),
)
async def test_list_limits_yields_each_wanted_project_once_in_id_order(
    size: int, page_size: int, wanted: list[int] | None
) -> None:
    async with FakeK6Cloud() as fake:
        ids = [fake.add_project() for _ in range(size)]
        expected = ids if wanted is None else sorted(set(wanted) & set(ids))
        async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
            listed = [
                item.project_id
                async for item in client.projects.list_limits(
                    project_ids=wanted, page_size=page_size
                )
            ]
        sent = [r.query.get("project_id_in") for r in fake.requests]
    assert listed == expected
    asked = [] if wanted is None else sorted(set(wanted))
    if wanted is not None:
        assert all(len(group.split(",")) <= 30 for group in sent if group is not None)
        assert sorted({int(i) for group in sent if group for i in group.split(",")}) == asked
    assert bool(sent) == (wanted is None or bool(wanted))


@pytest.mark.parametrize("order_by", ["created desc,name", ["created desc", "name"]])
async def test_the_documented_order_example_is_sent_as_is(
    fake: FakeK6Cloud, client: k6.K6CloudClient, order_by: str | list[str]
) -> None:
    [p async for p in client.projects.list(order_by=order_by)]

    assert fake.requests[0].query["$orderby"] == "created desc,name"
