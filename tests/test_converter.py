"""Decoding: fast on the common path, precise on failure (the error names the field)."""

from __future__ import annotations

import gc
import json
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async._converter import decode, decode_page
from k6cloud_async._pagination import iterate_items
from tests._bodies import running_run

LOAD_TEST: dict[str, Any] = {
    "baseline_test_run_id": None,
    "created": "2024-12-03T09:53:00.553",
    "id": 1234,
    "name": "Orders API Soak Test",
    "project_id": 312,
    "updated": "2024-12-03T09:53:00.553Z",
}


def test_both_timestamp_forms_are_read_and_offset_less_ones_are_utc() -> None:
    test = decode(LOAD_TEST, k6.LoadTest)
    assert test.created == datetime(2024, 12, 3, 9, 53, 0, 553000, tzinfo=UTC)
    assert test.updated == test.created


def test_an_explicit_offset_is_kept() -> None:
    test = decode({**LOAD_TEST, "created": "2024-12-03T10:53:00+01:00"}, k6.LoadTest)
    assert test.created.utcoffset() == timedelta(hours=1)
    assert test.created == datetime(2024, 12, 3, 9, 53, tzinfo=UTC)


def test_two_digit_fractions_are_read() -> None:
    event = decode({"type": "running", "entered": "2024-06-24T19:44:36.46Z"}, k6.StatusEvent)
    assert event.entered.microsecond == 460000


def test_unknown_fields_are_ignored() -> None:
    test = decode({**LOAD_TEST, "is_starred": True, "future_field": {"a": 1}}, k6.LoadTest)
    assert test.id == 1234


def test_openapi_only_fields_are_optional() -> None:
    assert decode(LOAD_TEST, k6.LoadTest).k6_version is None
    assert decode({**LOAD_TEST, "k6_version": 3}, k6.LoadTest).k6_version == 3


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"id": "1234"}, "$.id", "expected an integer, got a string"),
        ({"id": True}, "$.id", "expected an integer, got a boolean"),
        ({"project_id": 1.5}, "$.project_id", "expected an integer, got a number"),
        ({"name": 7}, "$.name", "expected a string"),
        ({"created": "yesterday"}, "$.created", "not an ISO 8601 date-time"),
        ({"updated": None}, "$.updated", "expected a date-time string, got null"),
        ({"baseline_test_run_id": "9"}, "$.baseline_test_run_id", "expected an integer"),
    ],
)
def test_a_wrong_type_names_the_field(change: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode({**LOAD_TEST, **change}, k6.LoadTest)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert field in str(caught.value)


@pytest.mark.parametrize("missing", ["id", "project_id", "name", "created", "updated"])
def test_a_missing_required_field_names_it(missing: str) -> None:
    body = {key: value for key, value in LOAD_TEST.items() if key != missing}
    with pytest.raises(k6.ResponseDecodeError, match="required field missing") as caught:
        decode(body, k6.LoadTest)
    assert caught.value.field == f"$.{missing}"


def test_a_required_nullable_field_must_be_present() -> None:
    body = {key: value for key, value in LOAD_TEST.items() if key != "baseline_test_run_id"}
    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode(body, k6.LoadTest)
    assert caught.value.field == "$.baseline_test_run_id"


@pytest.mark.parametrize("body", [[LOAD_TEST], "text", None, 5])
def test_a_body_that_is_not_an_object_is_refused(body: Any) -> None:
    with pytest.raises(k6.ResponseDecodeError, match="expected an object"):
        decode(body, k6.LoadTest)


def test_nested_errors_name_the_nested_path() -> None:
    run = running_run(status_history=[{"type": "created", "entered": "not a date"}])
    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode(run, k6.TestRun)
    assert caught.value.field == "$.status_history[0].entered"


def test_vuh_figures_are_floats_from_numbers_or_decimal_strings() -> None:
    result = decode(
        {
            "vuh_usage": 6,
            "breakdown": {
                "protocol_vuh": "6.75",
                "browser_vuh": 0,
                "base_total_vuh": 10,
                "reduction_rate": 32.5,
                "reduction_rate_breakdown": {"volume": "10", "local_run": 25},
            },
        },
        k6.ValidateOptionsResult,
    )
    assert result.vuh_usage == 6.0
    assert isinstance(result.vuh_usage, float)
    assert result.breakdown.protocol_vuh == 6.75
    assert result.breakdown.reduction_rate_breakdown == {"volume": 10.0, "local_run": 25.0}


def test_a_vuh_figure_that_is_a_bool_is_refused() -> None:
    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode({"vuh_usage": True, "breakdown": {}}, k6.ValidateOptionsResult)
    assert caught.value.field == "$.vuh_usage"


def test_status_and_result_accept_values_this_version_does_not_know() -> None:
    event = decode({"type": "teleporting", "entered": "2024-06-01T19:00:00Z"}, k6.StatusEvent)
    assert event.type == "teleporting"


class TestPages:
    def test_a_page_decodes_items_count_and_next_link(self) -> None:
        page = decode_page(
            {"value": [LOAD_TEST], "@count": 1, "@nextLink": "https://x/y"}, k6.LoadTest
        )
        assert [test.id for test in page.items] == [1234]
        assert (page.count, page.next_link) == (1, "https://x/y")

    def test_a_bad_item_is_named_by_its_index(self) -> None:
        with pytest.raises(k6.ResponseDecodeError) as caught:
            decode_page({"value": [LOAD_TEST, {**LOAD_TEST, "id": None}]}, k6.LoadTest)
        assert caught.value.field == "$.value[1].id"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "$.value"),
            ({"value": {}}, "$.value"),
            ({"value": [], "@count": "3"}, "$.@count"),
            ({"value": [], "@nextLink": 5}, "$.@nextLink"),
            ([], "$"),
        ],
    )
    def test_a_malformed_listing_names_the_field(self, body: Any, field: str) -> None:
        with pytest.raises(k6.ResponseDecodeError) as caught:
            decode_page(body, k6.LoadTest)
        assert caught.value.field == field


