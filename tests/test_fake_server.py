"""Tests of the fake server ``k6cloud_async.testing.FakeK6Cloud``, through plain aiohttp."""

from __future__ import annotations

import asyncio
import io
import json
import re
import tarfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import pytest
from yarl import URL

from k6cloud_async._models import LoadTest
from k6cloud_async.testing import FakeK6Cloud, Fault
from tests.conftest import until

API = "/cloud/v6"
JS = b"export default function() {}\n"
START_KEYS = {
    "id",
    "test_id",
    "project_id",
    "started_by",
    "created",
    "ended",
    "note",
    "retention_expiry",
    "cost",
    "status",
    "status_details",
    "status_history",
    "distribution",
    "result",
    "result_details",
    "options",
    "k6_dependencies",
    "k6_versions",
    "max_vus",
    "max_browser_vus",
    "estimated_duration",
    "execution_duration",
    "is_starred",
    "test_run_details_page_url",
}


def make_tar(content: bytes = JS) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("script.js")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def auth(fake: FakeK6Cloud) -> dict[str, str]:
    return {"Authorization": f"Bearer {fake.token}", "X-Stack-Id": str(fake.stack_id)}


@pytest.fixture
async def fake() -> AsyncIterator[FakeK6Cloud]:
    async with FakeK6Cloud() as server:
        yield server


@pytest.fixture
async def http(fake: FakeK6Cloud) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(fake.base_url, headers=auth(fake)) as session:
        yield session


@pytest.fixture
async def fresh(fake: FakeK6Cloud) -> AsyncIterator[aiohttp.ClientSession]:
    """A session opening a new connection per request (no silent retry on a reset)."""
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(
        fake.base_url, headers=auth(fake), connector=connector
    ) as session:
        yield session


@pytest.fixture
def project(fake: FakeK6Cloud) -> int:
    return fake.add_project("Default")


@pytest.fixture
def test1(fake: FakeK6Cloud, project: int) -> LoadTest:
    return fake.add_test(project, "first")


async def call(
    http: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
) -> tuple[int, Any]:
    async with http.request(method, API + path, **kwargs) as resp:
        raw = await resp.read()
        if resp.content_type == "application/json" and raw:
            return resp.status, await resp.json()
        return resp.status, raw


def on_session(link: str) -> URL:
    """An absolute link of the fake as a path for ``http`` (aiohttp < 3.11 accepts only
    relative URLs on a session that has a base URL)."""
    return URL(link).relative()


def assert_error(body: Any, code: str, target: str | None = None) -> None:
    error = body["error"]
    assert set(error) == {"code", "message", "target", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["target"] == target


# -- lifecycle ---------------------------------------------------------------------------


async def test_lifecycle_and_base_url() -> None:
    fake = FakeK6Cloud(token="t", stack_id=7)
    with pytest.raises(RuntimeError):
        _ = fake.base_url
    await fake.start()
    await fake.start()  # idempotent
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", fake.base_url)
    assert fake.port > 0
    assert fake.base_url.endswith(f":{fake.port}")
    assert (fake.token, fake.stack_id) == ("t", 7)
    await fake.close()
    await fake.close()  # idempotent
    with pytest.raises(RuntimeError):
        await fake.start()


async def test_serve_forever_closes_on_cancel() -> None:
    fake = FakeK6Cloud()
    await fake.start()
    url = fake.base_url
    task = asyncio.create_task(fake.serve_forever())
    async with aiohttp.ClientSession(url, headers=auth(fake)) as session:
        assert (await call(session, "GET", "/load_tests"))[0] == 200  # a round trip meanwhile
    assert task.done() is False
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(url)


async def test_close_cancels_a_stalled_request(fake: FakeK6Cloud, http: aiohttp.ClientSession):
    fake.inject(Fault.stall(600))
    request = asyncio.create_task(call(http, "GET", "/load_tests"))
    await until(lambda: fake.in_flight == 1)
    started = time.monotonic()
    await fake.close()
    assert time.monotonic() - started < 30  # not the 600 s of the stall
    with pytest.raises(aiohttp.ClientError):
        await request
    assert fake.requests[0].status is None


# -- auth --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", "Token fake-token", "bearer fake-token"]
)
async def test_bad_token_is_401(fake: FakeK6Cloud, authorization: str | None) -> None:
    headers = {"X-Stack-Id": "1"} | ({"Authorization": authorization} if authorization else {})
    async with (
        aiohttp.ClientSession(fake.base_url) as session,
        session.get(API + "/load_tests", headers=headers) as resp,
    ):
        assert resp.status == 401
        assert resp.content_type == "application/json"
        body = await resp.json()
    assert body == {
        "error": {
            "code": "unauthorized",
            "message": "Invalid token or authentication scheme.",
            "target": None,
            "details": None,
        }
    }


