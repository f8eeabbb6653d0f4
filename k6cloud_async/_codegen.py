"""Decoders generated from ``attrs.fields()``: the fast path of decoding.

``FastDecoders.item(cls)`` is ``f(obj) -> cls`` and ``FastDecoders.page(cls)`` is
``f(values) -> values``: the item code inlined in a loop that replaces each JSON object of
the list by its model, in place, so that the object is freed at once (no second list, and
half the live objects for the garbage collector to find: see ``decode_page``). Each is
generated once per class, on first use, from the class's attrs fields: the model is the
only description of its schema, and nothing here knows any model by name.

The generated code reads every field by its JSON name (the attribute name), applies the same
rules as ``_scalars`` (exact-class checks for ``int``/``str``/``bool``, ``float``, date-times,
VUH figures, ``X | None``, ``list[X]``, ``dict[str, X]``, nested attrs classes) and builds
the instance: with ``object.__new__`` and slot assignments when attrs' ``__init__`` would
only assign (no validators, converters, init hooks or frozen ``__setattr__``), else by
calling the class with the arguments in ``attrs.fields()`` order. Any other type is handed
to the fallback hook (the fast cattrs converter's). Containers of JSON values are kept, not
copied. On the first mismatch the code raises (any exception, without naming the field):
the caller then asks the detailed converter where and why.
"""

from __future__ import annotations

import linecache
import types
from collections.abc import Callable
from datetime import datetime
from itertools import count
from typing import Annotated, Any, Final, Union, get_args, get_origin

import attrs

from ._models import SENT_OBJECT, VUH_FIGURE
from ._scalars import read_figure, structure_datetime, structure_float

__all__ = ["FastDecoders", "Mismatch", "PageMismatch"]

Hook = Callable[[Any, Any], Any]
ItemDecoder = Callable[[Any], Any]
PageDecoder = Callable[[Any], list[Any]]

#: How the ``co_filename`` of every generated function starts (profiles, tracebacks).
GENERATED_FILENAME: Final = "<k6cloud_async generated decoder"

_CHECKED: Final = {int: "int", str: "str", bool: "bool"}
_ABSENT: Final = object()


class Mismatch(Exception):
    """Raised by generated code: the value does not fit; the detailed converter says why."""


class PageMismatch(Mismatch):
    """Raised by a page decoder: item ``index`` does not fit. The items before it are
    models already; the JSON of ``index`` and after is untouched."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def is_optional(kind: Any) -> bool:
    return (
        get_origin(kind) in (Union, types.UnionType)
        and len(get_args(kind)) == 2
        and type(None) in get_args(kind)
    )


def unwrap(kind: Any) -> Any:
    """``Annotated[X, ...]`` → ``X``, except for the VUH figure mark, which is a kind."""
    while get_origin(kind) is Annotated:
        if VUH_FIGURE in kind.__metadata__:
            return kind
        kind = get_args(kind)[0]
    return kind


def is_figure(kind: Any) -> bool:
    return get_origin(kind) is Annotated and VUH_FIGURE in kind.__metadata__


def init_only_assigns(cls: type) -> bool:
    """Whether attrs' ``__init__`` of ``cls`` would do nothing but assign its arguments."""
    init: Any = getattr(cls, "__init__", None)
    new: Any = cls.__new__
    setattr_: Any = cls.__setattr__
    code = getattr(init, "__code__", None)
    return (
        code is not None
        and code.co_filename.startswith("<attrs generated")
        and new is object.__new__
        and setattr_ is object.__setattr__  # a frozen class, or one that validates on set
        and not hasattr(cls, "__attrs_pre_init__")
        and not hasattr(cls, "__attrs_post_init__")
        and all(a.init and a.validator is None and a.converter is None for a in attrs.fields(cls))
    )


