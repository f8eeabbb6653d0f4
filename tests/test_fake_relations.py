"""FakeK6Cloud keeps one record of each relation that two resources read from either end:
which projects may use which private load zone (``client.load_zones`` and
``client.projects``), and the label keys that project labels give values to
(``client.labels`` and ``client.projects``)."""

from __future__ import annotations

import aiohttp
import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud

EU, US, OPS = 24, 173, 8345


async def test_a_zone_allowed_from_the_project_lists_the_project(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    first, second = fake.add_project("Shop"), fake.add_project("Blog")

    await client.projects.set_allowed_load_zones(first, [US, EU])
    await client.projects.set_allowed_load_zones(second, [EU])

    assert [p.id for p in await client.load_zones.allowed_projects(EU)] == [first, second]
    assert [p.name for p in await client.load_zones.allowed_projects(US)] == ["Shop"]
    assert fake.allowed_projects_of(OPS) == []


async def test_a_project_allowed_from_the_zone_lists_the_zone(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project = fake.add_project("Shop")
    await client.projects.set_allowed_load_zones(project, [OPS])

    await client.load_zones.set_allowed_projects(EU, [project])
    fake.allow_projects(US, [project])

    assert [z.id for z in await client.projects.allowed_load_zones(project)] == [OPS, EU, US]
    await client.load_zones.set_allowed_projects(OPS, [])
    assert [z.id for z in await client.projects.allowed_load_zones(project)] == [EU, US]


async def test_a_zone_added_to_the_fake_may_be_allowed_to_a_project(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project = fake.add_project("Shop")
    zone = fake.add_load_zone("lab-zone", name="Lab")

    [allowed] = await client.projects.set_allowed_load_zones(project, [zone.id])

    assert (allowed.id, allowed.name, allowed.public) == (zone.id, "Lab", False)
    assert fake.allowed_projects_of(zone.id) == [project]


async def test_a_public_zone_is_not_allowed_to_a_project(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project = fake.add_project("Shop")
    [public] = [z for z in fake.load_zones if z.k6_load_zone_id == "amazon:us:ashburn"]

    with pytest.raises(k6.BadRequestError):
        await client.projects.set_allowed_load_zones(project, [EU, public.id])

    assert await client.projects.allowed_load_zones(project) == []
    assert fake.allowed_projects_of(EU) == []


async def test_a_deleted_project_is_no_longer_allowed_anywhere(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    keep, gone = fake.add_project("Keep"), fake.add_project("Gone")
    await client.load_zones.set_allowed_projects(EU, [gone, keep])

    await client.projects.delete(gone)

    assert fake.allowed_projects_of(EU) == [keep]
    assert [p.id for p in await client.load_zones.allowed_projects(EU)] == [keep]


async def test_labels_set_by_name_add_the_organizations_keys(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project = fake.add_project("Shop")
    fake.add_label_key("team", "Owning team")

    answer = await client.projects.set_labels(project, {"team": "web", "tier": "gold"})

    keys = {key.key: key for key in await client.labels.list()}
    assert set(keys) == {"team", "tier"}
    assert keys["team"].description == "Owning team"
    assert {label.key: label.key_id for label in answer} == {
        "team": keys["team"].id,
        "tier": keys["tier"].id,
    }


async def test_a_key_created_through_labels_is_usable_by_id(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project = fake.add_project("Shop")
    [key] = await client.labels.create(["region"])

    headers = {"Authorization": f"Bearer {fake.token}", "X-Stack-Id": str(fake.stack_id)}
    async with (
        aiohttp.ClientSession() as session,
        session.put(
            f"{fake.base_url}/cloud/v6/projects/{project}/labels",
            headers=headers,
            json={"value": [{"key_id": key.id, "value": "eu"}]},
        ) as response,
    ):
        assert response.status == 200
    assert [(label.key, label.value) for label in await client.projects.labels(project)] == [
        ("region", "eu")
    ]


async def test_deleting_a_key_drops_the_project_labels_that_use_it(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    first, second = fake.add_project("Shop"), fake.add_project("Blog")
    await client.projects.set_labels(first, {"team": "web", "tier": "gold"})
    await client.projects.set_labels(second, {"team": "data"})
    [team] = [key for key in await client.labels.list() if key.key == "team"]

    await client.labels.delete(team.id)

    assert [label.key for label in await client.projects.labels(first)] == ["tier"]
    assert await client.projects.labels(second) == []
    snapshot = fake.get_project(first)
    assert snapshot is not None
    assert snapshot.labels == {"tier": "gold"}


async def test_renaming_a_key_renames_the_project_labels(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project = fake.add_project("Shop")
    await client.projects.set_labels(project, {"env": "prod", "team": "web"})
    [env] = [key for key in await client.labels.list() if key.key == "env"]

    await client.labels.update(env.id, key="environment")

    labels = await client.projects.labels(project)
    assert [(label.key, label.value) for label in labels] == [
        ("environment", "prod"),
        ("team", "web"),
    ]


async def test_project_labels_past_the_organizations_100_keys_are_a_conflict(
    fake: FakeK6Cloud, client: k6.K6CloudClient
) -> None:
    project = fake.add_project("Shop")
    for number in range(99):
        fake.add_label_key(f"k{number}")

    with pytest.raises(k6.ConflictError):
        await client.projects.set_labels(project, {"new1": "a", "new2": "b"})

    assert len(fake.label_keys) == 99
    assert await client.projects.labels(project) == []