@pytest.mark.parametrize(
    ("stack", "status", "code", "target"),
    [
        (None, 400, "validation_error", "X-Stack-Id"),
        ("abc", 400, "validation_error", "X-Stack-Id"),
        ("2", 403, "forbidden", None),
    ],
)
async def test_stack_id(fake: FakeK6Cloud, stack, status, code, target) -> None:
    headers = {"Authorization": f"Bearer {fake.token}"}
    if stack is not None:
        headers["X-Stack-Id"] = stack
    async with aiohttp.ClientSession(fake.base_url, headers=headers) as session:
        status_, body = await call(session, "GET", "/load_tests")
    assert status_ == status
    assert_error(body, code, target)


async def test_unknown_route_and_method(http: aiohttp.ClientSession) -> None:
    status, body = await call(http, "GET", "/nothing/here")
    assert status == 404
    assert_error(body, "not_found")
    status, body = await call(http, "DELETE", "/load_tests")
    assert status == 405
    assert_error(body, "method_not_allowed")


# -- helpers -----------------------------------------------------------------------------


async def test_helpers(fake: FakeK6Cloud) -> None:
    assert [fake.add_project(), fake.add_project("x")] == [1, 2]
    assert fake.projects == [1, 2]
    a = fake.add_test(1, "a", "export default () => {}")
    fake.clock.advance(5)
    b = fake.add_test(2, "a")
    assert (a.id, b.id) == (1, 2)
    assert a.created == datetime(2025, 1, 6, 9, 0, tzinfo=UTC) == a.updated
    assert (b.created - a.created).total_seconds() == 5
    assert fake.script_of(1) == b"export default () => {}"
    assert fake.script_upload_of(2).via == "helper"
    assert fake.get_test(2) == b
    assert fake.get_test(3) is None
    assert [t.id for t in fake.tests] == [1, 2]
    with pytest.raises(ValueError, match="taken"):
        fake.add_test(1, "a")
    with pytest.raises(ValueError, match="not found"):
        fake.add_test(9, "b")


# -- listing -----------------------------------------------------------------------------


async def test_pagination_follows_absolute_next_links(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, project: int
) -> None:
    for i in range(5):
        fake.add_test(project, f"t{i}")
    url: str | None = f"{fake.base_url}{API}/load_tests?$top=2&$count=true"
    ids: list[int] = []
    pages = 0
    while url is not None:
        assert url.startswith(fake.base_url + API + "/load_tests?")
        async with http.get(on_session(url)) as resp:
            assert resp.status == 200
            body = await resp.json()
        assert body["@count"] == 5
        ids += [t["id"] for t in body["value"]]
        url = body.get("@nextLink")
        pages += 1
        if url is not None:
            query = URL(url).query
            assert (query["$top"], query["$count"]) == ("2", "true")
    assert (ids, pages) == ([1, 2, 3, 4, 5], 3)


async def test_orderby_ties_by_id_and_filters(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, project: int
) -> None:
    other = fake.add_project()
    fake.add_test(project, "b")  # 1
    fake.add_test(other, "b")  # 2
    fake.add_test(project, "a")  # 3
    fake.add_test(other, "c")  # 4
    cases = {
        "name desc": [4, 1, 2, 3],
        "name": [3, 1, 2, 4],
        "project_id desc,name": [2, 4, 3, 1],
        "created desc": [1, 2, 3, 4],
        "id desc": [4, 3, 2, 1],
    }
    for order, expected in cases.items():
        status, body = await call(http, "GET", "/load_tests", params={"$orderby": order})
        assert status == 200, order
        assert [t["id"] for t in body["value"]] == expected, order
        assert "@count" not in body
        assert "@nextLink" not in body
    status, body = await call(http, "GET", "/load_tests", params={"name": "b"})
    assert [t["id"] for t in body["value"]] == [1, 2]
    status, body = await call(http, "GET", f"/projects/{other}/load_tests", params={"$count": "1"})
    assert ([t["id"] for t in body["value"]], body["@count"]) == ([2, 4], 2)
    status, body = await call(http, "GET", "/projects/99/load_tests")
    assert status == 404
    assert_error(body, "not_found")


