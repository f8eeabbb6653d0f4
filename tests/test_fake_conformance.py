"""FakeK6Cloud answers malformed requests with 4xx and the API's error JSON, never 500, and is
as strict as the reference: body media types, ``$``-parameters, ASCII ids, int64 integers.

Facts from the reference (the Tests REST API page and its OpenAPI document 1.12.0): PATCH
``/load_tests/{id}``, PUT ``…/move`` and POST ``/validate_options`` take
``application/json``; PUT ``…/script`` takes ``application/octet-stream``; POST
``/projects/{id}/load_tests`` takes ``multipart/form-data``; path ids, ``project_id`` and
``baseline_test_run_id`` are ``format: int64``; the listings' query options are ``$top``,
``$skip``, ``$count`` and ``$orderby``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from multidict import MultiDict
from yarl import URL

from k6cloud_async._models import LoadTest
from k6cloud_async.testing import FakeK6Cloud
from k6cloud_async.testing._errors import ApiError
from k6cloud_async.testing._request_rules import (
    INT64_MAX,
    INT64_MIN,
    MAX_JSON_DEPTH,
    check_dollar_parameters,
    parse_id,
    parse_int64,
    parse_json_body,
)

API = "/cloud/v6"
JS = b"export default function() {}\n"
FORM = "multipart/form-data; boundary=b0undary"


def auth(fake: FakeK6Cloud) -> dict[str, str]:
    return {"Authorization": f"Bearer {fake.token}", "X-Stack-Id": str(fake.stack_id)}


@pytest.fixture
async def http(fake: FakeK6Cloud) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(fake.base_url, headers=auth(fake)) as session:
        yield session


@pytest.fixture
def test1(fake: FakeK6Cloud, project: int) -> LoadTest:
    return fake.add_test(project, "first")


async def call(
    http: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
) -> tuple[int, Any]:
    async with http.request(method, API + path, **kwargs) as resp:
        raw = await resp.read()
        if resp.content_type == "application/json" and raw:
            return resp.status, json.loads(raw)
        return resp.status, raw


def assert_error(body: Any, code: str, target: str | None = None) -> None:
    error = body["error"]
    assert set(error) == {"code", "message", "target", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["target"] == target


def part(headers: str, content: bytes) -> bytes:
    return b"--b0undary\r\n" + headers.encode("latin-1") + b"\r\n\r\n" + content + b"\r\n"


NAME_PART = part('Content-Disposition: form-data; name="name"', b"smoke")
SCRIPT_PART = part(
    'Content-Disposition: form-data; name="script"; filename="s.js"\r\n'
    "Content-Type: text/javascript",
    JS,
)
END = b"--b0undary--\r\n"


# -- the pure rules ----------------------------------------------------------------------


def test_parse_id_takes_ascii_digits_within_int64() -> None:
    assert parse_id("42") == 42
    assert parse_id(str(INT64_MAX)) == INT64_MAX
    assert parse_id("00000000000000000000000042") == 42
    for text in ("١", "４２", "-1", "+1", " 1", "1e3", ""):
        assert parse_id(text) is None, text
    with pytest.raises(ApiError) as caught:
        parse_id(str(INT64_MAX + 1))
    assert (caught.value.status, caught.value.target) == (400, "id")
    with pytest.raises(ApiError):
        parse_id("9" * 5000)  # longer than Python's int() takes


def test_parse_int64_bounds_headers_and_queries() -> None:
    assert parse_int64(f" {INT64_MIN} ", "X") == INT64_MIN
    for text in (str(INT64_MAX + 1), str(INT64_MIN - 1), "9" * 5000, "١", "1.0"):
        with pytest.raises(ApiError) as caught:
            parse_int64(text, "X")
        assert (caught.value.status, caught.value.target) == (400, "X")


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000,
        b"[" * 100_000 + b"]" * 100_000,
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
        b"{nope",
        b"",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
        b'{"name": "\xff"}',
        '{"name": "x"}'.encode("utf-16"),
        b"1" * 5000,
    ],
)
def test_parse_json_body_rejects_what_is_not_strict_json(raw: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        parse_json_body(raw)
    assert (caught.value.status, caught.value.code) == (400, "validation_error")


def test_parse_json_body_takes_json_nested_to_the_limit() -> None:
    deepest = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert parse_json_body(deepest) is not None
    assert parse_json_body('{"name": "ü"}'.encode()) == {"name": "ü"}


# -- item 21: malformed bodies are 400 with the error JSON -------------------------------


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param("multipart/form-data", NAME_PART + SCRIPT_PART + END, id="no-boundary"),
        pytest.param(FORM, b"garbage that is no multipart at all", id="garbage"),
        pytest.param(FORM, NAME_PART + SCRIPT_PART, id="no-closing-boundary"),
        pytest.param(
            FORM,
            part('Content-Disposition: form-data; name="na\x01me"\r\nX-A\x00: b', b"x")
            + SCRIPT_PART
            + END,
            id="control-characters-in-part-header",
        ),
        pytest.param(
            FORM,
            part('Content-Disposition: form-data; name="name"', b"\xff\xfe smoke")
            + SCRIPT_PART
            + END,
            id="non-utf8-name",
        ),
        pytest.param(
            FORM,
            part(
                'Content-Disposition: form-data; name="name"\r\n'
                "Content-Type: text/plain; charset=no-such-charset",
                b"smoke",
            )
            + SCRIPT_PART
            + END,
            id="unknown-charset",
        ),
        pytest.param(FORM, part("Content-Disposition: form-data", b"x") * 101 + END, id="parts"),
    ],
)
async def test_a_malformed_multipart_body_is_a_400(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, project: int, content_type: str, body: bytes
) -> None:
    status, answer = await call(
        http,
        "POST",
        f"/projects/{project}/load_tests",
        data=body,
        headers={"Content-Type": content_type},
    )
    assert status == 400
    assert answer["error"]["code"] == "validation_error"
    assert fake.tests == []


async def test_a_well_formed_multipart_body_with_a_charset_creates_the_test(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, project: int
) -> None:
    name = part(
        'Content-Disposition: form-data; name="name"\r\nContent-Type: text/plain; charset=latin-1',
        "smöke".encode("latin-1"),
    )
    status, body = await call(
        http,
        "POST",
        f"/projects/{project}/load_tests",
        data=name + SCRIPT_PART + END,
        headers={"Content-Type": FORM},
    )
    assert status == 201
    assert body["name"] == "smöke"
    assert fake.script_of(body["id"]) == JS


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"[" * 100_000, id="deeply-nested-unclosed"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deeply-nested"),
        pytest.param(b"{nope", id="invalid"),
        pytest.param(b'{"options": {"duration": Infinity}}', id="infinity"),
        pytest.param(b'{"options": {"vus": "\xff"}}', id="non-utf8"),
    ],
)
@pytest.mark.parametrize("route", ["patch", "move", "validate_options"])
async def test_a_malformed_json_body_is_a_400(
    http: aiohttp.ClientSession, test1: LoadTest, route: str, raw: bytes
) -> None:
    method, path = {
        "patch": ("PATCH", f"/load_tests/{test1.id}"),
        "move": ("PUT", f"/load_tests/{test1.id}/move"),
        "validate_options": ("POST", "/validate_options"),
    }[route]
    status, body = await call(
        http, method, path, data=raw, headers={"Content-Type": "application/json"}
    )
    assert status == 400
    assert_error(body, "validation_error")


async def test_validate_options_takes_options_nested_to_the_limit(
    http: aiohttp.ClientSession,
) -> None:
    inner: Any = 1
    for _ in range(MAX_JSON_DEPTH - 2):  # under the body and "options": 64 levels in all
        inner = [inner]
    ok = {"options": {"vus": 1, "duration": "1m", "extra": inner}}
    status, _ = await call(http, "POST", "/validate_options", json=ok)
    assert status == 200
    status, body = await call(
        http, "POST", "/validate_options", json={"options": {"extra": [inner]}}
    )
    assert status == 400
    assert_error(body, "validation_error")


async def test_a_body_cut_short_by_the_sender_is_recorded_as_a_400(
    fake: FakeK6Cloud, test1: LoadTest
) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", fake.port)
    head = (
        f"PUT {API}/load_tests/{test1.id}/script HTTP/1.1\r\nHost: fake\r\n"
        f"Authorization: Bearer {fake.token}\r\nX-Stack-Id: {fake.stack_id}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n"
    )
    writer.write(head.encode() + b"only part of it")
    await writer.drain()
    await wait_until(lambda: fake.in_flight == 1)  # the handler is waiting for the rest
    writer.close()
    await writer.wait_closed()
    await wait_until(lambda: fake.requests[-1].done)
    assert fake.requests[-1].status == 400
    assert fake.script_of(test1.id) == JS  # the partial body replaced nothing


async def wait_until(condition: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


# -- item 22: as strict as the reference -------------------------------------------------


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
@pytest.mark.parametrize("route", ["patch", "move", "validate_options"])
async def test_a_json_operation_without_a_json_body_is_415(
    fake: FakeK6Cloud,
    http: aiohttp.ClientSession,
    test1: LoadTest,
    project: int,
    route: str,
    content_type: str | None,
) -> None:
    other = fake.add_project()
    method, path, payload = {
        "patch": ("PATCH", f"/load_tests/{test1.id}", {"name": "renamed"}),
        "move": ("PUT", f"/load_tests/{test1.id}/move", {"project_id": other}),
        "validate_options": ("POST", "/validate_options", {"options": {}}),
    }[route]
    headers = {} if content_type is None else {"Content-Type": content_type}
    # aiohttp sends bytes as application/octet-stream unless told; skip_auto_headers drops it
    status, body = await call(
        http,
        method,
        path,
        data=json.dumps(payload).encode(),
        headers=headers,
        skip_auto_headers=["Content-Type"],
    )
    assert status == 415
    assert_error(body, "unsupported_media_type", "Content-Type")
    assert fake.get_test(test1.id) == test1  # neither renamed nor moved
    status, _ = await call(
        http,
        method,
        path,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "Application/JSON; charset=utf-8"},
    )
    assert status in (200, 204)


@pytest.mark.parametrize("content_type", [None, "text/javascript", "application/x-tar"])
async def test_a_script_upload_that_is_not_octet_stream_is_415(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, test1: LoadTest, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    status, body = await call(
        http,
        "PUT",
        f"/load_tests/{test1.id}/script",
        data=b"export default function() { /* new */ }\n",
        headers=headers,
        skip_auto_headers=["Content-Type"],
    )
    assert status == 415
    assert_error(body, "unsupported_media_type", "Content-Type")
    assert fake.script_of(test1.id) == JS
    status, _ = await call(
        http,
        "PUT",
        f"/load_tests/{test1.id}/script",
        data=b"new",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert status == 204
    assert fake.script_of(test1.id) == b"new"


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/x-www-form-urlencoded", None]
)
async def test_a_create_that_is_not_multipart_is_415(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, project: int, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    status, body = await call(
        http,
        "POST",
        f"/projects/{project}/load_tests",
        data=b"name=smoke",
        headers=headers,
        skip_auto_headers=["Content-Type"],
    )
    assert status == 415
    assert_error(body, "unsupported_media_type", "Content-Type")
    assert fake.tests == []


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("$top=1&$top=2", "$top"),
        ("$skip=0&$count=true&$skip=1", "$skip"),
        ("$orderby=id&$orderby=name", "$orderby"),
        ("$count=true&$count=true", "$count"),
        ("$filter=name eq 'x'", "$filter"),
        ("$select=id", "$select"),
        ("$TOP=1", "$TOP"),
        ("$=1", "$"),
    ],
)
@pytest.mark.parametrize("path", ["/load_tests", "/projects/{project}/load_tests", "/test_runs"])
async def test_duplicate_or_unknown_dollar_parameters_are_400(
    http: aiohttp.ClientSession, project: int, path: str, query: str, target: str
) -> None:
    url = URL(API + path.format(project=project) + "?" + query, encoded=False)
    async with http.get(url) as resp:
        assert resp.status == 400
        assert_error(await resp.json(), "validation_error", target)


async def test_unknown_dollar_parameters_are_400_on_any_route(
    http: aiohttp.ClientSession, test1: LoadTest
) -> None:
    status, body = await call(http, "GET", f"/load_tests/{test1.id}", params={"$expand": "x"})
    assert status == 400
    assert_error(body, "validation_error", "$expand")
    status, body = await call(http, "GET", "/no_such_route", params={"$expand": "x"})
    assert status == 404
    status, body = await call(http, "GET", "/load_tests", params={"name": "first", "$top": "1"})
    assert status == 200
    assert [t["name"] for t in body["value"]] == ["first"]


@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("GET", "/load_tests/{id}"),
        ("PATCH", "/load_tests/{id}"),
        ("DELETE", "/load_tests/{id}"),
        ("GET", "/load_tests/{id}/script"),
        ("PUT", "/load_tests/{id}/move"),
        ("POST", "/load_tests/{id}/start"),
        ("GET", "/load_tests/{id}/test_runs"),
        ("GET", "/projects/{id}/load_tests"),
        ("GET", "/test_runs/{id}"),
        ("POST", "/test_runs/{id}/abort"),
    ],
)
@pytest.mark.parametrize(
    "digits",
    [
        pytest.param("%D9%A1", id="arabic-indic-one"),
        pytest.param("%EF%BC%91", id="fullwidth-one"),
        pytest.param("%E0%A5%A7", id="devanagari-one"),
        pytest.param("%F0%9D%9F%8F", id="mathematical-bold-one"),
    ],
)
async def test_ids_are_ascii_digits_only(
    fake: FakeK6Cloud,
    http: aiohttp.ClientSession,
    test1: LoadTest,
    method: str,
    template: str,
    digits: str,
) -> None:
    fake.start_run(test1.id)  # test 1, project 1 and run 1 all exist
    url = URL(API + template.format(id=digits), encoded=True)
    async with http.request(method, url, json={"project_id": 1}) as resp:
        assert resp.status == 404
        assert_error(await resp.json(), "not_found")


@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("GET", "/load_tests/{id}"),
        ("DELETE", "/load_tests/{id}"),
        ("GET", "/projects/{id}/load_tests"),
        ("GET", "/test_runs/{id}"),
        ("POST", "/load_tests/{id}/start"),
    ],
)
async def test_an_id_beyond_int64_is_400_and_int64_max_is_404(
    http: aiohttp.ClientSession, method: str, template: str
) -> None:
    status, body = await call(http, method, template.format(id=INT64_MAX + 1))
    assert status == 400
    assert_error(body, "validation_error", "id")
    status, body = await call(http, method, template.format(id=INT64_MAX))
    assert status == 404
    assert_error(body, "not_found")


@pytest.mark.parametrize("value", [INT64_MAX + 1, INT64_MIN - 1, 10**400])
@pytest.mark.parametrize(
    ("route", "payload", "target"),
    [
        ("patch", {"baseline_test_run_id": "V"}, "baseline_test_run_id"),
        ("move", {"project_id": "V"}, "project_id"),
        ("validate_options", {"project_id": "V", "options": {}}, "project_id"),
        ("validate_options", {"k6_version": "V", "options": {}}, "k6_version"),
        ("validate_options", {"options": {"cloud": {"projectID": "V"}}}, "options.cloud.projectID"),
        ("validate_options", {"options": {"vus": "V"}}, "options.vus"),
        ("validate_options", {"options": {"duration": "V"}}, "options.duration"),
        (
            "validate_options",
            {"options": {"stages": [{"duration": "V", "target": 1}]}},
            "options.stages[0].duration",
        ),
        (
            "validate_options",
            {"options": {"stages": [{"duration": "1m", "target": "V"}]}},
            "options.stages[0].target",
        ),
    ],
)
async def test_integers_beyond_int64_in_a_body_are_400(
    fake: FakeK6Cloud,
    http: aiohttp.ClientSession,
    test1: LoadTest,
    route: str,
    payload: dict[str, Any],
    target: str,
    value: int,
) -> None:
    method, path = {
        "patch": ("PATCH", f"/load_tests/{test1.id}"),
        "move": ("PUT", f"/load_tests/{test1.id}/move"),
        "validate_options": ("POST", "/validate_options"),
    }[route]
    raw = json.dumps(payload).replace('"V"', str(value)).encode()
    status, body = await call(
        http, method, path, data=raw, headers={"Content-Type": "application/json"}
    )
    if value < 0 and target.startswith("options.") and target != "options.cloud.projectID":
        assert status == 400  # negative VUs and durations are refused before their range
        assert body["error"]["target"] == target
        return
    assert status == 400
    assert_error(body, "validation_error", target)
    assert fake.get_test(test1.id) == test1


async def test_a_duration_overflowing_to_infinity_is_400(http: aiohttp.ClientSession) -> None:
    huge = "9" * 400 + "d"
    for options, target in [
        ({"duration": huge}, "options.duration"),
        ({"stages": [{"duration": huge, "target": 1}]}, "options.stages[0].duration"),
        # each stage is finite (8.64e307 s); the third one's sum is not
        ({"stages": [{"duration": "1" + "0" * 303 + "d", "target": 1}] * 3}, "options.stages[2]"),
    ]:
        status, body = await call(http, "POST", "/validate_options", json={"options": options})
        assert status == 400
        assert_error(body, "validation_error", target)
    status, body = await call(
        http, "POST", "/validate_options", json={"options": {"duration": 1.7e308}}
    )
    assert status == 200  # large, finite: a figure, never Infinity in the JSON
    assert body["vuh_usage"] < float("inf")


@pytest.mark.parametrize("stack", [str(INT64_MAX + 1), str(INT64_MIN - 1), "9" * 5000])
async def test_a_stack_id_beyond_int64_is_400(fake: FakeK6Cloud, stack: str) -> None:
    headers = {"Authorization": f"Bearer {fake.token}", "X-Stack-Id": stack}
    async with (
        aiohttp.ClientSession(fake.base_url, headers=headers) as session,
        session.get(API + "/load_tests") as resp,
    ):
        assert resp.status == 400
        assert_error(await resp.json(), "validation_error", "X-Stack-Id")


def test_check_dollar_parameters_leaves_other_parameters_alone() -> None:
    check_dollar_parameters(MultiDict([("name", "a"), ("name", "b"), ("$top", "1")]))
    with pytest.raises(ApiError) as caught:
        check_dollar_parameters(MultiDict([("$top", "1"), ("$top", "1")]))
    assert caught.value.target == "$top"


# -- HTTP itself -------------------------------------------------------------------------


async def test_head_of_a_script_sends_its_headers_only(
    fake: FakeK6Cloud, http: aiohttp.ClientSession, test1: LoadTest
) -> None:
    path = f"/load_tests/{test1.id}/script"
    async with http.head(API + path) as resp:
        assert resp.status == 200
        assert resp.content_type == "text/javascript"
        assert resp.content_length == len(JS)
        assert await resp.read() == b""
    # the connection carried no stray body: the next request on it reads cleanly
    status, body = await call(http, "GET", path)
    assert (status, body) == (200, JS)


async def test_a_sender_gone_before_its_answer_is_recorded_without_a_status(
    fake: FakeK6Cloud, project: int
) -> None:
    big = fake.add_test(project, "big", b"/" * (32 * 1024 * 1024))  # more than socket buffers
    reader, writer = await asyncio.open_connection("127.0.0.1", fake.port)
    writer.write(
        f"GET {API}/load_tests/{big.id}/script HTTP/1.1\r\nHost: fake\r\n"
        f"Authorization: Bearer {fake.token}\r\nX-Stack-Id: {fake.stack_id}\r\n\r\n".encode()
    )
    assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    writer.transport.abort()  # gone, with most of the script still to be written
    await wait_until(lambda: fake.requests[-1].done)
    assert fake.requests[-1].status is None  # not a 500 that nobody received
