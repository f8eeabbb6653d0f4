"""Listings: list() and pages() follow @nextLink, read one page ahead, and never loop."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yarl import URL

import k6cloud_async as k6
from k6cloud_async._models import Page
from k6cloud_async._pagination import check_next_link
from k6cloud_async.testing import FakeK6Cloud, Fault
from tests.conftest import CannedServer, connections_in_use, until

ORIGIN = URL("https://api.k6.io")


def _load_test(test_id: int) -> dict[str, Any]:
    return {
        "id": test_id,
        "project_id": 1,
        "name": f"t{test_id}",
        "baseline_test_run_id": None,
        "created": "2024-12-03T09:53:00.553",
        "updated": "2024-12-03T09:53:00.553",
    }


def _expected(
    fake: FakeK6Cloud, project_id: int | None, name: str | None, order: list[str]
) -> list[int]:
    tests = [t for t in fake.tests if project_id is None or t.project_id == project_id]
    tests = [t for t in tests if name is None or t.name == name]
    tests.sort(key=lambda t: t.id)
    for term in reversed(order):
        field, _, direction = term.partition(" ")
        tests.sort(key=lambda t: getattr(t, field), reverse=direction == "desc")
    return [t.id for t in tests]


ORDER_TERMS = st.lists(
    st.sampled_from(["id", "project_id", "name", "created", "updated"]), unique=True, max_size=3
).flatmap(lambda fields: st.tuples(*[st.sampled_from([f, f"{f} desc"]) for f in fields]).map(list))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    size=st.integers(min_value=0, max_value=40),
    page_size=st.integers(min_value=1, max_value=12),
    order=ORDER_TERMS,
    in_project=st.booleans(),
    by_name=st.booleans(),
)
async def test_list_and_pages_yield_exactly_the_expected_tests_in_order(
    size: int, page_size: int, order: list[str], in_project: bool, by_name: bool
) -> None:
    async with FakeK6Cloud() as fake:
        projects = [fake.add_project(), fake.add_project()]
        for index in range(size):
            fake.add_test(projects[index % 2], f"name-{index // 2 % 7}-{index // 14}")
            fake.clock.advance(1)
        project_id = projects[0] if in_project else None
        name = "name-1-0" if by_name else None
        expected = _expected(fake, project_id, name, order)
        async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
            listed = [
                t.id
                async for t in client.load_tests.list(
                    project_id=project_id, name=name, order_by=order or None, page_size=page_size
                )
            ]
            pages = [
                page
                async for page in client.load_tests.pages(
                    project_id=project_id,
                    name=name,
                    order_by=",".join(order) or None,
                    page_size=page_size,
                    count=True,
                )
            ]
    assert listed == expected
    assert [t.id for page in pages for t in page.items] == expected
    assert all(page.count == len(expected) for page in pages)
    assert len(pages) == max(1, -(-len(expected) // page_size))
    assert all(len(page.items) <= page_size for page in pages)
    assert pages[-1].next_link is None


async def test_list_follows_next_links_page_after_page(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    for index in range(7):
        fake.add_test(project, f"t{index}")

    names = [t.name async for t in client.load_tests.list(page_size=3)]

    assert names == [f"t{index}" for index in range(7)]
    queries = [r.query for r in fake.requests]
    assert [q.get("$skip", "0") for q in queries] == ["0", "3", "6"]
    assert all(q["$top"] == "3" for q in queries)


async def test_the_project_listing_uses_the_project_path(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    fake.add_test(project, "a")
    other = fake.add_project()
    fake.add_test(other, "b")

    names = [t.name async for t in client.load_tests.list(project_id=other)]

    assert names == ["b"]
    assert fake.requests[-1].path == f"/cloud/v6/projects/{other}/load_tests"


async def test_listing_an_unknown_project_is_not_found(client: k6.K6CloudClient) -> None:
    with pytest.raises(k6.NotFoundError):
        [t async for t in client.load_tests.list(project_id=404)]


async def test_pages_report_count_and_next_link(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    for index in range(5):
        fake.add_test(project, f"t{index}")

    pages = [page async for page in client.load_tests.pages(page_size=2, count=True)]

    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert {p.count for p in pages} == {5}
    assert pages[0].next_link is not None
    assert URL(pages[0].next_link).query["$skip"] == "2"
    assert pages[-1].next_link is None


async def test_pages_resume_from_a_kept_next_link(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    for index in range(5):
        fake.add_test(project, f"t{index}")
    async with contextlib.aclosing(client.load_tests.pages(page_size=2)) as pages:
        first = await anext(pages)
    assert first.next_link is not None

    rest = [
        t.name
        async for page in client.load_tests.pages(next_link=first.next_link)
        for t in page.items
    ]

    assert rest == ["t2", "t3", "t4"]


async def test_resuming_with_filters_too_is_refused(client: k6.K6CloudClient) -> None:
    link = f"{client.base_url}cloud/v6/load_tests?$skip=2"
    with pytest.raises(ValueError, match="name"):
        client.load_tests.pages(next_link=link, name="x")
    with pytest.raises(ValueError, match="page_size"):
        client.load_tests.pages(next_link=link, page_size=5)


async def test_resuming_from_another_origin_is_refused(client: k6.K6CloudClient) -> None:
    with pytest.raises(ValueError, match="base URL"):
        client.load_tests.pages(next_link="https://elsewhere.example/cloud/v6/load_tests")


async def test_an_empty_listing_yields_one_empty_page(client: k6.K6CloudClient) -> None:
    pages = [page async for page in client.load_tests.pages()]
    assert [p.items for p in pages] == [[]]
    assert [t async for t in client.load_tests.list()] == []


async def test_list_reads_one_page_ahead_and_no_more(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    for index in range(10):
        fake.add_test(project, f"t{index}")

    def settled(requests: int) -> bool:
        """``requests`` or more were made, all answered, and their connections released."""
        answered = all(r.status is not None for r in fake.requests)
        return len(fake.requests) >= requests and answered and connections_in_use(client) == 0

    async with contextlib.aclosing(client.load_tests.pages(page_size=2)) as pages:
        await anext(pages)
        await until(lambda: settled(2))  # the read-ahead has finished
        assert len(fake.requests) == 2  # the page in hand plus one read ahead
        await anext(pages)
        await until(lambda: settled(3))
        assert len(fake.requests) == 3


async def test_closing_a_listing_early_cancels_the_read_ahead_and_releases_it(
    fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
) -> None:
    for index in range(6):
        fake.add_test(project, f"t{index}")

    async with contextlib.aclosing(client.load_tests.list(page_size=2)) as tests:
        first = await anext(tests)
        fake.inject(Fault.stall(5), method="GET", path="/cloud/v6/load_tests")
        await until(lambda: fake.in_flight == 1)  # the read-ahead is stalled in the server
        assert connections_in_use(client) == 1

    assert first.name == "t0"
    assert connections_in_use(client) == 0
    assert fake.requests[-1].status is None  # the stalled page was never answered


class TestMalformedListings:
    async def test_a_repeating_next_link_is_a_decode_error(
        self, canned: CannedServer, canned_client: k6.K6CloudClient
    ) -> None:
        loop = f"{canned.base_url}/cloud/v6/load_tests?$skip=1"
        canned.json("/cloud/v6/load_tests", {"value": [_load_test(1)], "@nextLink": loop})

        with pytest.raises(k6.ResponseDecodeError, match="repeats"):
            [t async for t in canned_client.load_tests.list()]
        assert len(canned.hits) == 2

    async def test_an_empty_page_with_a_next_link_is_a_decode_error(
        self, canned: CannedServer, canned_client: k6.K6CloudClient
    ) -> None:
        link = f"{canned.base_url}/cloud/v6/load_tests?$skip=0"
        canned.json("/cloud/v6/load_tests", {"value": [], "@nextLink": link})

        with pytest.raises(k6.ResponseDecodeError, match="empty page"):
            [t async for t in canned_client.load_tests.list()]
        assert len(canned.hits) == 1

    async def test_a_next_link_to_another_origin_is_refused_before_any_request(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        fake.add_test(project, "a")
        fake.inject(
            Fault.foreign_next_link("http://127.0.0.1:9/cloud/v6/load_tests?$skip=1"),
            method="GET",
            path="/cloud/v6/load_tests",
        )
        with pytest.raises(k6.ResponseDecodeError, match="another origin"):
            [t async for t in client.load_tests.list()]
        assert len(fake.requests) == 1

    async def test_a_listing_without_value_is_a_decode_error(
        self, canned: CannedServer, canned_client: k6.K6CloudClient
    ) -> None:
        canned.json("/cloud/v6/load_tests", {"items": []})
        with pytest.raises(k6.ResponseDecodeError) as caught:
            [t async for t in canned_client.load_tests.list()]
        assert caught.value.field == "$.value"

    async def test_an_error_on_the_read_ahead_surfaces_when_that_page_is_reached(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        for index in range(6):
            fake.add_test(project, f"t{index}")
        seen: list[str] = []
        pages = client.load_tests.pages(page_size=2, max_retries=0)
        async with contextlib.aclosing(pages):
            seen += [t.name for t in (await anext(pages)).items]
            # The second page has been read ahead: the fault is for the third.
            await until(lambda: len(fake.requests) == 2 and fake.requests[1].status == 200)
            fake.inject(Fault.status(400), method="GET", path="/cloud/v6/load_tests")
            seen += [t.name for t in (await anext(pages)).items]
            with pytest.raises(k6.BadRequestError):
                await anext(pages)
        assert seen == ["t0", "t1", "t2", "t3"]


class TestCheckNextLink:
    def _page(self, link: str | None, items: int = 1) -> Page[int]:
        return Page(items=list(range(items)), next_link=link)

    def test_the_end_of_a_listing(self) -> None:
        assert check_next_link(self._page(None), ORIGIN, set()) is None

    @pytest.mark.parametrize(
        "link",
        [
            "http://api.k6.io/cloud/v6/load_tests?$skip=2",
            "https://api.k6.io:8443/cloud/v6/load_tests?$skip=2",
            "https://evil.example/cloud/v6/load_tests?$skip=2",
        ],
    )
    def test_another_scheme_port_or_host_is_refused(self, link: str) -> None:
        with pytest.raises(k6.ResponseDecodeError, match="another origin"):
            check_next_link(self._page(link), ORIGIN, set())

    def test_a_relative_link_is_resolved_against_the_origin(self) -> None:
        url = check_next_link(self._page("/cloud/v6/load_tests?$skip=2"), ORIGIN, set())
        assert url == URL("https://api.k6.io/cloud/v6/load_tests?$skip=2")

    def test_a_link_is_remembered(self) -> None:
        seen: set[str] = set()
        link = "https://api.k6.io/cloud/v6/load_tests?$skip=2"
        check_next_link(self._page(link), ORIGIN, seen)
        with pytest.raises(k6.ResponseDecodeError, match="repeats"):
            check_next_link(self._page(link), ORIGIN, seen)