@pytest.mark.parametrize(
    ("params", "target"),
    [
        ({"$top": "1001"}, "$top"),
        ({"$top": "0"}, "$top"),
        ({"$top": "ten"}, "$top"),
        ({"$skip": "-1"}, "$skip"),
        ({"$count": "yes"}, "$count"),
        ({"$orderby": "size"}, "$orderby"),
        ({"$orderby": "name up"}, "$orderby"),
        ({"$orderby": "name,"}, "$orderby"),
    ],
)
async def test_bad_listing_query(http: aiohttp.ClientSession, params, target) -> None:
    status, body = await call(http, "GET", "/load_tests", params=params)
    assert status == 400
    assert_error(body, "validation_error", target)


async def test_page_size_default_and_skip() -> None:
    async with FakeK6Cloud(page_size_default=2) as fake:
        project = fake.add_project()
        for i in range(3):
            fake.add_test(project, f"t{i}")
        async with aiohttp.ClientSession(fake.base_url, headers=auth(fake)) as http:
            status, body = await call(http, "GET", "/load_tests")
            assert len(body["value"]) == 2
            assert URL(body["@nextLink"]).query == {"$skip": "2"}
            status, body = await call(http, "GET", "/load_tests", params={"$skip": "5"})
            assert (status, body) == (200, {"value": []})


# -- load test CRUD ----------------------------------------------------------------------


async def test_get_load_test(http: aiohttp.ClientSession, test1: LoadTest) -> None:
    status, body = await call(http, "GET", f"/load_tests/{test1.id}")
    assert status == 200
    assert body == {
        "id": 1,
        "project_id": 1,
        "name": "first",
        "baseline_test_run_id": None,
        "k6_version": None,
        "created": "2025-01-06T09:00:00.000000Z",
        "updated": "2025-01-06T09:00:00.000000Z",
    }
    status, body = await call(http, "GET", "/load_tests/42")
    assert status == 404
    assert_error(body, "not_found")


def form(
    name: str | None, script: bytes | None, filename: str = "script.js"
) -> aiohttp.MultipartWriter:
    """A multipart/form-data body like the one ``create`` sends, with either field left out."""
    data = aiohttp.MultipartWriter("form-data")
    if name is not None:
        data.append(name).set_content_disposition("form-data", name="name")
    if script is not None:
        ctype = "application/x-tar" if filename.endswith(".tar") else "text/javascript"
        part = data.append(script, {"Content-Type": ctype})
        part.set_content_disposition("form-data", name="script", filename=filename)
    return data


async def test_create_load_test(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, project: int
) -> None:
    fake.clock.advance(60)
    status, body = await call(http, "POST", f"/projects/{project}/load_tests", data=form("new", JS))
    assert status == 201
    assert body["name"] == "new"
    assert body["project_id"] == project
    assert body["created"] == "2025-01-06T09:01:00.000000Z"
    assert fake.script_of(body["id"]) == JS
    upload = fake.script_upload_of(body["id"])
    assert (upload.via, upload.filename, upload.content_type) == (
        "create",
        "script.js",
        "text/javascript",
    )
    archive = make_tar()
    status, body = await call(
        http, "POST", f"/projects/{project}/load_tests", data=form("tar", archive, "archive.tar")
    )
    assert status == 201
    assert fake.script_of(body["id"]) == archive
    upload = fake.script_upload_of(body["id"])
    assert (upload.filename, upload.content_type, upload.size) == (
        "archive.tar",
        "application/x-tar",
        len(archive),
    )


@pytest.mark.parametrize(
    ("name", "script", "status", "code", "target"),
    [
        (None, JS, 400, "validation_error", "name"),
        ("", JS, 400, "validation_error", "name"),
        ("x" * 301, JS, 400, "validation_error", "name"),
        ("ok", None, 400, "validation_error", "script"),
        ("first", JS, 409, "conflict", "name"),
    ],
)
async def test_create_load_test_errors(
    fake: FakeK6Cloud, http, test1, project, name, script, status, code, target
) -> None:
    status_, body = await call(
        http, "POST", f"/projects/{project}/load_tests", data=form(name, script)
    )
    assert status_ == status
    assert_error(body, code, target)
    if status == 409:
        assert body["error"]["message"] == "The name is already taken."
    assert len(fake.tests) == 1


async def test_create_in_unknown_project(http: aiohttp.ClientSession) -> None:
    status, body = await call(http, "POST", "/projects/5/load_tests", data=form("a", JS))
    assert status == 404
    assert_error(body, "not_found")


