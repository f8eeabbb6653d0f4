"""Whole bodies decoded by msgspec, when the ``fast`` extra installed it: the fastest path.

``WireDecoders.model(cls)`` is ``f(body) -> cls`` and ``WireDecoders.page(cls)`` is
``f(body) -> Page[cls]`` for the bytes of a response body, or ``None`` when msgspec is not
installed or ``cls`` has no wire form. msgspec parses the body straight into a *wire struct*
generated from the model's ``attrs.fields()``: a ``msgspec.Struct`` with the same field names
and defaults, typed with the JSON types msgspec checks as strictly as ``_scalars`` does (an
integer field takes only a JSON integer, never a float or a boolean). Code generated from
the same fields then builds the model from the struct, converting only what msgspec does
not: date-times by ``_scalars``' rule (inline, as the dict decoders do), floats (which may
come as decimal strings), VUH figures, and what msgspec cannot check (a ``Literal``, an
``Enum``, a model with a field that keeps its JSON object) by the dict decoders of
``_codegen``.

On anything unexpected (a body msgspec refuses, a value the builder refuses) the function
raises, and the caller decodes the body the other way (``_json.loads`` and the dict
decoders), whose result or error is the call's: this path only ever returns what that one
would. ``tests/test_wire_decoding.py`` checks that on random bodies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Union, get_args, get_origin

import attrs

from ._codegen import (
    FastDecoders,
    Writer,
    construct,
    emit_datetime,
    is_figure,
    is_optional,
    unwrap,
)
from ._models import SENT_OBJECT, Page
from ._scalars import read_figure, structure_datetime, structure_float

__all__ = ["WireDecoders"]

BodyDecoder = Callable[[bytes], Any]
Convert = Callable[[Any], Any]

#: Kinds msgspec checks exactly as the dict decoders do, and leaves as they are. (A float
#: field also takes a decimal string, which msgspec would refuse: it is converted here.)
_AS_SENT: Final = (int, str, bool)


def _msgspec() -> Any:
    """The msgspec module, or ``None``; imported on first use (not at ``import
    k6cloud_async``)."""
    try:
        import msgspec
    except ImportError:
        return None
    return msgspec


def _optional(kind: Any) -> Any:
    return Union[kind, None]  # noqa: UP007 - a runtime union of a computed type


class WireDecoders:
    """Generates, caches and hands out the msgspec decoders of attrs classes.

    ``dicts`` gives the dict decoder (``dicts.decoder(kind)``) of every kind the wire structs
    leave as a JSON value.
    """

    def __init__(self, dicts: FastDecoders) -> None:
        self._dicts = dicts
        self._msgspec: Any = None
        self._loaded = False
        self._wire: dict[type, tuple[Any, Convert]] = {}
        self._models: dict[type, BodyDecoder | None] = {}
        self._pages: dict[type, BodyDecoder | None] = {}
        self._compiling: set[type] = set()

    def model(self, cls: type) -> BodyDecoder | None:
        """``f(body) -> cls``, raising on any mismatch; ``None`` without a wire form."""
        if cls not in self._models:
            self._models[cls] = self._guarded(self._compile_model, cls)
        return self._models[cls]

    def page(self, cls: type) -> BodyDecoder | None:
        """``f(body) -> Page[cls]`` for a listing body (``value``, ``@count``,
        ``@nextLink``), raising on any mismatch; ``None`` without a wire form."""
        if cls not in self._pages:
            self._pages[cls] = self._guarded(self._compile_page, cls)
        return self._pages[cls]

    def _guarded(self, compile_: Callable[[type], BodyDecoder], cls: type) -> BodyDecoder | None:
        if not self._has_wire_form(cls):
            return None
        try:
            return compile_(cls)
        except Exception:  # a field msgspec cannot hold (``__x``, a type it refuses)
            return None  # the dict path decodes this model, as without msgspec

    def _compile_model(self, cls: type) -> BodyDecoder:
        struct, build = self._compile(cls)
        decode = self._msgspec.json.Decoder(struct).decode

        def decode_model(body: bytes) -> Any:
            return build(decode(body))

        return decode_model

    # -- which models -----------------------------------------------------------------------

    def _has_wire_form(self, cls: Any) -> bool:
        if not self._loaded:
            self._msgspec, self._loaded = _msgspec(), True
        return (
            self._msgspec is not None
            and FastDecoders.supports(cls)
            and cls not in self._compiling  # a model inside itself: its JSON, decoded as dict
            and not any(a.metadata.get(SENT_OBJECT) for a in attrs.fields(cls))
        )

    # -- code generation --------------------------------------------------------------------

    def _compile(self, cls: type) -> tuple[Any, Convert]:
        """The wire struct of ``cls`` and ``build(struct) -> cls``."""
        compiled = self._wire.get(cls)
        if compiled is not None:
            return compiled
        self._compiling.add(cls)
        try:
            attrs.resolve_types(cls)
            w = Writer()
            spec, values, fields = self._fields(w, 1, cls)
            w.emit(1, f"return {construct(w, 1, cls, w.bind(cls, 'cls'), fields, values)}")
            build = w.function("build", "s", cls)
            struct = self._struct(f"{cls.__name__}Wire", spec)
        finally:
            self._compiling.discard(cls)
        compiled = self._wire[cls] = (struct, build)
        return compiled

    def _compile_page(self, cls: type) -> BodyDecoder:
        attrs.resolve_types(cls)
        item, _ = self._compile(cls)  # nested wire structs first
        self._compiling.add(cls)
        try:
            w = Writer()
            w.names["Page"] = Page
            w.emit(1, "values = page.value")
            w.emit(1, "i = 0")
            w.emit(1, "for s in values:")
            _, values, fields = self._fields(w, 2, cls)
            result = construct(w, 2, cls, w.bind(cls, "cls"), fields, values)
            w.emit(2, f"values[i] = {result}")  # each struct freed as its model is built
            w.emit(2, "i += 1")
            w.emit(1, "return Page(items=values, count=page.count, next_link=page.next_link)")
            build = w.function("build_page", "page", cls)
        finally:
            self._compiling.discard(cls)
        envelope = self._struct(
            f"{cls.__name__}PageWire",
            [
                ("value", list[item]),  # type: ignore[valid-type]
                ("count", int | None, None),
                ("next_link", str | None, None),
            ],
            rename={"count": "@count", "next_link": "@nextLink"},
        )
        decode = self._msgspec.json.Decoder(envelope).decode

        def decode_page(body: bytes) -> Any:
            return build(decode(body))

        return decode_page

    def _struct(self, name: str, spec: list[tuple[Any, ...]], **options: Any) -> Any:
        # gc=False: a wire struct lives for one call and never takes part in a cycle.
        return self._msgspec.defstruct(name, spec, kw_only=True, gc=False, **options)

    def _fields(
        self, w: Writer, indent: int, cls: type
    ) -> tuple[list[tuple[Any, ...]], list[str], list[attrs.Attribute[Any]]]:
        """Emit the reading of each init field of ``cls`` from the struct ``s`` into a local;
        give the wire struct's field spec, the locals and the fields."""
        fields = [a for a in attrs.fields(cls) if a.init]
        spec: list[tuple[Any, ...]] = []
        values: list[str] = []
        for a in fields:
            var = w.local()
            values.append(var)
            w.emit(indent, f"{var} = s.{a.name}")
            kind = unwrap(a.type)
            if a.default is attrs.NOTHING:
                spec.append((a.name, self._value(w, indent, kind, var)))
            elif a.default is None and (is_optional(kind) or is_figure(kind) or kind is Any):
                # Absent reads as null, which the field's own rule turns into the default.
                spec.append((a.name, self._value(w, indent, kind, var), None))
            else:
                unset = w.bind(self._msgspec.UNSET, "unset")
                w.emit(indent, f"if {var} is {unset}:")
                if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
                    factory = w.bind(a.default.factory, "factory")
                    w.emit(indent + 1, f"{var} = {factory}()")
                else:
                    w.emit(indent + 1, f"{var} = {w.bind(a.default, 'default')}")
                w.emit(indent, "else:")
                start = len(w.lines)
                wire = self._value(w, indent + 1, kind, var)
                if len(w.lines) == start:
                    w.emit(indent + 1, "pass")
                spec.append((a.name, wire, self._msgspec.UNSET))
        return spec, values, fields

    def _value(self, w: Writer, indent: int, kind: Any, var: str) -> Any:
        """Emit the conversion of the wire value in ``var`` into the field value; give the
        wire type. Date-times are converted inline (a page has thousands)."""
        if kind is datetime:
            emit_datetime(w, indent, var)
            return str
        if kind is float:
            to_float = w.bind(structure_float, "float")
            w.emit(indent, f"if {var}.__class__ is not float: {var} = {to_float}({var})")
            return Any
        if is_optional(kind):
            inner = unwrap(next(arg for arg in get_args(kind) if arg is not type(None)))
            if inner is datetime:
                w.emit(indent, f"if {var} is not None:")
                emit_datetime(w, indent + 1, var)
                return str | None
        wire, convert = self._element(kind)
        if convert is not None:
            w.emit(indent, f"{var} = {w.bind(convert, 'convert')}({var})")
        return wire

    def _element(self, kind: Any) -> tuple[Any, Convert | None]:
        """The wire type of ``kind`` and the function that converts its wire value, or
        ``None`` when msgspec's value is the field value."""
        kind = unwrap(kind)
        if kind in _AS_SENT:
            return kind, None
        if kind is type(None):
            return None, None
        if kind is Any or kind is object:
            return Any, None
        if kind is datetime:
            return str, structure_datetime
        if kind is float:
            return Any, structure_float
        if is_figure(kind):
            return Any, read_figure
        if is_optional(kind):
            inner = next(arg for arg in get_args(kind) if arg is not type(None))
            wire, convert = self._element(inner)
            if wire is Any:
                return Any, None if convert is None else _unless_none(convert)
            return _optional(wire), None if convert is None else _unless_none(convert)
        origin, args = get_origin(kind), get_args(kind)
        if origin is list and len(args) == 1:
            wire, convert = self._element(args[0])
            return list[wire], None if convert is None else _each(convert)  # type: ignore[valid-type]
        if origin is dict and len(args) == 2 and args[0] is str:
            wire, convert = self._element(args[1])
            return dict[str, wire], None if convert is None else _each_value(convert)  # type: ignore[valid-type]
        if isinstance(kind, type) and self._has_wire_form(kind):
            return self._compile(kind)
        # Anything else (a model that keeps its JSON object, a Literal, an Enum, a union):
        # the JSON value as sent, decoded by the dict decoders' rule.
        return Any, self._dicts.decoder(kind)


def _unless_none(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _each(convert: Convert) -> Convert:
    return lambda values: [convert(value) for value in values]


def _each_value(convert: Convert) -> Convert:
    return lambda values: {key: convert(value) for key, value in values.items()}
