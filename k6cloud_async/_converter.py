"""Decoding: a fast path generated from the models, and a detailed converter that explains.

A body is decoded by code generated from the model's ``attrs.fields()`` (``_codegen``): for
every attrs class, on first use, with no registration. It checks every value with the strict
rules of ``_scalars`` (an integer field takes only a JSON integer, never a string or a bool)
and builds the model. Only when that fails is the body decoded again by the detailed cattrs
converter, which applies the same rules; its error names the offending field, and the result
is a ``ResponseDecodeError`` (``field="$.status_history[0].entered"``). The two are kept in
agreement by a property test (``tests/test_decoding_agreement.py``).

With msgspec installed (the ``fast`` extra), the response handlers first hand the body's
bytes to ``wire_decoder``/``wire_page_decoder`` (``_codegen_wire``): msgspec parses and type-checks
it in one pass into structs generated from the same fields; anything it does not take as it
is falls back to the path above (``tests/test_wire_decoding.py``).

Adding a model: declare an attrs class in ``_models.py`` (fields named as in the API, types
from ``int``, ``float``, ``str``, ``bool``, ``datetime``, ``VuhFigure``, ``X | None``,
``list[X]``, ``dict[str, X]``, ``Any`` and other models; anything else, such as a ``Literal``
or an ``Enum``, is handed to cattrs) and pass it to ``decode``/``decode_page`` (or to
``JsonModel``/``JsonPage``). Its fast decoder and its page decoder are generated the first
time; there is no second description of its schema to keep in step. Request models, whose
fields may be ``UNSET``, are listed in ``_REQUEST_MODELS`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import UnionType
from typing import Any, Final, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import list_structure_factory, mapping_structure_factory
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._codegen import FastDecoders, PageMismatch
from ._codegen_wire import WireDecoders
from ._errors import ResponseDecodeError
from ._models import (
    SENT_OBJECT,
    LoadTestMove,
    LoadTestPatch,
    Page,
    Unset,
    ValidateOptionsRequest,
    VuhFigure,
)
from ._models_labels import LabelKeyCreateItem, LabelKeyPatch, LabelKeysCreate
from ._models_load_zones import AllowedProjectRef, AllowedProjectsUpdate
from ._models_projects import (
    AllowedLoadZoneRef,
    AllowedLoadZonesUpdate,
    ProjectCreate,
    ProjectLabelPut,
    ProjectLabelsPut,
    ProjectLimitsPatch,
    ProjectPatch,
)
from ._models_schedules import ScheduleRequest
from ._scalars import (
    json_type,
    read_figure,
    structure_bool,
    structure_datetime,
    structure_float,
    structure_int,
    structure_str,
)

__all__ = [
    "decode",
    "decode_list",
    "decode_page",
    "to_dict",
    "wire_decoder",
    "wire_page_decoder",
]

T = TypeVar("T")


def _without_unset(kind: Any) -> Any:
    """``X | Unset`` → ``X``: a request model's field left out is simply absent."""
    members = tuple(arg for arg in get_args(kind) if arg is not Unset)
    return members[0] if len(members) == 1 else Union[members]  # noqa: UP007


def _request_structurer(converter: cattrs.Converter) -> Any:
    """Request bodies: a field absent from the JSON stays ``UNSET``."""

    def structure(data: Any, cls: type[Any]) -> Any:
        if type(data) is not dict:
            raise TypeError(f"expected an object, got {json_type(data)}")
        kwargs = {}
        for attribute in attrs.fields(cls):
            if attribute.name in data:
                kind = attribute.type
                if get_origin(kind) in (Union, UnionType) and Unset in get_args(kind):
                    kind = _without_unset(kind)
                kwargs[attribute.name] = converter.structure(data[attribute.name], kind)
        return cls(**kwargs)

    return structure


#: Request bodies: decoded with a field absent from the JSON left at ``UNSET``, and written
#: without the fields left at ``UNSET``.
_REQUEST_MODELS: Final = (
    LoadTestPatch,
    LoadTestMove,
    ValidateOptionsRequest,
    ProjectCreate,
    ProjectPatch,
    ProjectLimitsPatch,
    AllowedLoadZoneRef,
    AllowedLoadZonesUpdate,
    ProjectLabelPut,
    ProjectLabelsPut,
    ScheduleRequest,
    AllowedProjectRef,
    AllowedProjectsUpdate,
    LabelKeyCreateItem,
    LabelKeysCreate,
    LabelKeyPatch,
)


def _is_list(kind: Any) -> bool:
    return kind is list or get_origin(kind) is list


def _is_dict(kind: Any) -> bool:
    return kind is dict or get_origin(kind) is dict


def _strict_container(
    factory: Callable[[Any, cattrs.Converter], Any], json_class: type, expected: str
) -> Callable[[Any, cattrs.Converter], Any]:
    """cattrs' container hook, refusing any other JSON type first (cattrs alone would read
    a string as a list of characters, an object as a list of its keys)."""

    def make(kind: Any, converter: cattrs.Converter) -> Any:
        base = factory(kind, converter)

        def structure(value: Any, target: Any) -> Any:
            if value.__class__ is not json_class:
                raise TypeError(f"expected {expected}, got {json_type(value)}")
            return base(value, target)

        return structure

    return make