async def test_patch_load_test(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, test1: LoadTest, project: int
) -> None:
    fake.add_test(project, "taken")
    fake.clock.advance(30)
    path = f"/load_tests/{test1.id}"
    status, _ = await call(http, "PATCH", path, json={"name": "renamed", "baseline_test_run_id": 7})
    assert status == 204
    test = fake.get_test(test1.id)
    assert test is not None
    assert (test.name, test.baseline_test_run_id) == ("renamed", 7)
    assert (test.updated - test.created).total_seconds() == 30
    status, _ = await call(http, "PATCH", path, json={"baseline_test_run_id": None})
    assert status == 204
    assert fake.get_test(test1.id).baseline_test_run_id is None  # type: ignore[union-attr]
    assert fake.requests[-1].json == {"baseline_test_run_id": None}
    errors = [
        ({"name": "taken"}, 409, "conflict", "name"),
        ({"name": 3}, 400, "validation_error", "name"),
        ({"name": ""}, 400, "validation_error", "name"),
        ({"baseline_test_run_id": "1"}, 400, "validation_error", "baseline_test_run_id"),
        ({"baseline_test_run_id": True}, 400, "validation_error", "baseline_test_run_id"),
        ({"colour": "red"}, 400, "validation_error", "colour"),
        ([1], 400, "validation_error", None),
    ]
    for payload, expected, code, target in errors:
        status, body = await call(http, "PATCH", path, json=payload)
        assert status == expected, payload
        assert_error(body, code, target)
    status, body = await call(
        http, "PATCH", path, data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert status == 400
    assert_error(body, "validation_error")
    status, body = await call(http, "PATCH", "/load_tests/99", json={"name": "x"})
    assert status == 404


async def test_delete_load_test(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, test1: LoadTest
) -> None:
    run = fake.start_run(test1.id)
    status, body = await call(http, "DELETE", f"/load_tests/{test1.id}")
    assert status == 409
    assert_error(body, "conflict")
    assert body["error"]["message"] == "Cannot delete test while it's running."
    fake.finish_run(run.id)
    status, _ = await call(http, "DELETE", f"/load_tests/{test1.id}")
    assert status == 204
    assert fake.tests == []
    assert fake.runs == []
    status, _ = await call(http, "DELETE", f"/load_tests/{test1.id}")
    assert status == 404


async def test_move_load_test(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, test1: LoadTest, project: int
) -> None:
    dest = fake.add_project()
    fake.add_test(dest, "taken")
    run = fake.start_run(test1.id)
    path = f"/load_tests/{test1.id}/move"
    status, _ = await call(http, "PUT", path, json={"project_id": dest})
    assert status == 204
    assert fake.get_test(test1.id).project_id == dest  # type: ignore[union-attr]
    assert fake.get_run(run.id).project_id == dest  # type: ignore[union-attr]
    fake.add_test(project, "taken")
    taken = fake.tests[-1]
    status, body = await call(
        http, "PUT", f"/load_tests/{taken.id}/move", json={"project_id": dest}
    )
    assert status == 409
    assert_error(body, "conflict")
    for payload, target in [
        ({"project_id": 99}, "project_id"),
        ({}, "project_id"),
        ({"x": 1}, "x"),
    ]:
        status, body = await call(http, "PUT", path, json=payload)
        assert status == 400
        assert_error(body, "validation_error", target)
    status, _ = await call(http, "PUT", "/load_tests/99/move", json={"project_id": dest})
    assert status == 404


# -- scripts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "is_tar", "ok"),
    [
        (None, False, True),
        ("*/*", True, True),
        ("text/*", False, True),
        ("text/*", True, False),
        ("application/*", True, True),
        ("application/json, text/javascript;q=0.5", False, True),
        ("application/x-tar", False, False),
        ("text/javascript;q=0", False, False),
        ("text/*;q=0, */*", False, False),
        ("text/*;q=0, text/javascript", False, True),
        ("application/json", True, False),
    ],
)
async def test_download_script_negotiation(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, project: int, accept, is_tar, ok
) -> None:
    script = make_tar() if is_tar else JS
    test = fake.add_test(project, "s", script)
    headers = {"Accept": accept} if accept is not None else {}
    skip = ["Accept"] if accept is None else []  # aiohttp would send */* by default
    url = f"{API}/load_tests/{test.id}/script"
    async with http.get(url, headers=headers, skip_auto_headers=skip) as resp:
        if accept is None:
            assert "Accept" not in fake.requests[-1].headers
        body = await resp.read()
        if ok:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == (
                "application/x-tar" if is_tar else "text/javascript"
            )
            assert resp.content_length == len(script)
            assert body == script
        else:
            assert resp.status == 406
            assert resp.content_type == "application/json"
            assert_error(await resp.json(), "not_acceptable")


