"""client.load_zones against FakeK6Cloud: every operation, its documented statuses, retries,
argument checks and malformed answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault
from tests.conftest import CannedServer

Call = Callable[[k6.K6CloudClient], Awaitable[Any]]

#: Every operation of client.load_zones, on a private zone of the fake (24).
OPERATIONS: dict[str, Call] = {
    "list": lambda c: c.load_zones.list(),
    "allowed_projects": lambda c: c.load_zones.allowed_projects(24),
    "set_allowed_projects": lambda c: c.load_zones.set_allowed_projects(24, []),
}


def _client(fake: FakeK6Cloud, **options: Any) -> k6.K6CloudClient:
    token = options.pop("token", fake.token)
    stack_id = options.pop("stack_id", fake.stack_id)
    options.setdefault("retry_policy", k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.01))
    return k6.K6CloudClient(token, stack_id, base_url=fake.base_url, **options)


class TestList:
    async def test_every_zone_public_and_private_in_one_body(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        private = fake.add_load_zone("ops-playground-plz", custom_load_runner_image="grafana/k6")

        zones = await client.load_zones.list()

        assert zones == fake.load_zones
        assert zones[0] == k6.LoadZone(
            1, "US East (N. Virginia)", "amazon:us:ashburn", True, None, True
        )
        assert zones[-1] == private
        assert private.public is False
        assert {zone.public for zone in zones} == {True, False}
        fake.assert_called("GET", "/cloud/v6/load_zones", times=1)
        assert fake.requests[-1].query == {}

    async def test_a_k6_load_zone_id_filters_by_exact_match(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        zones = await client.load_zones.list(k6_load_zone_id="amazon:us:ashburn")

        assert [zone.k6_load_zone_id for zone in zones] == ["amazon:us:ashburn"]
        assert fake.requests[-1].query == {"k6_load_zone_id": "amazon:us:ashburn"}
        assert await client.load_zones.list(k6_load_zone_id="amazon:us") == []

    async def test_a_400_is_a_bad_request(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        fake.inject(Fault.status(400), path="/cloud/v6/load_zones")
        with pytest.raises(k6.BadRequestError) as caught:
            await client.load_zones.list()
        assert caught.value.status == 400
        assert caught.value.attempts == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(
        st.text(st.sampled_from("ab:-"), min_size=1, max_size=4), unique=True, max_size=12
    ),
    wanted=st.one_of(st.none(), st.text(st.sampled_from("ab:-"), min_size=1, max_size=4)),
)
async def test_list_answers_exactly_the_zones_that_match(
    names: list[str], wanted: str | None
) -> None:
    async with FakeK6Cloud() as fake:
        for name in names:
            fake.add_load_zone(name, public=len(name) % 2 == 0)
        expected = [z for z in fake.load_zones if wanted is None or z.k6_load_zone_id == wanted]
        async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
            zones = await client.load_zones.list(k6_load_zone_id=wanted)
    assert zones == expected
    assert [z.id for z in zones] == sorted(z.id for z in zones)


class TestAllowedProjects:
    async def test_a_private_zone_allows_no_project_at_first(
        self, client: k6.K6CloudClient
    ) -> None:
        assert await client.load_zones.allowed_projects(24) == []

    async def test_set_replaces_the_whole_list_and_answers_it(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        first, second = fake.add_project("Platform load tests"), fake.add_project("Ops")

        answered = await client.load_zones.set_allowed_projects(24, [first, second])

        assert answered == [
            k6.AllowedProject(first, "Platform load tests"),
            k6.AllowedProject(second, "Ops"),
        ]
        assert fake.requests[-1].json == {"value": [{"id": first}, {"id": second}]}
        assert await client.load_zones.allowed_projects(24) == answered

        assert await client.load_zones.set_allowed_projects(24, (second,)) == [answered[1]]
        assert fake.allowed_projects_of(24) == [second]
        assert await client.load_zones.set_allowed_projects(24, []) == []
        assert fake.requests[-1].json == {"value": []}

    async def test_repeated_ids_are_sent_once(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        await client.load_zones.set_allowed_projects(24, iter([project, project]))

        assert fake.requests[-1].json == {"value": [{"id": project}]}

    async def test_a_lost_answer_is_retried_and_the_replacement_holds(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        fake.inject(Fault.after_processing(Fault.reset()), method="PUT")

        answered = await client.load_zones.set_allowed_projects(24, [project])

        assert answered == [k6.AllowedProject(project, "Default project")]
        fake.assert_called("PUT", "/cloud/v6/load_zones/24/allowed_projects", times=2)

    @pytest.mark.parametrize("name", ["allowed_projects", "set_allowed_projects"])
    @pytest.mark.parametrize("zone", [999, 1], ids=["unknown", "public"])
    async def test_an_unknown_or_public_zone_is_not_found(
        self, client: k6.K6CloudClient, name: str, zone: int
    ) -> None:
        method = getattr(client.load_zones, name)
        with pytest.raises(k6.NotFoundError) as caught:
            await (method(zone) if name == "allowed_projects" else method(zone, []))
        assert caught.value.status == 404

    async def test_an_unknown_project_is_a_bad_request(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient
    ) -> None:
        with pytest.raises(k6.BadRequestError) as caught:
            await client.load_zones.set_allowed_projects(24, [41])
        assert caught.value.target == "value"
        assert fake.allowed_projects_of(24) == []


@pytest.mark.parametrize("name", list(OPERATIONS))
async def test_a_wrong_token_is_401_and_another_stack_403(fake: FakeK6Cloud, name: str) -> None:
    async with _client(fake, token="wrong") as client:
        with pytest.raises(k6.AuthenticationError):
            await OPERATIONS[name](client)
    async with _client(fake, stack_id=fake.stack_id + 1) as client:
        with pytest.raises(k6.PermissionDeniedError):
            await OPERATIONS[name](client)


@pytest.mark.parametrize("name", list(OPERATIONS))
async def test_a_500_is_retried_then_reported_as_a_server_error(
    fake: FakeK6Cloud, name: str
) -> None:
    fake.inject(Fault.status(500), path="/cloud/v6/load_zones*")
    async with _client(fake) as client:
        await OPERATIONS[name](client)
    assert len(fake.requests) == 2

    fake.inject(Fault.status(500), path="/cloud/v6/load_zones*", times=3)
    async with _client(fake) as client:
        with pytest.raises(k6.ServerError) as caught:
            await OPERATIONS[name](client)
    assert caught.value.attempts == 3


@pytest.mark.parametrize(
    ("call", "error", "argument"),
    [
        (lambda c: c.load_zones.list(k6_load_zone_id=1), TypeError, "k6_load_zone_id"),
        (lambda c: c.load_zones.list(k6_load_zone_id=""), ValueError, "k6_load_zone_id"),
        (lambda c: c.load_zones.allowed_projects("24"), TypeError, "load_zone_id"),
        (lambda c: c.load_zones.allowed_projects(True), TypeError, "load_zone_id"),
        (lambda c: c.load_zones.allowed_projects(0), ValueError, "load_zone_id"),
        (lambda c: c.load_zones.set_allowed_projects(-1, []), ValueError, "load_zone_id"),
        (lambda c: c.load_zones.set_allowed_projects(24, "12"), TypeError, "project_ids"),
        (lambda c: c.load_zones.set_allowed_projects(24, {1: 1}), TypeError, "project_ids"),
        (lambda c: c.load_zones.set_allowed_projects(24, 3), TypeError, "project_ids"),
        (lambda c: c.load_zones.set_allowed_projects(24, [1.0]), TypeError, "project_ids"),
        (lambda c: c.load_zones.set_allowed_projects(24, [0]), ValueError, "project_ids"),
        (
            lambda c: c.load_zones.set_allowed_projects(24, range(1, 502)),
            ValueError,
            "project_ids",
        ),
        (lambda c: c.load_zones.list(timeout=-1), ValueError, "timeout"),
        (lambda c: c.load_zones.allowed_projects(24, max_retries=-1), ValueError, "max_retries"),
        (
            lambda c: c.load_zones.set_allowed_projects(24, [], max_retries="2"),
            TypeError,
            "max_retries",
        ),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    fake: FakeK6Cloud, client: k6.K6CloudClient, call: Call, error: type[Exception], argument: str
) -> None:
    with pytest.raises(error, match=argument):
        await call(client)
    assert fake.requests == []


async def test_500_projects_are_accepted(fake: FakeK6Cloud, client: k6.K6CloudClient) -> None:
    projects = [fake.add_project(f"p{index}") for index in range(500)]

    answered = await client.load_zones.set_allowed_projects(24, projects)

    assert [project.id for project in answered] == projects


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "value": [
                    {
                        "id": 1,
                        "name": "US",
                        "k6_load_zone_id": "x",
                        "available": "yes",
                        "custom_load_runner_image": None,
                        "public": True,
                    }
                ]
            },
            "available",
        ),
        (
            {
                "value": [
                    {
                        "id": 1,
                        "name": "US",
                        "k6_load_zone_id": "x",
                        "available": True,
                        "public": True,
                    }
                ]
            },
            "custom_load_runner_image",
        ),
        ({"value": {"id": 1}}, "$.value"),
        ([1], "$[0]"),
    ],
)
async def test_a_malformed_zone_listing_is_a_decode_error_naming_the_field(
    canned: CannedServer, canned_client: k6.K6CloudClient, body: Any, field: str
) -> None:
    canned.json("/cloud/v6/load_zones", body)
    with pytest.raises(k6.ResponseDecodeError) as caught:
        await canned_client.load_zones.list()
    assert caught.value.field is not None
    assert field in caught.value.field


async def test_a_malformed_allowed_project_is_a_decode_error(
    canned: CannedServer, canned_client: k6.K6CloudClient
) -> None:
    canned.json("/cloud/v6/load_zones/5/allowed_projects", {"value": [{"id": "139"}]})
    with pytest.raises(k6.ResponseDecodeError, match="id"):
        await canned_client.load_zones.allowed_projects(5)


class TestFakeHelpers:
    async def test_allow_projects_is_what_the_client_reads(
        self, fake: FakeK6Cloud, client: k6.K6CloudClient, project: int
    ) -> None:
        fake.allow_projects(173, [project])

        assert await client.load_zones.allowed_projects(173) == [
            k6.AllowedProject(project, "Default project")
        ]
        assert fake.allowed_projects_of(173) == [project]

    def test_unknown_or_public_zones_and_unknown_projects_are_key_errors(
        self, fake: FakeK6Cloud, project: int
    ) -> None:
        with pytest.raises(KeyError):
            fake.allow_projects(1, [project])
        with pytest.raises(KeyError):
            fake.allow_projects(24, [project + 1])
        with pytest.raises(KeyError):
            fake.allowed_projects_of(999)

    def test_add_load_zone_takes_the_next_id_and_refuses_a_taken_name(
        self, fake: FakeK6Cloud
    ) -> None:
        zone = fake.add_load_zone("my-plz", name="My PLZ", available=False)

        assert zone.id == max(z.id for z in fake.load_zones)
        assert fake.get_load_zone(zone.id) == zone
        assert fake.get_load_zone(10**6) is None
        with pytest.raises(ValueError, match="exists"):
            fake.add_load_zone("amazon:us:ashburn")

    async def test_the_accepted_stack_url_can_change(self, fake: FakeK6Cloud) -> None:
        fake.stack_url = "https://other.grafana.net/"
        async with k6.K6CloudClient(
            fake.token, stack_url="HTTPS://Other.grafana.net", base_url=fake.base_url
        ) as client:
            assert (await client.authenticate()).stack_id == fake.stack_id
        with pytest.raises(TypeError):
            fake.stack_url = ""


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"value": []}', "text/plain", 415),
        (b'{"value": [', "application/json", 400),
        (b'{"value": {"id": 1}}', "application/json", 400),
        (b'{"value": [{"id": "1"}]}', "application/json", 400),
        (b'{"value": [{"id": 1, "name": "x"}]}', "application/json", 400),
        (b'{"value": [], "extra": 1}', "application/json", 400),
        (b'{"value": [{"id": 1}]}', "application/json", 200),
    ],
)
async def test_the_fake_holds_allowed_project_updates_to_the_documented_rules(
    fake: FakeK6Cloud, project: int, body: bytes, content_type: str, status: int
) -> None:
    import aiohttp

    headers = {
        "Authorization": f"Bearer {fake.token}",
        "X-Stack-Id": str(fake.stack_id),
        "Content-Type": content_type,
    }
    url = fake.base_url + "/cloud/v6/load_zones/24/allowed_projects"
    async with (
        aiohttp.ClientSession() as session,
        session.put(url, data=body, headers=headers) as r,
    ):
        assert r.status == status
    assert fake.allowed_projects_of(24) == ([project] if status == 200 else [])