class Writer:
    """One generated function being written: its lines and the globals it refers to."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"Mismatch": Mismatch}
        self._ids = count()

    def bind(self, value: Any, hint: str) -> str:
        for name, bound in self.names.items():
            if bound is value:
                return name
        name = f"_{hint}{next(self._ids)}"
        self.names[name] = value
        return name

    def local(self) -> str:
        return f"v{next(self._ids)}"

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def function(self, name: str, parameter: str, cls: type) -> Any:
        """The lines written so far as the body of ``def name(parameter)``, compiled."""
        source = "\n".join([f"def {name}({parameter}):", *self.lines]) + "\n"
        filename = f"{GENERATED_FILENAME} {name}[{cls.__module__}.{cls.__qualname__}]>"
        # Registered like a file, so that tracebacks and debuggers show the generated lines.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), self.names)  # from attrs.fields(), not input
        function: Any = self.names[name]
        function.__qualname__ = f"{name}[{cls.__qualname__}]"
        return function


class FastDecoders:
    """Generates, caches and hands out the fast decoders of attrs classes.

    ``fallback(type)`` gives the hook (``hook(value, type)``) for any type the generated code
    does not handle itself; it must apply the same rules as the detailed converter.
    """

    def __init__(self, fallback: Callable[[Any], Hook]) -> None:
        self._fallback = fallback
        self._items: dict[type, ItemDecoder] = {}
        self._pages: dict[type, PageDecoder] = {}
        self._compiling: set[type] = set()

    @staticmethod
    def supports(cls: Any) -> bool:
        """Whether ``cls`` gets a generated decoder: an attrs class (not a generic alias)
        whose defaults are constants or plain factories."""
        if not (isinstance(cls, type) and attrs.has(cls)):
            return False
        return not any(
            isinstance(a.default, attrs.Factory) and a.default.takes_self  # type: ignore[arg-type]
            for a in attrs.fields(cls)
        )

    def item(self, cls: type) -> ItemDecoder:
        """``f(obj) -> cls``; raises on any mismatch."""
        decoder = self._items.get(cls)
        if decoder is None:
            if cls in self._compiling:  # a model that contains itself: resolve at call time
                return lambda value: self._items[cls](value)
            self._compiling.add(cls)
            try:
                decoder = self._items[cls] = self._compile(cls, page=False)
            finally:
                self._compiling.discard(cls)
        return decoder

    def page(self, cls: type) -> PageDecoder:
        """``f(values) -> values`` for a listing's ``value`` list, each item replaced by its
        model in place; raises ``PageMismatch`` at the first item that does not fit."""
        decoder = self._pages.get(cls)
        if decoder is None:
            self.item(cls)  # nested models first, so that a cycle resolves
            decoder = self._pages[cls] = self._compile(cls, page=True)
        return decoder

    # -- code generation ----------------------------------------------------------------------

    def _compile(self, cls: type, *, page: bool) -> Any:
        attrs.resolve_types(cls)
        w = Writer()
        model = w.bind(cls, "cls")
        fields = [a for a in attrs.fields(cls) if a.init]
        if page:
            w.names["PageMismatch"] = PageMismatch
            w.emit(1, "i = 0")
            w.emit(1, "try:")
            w.emit(2, "for d in values:")
            indent = 3
        else:
            indent = 1
        if not fields:
            w.emit(indent, "if d.__class__ is not dict: raise Mismatch")
        values: list[str] = []
        checks: list[str] = []
        for a in fields:
            var = w.local()
            values.append(var)
            if a.metadata.get(SENT_OBJECT):
                w.emit(indent, f"{var} = d")
                continue
            self._field(w, indent, a, var, checks)
        if checks:
            w.emit(indent, f"if {' or '.join(checks)}: raise Mismatch")
        result = construct(w, indent, cls, model, fields, values)
        if page:
            w.emit(indent, f"values[i] = {result}")
            w.emit(indent, "i += 1")
            w.emit(1, "except Exception:")
            w.emit(2, "raise PageMismatch(i) from None")
            w.emit(1, "return values")
        else:
            w.emit(indent, f"return {result}")
        name = "decode_page" if page else "decode_item"
        return w.function(name, "values" if page else "d", cls)

    def _field(
        self, w: Writer, indent: int, a: attrs.Attribute[Any], var: str, checks: list[str]
    ) -> None:
        kind = unwrap(a.type)
        key = repr(a.name)
        if a.default is attrs.NOTHING:
            w.emit(indent, f"{var} = d[{key}]")
            self._value(w, indent, kind, var, checks)
            return
        if a.default is None and (is_optional(kind) or is_figure(kind) or kind is Any):
            # A missing key gives None, which the field's own rule turns into the default.
            w.emit(indent, f"{var} = d.get({key})")
            self._value(w, indent, kind, var, checks)
            return
        absent = w.bind(_ABSENT, "absent")
        w.emit(indent, f"{var} = d.get({key}, {absent})")
        w.emit(indent, f"if {var} is {absent}:")
        if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            factory = w.bind(a.default.factory, "factory")  # type: ignore[union-attr]
            w.emit(indent + 1, f"{var} = {factory}()")
        else:
            w.emit(indent + 1, f"{var} = {w.bind(a.default, 'default')}")
        w.emit(indent, "else:")
        self._block(w, indent + 1, kind, var)

    def _value(self, w: Writer, indent: int, kind: Any, var: str, checks: list[str]) -> None:
        """Emit code that validates ``var`` and leaves the field value in it. A plain check
        goes to ``checks`` (tested together later); a conversion is written in place."""
        bad = self._bad(kind, var)
        if bad is not None:
            if bad:
                checks.append(bad)
            return
        if is_optional(kind):
            inner_kind = next(arg for arg in get_args(kind) if arg is not type(None))
            w.emit(indent, f"if {var} is not None:")
            self._block(w, indent + 1, unwrap(inner_kind), var)
            return
        if kind is float:
            to_float = w.bind(structure_float, "float")
            w.emit(indent, f"if {var}.__class__ is not float: {var} = {to_float}({var})")
            return
        if kind is datetime:
            emit_datetime(w, indent, var)
            return
        origin, args = get_origin(kind), get_args(kind)
        if origin is list and len(args) == 1:
            w.emit(indent, f"if {var}.__class__ is not list: raise Mismatch")
            self._elements(w, indent, unwrap(args[0]), var, f"for x in {var}", "[{} for x in {}]")
            return
        if origin is dict and len(args) == 2 and args[0] is str:
            w.emit(indent, f"if {var}.__class__ is not dict: raise Mismatch")
            self._elements(
                w, indent, unwrap(args[1]), var, f"for x in {var}.values()",
                "{{k: {} for k, x in {}.items()}}",
            )  # fmt: skip
            return
        decoder = w.bind(self.decoder(kind), "decode")
        w.emit(indent, f"{var} = {decoder}({var})")

    def _block(self, w: Writer, indent: int, kind: Any, var: str) -> None:
        """``_value`` as the body of an ``if``/``else``, its checks tested at once."""
        start = len(w.lines)
        checks: list[str] = []
        self._value(w, indent, kind, var, checks)
        if checks:
            w.emit(indent, f"if {' or '.join(checks)}: raise Mismatch")
        if len(w.lines) == start:
            w.emit(indent, "pass")

    def _elements(
        self, w: Writer, indent: int, kind: Any, var: str, loop: str, rebuild: str
    ) -> None:
        bad = self._bad(kind, "x")
        if bad == "":
            return
        if bad is not None:  # check every element in place: the container is kept as is
            w.emit(indent, f"{loop}:")
            w.emit(indent + 1, f"if {bad}: raise Mismatch")
            return
        decoder = w.bind(self.decoder(kind), "decode")
        w.emit(indent, f"{var} = {rebuild.format(f'{decoder}(x)', var)}")

    @staticmethod
    def _bad(kind: Any, var: str) -> str | None:
        """A condition that is true when ``var`` does not fit ``kind``, for kinds that keep
        the JSON value as it is (``""``: any value fits); ``None`` for kinds that convert."""
        if kind is Any or kind is object:
            return ""
        name = _CHECKED.get(kind)
        if name is not None:
            return f"{var}.__class__ is not {name}"
        if kind is type(None):
            return f"{var} is not None"
        origin, args = get_origin(kind), get_args(kind)
        if origin is list and len(args) == 1 and unwrap(args[0]) is Any:
            return f"{var}.__class__ is not list"
        if origin is dict and len(args) == 2 and args[0] is str and unwrap(args[1]) is Any:
            return f"{var}.__class__ is not dict"
        if is_optional(kind):
            inner = next(arg for arg in get_args(kind) if arg is not type(None))
            inner_bad = FastDecoders._bad(unwrap(inner), var)
            if inner_bad == "":
                return ""
            if inner_bad is not None:
                return f"({var} is not None and {inner_bad})"
        return None

    def decoder(self, kind: Any) -> ItemDecoder:
        """A one-argument decoder for ``kind``, for nested values and container elements."""
        if is_figure(kind):
            return read_figure
        if kind is float:
            return structure_float
        if kind is datetime:
            return structure_datetime
        if self.supports(kind):
            return self.item(kind)
        hook = self._fallback(kind)
        return lambda value: hook(value, kind)


def construct(
    w: Writer,
    indent: int,
    cls: type,
    model: str,
    fields: list[attrs.Attribute[Any]],
    values: list[str],
) -> str:
    """Emit what builds ``cls`` from the locals ``values`` (its init fields, in
    ``attrs.fields()`` order) and give the expression that holds it."""
    if init_only_assigns(cls):
        new = w.bind(object.__new__, "new")
        w.emit(indent, f"o = {new}({model})")
        for a, var in zip(fields, values, strict=True):
            w.emit(indent, f"o.{a.name} = {var}")
        return "o"
    arguments = [
        f"{a.alias}={var}" if a.kw_only else var
        for a, var in zip(fields, values, strict=True)
        if a.init
    ]
    return f"{model}({', '.join(arguments)})"


def emit_datetime(w: Writer, indent: int, var: str) -> None:
    """Code that turns the JSON value in ``var`` into a date-time by ``structure_datetime``'s
    rule: its first attempt inline, the function settling the rest (other offsets, a date
    alone) and raising for a non-string or a non-date-time."""
    parse = w.bind(datetime.fromisoformat, "fromisoformat")
    general = w.bind(structure_datetime, "datetime")
    w.emit(indent, "try:")
    w.emit(indent + 1, f'{var} = {parse}({var} if {var}[-1] == "Z" else {var} + "Z")')
    w.emit(indent, "except (ValueError, IndexError):")
    w.emit(indent + 1, f"{var} = {general}({var})")