async def test_large_script_round_trip(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, test1: LoadTest
) -> None:
    big = make_tar(b"x" * 300_000)
    path = f"{API}/load_tests/{test1.id}/script"
    fake.clock.advance(10)
    async with http.put(
        path, data=big, headers={"Content-Type": "application/octet-stream"}
    ) as resp:
        assert resp.status == 204
    assert fake.script_of(test1.id) == big
    upload = fake.script_upload_of(test1.id)
    assert (upload.via, upload.content_type, upload.size) == (
        "upload",
        "application/octet-stream",
        len(big),
    )
    assert fake.get_test(test1.id).updated > test1.updated  # type: ignore[union-attr]
    assert fake.requests[-1].body_size == len(big)
    async with http.get(path) as resp:
        assert resp.headers["Content-Type"] == "application/x-tar"
        assert resp.content_length == len(big)
        assert await resp.read() == big


async def test_upload_script_errors(http: aiohttp.ClientSession, test1: LoadTest) -> None:
    status, body = await call(http, "PUT", f"/load_tests/{test1.id}/script", data=b"")
    assert status == 400
    assert_error(body, "validation_error", "script")
    status, body = await call(http, "PUT", "/load_tests/9/script", data=b"x")
    assert status == 404
    status, body = await call(http, "GET", "/load_tests/9/script")
    assert status == 404


# -- start and runs ----------------------------------------------------------------------


async def test_start_and_idempotency(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, project: int, test1: LoadTest
) -> None:
    path = f"/load_tests/{test1.id}/start"
    key = {"K6-Idempotency-Key": "k" * 36}
    status, run = await call(http, "POST", path, headers=key)
    assert status == 200
    assert set(run) == START_KEYS
    assert run["status"] == "created"
    assert run["result"] is None
    assert run["ended"] is None
    assert run["status_history"] == [
        {"type": "created", "entered": "2025-01-06T09:00:00.000000Z", "extra": None}
    ]
    assert run["status_details"] == run["status_history"][0]
    assert (run["cost"], run["note"], run["k6_dependencies"]) == (None, "", {})
    assert run["k6_versions"] == {"k6": "v0.56.0"}
    assert run["started_by"] == "user@example.com"
    assert run["test_run_details_page_url"].endswith(f"/runs/{run['id']}")
    fake.clock.advance(599)
    status, again = await call(http, "POST", path, headers=key)
    assert (status, again) == (200, run)
    assert len(fake.runs) == 1
    other = fake.add_test(project, "other")
    status, elsewhere = await call(http, "POST", f"/load_tests/{other.id}/start", headers=key)
    assert elsewhere["id"] != run["id"]
    fake.clock.advance(1)
    status, later = await call(http, "POST", path, headers=key)
    assert later["id"] not in (run["id"], elsewhere["id"])
    status, _unkeyed = await call(http, "POST", path)
    assert status == 200
    assert len(fake.runs) == 4


async def test_start_errors(http: aiohttp.ClientSession, test1: LoadTest) -> None:
    headers = {"K6-Idempotency-Key": "k" * 37}
    status, body = await call(http, "POST", f"/load_tests/{test1.id}/start", headers=headers)
    assert status == 400
    assert_error(body, "validation_error", "K6-Idempotency-Key")
    status, body = await call(http, "POST", "/load_tests/77/start")
    assert status == 404


async def poll(http: aiohttp.ClientSession, run_id: int) -> dict[str, Any]:
    status, body = await call(http, "GET", f"/test_runs/{run_id}")
    assert status == 200
    return body  # type: ignore[no-any-return]


async def test_run_progresses_one_step_per_poll(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, test1: LoadTest
) -> None:
    run = fake.start_run(test1.id)
    seen = []
    for _ in range(4):
        fake.clock.advance(10)
        seen.append((await poll(http, run.id))["status"])
    assert seen == ["initializing", "running", "processing_metrics", "completed"]
    body = await poll(http, run.id)
    assert "test_run_details_page_url" not in body
    assert body["status"] == "completed"
    assert body["result"] == "passed"
    assert body["result_details"] == {"type": "passed", "message": None, "code": None}
    assert body["ended"] == "2025-01-06T09:00:40.000000Z"
    assert [e["type"] for e in body["status_history"]] == [
        "created",
        "initializing",
        "running",
        "processing_metrics",
        "completed",
    ]
    assert body["execution_duration"] == 20
    assert body["cost"]["total_vuh"] > 0
    status, body = await call(http, "GET", "/test_runs/99")
    assert status == 404


