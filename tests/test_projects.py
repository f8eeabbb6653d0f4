"""client.projects against FakeK6Cloud: projects, limits, allowed load zones and labels."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault
from tests.conftest import CannedServer

ROOT = "/cloud/v6"

#: The fake stack's private load zones (the OpenAPI document's examples).
EU, US, OPS = 24, 173, 8345


def calls(fake: FakeK6Cloud) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status or 0) for r in fake.requests]


# -- projects ----------------------------------------------------------------------------------


async def test_create_answers_the_new_project(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    fake.add_project("Default project")

    project = await client.projects.create("Shop")

    assert project.name == "Shop"
    assert project.is_default is False
    assert project.labels == {}
    assert project.created.utcoffset() is not None
    assert calls(fake) == [("POST", f"{ROOT}/projects", 201)]
    assert fake.requests[0].json == {"name": "Shop"}


async def test_the_first_project_of_the_stack_is_its_default(client: k6.K6CloudClient) -> None:
    first = await client.projects.create("First")
    second = await client.projects.create("Second")

    assert (first.is_default, second.is_default) == (True, False)


async def test_get_reads_one_project(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    project_id = fake.add_project("Shop")

    project = await client.projects.get(project_id)

    assert (project.id, project.name, project.is_default) == (project_id, "Shop", True)
    assert project.grafana_folder_uid is not None


async def test_update_renames_the_project(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    project_id = fake.add_project("Shop")
    fake.clock.advance(60)

    assert await client.projects.update(project_id, name="Store") is None

    renamed = fake.get_project(project_id)
    assert renamed is not None
    assert renamed.name == "Store"
    assert renamed.updated > renamed.created
    assert fake.requests[-1].json == {"name": "Store"}


async def test_delete_removes_the_project(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    project_id = fake.add_project("Shop")

    await client.projects.delete(project_id)

    assert fake.projects == []
    assert calls(fake) == [("DELETE", f"{ROOT}/projects/{project_id}", 204)]


async def test_list_filters_by_exact_name_and_by_search(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    for name in ("Shop", "Shopping cart", "Back office", "shop floor"):
        fake.add_project(name)

    exact = [p.name async for p in client.projects.list(name="Shop")]
    searched = [p.name async for p in client.projects.list(name_search="SHOP", order_by="name")]

    assert exact == ["Shop"]
    assert searched == ["Shop", "Shopping cart", "shop floor"]
    assert fake.requests[-1].query == {"$top": "1000", "$orderby": "name", "name_search": "SHOP"}


async def test_pages_order_by_created_desc_and_count(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    for index in range(5):
        fake.add_project(f"p{index}")
        fake.clock.advance(1)

    pages = [
        p async for p in client.projects.pages(order_by="created desc", page_size=2, count=True)
    ]

    assert [[p.name for p in page.items] for page in pages] == [["p4", "p3"], ["p2", "p1"], ["p0"]]
    assert {page.count for page in pages} == {5}


async def test_pages_resume_from_a_kept_next_link(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    for index in range(5):
        fake.add_project(f"p{index}")
    first = await anext(aiter(client.projects.pages(page_size=2)))
    assert first.next_link is not None

    rest = [
        p.name
        async for page in client.projects.pages(next_link=first.next_link)
        for p in page.items
    ]

    assert rest == ["p2", "p3", "p4"]


# -- upsert ------------------------------------------------------------------------------------


async def test_upsert_creates_the_project_when_absent(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project, created = await client.projects.upsert("Shop")

    assert created is True
    assert project.name == "Shop"
    assert [(m, s) for m, _, s in calls(fake)] == [("GET", 200), ("POST", 201)]
    assert fake.requests[0].query["name"] == "Shop"


async def test_upsert_returns_the_project_of_that_exact_name(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    fake.add_project("shop")
    existing = fake.add_project("Shop")

    project, created = await client.projects.upsert("Shop")

    assert created is False
    assert project.id == existing
    assert [m for m, _, _ in calls(fake)] == ["GET"]


async def test_upsert_conflict_falls_back_to_lookup(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    existing = fake.add_project("Shop")
    # The first lookup answers an empty page, as if the project were created just after it.
    fake.inject(Fault.status(200, body={"value": []}), method="GET", path=f"{ROOT}/projects")

    project, created = await client.projects.upsert("Shop")

    assert created is False
    assert project.id == existing
    assert [(m, s) for m, _, s in calls(fake)] == [("GET", 200), ("POST", 409), ("GET", 200)]


async def test_concurrent_upserts_of_a_new_name_leave_one_project(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    fake.latency = 0.02  # both lookups are answered before either create is

    (first, first_created), (second, second_created) = await asyncio.gather(
        client.projects.upsert("Shop"), client.projects.upsert("Shop")
    )

    assert first.id == second.id
    assert sorted([first_created, second_created]) == [False, True]
    assert fake.projects == [first.id]
    creates = sorted(s for m, _, s in calls(fake) if m == "POST")
    assert creates == [201, 409]  # the race was real, and the loser recovered


async def test_upsert_gives_up_on_a_name_that_keeps_conflicting(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    fake.inject(Fault.status(409), method="POST", path=f"{ROOT}/projects", times=None)

    with pytest.raises(k6.ConflictError):
        await client.projects.upsert("Shop")

    assert [m for m, _, _ in calls(fake)] == ["GET", "POST"] * 3


# -- limits ------------------------------------------------------------------------------------


async def test_a_new_project_has_no_limits(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    project_id = fake.add_project("Shop")

    limits = await client.projects.get_limits(project_id)

    assert limits == k6.ProjectLimits(project_id, None, None, None, None)


async def test_update_limits_sends_only_what_is_given_and_none_removes(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project("Shop")
    await client.projects.update_limits(project_id, vuh_max_per_month=50, vu_max_per_test=20)

    await client.projects.update_limits(project_id, vu_max_per_test=None, duration_max_per_test=600)

    assert [r.json for r in fake.requests] == [
        {"vuh_max_per_month": 50, "vu_max_per_test": 20},
        {"vu_max_per_test": None, "duration_max_per_test": 600},
    ]
    limits = await client.projects.get_limits(project_id)
    assert (limits.vuh_max_per_month, limits.vu_max_per_test) == (50, None)
    assert (limits.vu_browser_max_per_test, limits.duration_max_per_test) == (None, 600)


async def test_list_limits_of_every_project(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    ids = [fake.add_project() for _ in range(3)]

    limits = [item.project_id async for item in client.projects.list_limits(page_size=2)]

    assert limits == ids
    assert [r.query.get("project_id_in") for r in fake.requests] == [None, None]


@pytest.mark.parametrize(("asked", "requests"), [(0, 0), (1, 1), (30, 1), (31, 2), (95, 4)])
async def test_list_limits_asks_for_at_most_30_ids_a_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient, asked: int, requests: int
) -> None:
    for _ in range(100):
        fake.add_project()
    wanted = list(range(asked, 0, -1))  # in any order: answered in ascending order

    limits = [item.project_id async for item in client.projects.list_limits(project_ids=wanted)]

    assert limits == sorted(wanted)
    sent = [r.query["project_id_in"].split(",") for r in fake.requests]
    assert len(sent) == requests
    assert all(len(group) <= 30 for group in sent)
    assert [int(i) for group in sent for i in group] == sorted(wanted)


async def test_list_limits_drops_duplicates_and_the_api_leaves_out_unknown_ids(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project()

    limits = [
        i.project_id
        async for i in client.projects.list_limits(project_ids=[404, project_id, project_id])
    ]

    assert limits == [project_id]
    assert fake.requests[0].query["project_id_in"] == f"{project_id},404"


async def test_stopping_list_limits_early_sends_no_further_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    ids = [fake.add_project() for _ in range(40)]
    listing = client.projects.list_limits(project_ids=ids)

    first = await anext(aiter(listing))
    await listing.aclose()

    assert first.project_id == ids[0]
    assert len(fake.requests) == 1


# -- allowed load zones ------------------------------------------------------------------------


async def test_set_allowed_load_zones_replaces_the_list(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project("Shop")
    await client.projects.set_allowed_load_zones(project_id, [EU, OPS])

    zones = await client.projects.set_allowed_load_zones(project_id, [US, EU])

    assert [z.id for z in zones] == [US, EU]
    assert zones[0].k6_load_zone_id == "us-region-load-zone"
    assert [z.id for z in await client.projects.allowed_load_zones(project_id)] == [US, EU]
    assert fake.requests[1].json == {"value": [{"id": US}, {"id": EU}]}


async def test_set_allowed_load_zones_to_nothing(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project("Shop")
    await client.projects.set_allowed_load_zones(project_id, [EU])

    assert await client.projects.set_allowed_load_zones(project_id, []) == []
    assert await client.projects.allowed_load_zones(project_id) == []


async def test_an_unknown_load_zone_is_a_bad_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project("Shop")

    with pytest.raises(k6.BadRequestError):
        await client.projects.set_allowed_load_zones(project_id, [EU, 999])

    assert await client.projects.allowed_load_zones(project_id) == []


# -- labels ------------------------------------------------------------------------------------


async def test_set_labels_replaces_every_label(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    project_id = fake.add_project("Shop")
    await client.projects.set_labels(project_id, {"team": "backend", "tier": "gold"})

    answer = await client.projects.set_labels(
        project_id, {"environment": "production", "team": "web"}
    )

    assert [(label.key, label.value) for label in answer] == [
        ("environment", "production"),
        ("team", "web"),
    ]
    assert all(label.key_id is not None for label in answer)
    labels = await client.projects.labels(project_id)
    assert labels == [k6.ProjectLabel("environment", "production"), k6.ProjectLabel("team", "web")]
    assert fake.requests[1].json == {
        "value": [{"value": "production", "key": "environment"}, {"value": "web", "key": "team"}]
    }
    assert (await client.projects.get(project_id)).labels == {
        "environment": "production",
        "team": "web",
    }


async def test_set_labels_to_nothing_removes_them(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project("Shop")
    await client.projects.set_labels(project_id, {"team": "backend"})

    assert await client.projects.set_labels(project_id, {}) == []
    assert await client.projects.labels(project_id) == []


async def test_delete_label_removes_one(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    project_id = fake.add_project("Shop")
    await client.projects.set_labels(project_id, {"team": "backend", "tier": "gold"})

    await client.projects.delete_label(project_id, "team")

    assert await client.projects.labels(project_id) == [k6.ProjectLabel("tier", "gold")]
    assert calls(fake)[1] == ("DELETE", f"{ROOT}/projects/{project_id}/labels/team", 204)


async def test_a_label_key_is_one_path_segment(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    project_id = fake.add_project("Shop")
    key = "a/b?c#d"
    await client.projects.set_labels(project_id, {key: "x", "a": "y"})

    await client.projects.delete_label(project_id, key)

    assert await client.projects.labels(project_id) == [k6.ProjectLabel("a", "y")]
    assert fake.requests[1].status == 204


async def test_labels_past_the_organizations_500_pairs_are_a_conflict(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    projects = [fake.add_project() for _ in range(17)]
    for number, project_id in enumerate(projects[:-1]):
        await client.projects.set_labels(project_id, {f"k{i}": f"p{number}" for i in range(30)})

    with pytest.raises(k6.ConflictError):  # 16 * 30 = 480 pairs, and 30 more
        await client.projects.set_labels(projects[-1], {f"k{i}": "last" for i in range(30)})

    assert await client.projects.labels(projects[-1]) == []


# -- documented errors -------------------------------------------------------------------------


async def test_create_with_a_name_in_use_is_a_conflict(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    fake.add_project("Shop")

    with pytest.raises(k6.ConflictError) as caught:
        await client.projects.create("Shop")

    assert caught.value.attempts == 1


async def test_create_past_1000_projects_is_a_conflict(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    for _ in range(1000):
        fake.add_project()

    with pytest.raises(k6.ConflictError):
        await client.projects.create("One too many")


async def test_rename_to_a_name_in_use_is_a_conflict(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    fake.add_project("Shop")
    other = fake.add_project("Office")

    with pytest.raises(k6.ConflictError):
        await client.projects.update(other, name="Shop")


async def test_deleting_a_project_that_holds_tests_is_a_conflict(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project("Shop")
    fake.add_test(project_id, "smoke")

    with pytest.raises(k6.ConflictError):
        await client.projects.delete(project_id)

    assert fake.projects == [project_id]


def _operations(project_id: int) -> dict[str, Callable[[k6.K6CloudClient], Awaitable[Any]]]:
    """Each operation on ``project_id``, as a call that consumes its result."""

    async def listed(listing: Any) -> list[Any]:
        return [item async for item in listing]

    return {
        "list": lambda c: listed(c.projects.list()),
        "list_limits": lambda c: listed(c.projects.list_limits()),
        "get": lambda c: c.projects.get(project_id),
        "create": lambda c: c.projects.create("New"),
        "update": lambda c: c.projects.update(project_id, name="New"),
        "delete": lambda c: c.projects.delete(project_id),
        "get_limits": lambda c: c.projects.get_limits(project_id),
        "update_limits": lambda c: c.projects.update_limits(project_id, vu_max_per_test=5),
        "allowed_load_zones": lambda c: c.projects.allowed_load_zones(project_id),
        "set_allowed_load_zones": lambda c: c.projects.set_allowed_load_zones(project_id, [EU]),
        "labels": lambda c: c.projects.labels(project_id),
        "set_labels": lambda c: c.projects.set_labels(project_id, {"team": "web"}),
        "delete_label": lambda c: c.projects.delete_label(project_id, "team"),
    }


#: The statuses each operation documents besides its success (the OpenAPI document 1.12.0).
DOCUMENTED: dict[str, tuple[int, ...]] = {
    "list": (400, 401, 403, 500),
    "list_limits": (400, 401, 403, 500),
    "get": (401, 403, 404, 500),
    "create": (400, 401, 403, 409, 500),
    "update": (400, 401, 403, 404, 409, 500),
    "delete": (401, 403, 404, 409, 500),
    "get_limits": (401, 403, 404, 500),
    "update_limits": (400, 401, 403, 404, 500),
    "allowed_load_zones": (401, 403, 404, 500),
    "set_allowed_load_zones": (400, 401, 403, 404, 500),
    "labels": (401, 403, 404, 500),
    "set_labels": (400, 401, 403, 404, 409, 500),
    "delete_label": (401, 403, 404, 500),
}

ERRORS: dict[int, type[k6.APIError]] = {
    400: k6.BadRequestError,
    401: k6.AuthenticationError,
    403: k6.PermissionDeniedError,
    404: k6.NotFoundError,
    409: k6.ConflictError,
    500: k6.ServerError,
}


@pytest.mark.parametrize(
    ("operation", "status"),
    [(operation, status) for operation, statuses in DOCUMENTED.items() for status in statuses],
)
async def test_each_documented_status_raises_its_error(
    fake: FakeK6Cloud, client: k6.K6CloudClient, operation: str, status: int
) -> None:
    project_id = fake.add_project("Shop")
    fake.inject(Fault.status(status), path=f"{ROOT}/project*", times=None)

    with pytest.raises(ERRORS[status]) as caught:
        await _operations(project_id)[operation](client.with_options(max_retries=0))

    assert caught.value.status == status
    assert fake.faults_injected == 1


@pytest.mark.parametrize("operation", list(DOCUMENTED))
async def test_a_wrong_token_is_an_authentication_error(fake: FakeK6Cloud, operation: str) -> None:
    project_id = fake.add_project("Shop")
    async with k6.K6CloudClient("wrong", fake.stack_id, base_url=fake.base_url) as client:
        with pytest.raises(k6.AuthenticationError):
            await _operations(project_id)[operation](client)


@pytest.mark.parametrize(
    "operation",
    [
        "get",
        "update",
        "delete",
        "get_limits",
        "update_limits",
        "allowed_load_zones",
        "set_allowed_load_zones",
        "labels",
        "set_labels",
        "delete_label",
    ],
)
async def test_an_unknown_project_is_not_found(client: k6.K6CloudClient, operation: str) -> None:
    with pytest.raises(k6.NotFoundError) as caught:
        await _operations(404)[operation](client)

    assert caught.value.attempts == 1


async def test_deleting_a_label_the_project_lacks_is_not_found(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project("Shop")

    with pytest.raises(k6.NotFoundError):
        await client.projects.delete_label(project_id, "team")


async def test_a_bad_kept_next_link_is_a_bad_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    link = f"{fake.base_url}{ROOT}/projects?$top=5000"

    with pytest.raises(k6.BadRequestError):
        [p async for page in client.projects.pages(next_link=link) for p in page.items]


# -- retries -----------------------------------------------------------------------------------


async def test_create_is_not_retried_once_it_may_have_been_processed(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    fake.inject(Fault.after_processing(Fault.status(503)), method="POST")

    with pytest.raises(k6.ServerError) as caught:
        await client.projects.create("Shop")

    assert caught.value.attempts == 1
    assert "may exist" in str(caught.value)
    assert [p.name async for p in client.projects.list()] == ["Shop"]


async def test_create_is_retried_after_a_429(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    fake.inject(Fault.status(429, retry_after=0), method="POST")

    project = await client.projects.create("Shop")

    assert fake.projects == [project.id]
    assert [s for _, _, s in calls(fake)] == [429, 201]


async def test_delete_after_a_lost_response_succeeds(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project("Shop")
    fake.inject(Fault.after_processing(Fault.status(503)), method="DELETE")

    await client.projects.delete(project_id)

    assert [s for _, _, s in calls(fake)] == [503, 404]


async def test_delete_label_after_a_lost_response_succeeds(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project("Shop")
    await client.projects.set_labels(project_id, {"team": "web"})
    fake.inject(Fault.after_processing(Fault.status(502)), method="DELETE")

    await client.projects.delete_label(project_id, "team")

    assert [s for m, _, s in calls(fake) if m == "DELETE"] == [502, 404]


@pytest.mark.parametrize(
    "operation", ["update", "update_limits", "set_allowed_load_zones", "set_labels", "list_limits"]
)
async def test_idempotent_operations_are_repeated_after_a_503(
    fake: FakeK6Cloud, client: k6.K6CloudClient, operation: str
) -> None:
    project_id = fake.add_project("Shop")
    fake.inject(Fault.after_processing(Fault.status(503)))

    await _operations(project_id)[operation](client)

    assert [s for _, _, s in calls(fake)][:1] == [503]
    assert len(fake.requests) == 2


# -- arguments ---------------------------------------------------------------------------------

BAD_CALLS: list[tuple[str, Callable[[k6.K6CloudClient], Any], type[Exception], str]] = [
    ("get id type", lambda c: c.projects.get("1"), TypeError, "project_id"),
    ("get id bool", lambda c: c.projects.get(True), TypeError, "project_id"),
    ("get id zero", lambda c: c.projects.get(0), ValueError, "project_id"),
    ("create name type", lambda c: c.projects.create(None), TypeError, "name"),
    ("create empty name", lambda c: c.projects.create(""), ValueError, "name"),
    ("create long name", lambda c: c.projects.create("x" * 256), ValueError, "name"),
    ("update name", lambda c: c.projects.update(1, name="x" * 256), ValueError, "name"),
    ("delete id", lambda c: c.projects.delete(-1), ValueError, "project_id"),
    ("upsert name", lambda c: c.projects.upsert(b"Shop"), TypeError, "name"),
    ("upsert timeout", lambda c: c.projects.upsert("Shop", timeout=-1), ValueError, "timeout"),
    ("update_limits nothing", lambda c: c.projects.update_limits(1), ValueError, "update_limits"),
    (
        "limit zero",
        lambda c: c.projects.update_limits(1, vu_max_per_test=0),
        ValueError,
        "vu_max_per_test",
    ),
    (
        "limit float",
        lambda c: c.projects.update_limits(1, vuh_max_per_month=1.5),
        TypeError,
        "vuh_max_per_month",
    ),
    ("limits id", lambda c: c.projects.get_limits("1"), TypeError, "project_id"),
    ("zones type", lambda c: c.projects.set_allowed_load_zones(1, 24), TypeError, "load_zone_ids"),
    (
        "zones item",
        lambda c: c.projects.set_allowed_load_zones(1, [24, "173"]),
        TypeError,
        "load_zone_ids",
    ),
    (
        "zones many",
        lambda c: c.projects.set_allowed_load_zones(1, range(1, 502)),
        ValueError,
        "load_zone_ids",
    ),
    ("labels type", lambda c: c.projects.set_labels(1, [("a", "b")]), TypeError, "labels"),
    ("labels value", lambda c: c.projects.set_labels(1, {"a": 1}), TypeError, "labels"),
    ("labels space", lambda c: c.projects.set_labels(1, {"a b": "c"}), ValueError, "labels"),
    ("labels long", lambda c: c.projects.set_labels(1, {"a": "b" * 65}), ValueError, "labels"),
    (
        "labels many",
        lambda c: c.projects.set_labels(1, {f"k{i}": "v" for i in range(31)}),
        ValueError,
        "labels",
    ),
    ("label key", lambda c: c.projects.delete_label(1, "a%b"), ValueError, "key"),
    ("label key type", lambda c: c.projects.delete_label(1, 7), TypeError, "key"),
    ("max_retries", lambda c: c.projects.labels(1, max_retries=-1), ValueError, "max_retries"),
]

BAD_LISTINGS: list[tuple[str, Callable[[k6.K6CloudClient], Any], type[Exception], str]] = [
    ("order field", lambda c: c.projects.list(order_by="id"), ValueError, "order_by"),
    ("order type", lambda c: c.projects.pages(order_by=3), TypeError, "order_by"),
    ("name", lambda c: c.projects.list(name=""), ValueError, "name"),
    ("name_search", lambda c: c.projects.list(name_search="x" * 256), ValueError, "name_search"),
    ("page_size", lambda c: c.projects.list(page_size=1001), ValueError, "page_size"),
    (
        "next_link with filter",
        lambda c: c.projects.pages(next_link="http://127.0.0.1/x", name="a"),
        ValueError,
        "name",
    ),
    ("count", lambda c: c.projects.pages(count="yes"), TypeError, "count"),
    ("ids type", lambda c: c.projects.list_limits(project_ids="1,2"), TypeError, "project_ids"),
    ("ids item", lambda c: c.projects.list_limits(project_ids=[1, 0]), ValueError, "project_ids"),
    (
        "ids page_size",
        lambda c: c.projects.list_limits(project_ids=[], page_size=0),
        ValueError,
        "page_size",
    ),
    (
        "no ids timeout",
        lambda c: c.projects.list_limits(project_ids=[], timeout="1"),
        TypeError,
        "timeout",
    ),
    (
        "ids timeout",
        lambda c: c.projects.list_limits(project_ids=[1], timeout="1"),
        TypeError,
        "timeout",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [case[1:] for case in BAD_CALLS],
    ids=[case[0] for case in BAD_CALLS],
)
async def test_bad_arguments_fail_before_any_request(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    call: Callable[[k6.K6CloudClient], Any],
    error: type[Exception],
    argument: str,
) -> None:
    with pytest.raises(error, match=argument):
        await call(client)

    assert fake.requests == []


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [case[1:] for case in BAD_LISTINGS],
    ids=[case[0] for case in BAD_LISTINGS],
)
def test_bad_listing_arguments_fail_when_the_listing_is_made(
    fake: FakeK6Cloud,
    client: k6.K6CloudClient,
    call: Callable[[k6.K6CloudClient], Any],
    error: type[Exception],
    argument: str,
) -> None:
    with pytest.raises(error, match=argument):
        call(client)

    assert fake.requests == []


# -- malformed answers -------------------------------------------------------------------------


async def test_a_project_with_a_wrong_field_is_a_decode_error(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.json(
        f"{ROOT}/projects/1",
        {
            "id": 1,
            "name": "Shop",
            "is_default": "no",
            "grafana_folder_uid": None,
            "created": "2024-12-04T19:57:46.339Z",
            "updated": "2024-12-04T19:57:46.339Z",
        },
    )

    with pytest.raises(k6.ResponseDecodeError) as caught:
        await canned_client.projects.get(1)

    assert caught.value.field == "$.is_default"


async def test_limits_without_a_required_field_are_a_decode_error(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.json(
        f"{ROOT}/project-limits",
        {
            "value": [
                {
                    "project_id": 1,
                    "vuh_max_per_month": None,
                    "vu_max_per_test": None,
                    "vu_browser_max_per_test": None,
                }
            ]
        },
    )

    with pytest.raises(k6.ResponseDecodeError) as caught:
        [item async for item in canned_client.projects.list_limits()]

    assert caught.value.field == "$.value[0].duration_max_per_test"


async def test_zones_that_are_not_a_list_are_a_decode_error(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.json(f"{ROOT}/projects/1/allowed_load_zones", {"value": {"id": 24}})

    with pytest.raises(k6.ResponseDecodeError):
        await canned_client.projects.allowed_load_zones(1)


async def test_deeply_nested_labels_are_a_decode_error(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.raw(f"{ROOT}/projects/1/labels", b'{"value": ' + b"[" * 5000 + b"]" * 5000 + b"}")

    with pytest.raises(k6.ResponseDecodeError):
        await canned_client.projects.labels(1)


# -- the fake's own rules ----------------------------------------------------------------------


async def _raw(fake: FakeK6Cloud, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {fake.token}", "X-Stack-Id": str(fake.stack_id)}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"{fake.base_url}{ROOT}{path}", headers=headers, **kwargs) as r,
    ):
        return r.status, await r.json()


def test_the_fake_helper_refuses_a_name_in_use(fake: FakeK6Cloud) -> None:
    fake.add_project("Shop")

    with pytest.raises(ValueError, match="in use"):
        fake.add_project("Shop")
    with pytest.raises(ValueError, match="255"):
        fake.add_project("x" * 256)


async def test_the_fake_wants_json_bodies_as_json(fake: FakeK6Cloud) -> None:
    status, body = await _raw(fake, "POST", "/projects", data=b'{"name": "Shop"}')

    assert status == 415
    assert body["error"]["code"] == "unsupported_media_type"
    assert fake.projects == []


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/projects", {"$orderby": "id"}),
        ("/projects", {"name": "x" * 256}),
        ("/project-limits", {"project_id_in": ",".join(map(str, range(1, 32)))}),
        ("/project-limits", {"project_id_in": "1,two"}),
        ("/project-limits", {"$orderby": "project_id"}),
    ],
)
async def test_the_fake_refuses_bad_listing_queries(
    fake: FakeK6Cloud, path: str, query: dict[str, str]
) -> None:
    status, body = await _raw(fake, "GET", path, params=query)

    assert status == 400
    assert body["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    ("labels", "status"),
    [
        ([{"key": f"k{i}", "value": "v"} for i in range(31)], 409),  # past 30 labels
        ([{"key": "a", "key_id": 1, "value": "v"}], 400),  # both ways of naming the key
        ([{"value": "v"}], 400),  # neither
        ([{"key_id": 99, "value": "v"}], 400),  # an unknown key id
        ([{"key": "a", "value": "v"}, {"key": "a", "value": "w"}], 400),  # a duplicate key
        ([{"key": "a b", "value": "v"}], 400),  # whitespace in the key
        ([{"key": "a", "value": ""}], 400),  # an empty value
    ],
)
async def test_the_fake_refuses_bad_labels(
    fake: FakeK6Cloud, labels: list[dict[str, Any]], status: int
) -> None:
    project_id = fake.add_project("Shop")

    answered, _ = await _raw(fake, "PUT", f"/projects/{project_id}/labels", json={"value": labels})

    assert answered == status
    project = fake.get_project(project_id)
    assert project is not None
    assert project.labels == {}


async def test_the_fake_takes_labels_by_key_id(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    first, second = fake.add_project("Shop"), fake.add_project("Office")
    [label] = await client.projects.set_labels(first, {"provider": "aws"})

    status, body = await _raw(
        fake,
        "PUT",
        f"/projects/{second}/labels",
        json={"value": [{"key_id": label.key_id, "value": "gcp"}]},
    )

    assert status == 200
    assert body == {"value": [{"key_id": label.key_id, "key": "provider", "value": "gcp"}]}


async def test_a_deleted_project_takes_its_limits_zones_and_labels_along(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project_id = fake.add_project("Shop")
    await client.projects.set_allowed_load_zones(project_id, [EU])
    await client.projects.set_labels(project_id, {"team": "web"})

    await client.projects.delete(project_id)

    assert [item async for item in client.projects.list_limits()] == []
    with pytest.raises(k6.NotFoundError):
        await client.projects.allowed_load_zones(project_id)
    with pytest.raises(k6.NotFoundError):
        await client.projects.labels(project_id)
