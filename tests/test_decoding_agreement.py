"""The generated fast decoders and the detailed cattrs converter agree on every body.

For random bodies (valid ones, and valid ones with fields dropped, replaced by any JSON value
or added), both accept or both reject, and what they build is identical: same values, same
types (``repr`` tells ``1`` from ``1.0`` and a naive from an aware date-time).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal, get_args, get_origin

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import k6cloud_async as k6
from k6cloud_async._codegen import GENERATED_FILENAME
from k6cloud_async._converter import _detailed, _generated, decode, decode_page
from k6cloud_async._models import VUH_FIGURE, ErrorBody
from k6cloud_async._scalars import structure_datetime
from tests._bodies import running_run

# -- models beyond the API's, for the kinds of field the API's models do not use yet ----------


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@attrs.define
class Pair:
    """Two fields of one type: a decoder that builds by position would swap them unseen."""

    second: int
    first: int


@attrs.define
class Everything:
    number: float
    flag: bool
    stamps: list[datetime]
    counts: dict[str, int]
    when: dict[str, datetime] | None
    pair: Pair | None
    anything: Any
    items: list[Any]
    mode: Literal["a", "b"]
    colour: Colour
    pairs: list[Pair] = attrs.Factory(list)
    level: int = 3
    label: str | None = "none"
    named: bool = attrs.field(default=False, kw_only=True)


@attrs.frozen
class Frozen:
    """Built by calling the class: a frozen ``__init__`` does more than assign."""

    id: int
    at: datetime


@attrs.define
class Validated:
    size: int = attrs.field(validator=attrs.validators.ge(0))
    name: str = "x"


@attrs.define
class Empty:
    pass


@attrs.define
class Node:
    """A model that contains itself."""

    id: int
    children: list[Node]


MODELS = [
    k6.LoadTest,
    k6.TestRun,
    k6.StatusEvent,
    k6.StatusExtra,
    k6.TestCost,
    k6.CostBreakdown,
    k6.ValidateOptionsResult,
    k6.ErrorDetail,
    ErrorBody,
    Pair,
    Everything,
    Frozen,
    Validated,
    Empty,
]

# -- strategies ----------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """Date-times in the shapes the API uses, and in shapes it does not."""
    when = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    text = when.isoformat(timespec=draw(st.sampled_from(["seconds", "milliseconds", "auto"])))
    suffix = draw(
        st.sampled_from(["", "", "Z", "+00:00", "-05:30", "+01", "+0100", "+01:00:30", "ZZ", "+"])
    )
    text += suffix
    mangle = draw(st.sampled_from(["none", "none", "none", "date", "space", "cut", "noise"]))
    if mangle == "date":
        text = text[:10]
    elif mangle == "space":
        text = text.replace("T", " ")
    elif mangle == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif mangle == "noise":
        position = draw(st.integers(0, len(text)))
        text = text[:position] + draw(st.sampled_from("0Z:-+T. x")) + text[position:]
    return text


decimal_strings = st.from_regex(r"\A[+-]?[0-9]{1,6}(\.[0-9]{0,4})?([eE][+-]?[0-9]{1,2})?\Z")
numbers = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    decimal_strings,
)


#: Values one JSON type away from another: a decoder too lenient on any type accepts one.
near_misses = st.sampled_from(
    [True, False, 0, 1, 1.0, 2.5, "1", "", "x", "2024-12-03T09:53:00", None, [], [1], {}, {"a": 1}]
)


def valid(kind: Any) -> st.SearchStrategy[Any]:
    """Values that fit ``kind`` (mostly), as parsed JSON."""
    if get_origin(kind) is not None and getattr(kind, "__metadata__", None) == (VUH_FIGURE,):
        return st.one_of(numbers, st.text(max_size=5), st.none(), st.booleans(), json_values)
    if kind is int:
        return st.integers(-(2**63), 2**63 - 1)
    if kind is str:
        return st.text(max_size=10)
    if kind is bool:
        return st.booleans()
    if kind is float:
        return numbers
    if kind is datetime:
        return timestamps()
    if kind is Any:
        return json_values
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.sampled_from([member.value for member in kind]) | st.text(max_size=4)
    origin, args = get_origin(kind), get_args(kind)
    if origin is Literal:
        return st.sampled_from(args) | st.text(max_size=2)
    if origin is list:
        return st.lists(valid(args[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(st.text(max_size=4), valid(args[1]), max_size=3)
    if args:  # a union: any member
        return st.one_of([valid(arg) for arg in args])
    if kind is type(None):
        return st.none()
    if attrs.has(kind):
        return bodies(kind)
    raise AssertionError(f"no strategy for {kind!r}")


@st.composite
def bodies(draw: st.DrawFn, cls: type) -> Any:
    """A body for ``cls``: mostly right, with fields dropped, wrong or added now and then."""
    attrs.resolve_types(cls)
    body: dict[str, Any] = {}
    for a in attrs.fields(cls):
        if a.metadata:  # a sent-object field is not on the wire
            continue
        fate = draw(st.sampled_from(["valid"] * 7 + ["drop", "wrong", "near"]))
        if fate == "valid":
            body[a.name] = draw(valid(a.type))
        elif fate == "wrong":
            body[a.name] = draw(json_values)
        elif fate == "near":
            body[a.name] = draw(near_misses)
    if draw(st.integers(0, 9)) == 0:
        body[draw(st.text(max_size=6))] = draw(json_values)
    if draw(st.integers(0, 29)) == 0:
        return draw(json_values)  # not an object at all
    return body


def _outcome(decode_it: Any) -> tuple[bool, Any]:
    try:
        return True, decode_it()
    except Exception:
        return False, None


def _assert_same(
    fast: tuple[bool, Any], detailed: tuple[bool, Any], body: Any, sent: Any = id
) -> None:
    """Both accepted or both rejected, and built the same. ``sent`` is what is compared of
    each ``raw`` sent object: its identity, or itself where the two parsed the body apart."""
    assert fast[0] == detailed[0], f"fast {'accepted' if fast[0] else 'rejected'}: {body!r}"
    if fast[0]:
        assert repr(fast[1]) == repr(detailed[1])
        assert fast[1] == detailed[1]
        assert _sent_objects(fast[1], sent) == _sent_objects(detailed[1], sent)


def _sent_objects(value: Any, sent: Any = id) -> list[Any]:
    """``sent`` of every ``raw`` sent object in ``value`` (a model, a page, a list)."""
    found: list[Any] = []
    if attrs.has(type(value)):
        for a in attrs.fields(type(value)):
            inner = getattr(value, a.name)
            found += [sent(inner)] if a.metadata else _sent_objects(inner, sent)
    elif isinstance(value, list):
        for item in value:
            found += _sent_objects(item, sent)
    return found


AGREEMENT = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@AGREEMENT
@given(data=st.data())
def test_fast_and_detailed_agree_on_any_body(cls: type, data: st.DataObject) -> None:
    body = data.draw(bodies(cls))
    fast = _outcome(lambda: _generated.item(cls)(body))
    detailed = _outcome(lambda: _detailed.structure(body, cls))
    _assert_same(fast, detailed, body)


@pytest.mark.parametrize("cls", [k6.LoadTest, k6.TestRun, Everything], ids=lambda c: c.__name__)
@AGREEMENT
@given(data=st.data())
def test_fast_and_detailed_agree_on_any_page(cls: type, data: st.DataObject) -> None:
    values = data.draw(st.lists(bodies(cls), max_size=4))
    fast = _outcome(lambda: _generated.page(cls)(list(values)))  # it fills the list it gets
    detailed = _outcome(lambda: _detailed.structure(values, list[cls]))  # type: ignore[valid-type]
    _assert_same(fast, detailed, values)


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_decode_returns_the_detailed_result_or_a_decode_error(
    cls: type, data: st.DataObject
) -> None:
    body = data.draw(bodies(cls))
    detailed = _outcome(lambda: _detailed.structure(body, cls))
    if detailed[0] and isinstance(body, dict):
        assert repr(decode(body, cls)) == repr(detailed[1])
    else:
        with pytest.raises(k6.ResponseDecodeError):
            decode(body, cls)


NEAR_MISSES = [True, False, 0, 1, 1.0, 2.5, "1", "", "x", "2024-12-03T09:53:00", None, [], [1], {}]


def example(kind: Any) -> Any:
    """One JSON value that fits ``kind``."""
    if get_origin(kind) is not None and getattr(kind, "__metadata__", None) == (VUH_FIGURE,):
        return 1.5
    simple = {int: 1, str: "s", bool: False, float: 1.5, datetime: "2024-12-03T09:53:00Z"}
    if kind in simple:
        return simple[kind]
    if kind is Any:
        return {"a": 1}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return next(iter(kind)).value
    origin, args = get_origin(kind), get_args(kind)
    if origin is Literal:
        return args[0]
    if origin is list:
        return [example(args[0])]
    if origin is dict:
        return {"k": example(args[1])}
    if args:  # X | None
        return example(next(arg for arg in args if arg is not type(None)))
    attrs.resolve_types(kind)
    return {a.name: example(a.type) for a in attrs.fields(kind) if not a.metadata}


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_every_field_refuses_what_the_detailed_rule_refuses(cls: type) -> None:
    body = example(cls)
    assert _outcome(lambda: _generated.item(cls)(body))[0]
    for name in body:
        for value in NEAR_MISSES:
            changed = {**body, name: value}
            fast = _outcome(lambda: _generated.item(cls)(changed))  # noqa: B023
            detailed = _outcome(lambda: _detailed.structure(changed, cls))  # noqa: B023
            _assert_same(fast, detailed, changed)


@settings(max_examples=300, deadline=None)
@given(text=timestamps() | st.text(alphabet="0123456789-:T.Z+ W", max_size=30))
def test_inline_date_times_read_as_the_detailed_rule(text: str) -> None:
    fast = _outcome(lambda: _generated.item(Frozen)({"id": 1, "at": text}).at)
    rule = _outcome(lambda: structure_datetime(text))
    assert fast[0] == rule[0], text
    if fast[0]:
        assert fast[1] == rule[1]
        assert fast[1].utcoffset() == rule[1].utcoffset()


# -- what the generated code does, told as stories ----------------------------------------------


def test_fields_are_matched_by_name_whatever_their_declared_order() -> None:
    pair = decode({"first": 1, "second": 2}, Pair)
    assert (pair.first, pair.second) == (1, 2)
    page = decode_page({"value": [{"second": 20, "first": 10}]}, Pair)
    assert (page.items[0].first, page.items[0].second) == (10, 20)


def test_a_new_model_gets_a_generated_decoder_and_page_decoder_on_first_use() -> None:
    @attrs.define
    class Project:
        id: int
        name: str
        created: datetime
        is_default: bool = False

    body = {"id": 7, "name": "p", "created": "2024-12-03T09:53:00Z"}
    assert decode(body, Project) == Project(7, "p", datetime(2024, 12, 3, 9, 53, tzinfo=UTC))
    for decoder in (_generated.item(Project), _generated.page(Project)):
        assert decoder.__code__.co_filename.startswith(GENERATED_FILENAME)
    assert decode_page({"value": [body, body]}, Project).items[1].id == 7


def test_a_new_model_names_the_offending_field() -> None:
    @attrs.define
    class Schedule:
        id: int
        starts: datetime
        cron: list[str] | None = None

    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode_page(
            {"value": [{"id": 1, "starts": "2024-12-03T09:53:00"}, {"id": 2, "starts": 5}]},
            Schedule,
        )
    assert caught.value.field == "$.value[1].starts"
    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode({"id": 1, "starts": "2024-12-03T09:53:00", "cron": ["0 * * * *", 3]}, Schedule)
    assert caught.value.field == "$.cron[1]"


def test_a_model_with_a_validator_is_built_through_its_init() -> None:
    assert decode({"size": 2}, Validated) == Validated(2)
    with pytest.raises(k6.ResponseDecodeError):
        decode({"size": -1}, Validated)


def test_defaults_and_keyword_only_fields() -> None:
    body = {
        "number": "2.5",
        "flag": True,
        "stamps": ["2024-12-03T09:53:00"],
        "counts": {"a": 1},
        "when": None,
        "pair": None,
        "anything": [1],
        "items": [],
        "mode": "a",
        "colour": "red",
    }
    result = decode(body, Everything)
    assert (result.number, result.level, result.label, result.named) == (2.5, 3, "none", False)
    assert result.stamps == [datetime(2024, 12, 3, 9, 53, tzinfo=UTC)]
    assert result.colour is Colour.RED
    assert decode({**body, "named": True}, Everything).named is True
    assert decode(body, Everything).pairs is not result.pairs  # a fresh list from the factory


def test_a_date_time_with_another_offset_keeps_it() -> None:
    frozen = decode({"id": 1, "at": "2024-12-03T10:53:00-05:30"}, Frozen)
    assert frozen.at.utcoffset() == -timedelta(hours=5, minutes=30)
    assert frozen.at.tzinfo == timezone(-timedelta(hours=5, minutes=30))


RUN: dict[str, Any] = running_run()


def test_json_containers_are_kept_not_copied() -> None:
    options = {"scenarios": {"a": {"executor": "shared-iterations"}}}
    assert decode({**RUN, "options": options}, k6.TestRun).options is options


def test_a_model_that_contains_itself_is_decoded_to_any_depth() -> None:
    body = {"id": 1, "children": [{"id": 2, "children": [{"id": 3, "children": []}]}]}
    node = decode(body, Node)
    assert node.children[0].children[0] == Node(3, [])
    with pytest.raises(k6.ResponseDecodeError) as caught:
        decode({"id": 1, "children": [{"id": 2, "children": [{"id": "3"}]}]}, Node)
    assert caught.value.field == "$.children[0].children[0].id"