async def test_scripted_runs(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, test1: LoadTest
) -> None:
    fake.set_run_outcome(test1.id, result="failed", steps=2)
    run = fake.start_run(test1.id)
    assert [(await poll(http, run.id))["status"] for _ in range(2)] == [
        "processing_metrics",
        "completed",
    ]
    assert fake.get_run(run.id).result == "failed"  # type: ignore[union-attr]
    fake.set_run_outcome(test1.id, steps=6)
    held = fake.start_run(test1.id)
    fake.hold_run(held.id)
    statuses = [(await poll(http, held.id))["status"] for _ in range(8)]
    assert statuses == ["initializing"] + ["running"] * 7
    fake.release_run(held.id)
    assert [(await poll(http, held.id))["status"] for _ in range(2)] == [
        "processing_metrics",
        "completed",
    ]
    jumped = fake.start_run(test1.id)
    ended = fake.finish_run(jumped.id, result="error", message="boom")
    assert (ended.status, ended.result) == ("completed", "error")
    assert (await poll(http, jumped.id))["result_details"]["message"] == "boom"
    with pytest.raises(ValueError, match="already ended"):
        fake.finish_run(jumped.id)


async def test_abort_run(fake: FakeK6Cloud, http: aiohttp.ClientSession, test1: LoadTest) -> None:
    run = fake.start_run(test1.id)
    status, _ = await call(http, "POST", f"/test_runs/{run.id}/abort")
    assert status == 204
    body = await poll(http, run.id)
    assert (body["status"], body["result"]) == ("aborted", "error")
    assert body["result_details"]["type"] == "error"
    assert body["status_details"]["extra"]["by_user"] == "user@example.com"
    status, body = await call(http, "POST", f"/test_runs/{run.id}/abort")
    assert status == 409
    assert_error(body, "conflict")
    status, body = await call(http, "POST", "/test_runs/5/abort")
    assert status == 404


async def test_list_runs(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, project: int, test1: LoadTest
) -> None:
    other = fake.add_test(project, "other")
    for test_id in (test1.id, other.id, test1.id):
        fake.start_run(test_id)
        fake.clock.advance(1)
    status, body = await call(
        http, "GET", f"/load_tests/{test1.id}/test_runs", params={"$count": "true"}
    )
    assert ([r["id"] for r in body["value"]], body["@count"]) == ([1, 3], 2)
    assert "test_run_details_page_url" not in body["value"][0]
    status, body = await call(
        http,
        "GET",
        f"/load_tests/{test1.id}/test_runs",
        params={"$orderby": "created desc", "$top": "1"},
    )
    assert [r["id"] for r in body["value"]] == [3]
    async with http.get(on_session(body["@nextLink"])) as resp:
        assert [r["id"] for r in (await resp.json())["value"]] == [1]
    status, body = await call(http, "GET", "/test_runs", params={"$top": "2"})
    assert [r["id"] for r in body["value"]] == [1, 2]
    status, body = await call(
        http, "GET", "/test_runs", params={"created_after": "2025-01-06T09:00:01Z"}
    )
    assert [r["id"] for r in body["value"]] == [2, 3]
    status, body = await call(
        http, "GET", f"/load_tests/{test1.id}/test_runs", params={"$orderby": "id"}
    )
    assert status == 400
    assert_error(body, "validation_error", "$orderby")
    # GET /test_runs documents neither $orderby nor is_starred.
    for name, value in (("$orderby", "created"), ("is_starred", "true")):
        status, body = await call(http, "GET", "/test_runs", params={name: value})
        assert status == 400
        assert_error(body, "validation_error", name)
    status, body = await call(http, "GET", "/load_tests/99/test_runs")
    assert status == 404


# -- validate_options --------------------------------------------------------------------

STAGES = [
    {"duration": "1m", "target": 20},
    {"duration": "3m", "target": 20},
    {"duration": "30s", "target": 0},
]


