"""msgspec's path (the ``fast`` extra) decodes whole bodies exactly as the dict path does.

For random bodies (the agreement test's: valid ones, and valid ones with fields dropped,
replaced by any JSON value or added), written as JSON bytes, msgspec's decoder accepts
exactly what ``decode`` of the parsed body accepts and builds the identical model (same
values, same types, the same sent objects); the handlers' ``decode(bytes)`` gives that result
or the same ``ResponseDecodeError``. Then the cases random bodies rarely reach: what has no
wire form, what msgspec refuses that the dict path takes, and a process without msgspec.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import k6cloud_async as k6
from k6cloud_async import _json
from k6cloud_async._converter import _wire, decode, decode_page, wire_decoder, wire_page_decoder
from k6cloud_async._handlers import JsonModel, JsonPage
from k6cloud_async._models import LoadTestPatch, Page
from tests._bodies import running_run
from tests.conftest import CannedServer
from tests.test_decoding_agreement import (
    AGREEMENT,
    MODELS,
    Everything,
    Node,
    _outcome,
    bodies,
    json_values,
)
from tests.test_decoding_agreement import _assert_same as assert_same

msgspec = pytest.importorskip("msgspec")

#: Every model with a wire form; the others are decoded from their JSON object.
WIRE_MODELS = [cls for cls in [*MODELS, Node] if wire_decoder(cls) is not None]
NO_WIRE_FORM = {k6.TestCost, k6.CostBreakdown}  # their ``raw`` keeps the JSON object
LIMIT = 1 << 30


def _assert_same(wire: tuple[bool, Any], dicts: tuple[bool, Any], body: Any) -> None:
    # Each path parsed the body itself: their sent objects are equal, not the same.
    assert_same(wire, dicts, body, sent=lambda raw: raw)


def _dict_path(raw: bytes, cls: type) -> tuple[bool, Any]:
    return _outcome(lambda: decode(json.loads(raw), cls))


def _page_dict_path(raw: bytes, cls: type) -> tuple[bool, Any]:
    return _outcome(lambda: decode_page(json.loads(raw), cls))


def test_every_model_without_a_sent_object_has_a_wire_form() -> None:
    assert set(MODELS) - set(WIRE_MODELS) == NO_WIRE_FORM
    assert Node in WIRE_MODELS  # a model inside itself: the inner ones by the dict decoder


@pytest.mark.parametrize("cls", WIRE_MODELS, ids=lambda cls: cls.__name__)
@AGREEMENT
@given(data=st.data())
def test_msgspec_and_the_dict_path_agree_on_any_body(cls: type, data: st.DataObject) -> None:
    body = data.draw(bodies(cls))
    raw = json.dumps(body).encode()
    wire = wire_decoder(cls)
    assert wire is not None
    _assert_same(_outcome(lambda: wire(raw)), _dict_path(raw, cls), body)


@st.composite
def listing_bodies(draw: st.DrawFn, cls: type) -> Any:
    body: dict[str, Any] = {"value": draw(st.lists(bodies(cls), max_size=4))}
    for key, valid in (("@count", st.integers(0, 10**6)), ("@nextLink", st.text(max_size=12))):
        fate = draw(st.sampled_from(["valid", "valid", "absent", "null", "wrong"]))
        if fate != "absent":
            body[key] = {"valid": draw(valid), "null": None}.get(fate, draw(json_values))
    fate = draw(st.sampled_from(["kept"] * 8 + ["no value", "wrong value", "not an object"]))
    if fate == "no value":
        del body["value"]
    elif fate == "wrong value":
        body["value"] = draw(json_values)
    elif fate == "not an object":
        return draw(json_values)
    return body


@pytest.mark.parametrize("cls", [k6.LoadTest, k6.TestRun, Everything], ids=lambda c: c.__name__)
@AGREEMENT
@given(data=st.data())
def test_msgspec_and_the_dict_path_agree_on_any_page(cls: type, data: st.DataObject) -> None:
    body = data.draw(listing_bodies(cls))
    raw = json.dumps(body).encode()
    wire = wire_page_decoder(cls)
    assert wire is not None
    _assert_same(_outcome(lambda: wire(raw)), _page_dict_path(raw, cls), body)


@pytest.mark.parametrize("cls", [k6.LoadTest, k6.TestRun], ids=lambda c: c.__name__)
@AGREEMENT
@given(data=st.data())
def test_the_handlers_give_the_dict_paths_result_or_its_error(
    cls: type, data: st.DataObject
) -> None:
    body = data.draw(bodies(cls))
    raw = json.dumps(body).encode()
    expected = _dict_path(raw, cls)
    if expected[0]:
        assert repr(JsonModel(cls, LIMIT).decode(raw)) == repr(expected[1])
    else:
        with pytest.raises(k6.ResponseDecodeError):
            JsonModel(cls, LIMIT).decode(raw)


def _load_test(**changes: Any) -> dict[str, Any]:
    body = {
        "id": 1,
        "project_id": 2,
        "name": "t",
        "baseline_test_run_id": None,
        "created": "2024-12-03T09:53:00.553",
        "updated": "2024-12-03T09:53:00Z",
    }
    return {**body, **changes}


def test_a_page_of_the_api_shape_is_decoded_by_msgspec_itself() -> None:
    raw = json.dumps(
        {"value": [_load_test(id=i) for i in range(3)], "@count": 3, "@nextLink": "n"}
    ).encode()
    wire = wire_page_decoder(k6.LoadTest)
    assert wire is not None
    page = wire(raw)  # no fallback here: it raises if msgspec's path gives up
    assert isinstance(page, Page)
    assert [test.id for test in page.items] == [0, 1, 2]
    assert (page.count, page.next_link) == (3, "n")
    assert page.items[0].created == datetime(2024, 12, 3, 9, 53, 0, 553000, tzinfo=UTC)
    assert type(page.items[0]) is k6.LoadTest


def test_a_run_with_nested_models_and_a_cost_is_decoded_by_msgspec_itself() -> None:
    body = running_run(
        id=7,
        cost={
            "total_vuh": "12.5",
            "breakdown": {
                "base_total_vuh": 1,
                "browser_vuh": None,
                "protocol_vuh": "x",
                "reduction_rate": 0.5,
                "reduction_rate_breakdown": {"a": "1"},
            },
        },
    )
    raw = json.dumps(body).encode()
    wire = wire_decoder(k6.TestRun)
    assert wire is not None
    run = wire(raw)
    assert run == decode(json.loads(raw), k6.TestRun)
    assert run.cost is not None
    assert run.cost.total_vuh == 12.5
    assert run.cost.raw == body["cost"]  # the object as sent, kept by the dict decoder
    assert run.cost.breakdown.protocol_vuh is None


@pytest.mark.parametrize(
    ("cls", "body"),
    [
        (k6.LoadTest, _load_test(created="2024-12-03T09:53:00+01:00")),  # another offset
        (k6.LoadTest, _load_test(created="2024-12-03")),  # a date alone: midnight UTC
        (Everything, None),  # a float field sent as a decimal string
    ],
    ids=["offset", "date alone", "decimal string"],
)
def test_the_dict_paths_rarer_forms_are_taken_by_msgspecs_path_too(
    cls: type, body: dict[str, Any] | None
) -> None:
    if body is None:
        body = {
            "number": "12.5",
            "flag": True,
            "stamps": [],
            "counts": {},
            "when": None,
            "pair": None,
            "anything": 1,
            "items": [],
            "mode": "a",
            "colour": "red",
        }
    raw = json.dumps(body).encode()
    wire = wire_decoder(cls)
    assert wire is not None
    assert repr(wire(raw)) == repr(decode(json.loads(raw), cls))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"value": [' + json.dumps(_load_test(name=1)).encode() + b"]}",
        b'{"value": [' + json.dumps(_load_test(created="yesterday")).encode() + b"]}",
        b'{"value": [], "@count": true}',
        b'{"value": {}}',
        b"[]",
        b"not json",
        b'{"value": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
    ],
    ids=["wrong type", "bad date-time", "bool count", "object value", "array", "text", "deep"],
)
def test_a_body_msgspec_refuses_gets_the_dict_paths_error(raw: bytes) -> None:
    wire = wire_page_decoder(k6.LoadTest)
    assert wire is not None
    with pytest.raises(Exception):  # noqa: B017, PT011 - any: the caller decodes again
        wire(raw)
    with pytest.raises(k6.ResponseDecodeError) as caught:
        JsonPage(k6.LoadTest, LIMIT).decode(raw)
    assert not isinstance(caught.value.__context__, RecursionError)


def test_integers_beyond_64_bits_are_read_as_the_standard_parser_reads_them() -> None:
    raw = json.dumps(_load_test(id=2**70)).encode()
    wire = wire_decoder(k6.LoadTest)
    assert wire is not None
    assert wire(raw).id == 2**70 == decode(json.loads(raw), k6.LoadTest).id


@pytest.mark.skipif(not _json.FAST_JSON, reason="orjson, which refuses the body, is not installed")
class TestTheClientReadsBodiesThroughMsgspec:
    """An id beyond 64 bits: orjson refuses the whole body, msgspec reads it (as the
    standard library does), so only a call decoded by msgspec's path can succeed."""

    async def test_get(self, canned: CannedServer, canned_client: k6.K6CloudClient) -> None:
        canned.json("/cloud/v6/load_tests/1", _load_test(id=2**70))
        assert (await canned_client.load_tests.get(1)).id == 2**70

    async def test_list(self, canned: CannedServer, canned_client: k6.K6CloudClient) -> None:
        canned.json("/cloud/v6/load_tests", {"value": [_load_test(id=2**70)]})
        assert [test.id async for test in canned_client.load_tests.list()] == [2**70]


