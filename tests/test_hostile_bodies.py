"""Hostile bodies (JSON nested 100,000 levels deep) give the library's errors, never Python's.

Every test runs with each way of decoding: msgspec's path (when installed) before orjson's,
orjson's alone, and the standard library alone, which the ``parser`` fixture forces in this
process; one more test runs a process in which neither orjson nor msgspec can be imported.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async import _converter, _json
from k6cloud_async._codegen_wire import WireDecoders
from k6cloud_async._errors import api_error_from_response
from tests.conftest import CannedServer

LEVELS = 100_000
DEEP_ARRAY = b"[" * LEVELS + b"]" * LEVELS
DEEP_OBJECT = b'{"a":' * LEVELS + b"1" + b"}" * LEVELS
DEEP_ERROR = b'{"error": {"code": "bad", "message": ' + DEEP_ARRAY + b"}}"
DEEP_ERROR_DETAILS = b'{"error": {"code": "bad", "message": "m", "details": ' + DEEP_ARRAY + b"}}"

LOAD_TEST: dict[str, Any] = {
    "id": 1,
    "project_id": 2,
    "name": "t",
    "baseline_test_run_id": None,
    "created": "2024-12-03T09:53:00Z",
    "updated": "2024-12-03T09:53:00Z",
}


@pytest.fixture(params=["msgspec", "orjson", "stdlib"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "msgspec":
        pytest.importorskip("msgspec")
    else:  # the clients of this test build their handlers without msgspec's path
        monkeypatch.setitem(sys.modules, "msgspec", None)
        monkeypatch.setattr(_converter, "_wire", WireDecoders(_converter._generated))
    if request.param == "stdlib":
        monkeypatch.setattr(_json, "loads", _json.stdlib_loads)
    elif not _json.FAST_JSON:
        pytest.skip("orjson is not installed")
    return str(request.param)


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_json_nested_too_deeply_is_a_value_error(body: bytes) -> None:
    with pytest.raises(ValueError, match=r"(?i)deep|depth"):
        _json.loads(body)


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize(
    "body", [DEEP_ARRAY, DEEP_OBJECT, DEEP_ERROR, DEEP_ERROR_DETAILS], ids=lambda b: str(b[:12])
)
def test_a_deeply_nested_error_body_still_gives_the_api_error(body: bytes) -> None:
    error = api_error_from_response(status=400, body=body, method="GET", url="https://x/y")
    assert isinstance(error, k6.BadRequestError)
    assert error.status == 400
    assert error.message  # the start of the body, as for any body that is not error JSON


@pytest.mark.usefixtures("parser")
class TestAgainstAHostileServer:
    async def test_a_deeply_nested_success_body_is_a_decode_error(
        self, canned: CannedServer, canned_client: k6.K6CloudClient
    ) -> None:
        canned.raw("/cloud/v6/load_tests/1", DEEP_OBJECT)
        with pytest.raises(k6.ResponseDecodeError, match="not JSON"):
            await canned_client.load_tests.get(1)

    async def test_a_deeply_nested_error_body_is_an_api_error(
        self, canned: CannedServer, canned_client: k6.K6CloudClient
    ) -> None:
        canned.raw("/cloud/v6/load_tests/1", DEEP_ERROR, status=404)
        with pytest.raises(k6.NotFoundError) as caught:
            await canned_client.load_tests.get(1)
        assert caught.value.status == 404

    async def test_a_listing_with_a_deeply_nested_item_is_a_decode_error(
        self, canned: CannedServer, canned_client: k6.K6CloudClient
    ) -> None:
        item = b'{"id": 1, "name": ' + DEEP_ARRAY + b"}"
        canned.raw("/cloud/v6/load_tests", b'{"value": [' + item + b"]}")
        with pytest.raises(k6.ResponseDecodeError):
            [test async for test in canned_client.load_tests.list()]

    async def test_a_value_nested_within_the_parsers_limit_is_kept(
        self, canned: CannedServer, canned_client: k6.K6CloudClient
    ) -> None:
        levels = 500  # within both parsers' limits
        name = b"[" * levels + b"]" * levels  # the wrong type for a name, however deep
        body = b'{"value": [{"id": 1, "project_id": 2, "name": ' + name + b"}]}"
        canned.raw("/cloud/v6/load_tests", body)
        with pytest.raises(k6.ResponseDecodeError) as caught:
            [test async for test in canned_client.load_tests.list()]
        assert caught.value.field is not None
        assert caught.value.field.startswith("$.value[0]")


def test_without_the_fast_extra_deep_bodies_are_still_the_librarys_errors() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["orjson"] = None  # an ImportError on import, as if not installed
        sys.modules["msgspec"] = None
        from k6cloud_async import _json, BadRequestError, LoadTest, ResponseDecodeError
        from k6cloud_async._errors import api_error_from_response
        from k6cloud_async._handlers import JsonModel
        assert not _json.FAST_JSON
        deep = b"[" * 100_000 + b"]" * 100_000
        try:
            _json.loads(deep)
        except ValueError:
            pass
        else:
            raise SystemExit("parsed")
        error = api_error_from_response(status=400, body=deep, method="GET", url="u")
        assert isinstance(error, BadRequestError), error
        try:
            JsonModel(LoadTest, 1 << 30).decode(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
        except ResponseDecodeError:
            pass
        else:
            raise SystemExit("decoded")
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-2000:]