async def test_validate_options(http: aiohttp.ClientSession, project: int) -> None:
    payload: dict[str, Any] = {"options": {"stages": STAGES, "cloud": {"projectID": project}}}
    status, body = await call(http, "POST", "/validate_options", json=payload)
    assert status == 200
    assert body == {
        "vuh_usage": 1.5,
        "breakdown": {
            "protocol_vuh": 1.5,
            "browser_vuh": 0.0,
            "base_total_vuh": 1.5,
            "reduction_rate": 0.0,
            "reduction_rate_breakdown": {},
        },
    }
    payload = {
        "options": {"vus": 10, "duration": "1h30m"},
        "is_local_execution": True,
        "project_id": None,
        "k6_dependencies": {"k6": ">=v0.52"},
    }
    status, body = await call(http, "POST", "/validate_options", json=payload)
    assert (status, body["vuh_usage"]) == (200, 11.25)
    assert body["breakdown"]["reduction_rate_breakdown"] == {"local_run": 25.0}


@pytest.mark.parametrize(
    ("payload", "target"),
    [
        ({}, "options"),
        ({"options": []}, "options"),
        ({"options": {}, "extra": 1}, "extra"),
        ({"options": {}, "project_id": 99}, "project_id"),
        ({"options": {"cloud": {"projectID": 99}}}, "project_id"),
        ({"options": {}, "project_id": "1"}, "project_id"),
        ({"options": {}, "k6_dependencies": {"k6": 1}}, "k6_dependencies"),
        ({"options": {}, "is_local_execution": "yes"}, "is_local_execution"),
        ({"options": {"duration": "soon"}}, "options.duration"),
        ({"options": {"vus": -1}}, "options.vus"),
    ],
)
async def test_validate_options_errors(http: aiohttp.ClientSession, payload, target) -> None:
    status, body = await call(http, "POST", "/validate_options", json=payload)
    assert status == 400
    assert_error(body, "validation_error", target)


async def test_validate_options_too_many_vus(http: aiohttp.ClientSession) -> None:
    payload = {"options": {"vus": 1001, "duration": "1m"}}
    status, body = await call(http, "POST", "/validate_options", json=payload)
    assert status == 400
    assert_error(body, "validation_error", "options")
    [detail] = body["error"]["details"]
    assert detail["code"] == "max_vus_exceeded"
    assert detail["target"] == "options.vus"


# -- faults ------------------------------------------------------------------------------


async def test_status_fault(fake: FakeK6Cloud, http: aiohttp.ClientSession, test1) -> None:
    fake.inject(Fault.status(503, retry_after="2"), method="POST", times=2)
    for _ in range(2):
        async with http.post(f"{API}/load_tests/{test1.id}/start") as resp:
            assert resp.status == 503
            assert resp.headers["Retry-After"] == "2"
            assert_error(await resp.json(), "service_unavailable")
    assert fake.runs == []  # not processed
    status, _ = await call(http, "POST", f"/load_tests/{test1.id}/start")
    assert status == 200
    assert fake.faults_injected == 2
    when = datetime(2030, 1, 1, tzinfo=UTC)
    fake.inject(Fault.status(429, retry_after=when, body={"detail": "slow down"}))
    async with http.get(f"{API}/load_tests") as resp:
        assert resp.status == 429
        assert parsedate_to_datetime(resp.headers["Retry-After"]) == when
        assert await resp.json() == {"detail": "slow down"}


async def test_fault_matching(fake: FakeK6Cloud, http: aiohttp.ClientSession, test1) -> None:
    rule = fake.inject(Fault.status(500), path="/cloud/v6/load_tests/*", times=None)
    fake.inject(Fault.status(502), path=re.compile(r"/cloud/v6/test_runs(/\d+)?"))
    assert (await call(http, "GET", "/load_tests"))[0] == 200
    assert (await call(http, "GET", f"/load_tests/{test1.id}"))[0] == 500
    assert (await call(http, "GET", f"/load_tests/{test1.id}/script"))[0] == 500
    assert (await call(http, "GET", "/test_runs"))[0] == 502
    assert (await call(http, "GET", "/test_runs"))[0] == 200
    assert rule.applied == 2
    assert rule.remaining is None
    fake.clear_faults()
    assert (await call(http, "GET", f"/load_tests/{test1.id}"))[0] == 200
    assert fake.faults_injected == 3


async def test_reset_fault(fake: FakeK6Cloud, fresh: aiohttp.ClientSession, test1) -> None:
    fake.inject(Fault.reset(), method="PATCH")
    with pytest.raises(aiohttp.ClientConnectionError):
        await call(fresh, "PATCH", f"/load_tests/{test1.id}", json={"name": "new"})
    assert fake.get_test(test1.id).name == "first"  # type: ignore[union-attr]
    assert (fake.requests[-1].status, fake.requests[-1].fault) == (None, "reset")
    assert (await call(fresh, "GET", f"/load_tests/{test1.id}"))[0] == 200