def test_a_request_model_has_no_wire_form() -> None:
    assert wire_decoder(LoadTestPatch) is None


def test_a_model_compiled_once_is_reused() -> None:
    assert wire_decoder(k6.LoadTest) is wire_decoder(k6.LoadTest)
    assert _wire.page(k6.LoadTest) is _wire.page(k6.LoadTest)


@attrs.define
class WithDefaults:
    level: int = 3
    tags: list[str] = attrs.Factory(list)
    at: datetime = datetime(2000, 1, 1, tzinfo=UTC)


def test_an_absent_field_takes_its_default_and_a_factory_is_called_each_time() -> None:
    wire = wire_decoder(WithDefaults)
    assert wire is not None
    first, second = wire(b"{}"), wire(b"{}")
    assert first == WithDefaults()
    assert first.tags is not second.tags
    assert wire(b'{"at": "2024-01-01T00:00:00Z", "level": 4}') == WithDefaults(
        level=4, at=datetime(2024, 1, 1, tzinfo=UTC)
    )


#: A field named ``__x`` (no class body to mangle it): msgspec cannot make it a struct field.
Dunder = attrs.make_class("Dunder", {"__x": attrs.field(type=int)}, slots=True)


def test_a_model_msgspec_cannot_make_a_struct_of_is_left_to_the_dict_path() -> None:
    assert wire_decoder(Dunder) is None  # not the RuntimeError msgspec raised
    assert wire_page_decoder(Dunder) is None
    raw = b'{"__x": 1}'
    with pytest.raises(k6.ResponseDecodeError):  # what the dict path makes of it
        JsonModel(Dunder, LIMIT).decode(raw)


def test_without_msgspec_installed_the_dict_path_decodes_alone() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["msgspec"] = None  # an ImportError on import, as if not installed
        from k6cloud_async import LoadTest
        from k6cloud_async._converter import wire_decoder, wire_page_decoder
        from k6cloud_async._handlers import JsonPage
        assert wire_decoder(LoadTest) is None and wire_page_decoder(LoadTest) is None
        body = (b'{"value": [{"id": 1, "project_id": 2, "name": "t", '
                b'"baseline_test_run_id": null, "created": "2024-12-03T09:53:00Z", '
                b'"updated": "2024-12-03T09:53:00Z"}]}')
        page = JsonPage(LoadTest, 1 << 20).decode(body)
        assert [test.id for test in page.items] == [1], page
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-2000:]