def test_to_dict_gives_the_api_shape() -> None:
    page = decode_page({"value": [LOAD_TEST], "@nextLink": "https://x/y"}, k6.LoadTest)
    body = k6.to_dict(page)
    assert body["@nextLink"] == "https://x/y"
    assert "@count" not in body
    assert body["value"][0]["created"] == "2024-12-03T09:53:00.553000+00:00"


def test_to_dict_refuses_other_objects() -> None:
    with pytest.raises(TypeError, match="to_dict"):
        k6.to_dict({"a": 1})


def test_unset_is_falsy_and_prints_as_its_name() -> None:
    assert not k6.UNSET
    assert repr(k6.UNSET) == "UNSET"


class TestPagesInPlace:
    """A listing body parsed for one call becomes its page: each item's JSON is replaced by
    the model and freed at once, so a page adds no more live objects than its JSON held."""

    BODY = json.dumps({"value": [{**LOAD_TEST, "id": i} for i in range(1000)]})

    def test_the_body_list_becomes_the_items(self) -> None:
        body = json.loads(self.BODY)
        values = body["value"]
        page = decode_page(body, k6.LoadTest, reuse_body=True)
        assert page.items is values
        assert [test.id for test in page.items] == list(range(1000))

    def test_without_reuse_the_callers_body_is_left_alone(self) -> None:
        body = json.loads(self.BODY)
        decode_page(body, k6.LoadTest)
        assert body["value"][0] == {**LOAD_TEST, "id": 0}

    @pytest.mark.parametrize("reuse_body", [True, False])
    def test_live_objects_after_decoding_a_page(self, reuse_body: bool) -> None:
        decode_page(json.loads(self.BODY), k6.LoadTest)  # the decoders are generated
        body = json.loads(self.BODY)
        gc.collect()
        gc.disable()  # gen0's count is then the net number of container objects created
        try:
            before = gc.get_count()[0]
            page = decode_page(body, k6.LoadTest, reuse_body=reuse_body)
            added = gc.get_count()[0] - before
        finally:
            gc.enable()
        assert len(page.items) == 1000
        if reuse_body:
            assert added < 200  # 1,000 models in, 1,000 dicts out
        else:
            assert added >= 1000  # the caller's dicts stay alive beside the models

    def test_a_bad_item_in_place_is_still_named_by_its_index(self) -> None:
        body = json.loads(self.BODY)
        body["value"][500]["created"] = "soon"
        with pytest.raises(k6.ResponseDecodeError) as caught:
            decode_page(body, k6.LoadTest, reuse_body=True)
        assert caught.value.field == "$.value[500].created"

    def test_an_item_only_the_detailed_rule_reads_does_not_stop_the_page(self) -> None:
        body = json.loads(self.BODY)
        body["value"][3]["created"] = "2024-12-03T10:53:00+01:00"  # not inlined: an offset
        page = decode_page(body, k6.LoadTest, reuse_body=True)
        assert page.items[3].created.utcoffset() == timedelta(hours=1)
        assert [test.id for test in page.items] == list(range(1000))


async def test_a_listing_lets_go_of_each_item_once_yielded() -> None:
    async def pages() -> Any:
        yield decode_page({"value": [{**LOAD_TEST, "id": i} for i in range(3)]}, k6.LoadTest)

    items = iterate_items(pages())
    first = await anext(items)
    gone = weakref.ref(first)
    del first
    assert gone() is None  # not kept alive by its page until the page is done
    assert [test.id async for test in items] == [1, 2]