def _model_structurer(cls: Any, converter: cattrs.Converter) -> Any:
    """cattrs' generated hook for an attrs class, refusing a non-object first and filling
    any sent-object field with the JSON object itself."""
    sent = [a.name for a in attrs.fields(cls) if a.metadata.get(SENT_OBJECT)]
    omitted: dict[str, Any] = {name: override(omit=True) for name in sent}
    base = make_dict_structure_fn(cls, converter, **omitted)

    def structure(value: Any, target: Any) -> Any:
        if value.__class__ is not dict:
            raise TypeError(f"expected an object, got {json_type(value)}")
        instance = base(value, target)
        for name in sent:
            object.__setattr__(instance, name, value)
        return instance

    return structure


def _build(detailed: bool) -> cattrs.Converter:
    converter = cattrs.Converter(detailed_validation=detailed)
    converter.register_structure_hook_factory(attrs.has, _model_structurer)
    converter.register_structure_hook_factory(
        _is_list, _strict_container(list_structure_factory, list, "an array")
    )
    converter.register_structure_hook_factory(
        _is_dict, _strict_container(mapping_structure_factory, dict, "an object")
    )
    converter.register_structure_hook_func(lambda kind: kind == VuhFigure, read_figure)
    for request_model in _REQUEST_MODELS:
        attrs.resolve_types(request_model)
        converter.register_structure_hook(request_model, _request_structurer(converter))
    converter.register_structure_hook(int, structure_int)
    converter.register_structure_hook(float, structure_float)
    converter.register_structure_hook(str, structure_str)
    converter.register_structure_hook(bool, structure_bool)
    converter.register_structure_hook(datetime, structure_datetime)
    return converter


_detailed: Final = _build(detailed=True)
# The fallback of the generated code, for the types it hands on (Literal, Enum, unions...).
_fallback: Final = _build(detailed=False)
_generated: Final = FastDecoders(_fallback.get_structure_hook)
_fallback.register_structure_hook_factory(
    _generated.supports, lambda cls: lambda value, _: _generated.item(cls)(value)
)


_wire: Final = WireDecoders(_generated)


def wire_decoder(cls: type[T]) -> Callable[[bytes], T] | None:
    """msgspec's decoder of a whole body into ``cls`` (``_codegen_wire``), or ``None`` when
    msgspec is not installed or ``cls`` has no wire form. It raises on any body it does not
    take as it is; ``decode`` of the parsed body then gives the result or the error."""
    return None if cls in _REQUEST_MODELS else _wire.model(cls)


def wire_page_decoder(cls: type[T]) -> Callable[[bytes], Page[T]] | None:
    """``wire_decoder`` for a listing body; ``decode_page`` is the fallback."""
    return None if cls in _REQUEST_MODELS else _wire.page(cls)


def _item_decoder(cls: Any) -> Callable[[Any], Any]:
    if cls not in _REQUEST_MODELS and _generated.supports(cls):
        return _generated.item(cls)
    hook = _fallback.get_structure_hook(cls)
    return lambda data: hook(data, cls)


def _page_decoder(cls: Any) -> Callable[[list[Any]], list[Any]]:
    if cls not in _REQUEST_MODELS and _generated.supports(cls):
        return _generated.page(cls)
    item = _item_decoder(cls)

    def decode_in_place(values: list[Any]) -> list[Any]:
        for index, value in enumerate(values):
            try:
                values[index] = item(value)
            except Exception:
                raise PageMismatch(index) from None
        return values

    return decode_in_place


def decode(data: Any, cls: type[T]) -> T:
    """Structure parsed JSON into ``cls``; a body that does not fit is a ResponseDecodeError."""
    if type(data) is not dict:
        raise ResponseDecodeError(
            f"response does not fit {cls.__name__}: expected an object, got {json_type(data)}",
            field="$",
        )
    item = _item_decoders.get(cls)
    if item is None:
        item = _item_decoders[cls] = _item_decoder(cls)
    try:
        result: T = item(data)
    except Exception:
        return _decode_in_detail(data, cls, cls.__name__)  # type: ignore[no-any-return]
    return result


#: ``decode``'s decoder of each class, chosen once: ``decode`` runs once per API call, and
#: choosing (``supports`` walks the class's fields) cost as much as decoding a small model.
_item_decoders: Final[dict[Any, Callable[[Any], Any]]] = {}