async def test_after_processing_faults(
    fake: FakeK6Cloud, fresh: aiohttp.ClientSession, test1
) -> None:
    fake.inject(Fault.after_processing(Fault.reset()), method="POST")
    with pytest.raises(aiohttp.ClientConnectionError):
        await call(fresh, "POST", f"/load_tests/{test1.id}/start")
    assert len(fake.runs) == 1  # the start happened; the answer was lost
    fake.inject(Fault.after_processing(Fault.status(500)), method="PATCH")
    status, body = await call(fresh, "PATCH", f"/load_tests/{test1.id}", json={"name": "new"})
    assert status == 500
    assert_error(body, "internal_server_error")
    assert fake.get_test(test1.id).name == "new"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="cannot wrap"):
        Fault.after_processing(Fault.truncated_body())


async def test_stall_fault(fake: FakeK6Cloud, http: aiohttp.ClientSession) -> None:
    fake.inject(Fault.stall(0.3))
    with pytest.raises(asyncio.TimeoutError):
        await call(http, "GET", "/load_tests", timeout=aiohttp.ClientTimeout(total=0.05))
    fake.inject(Fault.stall(0.1))
    started = time.monotonic()
    assert (await call(http, "GET", "/load_tests"))[0] == 200
    assert time.monotonic() - started >= 0.1


async def test_truncated_body_fault(fake: FakeK6Cloud, fresh: aiohttp.ClientSession, test1) -> None:
    for path in ("/load_tests", f"/load_tests/{test1.id}/script"):
        fake.inject(Fault.truncated_body(), method="GET")
        async with fresh.get(API + path) as resp:
            assert resp.status == 200
            assert resp.content_length is not None
            assert resp.content_length > 0
            with pytest.raises(aiohttp.ClientPayloadError):
                await resp.read()


async def test_malformed_json_and_html_faults(fake: FakeK6Cloud, http: aiohttp.ClientSession):
    fake.inject(Fault.malformed_json())
    async with http.get(f"{API}/load_tests") as resp:
        assert resp.status == 200
        assert resp.content_type == "application/json"
        with pytest.raises(json.JSONDecodeError):
            await resp.json()
    fake.inject(Fault.html_502())
    async with http.get(f"{API}/load_tests") as resp:
        assert resp.status == 502
        assert resp.content_type == "text/html"
        assert await resp.text() == "<html><body><h1>502 Bad Gateway</h1></body></html>"


async def test_foreign_next_link(fake: FakeK6Cloud, http: aiohttp.ClientSession, project) -> None:
    fake.add_test(project, "a")
    fake.add_test(project, "b")
    fake.inject(Fault.foreign_next_link("https://evil.example/cloud/v6/load_tests?$skip=1"))
    _status, body = await call(http, "GET", "/load_tests", params={"$top": "1"})
    assert body["@nextLink"] == "https://evil.example/cloud/v6/load_tests?$skip=1"
    assert [t["id"] for t in body["value"]] == [1]


async def test_latency(fake: FakeK6Cloud, http: aiohttp.ClientSession) -> None:
    fake.latency = 0.05
    started = time.monotonic()
    await call(http, "GET", "/load_tests")
    assert time.monotonic() - started >= 0.05


# -- the request record ------------------------------------------------------------------


async def test_requests_record(fake: FakeK6Cloud, http: aiohttp.ClientSession, test1) -> None:
    await call(http, "GET", "/load_tests", params={"name": "first", "$top": "5"})
    await call(http, "PATCH", f"/load_tests/{test1.id}", json={"name": "x"})
    get, patch = fake.requests
    assert (get.method, get.path, get.query, get.status) == (
        "GET",
        "/cloud/v6/load_tests",
        {"name": "first", "$top": "5"},
        200,
    )
    assert get.headers["authorization"] == f"Bearer {fake.token}"
    assert get.body_size == 0
    assert get.done
    assert (patch.method, patch.status, patch.body_size) == ("PATCH", 204, len(b'{"name": "x"}'))
    assert patch.json == {"name": "x"}
    fake.reset_requests()
    assert fake.requests == []
    assert fake.max_in_flight == 0


async def test_max_in_flight(fake: FakeK6Cloud, http: aiohttp.ClientSession) -> None:
    fake.inject(Fault.stall(0.1), times=10)
    results = await asyncio.gather(*(call(http, "GET", "/load_tests") for _ in range(10)))
    assert [status for status, _ in results] == [200] * 10
    assert fake.max_in_flight >= 2
    assert fake.in_flight == 0
    assert len(fake.requests) == 10
    assert fake.faults_injected == 10
