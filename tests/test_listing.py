"""Listings and the resource base: what a declared endpoint sends and decodes.

Each test declares a small resource over the client's requestor, as a new API area would,
and talks to a canned server over real HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from yarl import URL

import k6cloud_async as k6
from k6cloud_async._listing import PAGE_SIZE, Filter, Listing, as_bool, as_datetime, as_id, items
from k6cloud_async._requestor import Requestor, Timeout
from k6cloud_async.resources._base import Resource
from tests.conftest import CannedServer

_TEST = {
    "id": 7,
    "project_id": 1,
    "name": "t",
    "baseline_test_run_id": None,
    "created": "2024-01-01T00:00:00Z",
    "updated": "2024-01-01T00:00:00Z",
}


class Widgets(Resource):
    """A resource declared the way CONTRIBUTING.md says: a listing and plain JSON calls."""

    def __init__(self, requestor: Requestor) -> None:
        super().__init__(requestor)
        self._listing = Listing(requestor, k6.LoadTest, order_fields=frozenset({"name", "id"}))
        self._unordered = Listing(requestor, k6.LoadTest)

    def pages(
        self,
        *,
        group_id: int | None = None,
        name: str | None = None,
        starred: bool | None = None,
        since: datetime | None = None,
        order_by: Any = None,
        page_size: int = PAGE_SIZE,
        count: bool = False,
        next_link: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> AsyncGenerator[k6.Page[k6.LoadTest], None]:
        return self._listing.pages(
            lambda: (
                self._root / "widgets"
                if group_id is None
                else self._root / "groups" / as_id(group_id, "group_id") / "widgets"
            ),
            scope={"group_id": group_id},
            filters={
                "name": Filter(name, lambda value, argument: value),
                "starred": Filter(starred, as_bool, query="is_starred"),
                "since": Filter(since, as_datetime, query="created_after"),
            },
            order_by=order_by,
            page_size=page_size,
            count=count,
            next_link=next_link,
            timeout=timeout,
            max_retries=max_retries,
        )

    def unordered(self, *, order_by: Any = None) -> AsyncGenerator[k6.Page[k6.LoadTest], None]:
        return self._unordered.pages(lambda: self._root / "widgets", order_by=order_by)

    async def get_all(self) -> list[k6.LoadTest]:
        return await self._get_list(self._root / "all", k6.LoadTest, timeout=None, max_retries=0)

    async def get_one(self) -> k6.LoadTest:
        return await self._get(self._root / "one", k6.LoadTest, timeout=None, max_retries=0)

    async def replace(self, body: Any) -> list[k6.LoadTest]:
        handler = self._requestor.model_list(k6.LoadTest)
        return await self._send_json(
            "PUT", self._root / "all", body, handler, timeout=None, max_retries=0
        )


def _widgets(client: k6.K6CloudClient) -> Widgets:
    return Widgets(client._requestor)


def _query(canned: CannedServer) -> dict[str, str]:
    return dict(URL(canned.hits[-1][1]).query)


async def test_a_declared_listing_sends_its_query_in_order(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.json("/cloud/v6/groups/3/widgets", {"value": [_TEST]})
    since = datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2)))

    pages = _widgets(canned_client).pages(
        group_id=3, name="a b", starred=False, since=since, order_by="name desc", count=True
    )
    listed = [test async for test in items(pages)]

    assert [t.id for t in listed] == [7]
    assert list(_query(canned).items()) == [
        ("$top", "1000"),
        ("$orderby", "name desc"),
        ("name", "a b"),
        ("is_starred", "false"),
        ("created_after", "2024-05-01T10:00:00+00:00"),
        ("$count", "true"),
    ]


async def test_an_explicit_default_page_size_is_refused_next_to_a_next_link(
    canned_client: k6.K6CloudClient,
) -> None:
    link = f"{canned_client.base_url}cloud/v6/load_tests?$skip=2"
    with pytest.raises(ValueError, match="page_size"):
        canned_client.load_tests.pages(next_link=link, page_size=1000)
    with pytest.raises(ValueError, match="page_size"):
        canned_client.test_runs.pages(next_link=link, page_size=1000)
    with pytest.raises(ValueError, match="count"):
        canned_client.test_runs.pages(next_link=link, count=True)


async def test_resuming_names_every_given_keyword(canned_client: k6.K6CloudClient) -> None:
    link = f"{canned_client.base_url}cloud/v6/widgets?$skip=2"
    with pytest.raises(ValueError, match="group_id, starred, order_by"):
        _widgets(canned_client).pages(next_link=link, group_id=1, starred=True, order_by="id")


async def test_the_default_page_size_is_the_api_maximum(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.json("/cloud/v6/widgets", {"value": []})
    [page async for page in _widgets(canned_client).pages(page_size=1000)]
    assert _query(canned) == {"$top": "1000"}
    assert PAGE_SIZE == 1000


@pytest.mark.parametrize(
    ("keywords", "error", "argument"),
    [
        ({"group_id": 0}, ValueError, "group_id"),
        ({"starred": "yes"}, TypeError, "starred"),
        ({"since": datetime(2024, 1, 1)}, ValueError, "since"),
        ({"since": "2024-01-01"}, TypeError, "since"),
        ({"order_by": "created"}, ValueError, "order_by"),
        ({"count": 1}, TypeError, "count"),
        ({"page_size": 0}, ValueError, "page_size"),
    ],
)
async def test_a_declared_listing_checks_its_arguments_before_any_request(
    canned: CannedServer,
    canned_client: k6.K6CloudClient,
    keywords: dict[str, Any],
    error: type[Exception],
    argument: str,
) -> None:
    with pytest.raises(error, match=argument):
        _widgets(canned_client).pages(**keywords)
    assert canned.hits == []


async def test_a_listing_without_orderable_fields_refuses_order_by(
    canned_client: k6.K6CloudClient,
) -> None:
    with pytest.raises(ValueError, match="order_by"):
        _widgets(canned_client).unordered(order_by="id")


async def test_runs_are_ordered_by_one_field_only(canned_client: k6.K6CloudClient) -> None:
    with pytest.raises(ValueError, match="'created' or 'created desc'"):
        canned_client.test_runs.pages(test_id=1, order_by="created,created desc")


@pytest.mark.parametrize("body", [[_TEST, _TEST], {"value": [_TEST, _TEST]}])
async def test_a_json_list_is_a_bare_array_or_a_value_object(
    canned: CannedServer, canned_client: k6.K6CloudClient, body: Any
) -> None:
    canned.json("/cloud/v6/all", body)
    tests = await _widgets(canned_client).get_all()
    assert [t.id for t in tests] == [7, 7]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": []}, "$"),
        ({"value": {"id": 1}}, "$.value"),
        ([_TEST, {**_TEST, "id": "8"}], "$[1].id"),
        ({"value": [{**_TEST, "name": None}]}, "$.value[0].name"),
    ],
)
async def test_a_malformed_json_list_is_a_decode_error_naming_the_field(
    canned: CannedServer, canned_client: k6.K6CloudClient, body: Any, field: str
) -> None:
    canned.json("/cloud/v6/all", body)
    with pytest.raises(k6.ResponseDecodeError) as caught:
        await _widgets(canned_client).get_all()
    assert caught.value.field == field


async def test_a_model_get_decodes_one_object(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.json("/cloud/v6/one", _TEST)
    assert (await _widgets(canned_client).get_one()).name == "t"


async def test_a_json_body_is_sent_with_its_content_type(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    seen: list[tuple[str, bytes]] = []

    async def echo(request: Any) -> Any:
        from aiohttp import web

        seen.append((request.headers["Content-Type"], await request.read()))
        return web.json_response([_TEST])

    canned.routes[("PUT", "/cloud/v6/all")] = echo
    tests = await _widgets(canned_client).replace({"ids": [1, 2]})
    assert [t.id for t in tests] == [7]
    assert seen == [("application/json", b'{"ids":[1,2]}')]


async def test_an_unserialisable_json_body_is_refused_before_any_request(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    with pytest.raises(TypeError, match="JSON-serialisable"):
        await _widgets(canned_client).replace({"when": object()})
    assert canned.hits == []


def test_query_encodings() -> None:
    assert as_id(5, "x") == "5"
    assert as_bool(True, "x") == "true"
    assert as_datetime(datetime(2024, 1, 1, tzinfo=UTC), "x") == "2024-01-01T00:00:00+00:00"
    with pytest.raises(TypeError, match="x"):
        as_id(True, "x")