def decode_page(data: Any, cls: type[T], *, reuse_body: bool = False) -> Page[T]:
    """Structure a listing body (``value``, ``@count``, ``@nextLink``) into a ``Page``.

    With ``reuse_body``, the items are built in the body's own ``value`` list, each JSON
    object replaced by its model and freed at once: for a body parsed for this call alone
    (its list holds models afterwards). A listing of 100,000 items then leaves no more live
    objects for the garbage collector to find than the dicts of the raw JSON would.
    """
    if type(data) is not dict:
        raise ResponseDecodeError(f"expected a listing object, got {json_type(data)}", field="$")
    values = data.get("value")
    if type(values) is not list:
        raise ResponseDecodeError(
            "listing has no 'value' array"
            if values is None
            else f"'value' must be an array, got {json_type(values)}",
            field="$.value",
        )
    count = data.get("@count")
    if count is not None and type(count) is not int:
        raise ResponseDecodeError(
            f"'@count' must be an integer, got {json_type(count)}", field="$.@count"
        )
    next_link = data.get("@nextLink")
    if next_link is not None and type(next_link) is not str:
        raise ResponseDecodeError(
            f"'@nextLink' must be a string, got {json_type(next_link)}", field="$.@nextLink"
        )
    if not reuse_body:
        values = list(values)
    try:
        items: list[T] = _page_decoder(cls)(values)
    except PageMismatch as stop:
        items = _finish_page_in_detail(values, stop.index, cls)
    return Page(items=items, count=count, next_link=next_link)


def decode_list(data: Any, cls: type[T]) -> list[T]:
    """Structure a JSON array of ``cls`` objects, bare or wrapped as ``{"value": [...]}``."""
    path = "$"
    if type(data) is dict and "value" in data:
        data, path = data["value"], "$.value"
    if type(data) is not list:
        raise ResponseDecodeError(
            f"expected an array of {cls.__name__}, got {json_type(data)}", field=path
        )
    item = _item_decoder(cls)
    try:
        return [item(value) for value in data]
    except Exception:
        item_list: Any = list[cls]  # type: ignore[valid-type]
        return _decode_in_detail(  # type: ignore[no-any-return]
            data, item_list, f"a list of {cls.__name__}", path=path
        )


def _finish_page_in_detail(values: list[Any], start: int, cls: type[T]) -> list[T]:
    """The items from ``start`` on, one by one: the detailed converter explains the first
    that does not fit (``$.value[3].created``), or decodes it when the fast path gave up."""
    item = _item_decoder(cls)
    name = f"a page of {cls.__name__}"
    for index in range(start, len(values)):
        value = values[index]
        try:
            values[index] = item(value)
        except Exception:
            values[index] = _decode_in_detail(value, cls, name, f"$.value[{index}]")
    return values


def _describe(exc: BaseException, _: type | None) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    return str(exc) or type(exc).__name__


def _decode_in_detail(data: Any, kind: Any, name: str, path: str = "$") -> Any:
    """Decode with the detailed converter: its result (the fast path, more conservative on
    rare forms such as unusual date-time offsets, may give up where it succeeds), or the
    ResponseDecodeError naming the first offending field."""
    try:
        return _detailed.structure(data, kind)
    except cattrs.BaseValidationError as exc:
        messages = cattrs.transform_error(exc, path=path, format_exception=_describe)
        field = messages[0].rpartition(" @ ")[2] if messages else None
        raise ResponseDecodeError(
            f"response does not fit {name}: " + "; ".join(messages), field=field
        ) from None
    except Exception as exc:
        raise ResponseDecodeError(f"response does not fit {name}: {exc}", field=path) from None


# -- unstructuring: the API's JSON shape back --------------------------------------------------

_out: Final = cattrs.Converter()
_out.register_unstructure_hook(datetime, lambda value: value.isoformat())


def _has_sent_object(cls: Any) -> bool:
    return attrs.has(cls) and any(a.metadata.get(SENT_OBJECT) for a in attrs.fields(cls))


def _unstructure_without_sent_object(cls: Any) -> Any:
    omitted: dict[str, Any] = {
        a.name: override(omit=True) for a in attrs.fields(cls) if a.metadata.get(SENT_OBJECT)
    }
    return make_dict_unstructure_fn(cls, _out, **omitted)


def _unstructure_page(page: Page[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"value": [_out.unstructure(item) for item in page.items]}
    if page.count is not None:
        body["@count"] = page.count
    if page.next_link is not None:
        body["@nextLink"] = page.next_link
    return body


def _unstructure_omitting_unset(instance: Any) -> dict[str, Any]:
    return {
        a.name: _out.unstructure(getattr(instance, a.name))
        for a in attrs.fields(type(instance))
        if not isinstance(getattr(instance, a.name), Unset)
    }


_out.register_unstructure_hook_factory(_has_sent_object, _unstructure_without_sent_object)
_out.register_unstructure_hook(Page, _unstructure_page)
for _request_model in _REQUEST_MODELS:
    _out.register_unstructure_hook(_request_model, _unstructure_omitting_unset)


def to_dict(model: Any) -> dict[str, Any]:
    """The API's JSON shape of a model (date-times as ISO 8601 strings; a ``raw`` sent
    object is left out, its figures are given as decoded)."""
    if not attrs.has(type(model)):
        raise TypeError(f"to_dict() takes a k6cloud_async model, not {type(model).__name__}")
    result: dict[str, Any] = _out.unstructure(model)
    return result
